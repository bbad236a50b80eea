namespace TypedMixed.Factorization;

/// <summary>
/// The inverse of a symmetric positive-definite matrix from its lower Cholesky factor, S = L⁻ᵀ L⁻¹ — the dense part of
/// the selected inverse the deviance gradient needs. With J the order-reversing permutation, J S J = M Mᵀ with
/// M = (J Lᵀ J)⁻¹ lower triangular, so S costs one triangular inverse (a forward
/// substitution with blocks of right-hand sides, which keeps each block in cache while L streams past) and one
/// symmetric rank-k product, run panel by panel on <see cref="PackedSyrk"/>'s register-tiled kernel.
/// </summary>
internal static class TriangularInverse
{
    /// <summary>Right-hand sides solved together in the triangular inverse.</summary>
    private const int RhsBlock = 16;

    /// <summary>Panel width of the rank-k product.</summary>
    private const int Panel = 96;

    /// <summary>
    /// S = (L Lᵀ)⁻¹ for the leading n × n block of the lower-triangular L (column-major, leading dimension ld), written
    /// full (both triangles) into s (n × n, leading dimension n).
    /// </summary>
    public static void SymmetricInverseFromFactor(ReadOnlySpan<double> l, int ld, int n, double[] s)
    {
        // K = J Lᵀ J is lower triangular: K[i, k] = L[n−1−k, n−1−i].
        var m = new double[n * n];
        for (int k = 0; k < n; k++)
            for (int i = k; i < n; i++) m[k * n + i] = l[(n - 1 - i) * ld + n - 1 - k];
        InvertLowerInPlace(m, n);
        // J S J = M Mᵀ (M = K⁻¹): accumulate −M Mᵀ on the lower triangle of t, panel by panel.
        var t = new double[n * n];
        if (PackedSyrk.IsAccelerated) NegativeSyrk(m, t, n);
        else
            for (int j = 0; j < n; j++)
                for (int i = j; i < n; i++)
                {
                    double acc = 0;
                    for (int k = 0; k <= j; k++) acc += m[k * n + i] * m[k * n + j];
                    t[j * n + i] = -acc;
                }
        for (int j = 0; j < n; j++)
            for (int i = j; i < n; i++)
            {
                double v = -t[j * n + i];
                s[(n - 1 - j) * n + n - 1 - i] = v;
                s[(n - 1 - i) * n + n - 1 - j] = v;
            }
    }

    /// <summary>
    /// K ← K⁻¹ for a lower-triangular n × n column-major K: K X = I by forward substitution on blocks of
    /// <see cref="RhsBlock"/> columns of X (written into a copy, then back), blocks shared between two threads.
    /// </summary>
    internal static void InvertLowerInPlace(double[] k, int n)
    {
        var x = new double[n * n];
        int blocks = (n + RhsBlock - 1) / RhsBlock;
        // Leading blocks carry the most work: hand them out first.
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = Math.Min(2, Environment.ProcessorCount) }, blk =>
        {
            int j0 = blk * RhsBlock, j1 = Math.Min(n, j0 + RhsBlock);
            for (int j = j0; j < j1; j++) x[j * n + j] = 1;
            for (int c = j0; c < n; c++)
            {
                double diag = k[c * n + c];
                var below = new ReadOnlySpan<double>(k, c * n + c + 1, n - c - 1);
                for (int j = j0; j < Math.Min(j1, c + 1); j++)
                {
                    double v = x[j * n + c] / diag;
                    x[j * n + c] = v;
                    if (v != 0) DenseKernels.Axpy(-v, below, x.AsSpan(j * n + c + 1, n - c - 1));
                }
            }
        });
        Array.Copy(x, k, x.Length);
    }

    /// <summary>t −= M Mᵀ on the lower triangle (t zero on entry), M lower triangular n × n (zero above its diagonal).</summary>
    private static unsafe void NegativeSyrk(double[] m, double[] t, int n)
    {
        // Panel k covers M's columns [k, k + b); its rows above k are zero, so it updates t[k.., k..] only.
        fixed (double* pm = m, pt = t)
        {
            for (int k = 0; k < n; k += Panel)
            {
                int b = Math.Min(Panel, n - k), rows = n - k;
                var (packA, packB) = PackedSyrk.Buffers(rows, b);
                fixed (double* pa = packA, pb = packB)
                {
                    PackedSyrk.Pack(pm, n, k, k, rows, b, pa, pb);
                    if (rows >= 256 && Environment.ProcessorCount > 1)
                    {
                        int split = (int)(rows * (1 - Math.Sqrt(0.5))) / PackedSyrk.Tile.NR * PackedSyrk.Tile.NR;
                        nint tp = (nint)pt, ppa = (nint)pa, ppb = (nint)pb;
                        int r0 = k, kb = b;
                        Parallel.Invoke(
                            () => PackedSyrk.Update((double*)tp, n, r0, 0, rows, kb, 0, split, (double*)ppa, (double*)ppb),
                            () => PackedSyrk.Update((double*)tp, n, r0, 0, rows, kb, split, rows, (double*)ppa, (double*)ppb));
                    }
                    else PackedSyrk.Update(pt, n, k, k, rows, b, 0, rows, pa, pb);
                }
            }
        }
    }
}
