using System.Diagnostics;
using System.Globalization;
using TypedMixed.Estimation;

namespace TypedMixed.Benchmarks.Harness;

/// <summary>
/// <c>fit-profile MODEL --data DIR [--reps N] [--trace] [--rho-beg R] [--rho-end R] [--optimizer bobyqa|quasi-newton]</c>: where one lmer-like fit's time goes. Times the problem setup (Gram
/// blocks and factor storage from the design), one evaluation of the profiled objective at the optimum (median of N),
/// and a fit whose progress callback stamps every evaluation, so the fit splits into setup, evaluations (their count
/// and summed wall time) and what follows the last evaluation (β̂, modes and the results). Prints <c>key value</c>
/// lines; a warm-up fit runs first. <c>--rho-beg</c>/<c>--rho-end</c> set the optimizer's initial and final trust
/// radius of the stamped fit (to see how many evaluations each needs); <c>--optimizer</c> its optimizer (default: the library's choice). Timed parts
/// report their median and, as <c>*_min_ms</c>, their fastest repetition.
/// </summary>
internal static class FitProfile
{
    public static int Run(string[] args)
    {
        if (args.Length < 1) throw new ArgumentException("usage: fit-profile MODEL --data DIR [--reps N]");
        var model = BenchmarkModel.Named(args[0]);
        string dataDir = FitTimer.Option(args, "--data") ?? "benchmarks/data";
        int reps = int.Parse(FitTimer.Option(args, "--reps") ?? "20", CultureInfo.InvariantCulture);
        var design = BenchmarkModel.LoadDesign(Path.Combine(dataDir, model.File), model.Formula);
        var options = model.LmerLikeOptions;
        var warm = LinearMixedModel.Fit(design, options);

        var watch = Stopwatch.StartNew();
        var stamps = new List<double>();
        var values = new List<double>();
        var stamped = new FitOptions
        {
            Method = options.Method,
            VarianceComponentErrors = false,
            Satterthwaite = false,
            InitialTrustRadius = FitTimer.Option(args, "--rho-beg") is { } rb ? double.Parse(rb, CultureInfo.InvariantCulture) : FitOptions.Default.InitialTrustRadius,
            FinalTrustRadius = FitTimer.Option(args, "--rho-end") is { } re ? double.Parse(re, CultureInfo.InvariantCulture) : FitOptions.Default.FinalTrustRadius,
            Optimizer = FitTimer.OptimizerOption(args),
            Progress = new Stamp(p => { stamps.Add(watch.Elapsed.TotalSeconds); values.Add(p.Objective); }),
        };
        watch.Restart();
        var fit = LinearMixedModel.Fit(design, stamped);
        double total = watch.Elapsed.TotalSeconds;

        var setupTimes = new List<double>();
        MixedModelProblem problem = null!;
        for (int r = 0; r < Math.Max(3, reps / 4); r++)
        {
            watch.Restart();
            problem = MixedModelProblem.Create(design);
            setupTimes.Add(watch.Elapsed.TotalSeconds);
        }
        var deviance = new ProfiledDeviance(problem.Factor, problem.N, problem.P, model.Reml) { LogWeightSum = problem.LogWeightSum };
        var theta = fit.Theta.ToArray();
        for (int i = 0; i < 3; i++) deviance.Evaluate(theta);
        var evalTimes = new List<double>();
        for (int r = 0; r < reps; r++)
        {
            watch.Restart();
            deviance.Evaluate(theta);
            evalTimes.Add(watch.Elapsed.TotalSeconds);
        }

        // The dense tail's Cholesky alone, on the tail as the evaluation fills it (copy excluded from the time).
        deviance.Evaluate(theta);
        int order = problem.Factor.Tail.Rows;
        var filled = ReFilledTail(problem, theta);
        var work = new double[filled.Length];
        var cholTimes = new List<double>();
        for (int r = 0; r < reps + 3; r++)
        {
            filled.CopyTo(work, 0);
            watch.Restart();
            TypedMixed.Factorization.DenseKernels.Cholesky(work, order, lastPivotMayBeZero: true);
            if (r >= 3) cholTimes.Add(watch.Elapsed.TotalSeconds);
        }

        Put("model", model.Name);
        Put("tail_order", problem.Factor.Tail.Rows);
        Put("fit_seconds", total);
        Put("evaluations", fit.Optimizer.Evaluations);
        Put("objective", fit.Objective);
        Put("before_first_evaluation_seconds", stamps.Count > 0 ? stamps[0] : double.NaN);
        Put("first_to_last_evaluation_seconds", stamps.Count > 0 ? stamps[^1] - stamps[0] : double.NaN);
        Put("after_last_evaluation_seconds", stamps.Count > 0 ? total - stamps[^1] : double.NaN);
        Put("problem_setup_median_seconds", FitTimer.Median(setupTimes));
        Put("evaluation_median_ms", 1e3 * FitTimer.Median(evalTimes));
        // Minima: on a shared machine the least disturbed repetition is the better estimate of the work itself.
        Put("evaluation_min_ms", 1e3 * evalTimes.Min());
        Put("evaluations_times_median_seconds", fit.Optimizer.Evaluations * FitTimer.Median(evalTimes));
        Put("tail_cholesky_median_ms", 1e3 * FitTimer.Median(cholTimes));
        Put("tail_cholesky_min_ms", 1e3 * cholTimes.Min());
        // --trace: every evaluation's objective minus the final one (how far each phase of the fit still was).
        if (Array.IndexOf(args, "--trace") >= 0)
            for (int i = 0; i < values.Count; i++)
                Put("trace", string.Create(CultureInfo.InvariantCulture, $"{i + 1} {values[i] - fit.Objective:G3}"));
        GC.KeepAlive(warm);
        return 0;
    }

    /// <summary>
    /// The tail as the evaluation fills it before factoring: L L' rebuilt from the factor (the lower triangle of
    /// L·Lᵀ equals the filled matrix up to rounding).
    /// </summary>
    private static double[] ReFilledTail(MixedModelProblem problem, double[] theta)
    {
        problem.Factor.Update(theta);
        int n = problem.Factor.Tail.Rows;
        var l = problem.Factor.Tail.Data;
        var a = new double[n * n];
        for (int j = 0; j < n; j++)
            for (int i = j; i < n; i++)
            {
                double s = 0;
                for (int k = 0; k <= j; k++) s += l[k * n + i] * l[k * n + j];
                a[j * n + i] = s;
            }
        return a;
    }

    private sealed class Stamp(Action<FitProgress> onReport) : IProgress<FitProgress>
    {
        public void Report(FitProgress value) => onReport(value);
    }

    private static void Put(string key, object value) =>
        Console.WriteLine(key + " " + (value is IFormattable f ? f.ToString(value is double ? "R" : null, CultureInfo.InvariantCulture) : value));
}
