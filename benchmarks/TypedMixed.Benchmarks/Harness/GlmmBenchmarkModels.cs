using TypedMixed.Cli.Data;
using TypedMixed.Cli.Design;
using TypedMixed.Cli.Formulas;

namespace TypedMixed.Benchmarks.Harness;

/// <summary>
/// One GLMM of the comparison with glmer and glmmTMB: a data file, the formula without the parts the CLI's formula
/// reader does not know (binomial trials, offset), which columns give those, and the R formula that says the same.
/// </summary>
/// <param name="Name">Short name used in tables and in the <c>ratio glmm-…</c> lines.</param>
/// <param name="File">CSV file name inside the data folder.</param>
/// <param name="Formula">Formula read by TypedMixed's formula parser: response (binomial: successes) ~ fixed + random.</param>
/// <param name="Family">Response family (canonical link).</param>
/// <param name="TrialsColumn">Binomial only: column with the number of trials; null for a 0/1 response.</param>
/// <param name="ExposureColumn">Column whose logarithm is the offset; null for none.</param>
/// <param name="RFormula">The same model as glmer and glmmTMB read it (cbind(successes, failures), offset(log(...))).</param>
/// <param name="Repetitions">Timed TypedMixed fits (after warm-up).</param>
/// <param name="RRepetitions">Timed glmer fits and timed glmmTMB fits.</param>
/// <param name="WarmUpOnCbpp">
/// Warm up on cbpp (built in memory) instead of the model itself: for the large models, whose one fit takes minutes and
/// far exceeds the JIT's share (the R side likewise warms up on cbpp).
/// </param>
internal sealed record GlmmBenchmarkModel(
    string Name, string File, string Formula, ResponseFamily Family, string? TrialsColumn, string? ExposureColumn,
    string RFormula, int Repetitions, int RRepetitions, bool WarmUpOnCbpp = false)
{
    /// <summary>The GLMMs of <c>compare.sh</c>, in the order they are run.</summary>
    public static readonly GlmmBenchmarkModel[] All =
    [
        new("glmm-cbpp", "cbpp.csv", "incidence ~ factor(period) + (1 | herd)", ResponseFamily.Binomial, "size", null,
            "cbind(incidence, size - incidence) ~ factor(period) + (1 | herd)", 20, 20),
        new("glmm-binary-crossed", "binary_crossed.csv", "y ~ service + (1 | s) + (1 | d)", ResponseFamily.Binomial, null, null,
            "y ~ service + (1 | s) + (1 | d)", 1, 1, WarmUpOnCbpp: true),
        new("glmm-poisson-1m", "poisson1m.csv", "count ~ x1 + x2 + (1 | g)", ResponseFamily.Poisson, null, "exposure",
            "count ~ x1 + x2 + (1 | g) + offset(log(exposure))", 1, 1, WarmUpOnCbpp: true),
    ];

    public static GlmmBenchmarkModel Named(string name) =>
        All.FirstOrDefault(m => m.Name == name)
        ?? throw new ArgumentException($"no GLMM benchmark model '{name}'; known: {string.Join(", ", All.Select(m => m.Name))}");

    /// <summary>R's family name: binomial or poisson.</summary>
    public string RFamily => Family switch
    {
        ResponseFamily.Binomial => "binomial",
        ResponseFamily.Poisson => "poisson",
        _ => throw new NotSupportedException($"no R family for {Family}"),
    };

    /// <summary>
    /// Reads the CSV, builds the design from <see cref="Formula"/> exactly as <c>typedmixed fit</c> does, then sets the
    /// family, the trials and the offset log(exposure) from their columns (the data sets have no missing values, so the
    /// rows are the file's rows; anything else is refused).
    /// </summary>
    public ModelDesign LoadDesign(string csvPath) => BuildDesign(CsvTable.Load(csvPath));

    /// <summary>The design of cbpp from the embedded reference data (the warm-up of the large models).</summary>
    public static ModelDesign CbppInMemory() =>
        Named("glmm-cbpp").BuildDesign(CsvTable.Parse(Data.Datasets.ReferenceCsv("cbpp.csv"), "cbpp.csv"));

    private ModelDesign BuildDesign(CsvTable table)
    {
        var built = DesignBuilder.Build(FormulaParser.Parse(Formula), table);
        var d = built.Design;
        if (built.RowsDropped != 0 || d.Rows != table.RowCount)
            throw new InvalidOperationException($"{table.Source}: {built.RowsDropped} rows dropped; the GLMM benchmarks expect complete data");
        double[]? trials = TrialsColumn is null ? null : NumericColumn(table, TrialsColumn);
        double[]? offset = null;
        if (ExposureColumn is not null)
        {
            var exposure = NumericColumn(table, ExposureColumn);
            offset = new double[exposure.Length];
            for (int i = 0; i < exposure.Length; i++) offset[i] = Math.Log(exposure[i]);
        }
        return new ModelDesign
        {
            ResponseName = d.ResponseName,
            Response = d.Response,
            FixedEffects = d.FixedEffects,
            FixedEffectNames = d.FixedEffectNames,
            Terms = d.Terms,
            RowsDropped = d.RowsDropped,
            Family = Family,
            Trials = trials,
            Offset = offset,
        };
    }

    private static double[] NumericColumn(CsvTable table, string name)
    {
        var column = table.Column(name);
        if (!column.IsNumeric || Enumerable.Range(0, table.RowCount).Any(column.IsMissing))
            throw new InvalidOperationException($"column {name} must be numeric without missing values");
        return column.Values;
    }

    /// <summary>Options comparable with glmer's defaults: Laplace, Hessian-based fixed-effect SEs (glmer's calc.derivs), no variance-component SEs.</summary>
    public static GlmmFitOptions GlmerLikeOptions => new() { VarianceComponentErrors = false };

    /// <summary>The library's default fit (variance-component SEs too).</summary>
    public static GlmmFitOptions FullOptions => GlmmFitOptions.Default;
}
