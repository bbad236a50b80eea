using System.Diagnostics;
using System.Globalization;

namespace TypedMixed.Benchmarks.Harness;

/// <summary>One model of the residual-structure comparison with nlme's lme (and glmmTMB's ar1).</summary>
/// <param name="Name">Short name for tables and the <c>ratio</c> lines.</param>
/// <param name="File">CSV file in the data folder.</param>
/// <param name="Slope">Random slope on time (else a random intercept only).</param>
/// <param name="Repetitions">Timed TypedMixed fits.</param>
/// <param name="RRepetitions">Timed R fits.</param>
internal sealed record ResidualBenchmarkModel(string Name, string File, string Response, string Time, string Cluster, bool Slope, int Repetitions, int RRepetitions)
{
    /// <summary>The models of <c>compare.sh --residual</c> (R's side in benchmarks/residual_fit.R, by the same names).</summary>
    public static readonly ResidualBenchmarkModel[] All =
    [
        new("resid-sleepstudy-ar1", "sleepstudy.csv", "Reaction", "Days", "Subject", Slope: false, 20, 20),
        new("resid-long100k-ar1", "longitudinal100k.csv", "y", "time", "id", Slope: true, 3, 1),
    ];

    public static ResidualBenchmarkModel Named(string name) =>
        All.FirstOrDefault(m => m.Name == name) ?? throw new ArgumentException($"no residual benchmark model '{name}'; known: {string.Join(", ", All.Select(m => m.Name))}");

    /// <summary>
    /// response ~ time + (1 | cluster) or (time | cluster), AR(1) over time within cluster, built by hand from the CSV
    /// (rows are sorted by cluster and time in both files).
    /// </summary>
    public ModelDesign LoadDesign(string path)
    {
        var lines = System.IO.File.ReadAllLines(path);
        var header = lines[0].Split(',').Select(h => h.Trim('"')).ToArray();
        int iy = Array.IndexOf(header, Response), it = Array.IndexOf(header, Time), ic = Array.IndexOf(header, Cluster);
        int n = lines.Length - 1;
        var y = new double[n];
        var time = new double[n];
        var cluster = new int[n];
        var keys = new List<string>();
        var index = new Dictionary<string, int>();
        for (int i = 0; i < n; i++)
        {
            var f = lines[i + 1].Split(',');
            y[i] = double.Parse(f[iy], CultureInfo.InvariantCulture);
            time[i] = double.Parse(f[it], CultureInfo.InvariantCulture);
            string key = f[ic].Trim('"');
            if (!index.TryGetValue(key, out int c)) { c = keys.Count; keys.Add(key); index[key] = c; }
            cluster[i] = c;
        }
        var ones = Enumerable.Repeat(1.0, n).ToArray();
        return new ModelDesign
        {
            ResponseName = Response,
            Response = y,
            FixedEffects = [.. ones, .. time],
            FixedEffectNames = ["(Intercept)", Time],
            Terms =
            [
                new RandomEffectsTerm
                {
                    Name = Cluster, LevelIndex = cluster, LevelKeys = keys,
                    ColumnNames = Slope ? ["(Intercept)", Time] : ["(Intercept)"],
                    Columns = Slope ? [.. ones, .. time] : ones,
                },
            ],
            ResidualCorrelation = new ResidualCorrelation
            {
                Structure = ResidualCorrelationStructure.Ar1, TimeName = Time, Time = time, ClusterName = Cluster, ClusterIndex = cluster, ClusterKeys = keys,
            },
        };
    }
}

/// <summary>
/// <c>time-residual MODEL --data DIR [--reps N] [--full-reps N]</c>: the TypedMixed side of <c>compare.sh --residual</c>.
/// ML fits; 'fit' without variance-parameter SEs and Satterthwaite, 'full' with them (nlme's lme computes its apVar,
/// the approximate covariance of the variance parameters, by default). Prints <c>key value</c> lines.
/// </summary>
internal static class ResidualFitTimer
{
    public static int Run(string[] args)
    {
        var model = ResidualBenchmarkModel.Named(args[0]);
        string dataDir = FitTimer.Option(args, "--data") ?? "benchmarks/data";
        int reps = int.Parse(FitTimer.Option(args, "--reps") ?? model.Repetitions.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        int fullReps = int.Parse(FitTimer.Option(args, "--full-reps") ?? "1", CultureInfo.InvariantCulture);
        var watch = Stopwatch.StartNew();
        var design = model.LoadDesign(Path.Combine(dataDir, model.File));
        Put("model", model.Name);
        Put("rows", design.Rows);
        Put("load_seconds", watch.Elapsed.TotalSeconds);
        var fast = new FitOptions { Method = EstimationMethod.MaximumLikelihood, VarianceComponentErrors = false, Satterthwaite = false };
        var full = new FitOptions { Method = EstimationMethod.MaximumLikelihood, Satterthwaite = false };

        // Warm-up: at least a second of fits of sleepstudy's model (built from the embedded reference copy).
        var warm = ResidualBenchmarkModel.Named("resid-sleepstudy-ar1");
        var warmPath = Path.Combine(dataDir, warm.File);
        var warmDesign = warm.LoadDesign(warmPath);
        watch.Restart();
        do LinearMixedModel.Fit(warmDesign, fast); while (watch.Elapsed.TotalSeconds < 1.0);

        var times = new List<double>();
        LinearMixedModelFit fit = null!;
        for (int r = 0; r < reps; r++)
        {
            watch.Restart();
            fit = LinearMixedModel.Fit(design, fast);
            times.Add(watch.Elapsed.TotalSeconds);
        }
        Put("fit_seconds", string.Join(' ', times.Select(t => t.ToString("R", CultureInfo.InvariantCulture))));
        Put("fit_median_seconds", FitTimer.Median(times));
        Put("evaluations", fit.Optimizer.Evaluations);
        Put("loglik", fit.LogLikelihood);
        Put("phi", fit.ResidualCorrelation!.Parameter);
        Put("fixef", string.Join(' ', fit.FixedEffects.Select(f => f.Estimate.ToString("R", CultureInfo.InvariantCulture))));
        Put("sigma2", fit.ResidualVariance);
        Put("warnings", string.Join("; ", fit.Warnings.Select(w => w.Code)));
        if (fullReps > 0)
        {
            // Small models: the full fit is timed as often as the plain one, after its own warm-up (medians of a few
            // millisecond-long fits on a loaded machine are otherwise mostly noise).
            bool small = FitTimer.Median(times) < 0.1;
            var fullTimes = new List<double>();
            LinearMixedModelFit f2 = null!;
            if (small)
            {
                watch.Restart();
                do f2 = LinearMixedModel.Fit(design, full); while (watch.Elapsed.TotalSeconds < 1.0);
            }
            for (int r = 0; r < (small ? Math.Max(reps, fullReps) : fullReps); r++)
            {
                watch.Restart();
                f2 = LinearMixedModel.Fit(design, full);
                fullTimes.Add(watch.Elapsed.TotalSeconds);
            }
            Put("full_fit_median_seconds", FitTimer.Median(fullTimes));
            Put("full_phi_std_error", f2.ResidualCorrelation!.StdError);
        }
        using var self = Process.GetCurrentProcess();
        Put("peak_working_set_bytes", self.PeakWorkingSet64);
        return 0;
    }

    private static void Put(string key, object value)
    {
        string text = value switch
        {
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
        Console.WriteLine(key + " " + text);
        Console.Out.Flush();
    }
}
