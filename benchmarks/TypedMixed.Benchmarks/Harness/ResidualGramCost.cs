using System.Diagnostics;
using System.Globalization;
using TypedMixed.Estimation;

namespace TypedMixed.Benchmarks.Harness;

/// <summary>
/// <c>residual-gram-cost MODEL --data DIR [--reps N]</c>: what one objective evaluation of a residual-structure fit costs,
/// split into the Gram for a new ρ — by whitening the rows and one pass over them, and from the four precomputed
/// pieces (equally spaced occasions; the first call forms them and is part of the warm-up) — and the blocked Cholesky
/// for a new θ: medians over N evaluations each.
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
        var onePass = new ResidualStructureDeviance(problem, reml: false, usePieces: false);
        var pieces = new ResidualStructureDeviance(problem, reml: false, usePieces: true);
        var (theta, _) = problem.InitialTheta();
        var refill = new List<double>();
        var combine = new List<double>();
        var update = new List<double>();
        var watch = new Stopwatch();
        for (int r = 0; r < reps + 3; r++)
        {
            double[] eta = [0.1 + 0.01 * r];
            watch.Restart();
            onePass.SetResidualParameters(eta);
            double tr = watch.Elapsed.TotalSeconds;
            watch.Restart();
            pieces.SetResidualParameters(eta);
            double tc = watch.Elapsed.TotalSeconds;
            theta[0] = 1 + 0.01 * r;
            watch.Restart();
            problem.Factor.Update(theta);
            double tu = watch.Elapsed.TotalSeconds;
            if (r < 3) continue;   // warm-up
            refill.Add(tr);
            combine.Add(tc);
            update.Add(tu);
        }
        Console.WriteLine($"model {model.Name}");
        Console.WriteLine($"rows {design.Rows}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"refill_one_pass_median_seconds {FitTimer.Median(refill):R}"));
        Console.WriteLine($"pieces_used {pieces.UsesPieces}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"refill_pieces_median_seconds {FitTimer.Median(combine):R}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"factor_update_median_seconds {FitTimer.Median(update):R}"));
        return 0;
    }
}
