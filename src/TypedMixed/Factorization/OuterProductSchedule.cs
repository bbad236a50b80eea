using TypedMixed.Storage;

namespace TypedMixed.Factorization;

/// <summary>
/// Sᵢ Sⱼᵀ (the lower triangle when i = j) for scalar-by-scalar block-sparse Sᵢ, Sⱼ (random-intercept terms crossed
/// with the first term), as a fixed list of (target, first factor, second factor) sorted by target. The pattern depends only on which levels share rows, so it
/// is built once; each evaluation then walks the target matrix in memory order instead of scattering
/// Σ_c nnz(c)² / 2 updates across it (the cost that dominates crossed designs after the dense Cholesky).
/// </summary>
internal sealed class OuterProductSchedule
{
    private readonly int[] _target;
    private readonly int[] _first;
    private readonly int[] _second;

    private OuterProductSchedule(int[] target, int[] first, int[] second)
    {
        _target = target;
        _first = first;
        _second = second;
    }

    /// <summary>
    /// Entries for C −= Sᵢ Sⱼᵀ, C the window at (rowOffset, colOffset) of a column-major matrix with leading dimension
    /// ld; with <paramref name="lowerOnly"/> (Sᵢ = Sⱼ, a diagonal window) only its lower triangle. Both factors share
    /// the first term's columns; factor indices refer to <c>Sᵢ.Data</c> and <c>Sⱼ.Data</c>.
    /// </summary>
    public static OuterProductSchedule Create(BlockSparse si, BlockSparse sj, int ld, int rowOffset, int colOffset, bool lowerOnly)
    {
        long count = 0;
        for (int c = 0; c < si.ColLevels; c++)
        {
            long ki = si.ColPtr[c + 1] - si.ColPtr[c], kj = sj.ColPtr[c + 1] - sj.ColPtr[c];
            count += lowerOnly ? ki * (ki + 1) / 2 : ki * kj;
        }
        var keys = new long[count];
        var first = new int[count];
        var second = new int[count];
        long e = 0;
        for (int c = 0; c < si.ColLevels; c++)
            for (int bj = sj.ColPtr[c]; bj < sj.ColPtr[c + 1]; bj++)
                for (int bi = lowerOnly ? bj : si.ColPtr[c]; bi < si.ColPtr[c + 1]; bi++)
                {
                    // Row levels ascend within a column, so on a diagonal window RowLevel[bi] ≥ RowLevel[bj]: the lower triangle.
                    keys[e] = (long)(colOffset + sj.RowLevel[bj]) * ld + rowOffset + si.RowLevel[bi];
                    first[e] = bi;
                    second[e] = bj;
                    e++;
                }
        var target = new int[count];
        var f = new int[count];
        var g = new int[count];
        long cells = (long)ld * ld;
        if (cells <= CountingSortCells)
        {
            // A counting sort over the target matrix's cells: linear in entries + cells, where a comparison sort of the
            // ~10⁶ entries of a large crossed design took a tenth of a second of every fit's setup.
            var start = new int[cells + 1];
            for (long i = 0; i < count; i++) start[keys[i] + 1]++;
            for (long c = 0; c < cells; c++) start[c + 1] += start[c];
            for (long i = 0; i < count; i++)
            {
                int at = start[keys[i]]++;
                target[at] = (int)keys[i];
                f[at] = first[i];
                g[at] = second[i];
            }
            return new OuterProductSchedule(target, f, g);
        }
        var order = new int[count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(keys, order);
        for (int i = 0; i < order.Length; i++)
        {
            target[i] = checked((int)keys[i]);
            f[i] = first[order[i]];
            g[i] = second[order[i]];
        }
        return new OuterProductSchedule(target, f, g);
    }

    /// <summary>Target matrices up to this many cells (a 4,096² tail) order the entries by a counting sort.</summary>
    private const long CountingSortCells = 1L << 24;

    /// <summary>Entries from which the work is split between two threads.</summary>
    private const int ParallelThreshold = 200_000;

    /// <summary>c[target] −= sᵢ[first]·sⱼ[second] for every entry (two threads on disjoint targets when long).</summary>
    public void Subtract(double[] si, double[] sj, double[] c)
    {
        int count = _target.Length;
        if (count < ParallelThreshold || Environment.ProcessorCount < 2)
        {
            Subtract(si, sj, c, 0, count);
            return;
        }
        SubtractInTwoHalves(si, sj, c, count);
    }

    /// <summary>Split at a change of target so that the two halves never write the same entry (its own method: the
    /// closures are then allocated only on this path).</summary>
    private void SubtractInTwoHalves(double[] si, double[] sj, double[] c, int count)
    {
        int split = count / 2;
        while (split < count && _target[split] == _target[split - 1]) split++;
        Parallel.Invoke(() => Subtract(si, sj, c, 0, split), () => Subtract(si, sj, c, split, count));
    }

    private void Subtract(double[] si, double[] sj, double[] c, int from, int to)
    {
        var target = _target;
        var first = _first;
        var second = _second;
        for (int i = from; i < to; i++)
            c[target[i]] -= si[first[i]] * sj[second[i]];
    }
}
