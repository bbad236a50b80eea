using System.Diagnostics;
using System.Globalization;
using TypedMixed.Estimation;

namespace TypedMixed.Benchmarks.Harness;

/// <summary>
/// <c>residual-gram-cost MODEL --data DIR [--reps N]</c>: what one objective evaluation of a residual-structure fit costs,
/// split into the Gram refill for a new ρ (whitening the rows and one pass over them) and the blocked Cholesky for a
/// new θ: medians over N evaluations each. It tells whether forming the Gram faster (e.g. from precomputed pieces)
/// would pay: the optimizer changes ρ in most evaluations.
/// </summary>
internal static class ResidualGramCost
{
    public static int Run(string[] args)
    {
        var model = ResidualBenchmarkModel.Named(args[0]);
        string dataDir = FitTimer.Option(args, "--data") ?? "benchmarks/data";
        int reps = int.Parse(FitTimer.Option(args, "--reps") ?? "30", CultureInfo.InvariantCulture);
        var design = model.LoadDesign(Path.Combine(dataDir, model.File));
        var problem = MixedModelProblem.Create(design);
        var objective = new ResidualStructureDeviance(problem, reml: false);
        var (theta, _) = problem.InitialTheta();
        var refill = new List<double>();
        var update = new List<double>();
        var watch = new Stopwatch();
        for (int r = 0; r < reps + 3; r++)
        {
            double[] eta = [0.1 + 0.01 * r];
            watch.Restart();
            objective.SetResidualParameters(eta);
            double tr = watch.Elapsed.TotalSeconds;
            theta[0] = 1 + 0.01 * r;
            watch.Restart();
            problem.Factor.Update(theta);
            double tu = watch.Elapsed.TotalSeconds;
            if (r < 3) continue;   // warm-up
            refill.Add(tr);
            update.Add(tu);
        }
        Console.WriteLine($"model {model.Name}");
        Console.WriteLine($"rows {design.Rows}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"refill_median_seconds {FitTimer.Median(refill):R}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"factor_update_median_seconds {FitTimer.Median(update):R}"));
        return 0;
    }
}
