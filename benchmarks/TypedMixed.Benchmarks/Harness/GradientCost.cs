using System.Diagnostics;
using System.Globalization;
using TypedMixed.Estimation;

namespace TypedMixed.Benchmarks.Harness;

/// <summary>
/// <c>gradient-cost MODEL --data DIR [--reps N]</c>: the cost of one evaluation of the profiled objective against one
/// evaluation of the objective with its analytic gradient (<see cref="ProfiledDevianceGradient"/>), at the model's
/// optimum (found first with the default fit), medians of N of each after a warm-up, the two timed alternately so that
/// both see the same machine load; <c>phase_*_ms</c> are the means of the gradient's phases over the timed runs.
/// Prints <c>key value</c> lines.
/// </summary>
internal static class GradientCost
{
    public static int Run(string[] args)
    {
        if (args.Length < 1) throw new ArgumentException("usage: gradient-cost MODEL --data DIR [--reps N]");
        var model = BenchmarkModel.Named(args[0]);
        string dataDir = FitTimer.Option(args, "--data") ?? "benchmarks/data";
        int reps = int.Parse(FitTimer.Option(args, "--reps") ?? "20", CultureInfo.InvariantCulture);
        var design = BenchmarkModel.LoadDesign(Path.Combine(dataDir, model.File), model.Formula);
        var fit = LinearMixedModel.Fit(design, model.LmerLikeOptions);
        var problem = MixedModelProblem.Create(design);
        var deviance = new ProfiledDeviance(problem.Factor, problem.N, problem.P, model.Reml) { LogWeightSum = problem.LogWeightSum };
        var gradient = new ProfiledDevianceGradient(problem, deviance);
        var theta = fit.Theta.ToArray();
        var g = new double[theta.Length];
        Console.WriteLine($"model {model.Name}");
        Console.WriteLine($"tail_order {problem.Factor.Tail.Rows}");
        Console.WriteLine($"theta {string.Join(' ', theta.Select(t => t.ToString("R", CultureInfo.InvariantCulture)))}");
        double Time(Action a)
        {
            for (int i = 0; i < 3; i++) a();
            var times = new List<double>();
            var w = new Stopwatch();
            for (int i = 0; i < reps; i++)
            {
                w.Restart();
                a();
                times.Add(w.Elapsed.TotalSeconds);
            }
            return FitTimer.Median(times);
        }
        // Alternately, so that a change in the machine's load reaches both medians.
        for (int i = 0; i < 3; i++) { deviance.Evaluate(theta); gradient.Evaluate(theta, g); }
        var phases = new ProfiledDevianceGradient.PhaseTimings();
        gradient.Timings = phases;
        var evaluations = new List<double>();
        var withGradients = new List<double>();
        var clock = new Stopwatch();
        for (int i = 0; i < reps; i++)
        {
            clock.Restart();
            deviance.Evaluate(theta);
            evaluations.Add(clock.Elapsed.TotalSeconds);
            clock.Restart();
            gradient.Evaluate(theta, g);
            withGradients.Add(clock.Elapsed.TotalSeconds);
        }
        gradient.Timings = null;
        double evaluation = FitTimer.Median(evaluations);
        double withGradient = FitTimer.Median(withGradients);
        int rows = problem.Factor.TailZ + (model.Reml ? problem.P : 0);
        var inverse = new double[rows * rows];
        deviance.Evaluate(theta);
        double tailInverse = Time(() => TypedMixed.Factorization.TriangularInverse.SymmetricInverseFromFactor(problem.Factor.Tail.Data, problem.Factor.Tail.Rows, rows, inverse));
        var lower = new double[rows * rows];
        double triangular = Time(() =>
        {
            for (int c = 0; c < rows; c++)
                for (int r = c; r < rows; r++) lower[c * rows + r] = problem.Factor.Tail.Data[c * problem.Factor.Tail.Rows + r];
            TypedMixed.Factorization.TriangularInverse.InvertLowerInPlace(lower, rows);
        });
        Console.WriteLine($"triangular_inverse_ms {(1e3 * triangular).ToString("F3", CultureInfo.InvariantCulture)}");
        Console.WriteLine($"tail_inverse_ms {(1e3 * tailInverse).ToString("F3", CultureInfo.InvariantCulture)}");
        Console.WriteLine($"evaluation_ms {(1e3 * evaluation).ToString("F3", CultureInfo.InvariantCulture)}");
        Console.WriteLine($"evaluation_with_gradient_ms {(1e3 * withGradient).ToString("F3", CultureInfo.InvariantCulture)}");
        for (int i = 0; i < phases.Seconds.Length; i++)
            Console.WriteLine($"phase_{ProfiledDevianceGradient.PhaseTimings.Names[i]}_ms {(1e3 * phases.Seconds[i] / reps).ToString("F3", CultureInfo.InvariantCulture)}");
        Console.WriteLine($"relative_cost_estimate {gradient.RelativeCost.ToString("F2", CultureInfo.InvariantCulture)}");
        Console.WriteLine($"ratio {(withGradient / evaluation).ToString("F2", CultureInfo.InvariantCulture)}");
        Console.WriteLine($"gradient {string.Join(' ', g.Select(v => v.ToString("G4", CultureInfo.InvariantCulture)))}");
        return 0;
    }
}
