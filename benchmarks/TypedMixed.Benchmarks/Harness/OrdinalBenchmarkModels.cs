using TypedMixed.Cli.Data;
using TypedMixed.Cli.Design;
using TypedMixed.Cli.Formulas;

namespace TypedMixed.Benchmarks.Harness;

/// <summary>One cumulative link mixed model of the comparison with ordinal::clmm (compare.sh --ordinal).</summary>
/// <param name="Name">Short name used in tables and in the <c>ratio …</c> lines.</param>
/// <param name="File">CSV file name inside the data folder.</param>
/// <param name="Formula">The model as clmm and <c>typedmixed fit --family ordinal</c> read it.</param>
/// <param name="Repetitions">Timed TypedMixed fits (after warm-up).</param>
/// <param name="RRepetitions">Timed clmm fits.</param>
/// <param name="WarmUpOnWine">Warm up on wine instead of the model itself (for the large model).</param>
internal sealed record OrdinalBenchmarkModel(string Name, string File, string Formula, int Repetitions, int RRepetitions, bool WarmUpOnWine = false)
{
    /// <summary>The ordinal models of <c>compare.sh</c>, in the order they are run.</summary>
    public static readonly OrdinalBenchmarkModel[] All =
    [
        new("ordinal-wine", "wine.csv", "rating ~ temp + contact + (1 | judge)", 20, 20),
        new("ordinal-crossed-100k", "ordinal_crossed.csv", "rating ~ x + treat + (1 | r) + (1 | i)", 1, 1, WarmUpOnWine: true),
    ];

    public static OrdinalBenchmarkModel Named(string name) =>
        All.FirstOrDefault(m => m.Name == name)
        ?? throw new ArgumentException($"no ordinal benchmark model '{name}'; known: {string.Join(", ", All.Select(m => m.Name))}");

    /// <summary>Reads the CSV and builds the design exactly as <c>typedmixed fit --family ordinal</c> does.</summary>
    public ModelDesign LoadDesign(string csvPath) => BuildDesign(CsvTable.Load(csvPath));

    /// <summary>wine from the embedded reference data (the warm-up of the large model).</summary>
    public static ModelDesign WineInMemory() =>
        Named("ordinal-wine").BuildDesign(CsvTable.Parse(Data.Datasets.ReferenceCsv("wine.csv"), "wine.csv"));

    private ModelDesign BuildDesign(CsvTable table) =>
        DesignBuilder.Build(FormulaParser.Parse(Formula), table, new DesignOptions { Family = ResponseFamily.Ordinal }).Design;
}

/// <summary>
/// <c>time-ordinal MODEL --data DIR [--reps N] [--optimizer bobyqa|quasi-newton]</c>: the TypedMixed side of the ordinal
/// rows of <c>compare.sh</c>. Reads the CSV and builds the design (timed separately), warms up for at least a second,
/// then times N calls of <see cref="OrdinalMixedModel.Fit"/> with the defaults (Laplace; SEs of everything from the
/// Hessian, as clmm), or with <see cref="OrdinalFitOptions.Optimizer"/> as given (bobyqa: the derivative-free path).
/// Prints <c>key value</c> lines; a fit that throws prints <c>error …</c> and exits 2.
/// </summary>
internal static class OrdinalFitTimer
{
    public static int Run(string[] args)
    {
        if (args.Length < 1) throw new ArgumentException("usage: time-ordinal MODEL --data DIR [--reps N] [--optimizer bobyqa|quasi-newton]");
        var model = OrdinalBenchmarkModel.Named(args[0]);
        string dataDir = FitTimer.Option(args, "--data") ?? "benchmarks/data";
        int reps = int.Parse(FitTimer.Option(args, "--reps") ?? model.Repetitions.ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);
        var options = (FitTimer.Option(args, "--optimizer") ?? "default") switch
        {
            "default" => OrdinalFitOptions.Default,
            "bobyqa" => new OrdinalFitOptions { Optimizer = FitOptimizer.Bobyqa },
            "quasi-newton" => new OrdinalFitOptions { Optimizer = FitOptimizer.QuasiNewton },
            var other => throw new ArgumentException($"--optimizer {other}: use bobyqa or quasi-newton."),
        };
        var o = Console.Out;
        void Put(string key, object value) => o.WriteLine(key + " " + (value is double d ? d.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : value is IFormattable f ? f.ToString(null, System.Globalization.CultureInfo.InvariantCulture) : value.ToString()));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var design = model.LoadDesign(Path.Combine(dataDir, model.File));
        Put("model", model.Name);
        Put("rows", design.Rows);
        Put("load_seconds", watch.Elapsed.TotalSeconds);
        try
        {
            var warm = model.WarmUpOnWine ? OrdinalBenchmarkModel.WineInMemory() : design;
            watch.Restart();
            OrdinalMixedModelFit fit;
            do fit = OrdinalMixedModel.Fit(warm, options);
            while (watch.Elapsed.TotalSeconds < 1.0);
            var times = new List<double>();
            for (int r = 0; r < Math.Max(reps, 1); r++)
            {
                watch.Restart();
                fit = OrdinalMixedModel.Fit(design, options);
                times.Add(watch.Elapsed.TotalSeconds);
            }
            Put("fit_seconds", string.Join(' ', times.Select(t => t.ToString("R", System.Globalization.CultureInfo.InvariantCulture))));
            Put("fit_median_seconds", FitTimer.Median(times));
            Put("evaluations", fit.Optimizer.Evaluations);
            Put("loglik", fit.LogLikelihood);
            Put("thresholds", string.Join(' ', fit.Thresholds.Select(t => t.Estimate.ToString("R", System.Globalization.CultureInfo.InvariantCulture))));
            Put("fixef", string.Join(' ', fit.FixedEffects.Select(f => f.Estimate.ToString("R", System.Globalization.CultureInfo.InvariantCulture))));
            Put("sd", string.Join(' ', fit.RandomEffects.Select(t => t.StdDev().ToString("R", System.Globalization.CultureInfo.InvariantCulture))));
            Put("optimizer_message", fit.Optimizer.Message.ReplaceLineEndings(" "));
            Put("warnings", string.Join("; ", fit.Warnings.Select(w => w.Code)));
        }
        catch (Exception e)
        {
            Put("error", $"{e.GetType().Name}: {e.Message}".ReplaceLineEndings(" "));
            return 2;
        }
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        Put("peak_working_set_bytes", self.PeakWorkingSet64);
        return 0;
    }
}
