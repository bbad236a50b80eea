using System.Diagnostics;
using System.Globalization;

namespace TypedMixed.Benchmarks.Harness;

/// <summary>
/// <c>time-fit MODEL --data DIR [--reps N] [--full-reps N]</c>: the TypedMixed side of <c>compare.sh</c>. Reads the CSV
/// and builds the design (timed separately, not part of the fit), fits once to warm up, then times N fits with
/// lmer-comparable options (no variance-component SEs, no Satterthwaite) and, separately, the full fit with both.
/// Prints <c>key value</c> lines that the script parses.
/// </summary>
internal static class FitTimer
{
    public static int Run(string[] args)
    {
        if (args.Length < 1) throw new ArgumentException("usage: time-fit MODEL --data DIR [--reps N] [--full-reps N]");
        var model = BenchmarkModel.Named(args[0]);
        string dataDir = Option(args, "--data") ?? "benchmarks/data";
        int reps = int.Parse(Option(args, "--reps") ?? model.Repetitions.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        int fullReps = int.Parse(Option(args, "--full-reps") ?? "1", CultureInfo.InvariantCulture);
        var output = Console.Out;

        var watch = Stopwatch.StartNew();
        var design = BenchmarkModel.LoadDesign(Path.Combine(dataDir, model.File), model.Formula);
        Put(output, "model", model.Name);
        Put(output, "rows", design.Rows);
        Put(output, "load_seconds", watch.Elapsed.TotalSeconds);
        using (var afterLoad = Process.GetCurrentProcess())
            Put(output, "peak_working_set_after_load_bytes", afterLoad.PeakWorkingSet64);
        GC.Collect(); // the CSV table is garbage now; the fit's own memory comes on top of the design
        Put(output, "gc_heap_after_load_bytes", GC.GetTotalMemory(forceFullCollection: true));

        // Warm-up: fits until a second has passed (at least one), so tiered JIT has settled on the small models.
        var options = model.LmerLikeOptions;
        if (Option(args, "--final-trust-radius") is { } rhoEnd)
            options = new FitOptions { Method = model.Method, VarianceComponentErrors = false, Satterthwaite = false, FinalTrustRadius = double.Parse(rhoEnd, CultureInfo.InvariantCulture) };
        // --optimizer bobyqa | quasi-newton: the optimizer of both the lmer-like and the full fits.
        var optimizer = OptimizerOption(args);
        var fullOptions = model.FullOptions;
        if (optimizer is { } chosen)
        {
            options = new FitOptions { Method = options.Method, VarianceComponentErrors = false, Satterthwaite = false, FinalTrustRadius = options.FinalTrustRadius, Optimizer = chosen };
            fullOptions = new FitOptions { Method = model.Method, Optimizer = chosen };
        }
        Put(output, "optimizer", options.Optimizer.ToString());
        watch.Restart();
        LinearMixedModelFit fit;
        int warmups = 0;
        // --warmup 0 skips it (the 1,000,000-row crossed model of compare.sh --huge: one fit is long enough to time cold).
        bool warm = Option(args, "--warmup") != "0";
        fit = null!;
        while (warm)
        {
            fit = LinearMixedModel.Fit(design, options);
            warmups++;
            if (watch.Elapsed.TotalSeconds >= 1.0) break;
        }
        Put(output, "warmup_fits", warmups);
        Put(output, "warmup_seconds", watch.Elapsed.TotalSeconds);

        var times = new List<double>();
        long allocated = 0;
        for (int r = 0; r < reps; r++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            watch.Restart();
            fit = LinearMixedModel.Fit(design, options);
            times.Add(watch.Elapsed.TotalSeconds);
            allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        }
        Put(output, "fit_seconds", string.Join(' ', times.Select(t => t.ToString("R", CultureInfo.InvariantCulture))));
        Put(output, "fit_median_seconds", Median(times));
        Put(output, "fit_allocated_bytes", allocated);
        Put(output, "evaluations", fit.Optimizer.Evaluations);
        Put(output, "objective", fit.Objective);
        Put(output, "theta", string.Join(' ', fit.Theta.Select(t => t.ToString("R", CultureInfo.InvariantCulture))));
        Put(output, "stop", fit.Optimizer.Reason.ToString());
        if (Estimation.MixedModelProblem.LastTailAnalysis is { } tail) Put(output, "tail", tail.Describe());

        if (fullReps > 0)
        {
            // Small models: warm the inference code for a second and time as many full fits as lmer-like ones.
            // Large models: one full fit is long already; time --full-reps of them without a separate warm-up.
            bool small = Median(times) < 0.1;
            var full = fit;
            if (small)
            {
                watch.Restart();
                do full = LinearMixedModel.Fit(design, fullOptions);
                while (watch.Elapsed.TotalSeconds < 1.0);
            }
            var fullTimes = new List<double>();
            for (int r = 0; r < (small ? Math.Max(reps, fullReps) : fullReps); r++)
            {
                watch.Restart();
                full = LinearMixedModel.Fit(design, fullOptions);
                fullTimes.Add(watch.Elapsed.TotalSeconds);
            }
            Put(output, "full_fit_median_seconds", Median(fullTimes));
            Put(output, "full_fit_evaluations", full.Optimizer.Evaluations);
            Put(output, "full_fit_objective", full.Objective);
        }
        using var self = Process.GetCurrentProcess();
        Put(output, "peak_working_set_bytes", self.PeakWorkingSet64);
        Put(output, "gc_heap_bytes", GC.GetTotalMemory(forceFullCollection: false));
        return 0;
    }

    internal static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary><c>--optimizer bobyqa|quasi-newton</c>; null when absent (the library chooses).</summary>
    internal static FitOptimizer? OptimizerOption(string[] args) => Option(args, "--optimizer") switch
    {
        null => null,
        "bobyqa" => FitOptimizer.Bobyqa,
        "quasi-newton" => FitOptimizer.QuasiNewton,
        var other => throw new ArgumentException($"--optimizer {other}: expected bobyqa or quasi-newton"),
    };

    internal static double Median(IReadOnlyList<double> values)
    {
        var s = values.OrderBy(v => v).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    private static void Put(TextWriter w, string key, object value)
    {
        string text = value switch
        {
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
        w.WriteLine(key + " " + text);
        w.Flush();
    }
}
