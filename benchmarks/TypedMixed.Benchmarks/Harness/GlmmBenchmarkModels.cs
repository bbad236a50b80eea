using TypedMixed.Cli.Data;
using TypedMixed.Cli.Design;
using TypedMixed.Cli.Formulas;

namespace TypedMixed.Benchmarks.Harness;

/// <summary>
/// One GLMM of the comparison with glmer and glmmTMB: a data file, the glmer formula (read by TypedMixed's formula
/// reader too: <c>cbind(successes, failures)</c>, <c>offset(log(exposure))</c>) and the family.
/// </summary>
/// <param name="Name">Short name used in tables and in the <c>ratio glmm-…</c> lines.</param>
/// <param name="File">CSV file name inside the data folder.</param>
/// <param name="Formula">The model as glmer, glmmTMB and <c>typedmixed fit</c> read it.</param>
/// <param name="Family">Response family (canonical link).</param>
/// <param name="Repetitions">Timed TypedMixed fits (after warm-up).</param>
/// <param name="RRepetitions">Timed glmer fits and timed glmmTMB fits.</param>
/// <param name="WarmUpOnCbpp">
/// Warm up on cbpp (built in memory) instead of the model itself: for the large models, whose one fit takes minutes and
/// far exceeds the JIT's share (the R side likewise warms up on cbpp).
/// </param>
internal sealed record GlmmBenchmarkModel(
    string Name, string File, string Formula, ResponseFamily Family, int Repetitions, int RRepetitions, bool WarmUpOnCbpp = false)
{
    /// <summary>The GLMMs of <c>compare.sh</c>, in the order they are run.</summary>
    public static readonly GlmmBenchmarkModel[] All =
    [
        new("glmm-cbpp", "cbpp.csv", "cbind(incidence, size - incidence) ~ factor(period) + (1 | herd)", ResponseFamily.Binomial, 20, 20),
        new("glmm-binary-crossed", "binary_crossed.csv", "y ~ service + (1 | s) + (1 | d)", ResponseFamily.Binomial, 1, 1, WarmUpOnCbpp: true),
        new("glmm-poisson-1m", "poisson1m.csv", "count ~ x1 + x2 + (1 | g) + offset(log(exposure))", ResponseFamily.Poisson, 1, 1, WarmUpOnCbpp: true),
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

    /// <summary>Reads the CSV and builds the design exactly as <c>typedmixed fit --family …</c> does.</summary>
    public ModelDesign LoadDesign(string csvPath) => BuildDesign(CsvTable.Load(csvPath));

    /// <summary>The design of cbpp from the embedded reference data (the warm-up of the large models).</summary>
    public static ModelDesign CbppInMemory() =>
        Named("glmm-cbpp").BuildDesign(CsvTable.Parse(Data.Datasets.ReferenceCsv("cbpp.csv"), "cbpp.csv"));

    /// <summary>
    /// A small synthetic crossed binary model (8,000 rows, 400 × 300 levels; fixed seed) for the large models' warm-up:
    /// it runs the code the large crossed fits run and cbpp does not reach (conjugate-gradient PIRLS steps, the blocked
    /// dense Cholesky), so their first fit does not include the JIT compiling it. No data of the timed model is used.
    /// </summary>
    public static ModelDesign CrossedBinaryWarmUp()
    {
        const int n = 8_000, levelsA = 400, levelsB = 300;
        var rng = new Random(20261201);
        var a = new int[n];
        var b = new int[n];
        var x = new double[2 * n];
        var y = new double[n];
        var effectA = Enumerable.Range(0, levelsA).Select(_ => 0.7 * (rng.NextDouble() - 0.5) * 3.4).ToArray();
        var effectB = Enumerable.Range(0, levelsB).Select(_ => 0.8 * (rng.NextDouble() - 0.5) * 3.4).ToArray();
        for (int i = 0; i < n; i++)
        {
            a[i] = i < levelsA ? i : rng.Next(levelsA);
            b[i] = i < levelsB ? i : rng.Next(levelsB);
            x[i] = 1;
            x[n + i] = rng.Next(2);
            double eta = -0.5 - 0.3 * x[n + i] + effectA[a[i]] + effectB[b[i]];
            y[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-eta)) ? 1 : 0;
        }
        return new ModelDesign
        {
            Response = y,
            FixedEffects = x,
            FixedEffectNames = ["(Intercept)", "x"],
            Terms =
            [
                RandomEffectsTerm.Intercept("a", a, Enumerable.Range(0, levelsA).Select(l => "a" + l).ToArray()),
                RandomEffectsTerm.Intercept("b", b, Enumerable.Range(0, levelsB).Select(l => "b" + l).ToArray()),
            ],
            Family = ResponseFamily.Binomial,
        };
    }

    private ModelDesign BuildDesign(CsvTable table) =>
        DesignBuilder.Build(FormulaParser.Parse(Formula), table, new DesignOptions { Family = Family }).Design;

    /// <summary>Options comparable with glmer's defaults: Laplace, Hessian-based fixed-effect SEs (glmer's calc.derivs), no variance-component SEs.</summary>
    public static GlmmFitOptions GlmerLikeOptions => new() { VarianceComponentErrors = false };

    /// <summary>The library's default fit (variance-component SEs too).</summary>
    public static GlmmFitOptions FullOptions => GlmmFitOptions.Default;
}
