using System.Globalization;
using TypedMixed.Cli.Data;
using TypedMixed.Cli.Formulas;

namespace TypedMixed.Cli.Design;

/// <summary>
/// The residual structures of <c>--correlation</c> and <c>--variance</c>: their columns join the formula's (checked the
/// same way, a missing value drops the row), and on the kept rows they become the design's
/// <see cref="ResidualCorrelation"/> and <see cref="ResidualVarianceFunction"/>. Rows are never reordered: times out of
/// order within a cluster are an error naming the rows.
/// </summary>
internal static partial class DesignBuilder
{
    /// <summary>The columns the residual structures read.</summary>
    private static IEnumerable<Variable> ResidualVariables(DesignOptions options) =>
        (options.Correlation?.Variables() ?? []).Concat(options.Variance?.Variables() ?? []);

    /// <summary>Each residual-structure variable's argument text, for a caret under a missing column.</summary>
    private static Dictionary<string, string> ResidualVariableSources(DesignOptions options)
    {
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var v in options.Correlation?.Variables() ?? []) sources.TryAdd(v.Label, options.Correlation!.Text);
        foreach (var v in options.Variance?.Variables() ?? []) sources.TryAdd(v.Label, options.Variance!.Text);
        foreach (var v in options.Variance?.Terms?.Variables.Where(v => v.Function is not null) ?? []) sources.TryAdd(v.Label, options.Variance!.Text);
        return sources;
    }

    /// <summary>Columns that must be numbers because an arithmetic time or covariate reads them, with where they are used.</summary>
    private static IEnumerable<(string Label, string Use)> ResidualArithmetic(DesignOptions options)
    {
        if (options.Correlation?.Time is { } time)
            foreach (var v in time.Variables()) yield return (v.Label, $"the time of --correlation {options.Correlation.Text}");
        if (options.Variance?.Covariate is { } covariate)
            foreach (var v in covariate.Variables()) yield return (v.Label, $"--variance {options.Variance.Text}");
    }

    /// <summary>The response cannot also order, group or scale its own residuals.</summary>
    private static void CheckResidualRoles(Formula formula, DesignOptions options)
    {
        var response = formula.Response.Variables.Select(v => v.Column).ToHashSet(StringComparer.Ordinal);
        if (options.Correlation?.Variables().FirstOrDefault(v => response.Contains(v.Column)) is { } c)
            throw new CliException($"--correlation {options.Correlation.Text}: '{c.Column}' is the response ({formula.Response.Label}); the time and the clusters of a correlation structure must be other columns.");
        if (options.Variance?.Variables().FirstOrDefault(v => response.Contains(v.Column)) is { } r)
            throw new CliException($"--variance {options.Variance.Text}: '{r.Column}' is the response ({formula.Response.Label}); a variance function of the response itself is not a model of its residuals (nlme's varPower(~ fitted(.)), a function of the fitted values, is not supported).");
    }

    private static string At(CsvTable table, int row) => $"{table.DescribeRow(row)} of {table.Source}";

    /// <summary>
    /// The correlation's clusters, times and checks: the cluster is a grouping factor of the formula or nested in one,
    /// times are finite (whole numbers for corAR1) and strictly increasing within each cluster in file order.
    /// </summary>
    private static ResidualCorrelation Correlation(ResidualCorrelationSpec spec, Formula formula, List<RandomEffectsTerm> terms,
        Dictionary<string, VariableData> data, CsvTable table, int[] kept, List<string> notes)
    {
        string option = $"--correlation {spec.Text}";
        int n = kept.Length;
        var groupings = formula.RandomTerms.SelectMany(b => b.Grouping.Select((g, k) => (Variables: g, Name: b.GroupName(k))))
            .DistinctBy(g => g.Name).ToList();
        IReadOnlyList<Variable> clusterVariables;
        if (spec.Cluster is { } given) clusterVariables = given;
        else if (groupings.Count == 1)
        {
            clusterVariables = groupings[0].Variables;
            notes.Add($"{spec.Name}: the residuals are correlated within each {groupings[0].Name}, the model's grouping factor (write '| {groupings[0].Name}' in the form to say so).");
        }
        else
            throw new CliException($"{option}: name the clusters whose residuals are correlated after '|', e.g. {spec.Name}(~ {spec.Time?.ToString() ?? "1"} | {groupings[^1].Name}); the formula has several grouping factors ({string.Join(", ", groupings.Select(g => g.Name))}).");
        string clusterName = string.Join(":", clusterVariables.Select(v => v.Column));
        var (clusterIndex, clusterKeys) = Grouping(clusterVariables.Select(v => (data[v.Label].LevelIndex!, data[v.Label].Levels!)).ToList(), n);

        // The clusters must lie within the model's clusters: a grouping factor of the formula, or nested in one.
        if (!terms.Any(t => t.Name == clusterName))
        {
            string? violation = null;
            bool nested = false;
            foreach (var term in terms.OrderByDescending(t => t.LevelCount))
            {
                var levelOf = new int[clusterKeys.Count];
                Array.Fill(levelOf, -1);
                var firstRow = new int[clusterKeys.Count];
                string? here = null;
                for (int i = 0; i < n && here is null; i++)
                {
                    int c = clusterIndex[i], l = term.LevelIndex[i];
                    if (levelOf[c] < 0) { levelOf[c] = l; firstRow[c] = i; }
                    else if (levelOf[c] != l)
                        here = $"{clusterName} {clusterKeys[c]} has rows in {term.Name} {term.LevelKeys[levelOf[c]]} ({At(table, kept[firstRow[c]])}) and in {term.Name} {term.LevelKeys[l]} ({table.DescribeRow(kept[i])})";
                }
                if (here is null) { nested = true; break; }
                violation ??= here;
            }
            if (!nested)
                throw new CliException($"{option}: '{clusterName}' is not a grouping factor of the formula ({string.Join(", ", terms.Select(t => t.Name))}) nor nested in one: {violation}. Residuals are correlated within a cluster of the model, as in nlme's lme; name a grouping factor of the formula after '|', e.g. {spec.Name}(~ {spec.Time?.ToString() ?? "1"} | {terms[0].Name}).");
        }

        var time = new double[n];
        if (spec.Time is null)
        {
            // ~ 1 | g: occasions 1, 2, 3, … in file order within each cluster (nlme's corAR1 without a time covariate).
            var count = new int[clusterKeys.Count];
            for (int i = 0; i < n; i++) time[i] = ++count[clusterIndex[i]];
        }
        else
        {
            time = spec.Time.Evaluate(v => data[v.Label].Numbers!, n);
            string columns(int i) => string.Join(", ", spec.Time.Variables().Select(v => v.Column).Distinct().Select(c => $"{c} = {table.Column(c).Raw[kept[i]]}"));
            for (int i = 0; i < n; i++)
            {
                if (!double.IsFinite(time[i]))
                    throw new CliException($"{option}: the time {spec.Time} is {Describe(time[i])} at {At(table, kept[i])} ({columns(i)}); times must be finite. Fix or blank the value (the row is then dropped).");
                if (spec.Structure == ResidualCorrelationStructure.Ar1 && (time[i] != Math.Round(time[i]) || Math.Abs(time[i]) > 1e9))
                    throw new CliException($"{option}: corAR1 needs whole-number occasions, but the time {spec.Time} is {Describe(time[i])} at {At(table, kept[i])} ({columns(i)}). Use corCAR1 for continuous times, or an occasion column.");
            }
            // Strictly increasing within each cluster, in file order: the fit never reorders rows.
            var lastRow = new int[clusterKeys.Count];
            Array.Fill(lastRow, -1);
            for (int i = 0; i < n; i++)
            {
                int c = clusterIndex[i], before = lastRow[c];
                if (before >= 0 && time[i] <= time[before])
                {
                    string what = time[i] == time[before]
                        ? $"the time {spec.Time} = {Describe(time[i])} appears twice in {clusterName} {clusterKeys[c]}, at {table.DescribeRow(kept[before])} and {table.DescribeRow(kept[i])} of {table.Source}; each occasion of a cluster must be one row (average or drop the duplicates)"
                        : $"the times of {clusterName} {clusterKeys[c]} are not increasing in file order: {spec.Time} = {Describe(time[i])} at {table.DescribeRow(kept[i])} follows {spec.Time} = {Describe(time[before])} at {table.DescribeRow(kept[before])} of {table.Source}; sort the rows by {clusterName} and {spec.Time} (the fit never reorders rows)";
                    throw new CliException($"{option}: {what}.");
                }
                lastRow[c] = i;
            }
        }
        return new ResidualCorrelation
        {
            Structure = spec.Structure,
            TimeName = spec.Time?.ToString() ?? "1",
            Time = time,
            ClusterName = clusterName,
            ClusterIndex = clusterIndex,
            ClusterKeys = clusterKeys,
        };
    }

    /// <summary>The variance function's covariates (or strata) on the kept rows, with the checks its form needs.</summary>
    private static ResidualVarianceFunction Variance(ResidualVarianceSpec spec, Dictionary<string, VariableData> data, CsvTable table, int[] kept, double[] ones)
    {
        string option = $"--variance {spec.Text}";
        int n = kept.Length;
        switch (spec.Kind)
        {
            case ResidualVarianceFunctionKind.Ident:
            {
                var strata = data[spec.Stratum!.Label];
                if (strata.Levels!.Count < 2)
                    throw new CliException($"{option}: {spec.Stratum.Column} has the one level '{strata.Levels[0]}' on the rows used, so there is no second variance to estimate; varIdent needs a factor with two or more levels.");
                return new ResidualVarianceFunction
                {
                    Kind = spec.Kind,
                    StratumName = spec.Stratum.Column,
                    StratumIndex = strata.LevelIndex,
                    StratumKeys = strata.Levels,
                };
            }
            case ResidualVarianceFunctionKind.Exponential or ResidualVarianceFunctionKind.Power:
            {
                var covariate = spec.Covariate!;
                var values = covariate.Evaluate(v => data[v.Label].Numbers!, n);
                for (int i = 0; i < n; i++)
                {
                    string columns() => string.Join(", ", covariate.Variables().Select(v => v.Column).Distinct().Select(c => $"{c} = {table.Column(c).Raw[kept[i]]}"));
                    if (!double.IsFinite(values[i]))
                        throw new CliException($"{option}: the covariate {covariate} is {Describe(values[i])} at {At(table, kept[i])} ({columns()}); it must be finite. Fix or blank the value (the row is then dropped).");
                    if (spec.Kind == ResidualVarianceFunctionKind.Power && values[i] == 0)
                        throw new CliException($"{option}: the covariate {covariate} is 0 at {At(table, kept[i])} ({columns()}), where |x|^δ makes the residual variance 0. Shift it away from zero, e.g. varPower(~ {covariate} + 1) as nlme users do, or use varExp.");
                }
                return new ResidualVarianceFunction { Kind = spec.Kind, CovariateNames = [covariate.ToString()], Covariates = values };
            }
            default:
            {
                var terms = spec.Terms!;
                if (!terms.Intercept)
                    throw new CliException($"{option}: the constant of {spec.Name}() cannot be removed (it is the level-1 variance at zero covariates); drop the '0 +' or '- 1'.");
                if (spec.Kind == ResidualVarianceFunctionKind.Quadratic && terms.Variables.FirstOrDefault(v => data[v.Label].IsFactor) is { } factor)
                    throw new CliException($"{option}: {factor.Label} is categorical; in a quadratic variance a 0/1 column's square equals itself, so its variance and covariance parameters cannot both be estimated. Use loglinear(~ {factor.Label} + ...) for a variance per category.");
                var (names, columns) = ModelMatrix(terms, data, n, ones);
                names.RemoveAt(0); // the constant: log σ² (loglinear) or σ²ₑ₀ (quadratic), not a covariate
                columns.RemoveAt(0);
                if (names.Count == 0)
                    throw new CliException($"{option}: {spec.Name}() needs at least one covariate, e.g. {(spec.Kind == ResidualVarianceFunctionKind.LogLinear ? "loglinear(~ sex + standLRT)" : "quadratic(~ standLRT)")}; without one the residual variance is constant (leave --variance out).");
                return new ResidualVarianceFunction { Kind = spec.Kind, CovariateNames = names, Covariates = Flatten(columns, n) };
            }
        }
    }

    private static string Describe(double x) =>
        double.IsNaN(x) ? "NaN" : double.IsInfinity(x) ? (x > 0 ? "Inf" : "-Inf") : x.ToString("R", CultureInfo.InvariantCulture);
}
