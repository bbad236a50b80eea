using TypedMixed.Factorization;

namespace TypedMixed.Estimation;

internal sealed partial class MixedModelProblem
{
    /// <summary>
    /// The tail's symbolic analysis when the tail is to be factored sparsely, else null. Considered for Gaussian models
    /// with independent residuals, ordinary terms and at least two of them; <see cref="TailFactorization.Auto"/> takes
    /// the sparse factor when the measured fill makes it cheaper (<see cref="SparseTailStructure.PreferSparse"/>).
    /// </summary>
    private static SparseTailStructure? ChooseSparseTail(ModelDesign design, int[] order, int p, bool eligible, TailFactorization tail)
    {
        if (tail == TailFactorization.Dense || !eligible || order.Length < 2 || design.Family != ResponseFamily.Gaussian) return null;
        var first = design.Terms[order[0]];
        var later = order.Skip(1).Select(t => design.Terms[t]).ToArray();
        if (tail == TailFactorization.Auto && later.Sum(t => (long)t.LevelCount * t.ColumnCount) < SparseTailStructure.MinimumOrder) return null;
        var analysis = SparseTailStructure.Analyze(first.LevelIndex, first.LevelCount, later.Select(t => t.LevelIndex).ToArray(),
            later.Select(t => t.LevelCount).ToArray(), later.Select(t => t.ColumnCount).ToArray(), p, stopWhenDense: tail == TailFactorization.Auto);
        LastTailAnalysis = analysis;
        return tail == TailFactorization.Sparse || analysis.PreferSparse ? analysis : null;
    }

    /// <summary>The last tail analysis made on this thread (for benchmarks that report the measured fill); null before any.</summary>
    [ThreadStatic] internal static SparseTailStructure? LastTailAnalysis;
}
