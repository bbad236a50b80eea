using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using TypedMixed.Cli.Data;
using TypedMixed.Cli.Design;
using TypedMixed.Cli.Formulas;
using TypedMixed.Cli.Plots;
using TypedMixed.Data.DuckDb;
using TypedMixed.Presentation;

namespace TypedMixed.Cli;

/// <summary>
/// The command-line application, callable in-process: <c>typedmixed fit data.csv "y ~ x + (1 | g)"</c> reads the CSV,
/// builds the design from the formula, fits, prints the summary and writes the requested files.
/// </summary>
public static class CliApp
{
    /// <summary>Runs the command line <paramref name="args"/>; returns the exit code (0 success, 1 usage or data error, 2 fit failure, 130 cancelled).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default) =>
        Run(args, stdout, stderr, ProgressDisplay.Lines, cancellationToken);

    /// <summary>Runs the command line with optimizer progress shown as <paramref name="display"/> says.</summary>
    internal static int Run(string[] args, TextWriter stdout, TextWriter stderr, ProgressDisplay display, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            (args.Length == 0 ? stderr : stdout).WriteLine(CliArguments.Usage);
            return args.Length == 0 ? 1 : 0;
        }
        if (args[0] == "--version")
        {
            stdout.WriteLine("typedmixed " + (typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0"));
            return 0;
        }
        if (!CliArguments.Verbs.TryGetValue(args[0], out var verb))
        {
            stderr.WriteLine($"typedmixed: unknown command '{args[0]}'. The verbs: {string.Join(", ", CliArguments.Verbs.Keys)}.\n");
            stderr.WriteLine(CliArguments.Usage);
            return 1;
        }
        if (args.Skip(1).Any(a => a is "-h" or "--help"))
        {
            stdout.WriteLine(CliArguments.Usage);
            return 0;
        }
        try
        {
            var options = CliArguments.Parse(verb, args[1..]);
            options.Display = display;
            return verb switch
            {
                CliVerb.Anova => Verbs.Anova(options, stdout, stderr, cancellationToken),
                CliVerb.Ranef => Verbs.Ranef(options, stdout, stderr, cancellationToken),
                CliVerb.Confint => Verbs.Confint(options, stdout, stderr, cancellationToken),
                CliVerb.Predict => Verbs.Predict(options, stdout, stderr, cancellationToken),
                _ => Fit(options, stdout, stderr, cancellationToken),
            };
        }
        catch (FormulaException e)
        {
            stderr.WriteLine("typedmixed: formula error: " + e.Describe());
            return 1;
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("typedmixed: cancelled.");
            return 130;
        }
        catch (Exception e) when (e is CliException or ModelDesignException or IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine("typedmixed: error: " + e.Message);
            return 1;
        }
        catch (Exception e) when (e is InvalidOperationException or ArithmeticException or ArgumentException)
        {
            stderr.WriteLine($"typedmixed: the fit failed: {e.Message}");
            return 2;
        }
    }

    /// <summary>A formula read and its design built from the data, with the notes printed on stderr.</summary>
    internal sealed record PreparedModel(Formula Formula, BuiltDesign Built);

    /// <summary>Reads the formula, loads the data and builds the design; prints dropped rows and notes on stderr.</summary>
    internal static PreparedModel Prepare(CliArguments a, string formulaText, TextWriter stderr, CsvTable? table = null)
    {
        var formula = FormulaParser.Parse(formulaText);
        ResponseBuilder.CheckFamily(formula, a.Family);
        foreach (var column in a.ReferenceLevels.Keys)
            if (!formula.AllVariables().Concat(a.Correlation?.Variables() ?? []).Concat(a.Variance?.Variables() ?? []).Any(v => v.Column == column))
                throw new CliException($"--reference names column '{column}', which the formula does not use.");
        var options = new DesignOptions
        {
            ReferenceLevels = a.ReferenceLevels,
            Family = a.Family,
            Link = a.Link,
            WeightsColumn = a.WeightsColumn,
            Correlation = a.Correlation,
            Variance = a.Variance,
            OrdinalLevels = a.OrdinalLevels,
            Thresholds = a.Thresholds,
        };
        BuiltDesign built;
        int sourceRows;
        // A model StreamingDesignBuilder covers (numeric response and effects columns; factors from numeric or text
        // columns; it declines the rest) is built in one streaming pass without holding the table, so the peak memory is
        // about the design's; anything else, and every data error, goes through the table, whose messages name the row
        // and column.
        if (table is null && StreamingDesignBuilder.TryBuild(formula, DataSource(a), options) is { } streamed)
        {
            built = streamed.Built;
            sourceRows = streamed.SourceRows;
        }
        else
        {
            if (table is null)
            {
                // Only the columns the model uses are read (and, for messages, every column's name).
                var columns = formula.AllVariables().Concat(formula.MembershipVariables())
                    .Concat(a.Correlation?.Variables() ?? []).Concat(a.Variance?.Variables() ?? [])
                    .Select(v => v.Column).Append(a.WeightsColumn).OfType<string>().ToHashSet(StringComparer.Ordinal);
                table = LoadData(a, columns);
            }
            built = DesignBuilder.Build(formula, table, options);
            sourceRows = table.RowCount;
        }
        if (a.IsGeneralized && a.Glmm.QuadraturePoints > 1 && (built.Design.Terms.Count > 1 || built.Design.Terms[0].ColumnNames.Count > 1))
            throw new CliException(
                $"--nagq {a.Glmm.QuadraturePoints.ToString(CultureInfo.InvariantCulture)} needs a single random-intercept term, but the model has {Describe(built.Design.Terms)}: adaptive Gauss-Hermite quadrature integrates "
                + "each group's one scalar random effect separately, which is possible only when the groups are independent with one effect each (glmer has the same rule). Use --nagq 1 (Laplace).");
        if (built.RowsDropped > 0)
            stderr.WriteLine($"typedmixed: dropped {built.RowsDropped.ToString(CultureInfo.InvariantCulture)} of {sourceRows.ToString(CultureInfo.InvariantCulture)} rows with missing values in the formula's columns{(a.WeightsColumn is null ? "" : " or the --weights column")}{(a.Correlation is null && a.Variance is null ? "" : " or the --correlation/--variance columns")}.");
        foreach (var note in built.Notes)
            stderr.WriteLine("typedmixed: " + note);
        return new PreparedModel(formula, built);
    }

    /// <summary>The file, or the --sql query, named by the options.</summary>
    internal static TableSource DataSource(CliArguments a) =>
        a.Sql is null ? new TableSource { Location = a.DataPath, Separator = a.Separator } : new TableSource { Location = a.Sql, IsQuery = true };

    /// <summary>Reads the data named by the options (the file, or the --sql query), only <paramref name="columns"/> when given.</summary>
    internal static CsvTable LoadData(CliArguments a, IReadOnlyCollection<string>? columns = null) =>
        a.Sql is null ? CsvTable.Load(a.DataPath, columns, a.Separator) : CsvTable.Query(a.Sql, columns);

    /// <summary>Fits the prepared design as the options ask (lmer or glmer), with progress on stderr unless --quiet.</summary>
    internal static MixedModelFit FitModel(CliArguments a, ModelDesign design, TextWriter stderr, CancellationToken cancellationToken)
    {
        string objective = a.IsGeneralized ? "deviance" : a.Method == EstimationMethod.Reml ? "REML criterion" : "deviance";
        var printer = a.Quiet ? null : new ProgressPrinter(stderr, objective, everyHalfSecond: a.Display == ProgressDisplay.Lines);
        var watch = Stopwatch.StartNew();
        MixedModelFit Run(IProgress<FitProgress>? progress) => a.Family == ResponseFamily.Ordinal
            ? OrdinalMixedModel.Fit(design, new OrdinalFitOptions { QuadraturePoints = a.Glmm.QuadraturePoints, Progress = progress }, cancellationToken)
            : a.IsGeneralized
            ? GeneralizedLinearMixedModel.Fit(design, new GlmmFitOptions
            {
                QuadraturePoints = a.Glmm.QuadraturePoints,
                LaplaceHessian = a.Glmm.LaplaceHessian,
                FixedEffectsCovariance = a.Glmm.FixedEffectsCovariance,
                Progress = progress,
            }, cancellationToken)
            : LinearMixedModel.Fit(design, new FitOptions { Method = a.Method, Progress = progress, Optimizer = a.Optimizer }, cancellationToken);
        var fit = printer is not null && a.Display == ProgressDisplay.Live ? LiveProgress.Run(objective, Run) : Run(printer);
        printer?.Finish(fit.Optimizer.Evaluations, fit switch
        {
            LinearMixedModelFit l => l.Objective,
            OrdinalMixedModelFit o => o.Deviance,
            _ => ((GeneralizedLinearMixedModelFit)fit).Deviance,
        }, watch.Elapsed);
        return fit;
    }

    private static int Fit(CliArguments a, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (MultivariateCli.IsMultivariate(a.Formula)) return MultivariateCli.Fit(a, stdout, stderr, cancellationToken);
        if (a.Aggregate) return Aggregation.AggregateFit.Run(a, stdout, stderr, cancellationToken);
        var built = Prepare(a, a.Formula, stderr).Built;
        if (a.DesignOnly)
        {
            var d = built.Design;
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"design: {d.Response.Length} rows ({built.RowsDropped} dropped), {d.FixedEffectNames.Count} fixed-effect columns ({string.Join(", ", d.FixedEffectNames)}), random-effects terms {string.Join(", ", d.Terms.Select(t => $"{t.Name} [{t.LevelCount} levels x {t.ColumnNames.Count}]"))}{ResidualSummary(d)}"));
            return 0;
        }
        var plots = new PlotWriter(a.Plots, built.Design);
        var report = new FitReportOptions { Formula = a.Formula, DataName = a.Sql is null ? Path.GetFileName(a.DataPath) : "SQL query", IncludeConditionalModes = a.IncludeRanef };
        var fit = FitModel(a, built.Design, stderr, cancellationToken);
        stdout.Write(fit switch
        {
            GeneralizedLinearMixedModelFit g => a.Markdown ? FitSummary.ToMarkdown(g, report) : FitSummary.ToText(g, report),
            LinearMixedModelFit l => a.Markdown ? FitSummary.ToMarkdown(l, report) : FitSummary.ToText(l, report),
            OrdinalMixedModelFit o => a.Markdown ? FitSummary.ToMarkdown(o, report) : FitSummary.ToText(o, report),
            _ => throw new InvalidOperationException("Unknown fit type."),
        });
        if (a.JsonPath is not null)
        {
            using var stream = File.Create(a.JsonPath);
            FitJson.Write(stream, fit, report);
        }
        plots.Write(fit);
        return 0;
    }

    /// <summary>The residual structures of a design, for --design-only: ", residual correlation Ar1 over Days within Subject (18 clusters)".</summary>
    private static string ResidualSummary(ModelDesign d) =>
        (d.ResidualCorrelation is { } c ? string.Create(CultureInfo.InvariantCulture, $", residual correlation {c.Structure} over {c.TimeName} within {c.ClusterName} ({c.ClusterKeys.Count} clusters)") : "")
        + (d.ResidualVariance is { } v
            ? $", variance function {v.Kind}" + (v.StratumName is { } s ? $" by {s} ({string.Join(", ", v.StratumKeys!)})" : $" of {string.Join(", ", v.CovariateNames)}")
            : "");

    private static string Describe(IReadOnlyList<RandomEffectsTerm> terms) =>
        terms.Count > 1
            ? $"{terms.Count.ToString(CultureInfo.InvariantCulture)} random-effects terms ({string.Join(", ", terms.Select(t => t.Name))})"
            : $"random slopes in its term ({terms[0].Name}: {string.Join(", ", terms[0].ColumnNames)})";

    /// <summary>Prints optimizer progress to stderr at most twice a second (unless told not to), and a closing line.</summary>
    internal sealed class ProgressPrinter(TextWriter stderr, string objective, bool everyHalfSecond = true) : IProgress<FitProgress>
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private TimeSpan _last = TimeSpan.Zero;
        private readonly string _objective = objective;

        public void Report(FitProgress value)
        {
            if (!everyHalfSecond) return;
            if (_clock.Elapsed - _last < TimeSpan.FromMilliseconds(500)) return;
            _last = _clock.Elapsed;
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  evaluation {value.Evaluations,5}: {_objective} {value.Objective:F6} (best {value.BestObjective:F6})"));
        }

        public void Finish(int evaluations, double objective, TimeSpan elapsed) =>
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"typedmixed: {evaluations} evaluations, {_objective} {objective:F6}, {elapsed.TotalSeconds:F2} s"));
    }
}
