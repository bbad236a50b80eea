using TypedMixed.Storage;

namespace TypedMixed.Factorization;

/// <summary>
/// The lower triangle of S Sᵀ for a scalar-by-scalar block-sparse S (two random-intercept terms), as a fixed list of
/// (target, first factor, second factor) sorted by target. The pattern depends only on which levels share rows, so it
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

    /// <summary>Entries for C −= S Sᵀ (lower) with C the RowLevels × RowLevels column-major block.</summary>
    public static OuterProductSchedule Create(BlockSparse s)
    {
        int ld = s.RowLevels;
        long count = 0;
        for (int c = 0; c < s.ColLevels; c++)
        {
            long k = s.ColPtr[c + 1] - s.ColPtr[c];
            count += k * (k + 1) / 2;
        }
        var keys = new long[count];
        var first = new int[count];
        var second = new int[count];
        long e = 0;
        for (int c = 0; c < s.ColLevels; c++)
            for (int b2 = s.ColPtr[c]; b2 < s.ColPtr[c + 1]; b2++)
                for (int b1 = b2; b1 < s.ColPtr[c + 1]; b1++)
                {
                    // Row levels ascend within a column, so RowLevel[b1] ≥ RowLevel[b2]: the lower triangle.
                    keys[e] = (long)s.RowLevel[b2] * ld + s.RowLevel[b1];
                    first[e] = b1;
                    second[e] = b2;
                    e++;
                }
        var order = new int[count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(keys, order);
        var target = new int[count];
        var f = new int[count];
        var g = new int[count];
        for (int i = 0; i < order.Length; i++)
        {
            target[i] = checked((int)keys[i]);
            f[i] = first[order[i]];
            g[i] = second[order[i]];
        }
        return new OuterProductSchedule(target, f, g);
    }

    /// <summary>c[target] −= s[first]·s[second] for every entry.</summary>
    public void Subtract(double[] s, double[] c)
    {
        var target = _target;
        var first = _first;
        var second = _second;
        for (int i = 0; i < target.Length; i++)
            c[target[i]] -= s[first[i]] * s[second[i]];
    }
}
