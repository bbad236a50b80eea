using System.Globalization;
using TypedMixed.Factorization;

namespace TypedMixed.Benchmarks.Harness;

/// <summary>
/// <c>tail-fill MODEL --data DIR [--uniform SEED]</c>: the symbolic analysis of a model's tail (the terms after the
/// one with most levels) — the fill of the sparse factor against the dense one, and which the fit chooses. With
/// <c>--uniform</c> the second term's level of every row is redrawn uniformly (same sizes, no structure), to measure
/// how a random crossing fills; that analysis runs to the end (it does not stop at the dense limit).
/// </summary>
internal static class TailFill
{
    public static int Run(string[] args)
    {
        if (args.Length < 1) throw new ArgumentException("usage: tail-fill MODEL --data DIR [--uniform SEED]");
        var model = BenchmarkModel.Named(args[0]);
        string dataDir = FitTimer.Option(args, "--data") ?? "benchmarks/data";
        var design = BenchmarkModel.LoadDesign(Path.Combine(dataDir, model.File), model.Formula);
        var order = Enumerable.Range(0, design.Terms.Count).OrderByDescending(t => design.Terms[t].LevelCount).ThenBy(t => t).ToArray();
        var first = design.Terms[order[0]];
        var later = order.Skip(1).Select(t => design.Terms[t]).ToArray();
        var levelIndex = later.Select(t => t.LevelIndex).ToArray();
        bool uniform = FitTimer.Option(args, "--uniform") is { } seedText;
        if (uniform)
        {
            var rng = new Random(int.Parse(FitTimer.Option(args, "--uniform")!, CultureInfo.InvariantCulture));
            levelIndex[0] = levelIndex[0].Select(_ => rng.Next(later[0].LevelCount)).ToArray();
        }
        var s = SparseTailStructure.Analyze(first.LevelIndex, first.LevelCount, levelIndex, later.Select(t => t.LevelCount).ToArray(),
            later.Select(t => t.ColumnCount).ToArray(), design.FixedEffectCount, stopWhenDense: !uniform);
        Console.WriteLine($"model {model.Name}{(uniform ? " (second term's levels redrawn uniformly)" : "")}");
        Console.WriteLine($"rows {design.Rows}");
        Console.WriteLine($"first_term {first.Name} {first.LevelCount}");
        Console.WriteLine($"tail_terms {string.Join(' ', later.Select(t => t.Name + ":" + t.LevelCount))}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sparse_values {s.SparseValues}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"dense_values {s.DenseValues}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"value_ratio {(double)s.SparseValues / s.DenseValues:G4}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sparse_flops {s.SparseFlops:E4}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"dense_flops {s.DenseFlops:E4}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"flop_ratio {s.SparseFlops / s.DenseFlops:G4}"));
        Console.WriteLine($"supernodes {s.Supernodes}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"analysis_seconds {s.Seconds:F3}"));
        Console.WriteLine($"choice {(s.PreferSparse ? "sparse" : "dense")}");
        return 0;
    }
}
