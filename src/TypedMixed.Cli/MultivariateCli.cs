using System.Diagnostics;
using System.Globalization;
using TypedMixed.Cli.Data;
using TypedMixed.Cli.Design;
using TypedMixed.Cli.Formulas;
using TypedMixed.Presentation;

namespace TypedMixed.Cli;

/// <summary>
/// <c>typedmixed fit data.csv "mvbind(written, course) ~ female + (1 | school)"</c> (the brms spelling): several
/// responses per row of a wide file, each with every fixed term and, in each classification, a random intercept (and
/// with <c>(1 + x | g)</c> random slopes) per response, all correlated, with correlated residuals; a row may miss some
/// responses.
/// </summary>
internal static class MultivariateCli
{
    /// <summary>The name of the internal column that carries each row's number through the design builder.</summary>
    private const string RowColumn = "mvbind.row";

    /// <summary>Whether the formula's left-hand side is <c>mvbind(...)</c>.</summary>
    public static bool IsMultivariate(string formula) => formula.TrimStart().StartsWith("mvbind(", StringComparison.Ordinal);

    /// <summary>Splits <c>mvbind(a, b, …) ~ rhs</c> into the response names and the right-hand side.</summary>
    internal static (string[] Responses, string RightHandSide) Split(string formula)
    {
        string text = formula.Trim();
        int open = text.IndexOf('('), close = text.IndexOf(')'), firstTilde = text.IndexOf('~');
        if (close < 0 || (firstTilde >= 0 && close > firstTilde))
            throw new CliException($"The formula '{formula}' has no ')' closing mvbind(: write mvbind(response1, response2) ~ terms.");
        int tilde = text.IndexOf('~', close);
        if (tilde < 0 || text[(close + 1)..tilde].Trim().Length > 0)
            throw new CliException($"The formula '{formula}' needs '~' right after mvbind(...): write mvbind(response1, response2) ~ terms.");
        var names = text[(open + 1)..close].Split(',').Select(s => s.Trim()).ToArray();
        foreach (var name in names)
            if (name.Length == 0 || !name.All(c => char.IsLetterOrDigit(c) || c is '_' or '.'))
                throw new CliException($"mvbind(...) lists '{name}': give column names separated by commas, e.g. mvbind(written, course).");
        if (names.Length < 2)
            throw new CliException($"mvbind(...) lists {names.Length} response: a multivariate model needs at least two. Fit one response as 'y ~ terms'.");
        var twice = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null)
            throw new CliException($"Response '{twice.Key}' is listed twice in mvbind(...). List each response once.");
        return (names, text[(tilde + 1)..].Trim());
    }

    /// <summary>
    /// The classification of a random term: <c>(1 | g)</c> an intercept per response; <c>(1 + x | g)</c>, <c>(x | g)</c>
    /// an intercept and a slope of each covariate per response; <c>(0 + x | g)</c> slopes only. All of a term's effects
    /// are correlated (one unstructured covariance); <c>||</c> and multiple membership are refused.
    /// </summary>
    private static MultivariateClassification Classification(RandomEffectsTerm term)
    {
        if (term.IsMultipleMembership)
            throw new CliException($"mvbind(...) cannot take the multiple-membership term of '{term.Name}' yet: write (1 | {term.Name}) with one level per row.");
        if (term.Covariance != CovarianceStructure.Unstructured && term.ColumnCount > 1)
            throw new CliException($"mvbind(...) correlates all random effects of '{term.Name}' (across responses too); '||' (uncorrelated) is not supported with it. Write ({string.Join(" + ", term.ColumnNames.Select(c => c == "(Intercept)" ? "1" : c))} | {term.Name}).");
        return MultivariateClassification.FromTerm(term);
    }

    /// <summary>Fits the multivariate model and prints it (and writes --json).</summary>
    public static int Fit(CliArguments a, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (a.IsGeneralized || a.Family == ResponseFamily.Ordinal)
            throw new CliException("mvbind(...) fits Gaussian responses only: remove --family.");
        if (a.Correlation is not null || a.Variance is not null)
            throw new CliException("mvbind(...) already gives each response its own residual variance and correlates the residuals of a row: remove --correlation/--variance.");
        if (a.WeightsColumn is not null)
            throw new CliException("mvbind(...) does not take prior weights yet: remove --weights.");
        if (a.Aggregate || a.Plots.Count > 0)
            throw new CliException("mvbind(...) is fitted from the rows, without figures so far: remove --aggregate, --plot and --caterpillar.");
        var (responses, rhs) = Split(a.Formula);
        var formula = FormulaParser.Parse(RowColumn + " ~ " + rhs);
        var columns = formula.AllVariables().Select(v => v.Column).Where(c => c != RowColumn).Concat(responses).ToHashSet(StringComparer.Ordinal);
        var table = CliApp.LoadData(a, columns);
        var responseColumns = responses.Select(table.Column).ToArray();
        foreach (var c in responseColumns)
            if (!c.IsNumeric && c.PresentCount > 0)
            {
                int bad = Enumerable.Range(0, table.RowCount).First(i => !c.IsMissing(i) && double.IsNaN(c.Values[i]));
                throw new CliException($"Response column '{c.Name}' is not numeric: {table.DescribeRow(bad)} of {table.Source} holds '{c.Raw[bad]}'. Give numbers (empty or NA where missing).");
            }
        // Build the fixed and random parts with the formula builder on a numeric response that is each row's number:
        // it keeps the rows whose covariates and classifications are present, and tells which rows those are.
        var rowNumbers = CsvColumn.FromNumbers(RowColumn, table.Columns.Count, Enumerable.Range(0, table.RowCount).Select(i => (double)i).ToArray(), null);
        var built = DesignBuilder.Build(formula, table.WithColumn(rowNumbers), new DesignOptions { ReferenceLevels = a.ReferenceLevels });
        var d = built.Design;
        var rows = d.Response.Select(v => (int)v).ToArray();
        int n = rows.Length;
        var classifications = d.Terms.Select(Classification).ToArray();
        var twice = d.Terms.GroupBy(t => t.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null)
            throw new CliException($"mvbind(...) takes one random term per classification; '{twice.Key}' has {twice.Count()}. Merge them into one correlated term, e.g. (1 + x | {twice.Key}).");
        var values = responseColumns.Select(c => rows.Select(i => c.IsMissing(i) || c.PresentCount == 0 ? double.NaN : c.Values[i]).ToArray()).ToArray();
        int dropped = built.RowsDropped;
        if (dropped > 0)
            stderr.WriteLine($"typedmixed: dropped {dropped.ToString(CultureInfo.InvariantCulture)} of {table.RowCount.ToString(CultureInfo.InvariantCulture)} rows with missing values in the formula's right-hand side (missing responses are kept: a row contributes the responses it has).");
        var design = new MultivariateDesign
        {
            ResponseNames = responses,
            Responses = values,
            FixedEffects = d.FixedEffects,
            FixedEffectNames = d.FixedEffectNames,
            Classifications = classifications,
            UnitName = "row",
            DescribeUnit = u => $"{table.DescribeRow(rows[u])} of {table.Source}",
            RowsDropped = dropped,
        };
        if (a.DesignOnly)
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"design: {n} rows ({dropped} dropped), responses {string.Join(", ", responses)}, {d.FixedEffectNames.Count} fixed-effect columns per response ({string.Join(", ", d.FixedEffectNames)}), classifications {string.Join(", ", d.Terms.Select(t => $"{t.Name} [{t.LevelCount} levels x {responses.Length}{(t.ColumnNames is ["(Intercept)"] ? "" : " x (" + string.Join(", ", t.ColumnNames) + ")")}]"))}"));
            return 0;
        }
        var printer = a.Quiet ? null : new CliApp.ProgressPrinter(stderr, a.Method == EstimationMethod.Reml ? "REML criterion" : "deviance", everyHalfSecond: a.Display == ProgressDisplay.Lines);
        var watch = Stopwatch.StartNew();
        var fit = MultivariateMixedModel.Fit(design, new FitOptions { Method = a.Method, Progress = printer, Optimizer = a.Optimizer }, cancellationToken: cancellationToken);
        printer?.Finish(fit.Optimizer.Evaluations, a.Method == EstimationMethod.Reml ? fit.RemlCriterion : fit.Deviance, watch.Elapsed);
        var report = new FitReportOptions { Formula = a.Formula, DataName = a.Sql is null ? Path.GetFileName(a.DataPath) : "SQL query" };
        stdout.Write(a.Markdown ? FitSummary.ToMarkdown(fit, report) : FitSummary.ToText(fit, report));
        if (a.JsonPath is not null)
        {
            using var stream = File.Create(a.JsonPath);
            FitJson.Write(stream, fit, report);
        }
        return 0;
    }
}
