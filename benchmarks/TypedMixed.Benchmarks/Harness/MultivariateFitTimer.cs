using System.Diagnostics;
using System.Globalization;

namespace TypedMixed.Benchmarks.Harness;

/// <summary>One model of the multivariate comparison with nlme's lme (varIdent + corSymm on the stacked responses).</summary>
/// <param name="Name">Short name for tables and the <c>ratio</c> lines.</param>
/// <param name="File">Wide CSV file in the data folder (school, female or gender, written, course or csework; NA = missing).</param>
/// <param name="Repetitions">Timed TypedMixed fits.</param>
/// <param name="RRepetitions">Timed nlme fits.</param>
/// <param name="Slopes">Whether each response also gets a school slope of female (4 × 4 school covariance).</param>
internal sealed record MultivariateBenchmarkModel(string Name, string File, int Repetitions, int RRepetitions, bool Slopes = false)
{
    /// <summary>The models of <c>compare.sh --mv</c> (R's side in benchmarks/mv_fit.R, by the same names).</summary>
    public static readonly MultivariateBenchmarkModel[] All =
    [
        new("mv-gcsemv", "Gcsemv.csv", 10, 3),
        new("mv-200k", "mv200k.csv", 3, 1),
        new("mv-gcsemv-slopes", "Gcsemv.csv", 10, 3, Slopes: true),
        new("mv-slopes-20k", "mv_slopes20k.csv", 5, 1, Slopes: true),
        new("mv-slopes-200k", "mv_slopes200k.csv", 3, 1, Slopes: true),
    ];

    public static MultivariateBenchmarkModel Named(string name) =>
        All.FirstOrDefault(m => m.Name == name) ?? throw new ArgumentException($"no multivariate benchmark model '{name}'; known: {string.Join(", ", All.Select(m => m.Name))}");

    /// <summary>
    /// (written, course or csework) ~ 1 + female, a school intercept (and with <paramref name="slopes"/> a school slope
    /// of female) per response, from the wide CSV: Gcsemv's
    /// gender F/M becomes female 1/0; NA marks a missing score.
    /// </summary>
    public static MultivariateDesign LoadDesign(string path, bool slopes = false)
    {
        var lines = System.IO.File.ReadAllLines(path);
        var header = lines[0].Split(',').Select(h => h.Trim('"')).ToArray();
        int ischool = Array.IndexOf(header, "school"), iw = Array.IndexOf(header, "written");
        int ic = Array.IndexOf(header, "course") is int c and >= 0 ? c : Array.IndexOf(header, "csework");
        int ifemale = Array.IndexOf(header, "female"), igender = Array.IndexOf(header, "gender");
        int n = lines.Length - 1;
        var written = new double[n];
        var course = new double[n];
        var female = new double[n];
        var school = new int[n];
        var keys = new List<string>();
        var index = new Dictionary<string, int>();
        static double Score(string s) => s.Trim('"') is "NA" or "" ? double.NaN : double.Parse(s, CultureInfo.InvariantCulture);
        for (int i = 0; i < n; i++)
        {
            var f = lines[i + 1].Split(',');
            written[i] = Score(f[iw]);
            course[i] = Score(f[ic]);
            female[i] = ifemale >= 0 ? double.Parse(f[ifemale], CultureInfo.InvariantCulture) : f[igender].Trim('"') == "F" ? 1 : 0;
            string key = f[ischool].Trim('"');
            if (!index.TryGetValue(key, out int l)) { l = keys.Count; keys.Add(key); index[key] = l; }
            school[i] = l;
        }
        return new MultivariateDesign
        {
            ResponseNames = ["written", header[ic]],
            Responses = [written, course],
            FixedEffects = [.. Enumerable.Repeat(1.0, n), .. female],
            FixedEffectNames = ["(Intercept)", "female"],
            Classifications = [new MultivariateClassification
            {
                Name = "school", LevelIndex = school, LevelKeys = keys,
                RandomCovariateNames = slopes ? ["female"] : [], RandomCovariates = slopes ? female : [],
            }],
            UnitName = "pupil",
        };
    }
}

/// <summary>
/// <c>time-mv MODEL --data DIR [--reps N]</c>: the TypedMixed side of <c>compare.sh --mv</c>. ML fits with the SEs of
/// every variance and covariance (nlme's lme computes its apVar by default), without the test against separate models;
/// prints <c>key value</c> lines.
/// </summary>
internal static class MultivariateFitTimer
{
    public static int Run(string[] args)
    {
        var model = MultivariateBenchmarkModel.Named(args[0]);
        string dataDir = FitTimer.Option(args, "--data") ?? "benchmarks/data";
        int reps = int.Parse(FitTimer.Option(args, "--reps") ?? model.Repetitions.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var watch = Stopwatch.StartNew();
        var design = MultivariateBenchmarkModel.LoadDesign(Path.Combine(dataDir, model.File), model.Slopes);
        Put("model", model.Name);
        Put("units", design.Units);
        Put("load_seconds", watch.Elapsed.TotalSeconds);
        var options = FitOptions.MaximumLikelihood;

        // Warm-up: at least a second of Gcsemv fits.
        var warm = MultivariateBenchmarkModel.LoadDesign(Path.Combine(dataDir, "Gcsemv.csv"));
        watch.Restart();
        do MultivariateMixedModel.Fit(warm, options, separateModelsTest: false); while (watch.Elapsed.TotalSeconds < 1.0);

        var times = new List<double>();
        MultivariateMixedModelFit fit = null!;
        for (int r = 0; r < reps; r++)
        {
            watch.Restart();
            fit = MultivariateMixedModel.Fit(design, options, separateModelsTest: false);
            times.Add(watch.Elapsed.TotalSeconds);
        }
        Put("rows", fit.ObservationCount);
        Put("fit_seconds", string.Join(' ', times.Select(t => t.ToString("R", CultureInfo.InvariantCulture))));
        Put("fit_median_seconds", FitTimer.Median(times));
        Put("evaluations", fit.Optimizer.Evaluations);
        Put("loglik", fit.LogLikelihood);
        Put("fixef", string.Join(' ', fit.FixedEffects.Select(f => f.Estimate.ToString("R", CultureInfo.InvariantCulture))));
        Put("school_cov", string.Join(' ', fit.Level("school").Covariance.Cast<double>().Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        Put("residual_cov", string.Join(' ', fit.Level("Residual").Covariance.Cast<double>().Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        Put("patterns", string.Join("; ", fit.Patterns.Select(p => $"{string.Join("+", p.Observed)} {p.Units}")));
        Put("warnings", string.Join("; ", fit.Warnings.Select(w => w.Code)));
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
