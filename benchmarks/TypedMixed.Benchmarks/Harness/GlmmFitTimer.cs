using System.Diagnostics;
using System.Globalization;

namespace TypedMixed.Benchmarks.Harness;

/// <summary>
/// <c>time-glmm MODEL --data DIR [--reps N] [--full-reps N]</c>: the TypedMixed side of the GLMM rows of
/// <c>compare.sh</c>. Reads the CSV and builds the design (timed separately), warms up (fits for at least a second, at
/// least one fit, of the model or, for the large models, of cbpp), then times N calls of <see cref="GeneralizedLinearMixedModel.Fit"/> with glmer-comparable options
/// (Laplace, Hessian-based fixed-effect SEs as glmer's calc.derivs, no variance-component SEs) and, separately, the
/// library's default fit. Prints <c>key value</c> lines that the script parses; a fit that throws prints
/// <c>error …</c> and exits 2.
/// </summary>
internal static class GlmmFitTimer
{
    public static int Run(string[] args)
    {
        if (args.Length < 1) throw new ArgumentException("usage: time-glmm MODEL --data DIR [--reps N] [--full-reps N]");
        var model = GlmmBenchmarkModel.Named(args[0]);
        string dataDir = FitTimer.Option(args, "--data") ?? "benchmarks/data";
        int reps = int.Parse(FitTimer.Option(args, "--reps") ?? model.Repetitions.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        int fullReps = int.Parse(FitTimer.Option(args, "--full-reps") ?? "1", CultureInfo.InvariantCulture);
        var output = Console.Out;

        var watch = Stopwatch.StartNew();
        var design = model.LoadDesign(Path.Combine(dataDir, model.File));
        Put(output, "model", model.Name);
        Put(output, "family", design.Family.ToString());
        Put(output, "rows", design.Rows);
        Put(output, "fixed_effects", string.Join(' ', design.FixedEffectNames));
        Put(output, "load_seconds", watch.Elapsed.TotalSeconds);
        using (var afterLoad = Process.GetCurrentProcess())
            Put(output, "peak_working_set_after_load_bytes", afterLoad.PeakWorkingSet64);
        GC.Collect();
        Put(output, "gc_heap_after_load_bytes", GC.GetTotalMemory(forceFullCollection: true));

        var options = GlmmBenchmarkModel.GlmerLikeOptions;
        GeneralizedLinearMixedModelFit fit;
        try
        {
            // Warm-up: fits until a second has passed (at least one), of the model itself or, for the large models, of cbpp
            // and once of a small synthetic crossed binary model (JIT of the paths cbpp does not reach; R's side warms up
            // on cbpp, its code being compiled ahead).
            var warmupDesign = model.WarmUpOnCbpp ? GlmmBenchmarkModel.CbppInMemory() : design;
            watch.Restart();
            int warmups = 0;
            if (model.WarmUpOnCbpp)
            {
                GeneralizedLinearMixedModel.Fit(GlmmBenchmarkModel.CrossedBinaryWarmUp(), options);
                warmups++;
            }
            do
            {
                fit = GeneralizedLinearMixedModel.Fit(warmupDesign, options);
                warmups++;
            } while (watch.Elapsed.TotalSeconds < 1.0);
            Put(output, "warmup_model", model.WarmUpOnCbpp ? "glmm-cbpp + synthetic crossed binary (8,000 rows)" : model.Name);
            Put(output, "warmup_fits", warmups);
            Put(output, "warmup_seconds", watch.Elapsed.TotalSeconds);

            if (reps < 1) throw new ArgumentException("--reps must be at least 1");
            var times = new List<double>();
            long allocated = 0;
            for (int r = 0; r < reps; r++)
            {
                long before = GC.GetTotalAllocatedBytes(precise: true);
                watch.Restart();
                fit = GeneralizedLinearMixedModel.Fit(design, options);
                times.Add(watch.Elapsed.TotalSeconds);
                allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            }
            Put(output, "fit_seconds", string.Join(' ', times.Select(t => t.ToString("R", CultureInfo.InvariantCulture))));
            Put(output, "fit_median_seconds", FitTimer.Median(times));
            Put(output, "fit_allocated_bytes", allocated);
            Put(output, "evaluations", fit.Optimizer.Evaluations);
            Put(output, "loglik", fit.LogLikelihood);
            Put(output, "fixef", string.Join(' ', fit.FixedEffects.Select(f => f.Estimate.ToString("R", CultureInfo.InvariantCulture))));
            Put(output, "theta", string.Join(' ', fit.Theta.Select(t => t.ToString("R", CultureInfo.InvariantCulture))));
            Put(output, "stop", fit.Optimizer.Reason.ToString());
            Put(output, "optimizer_message", fit.Optimizer.Message.ReplaceLineEndings(" "));
            Put(output, "warnings", string.Join("; ", fit.Warnings.Select(w => w.Code)));

            if (fullReps > 0)
            {
                bool small = FitTimer.Median(times) < 0.1;
                var full = fit;
                if (small)
                {
                    watch.Restart();
                    do full = GeneralizedLinearMixedModel.Fit(design, GlmmBenchmarkModel.FullOptions);
                    while (watch.Elapsed.TotalSeconds < 1.0);
                }
                var fullTimes = new List<double>();
                for (int r = 0; r < (small ? Math.Max(reps, fullReps) : fullReps); r++)
                {
                    watch.Restart();
                    full = GeneralizedLinearMixedModel.Fit(design, GlmmBenchmarkModel.FullOptions);
                    fullTimes.Add(watch.Elapsed.TotalSeconds);
                }
                Put(output, "full_fit_median_seconds", FitTimer.Median(fullTimes));
                Put(output, "full_fit_evaluations", full.Optimizer.Evaluations);
                Put(output, "full_fit_loglik", full.LogLikelihood);
            }
        }
        catch (Exception e)
        {
            Put(output, "error", $"{e.GetType().Name}: {e.Message}".ReplaceLineEndings(" "));
            return 2;
        }
        using var self = Process.GetCurrentProcess();
        Put(output, "peak_working_set_bytes", self.PeakWorkingSet64);
        Put(output, "gc_heap_bytes", GC.GetTotalMemory(forceFullCollection: false));
        return 0;
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
