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
    private const int RhsBlock = 8;

    /// <summary>Panel width of the rank-k product.</summary>
    private const int Panel = 96;

    /// <summary>
    /// S = (L Lᵀ)⁻¹ for the leading n × n block of the lower-triangular L (column-major, leading dimension ld), written
    /// full (both triangles) into s (n × n, leading dimension n).
    /// </summary>
    public static void SymmetricInverseFromFactor(ReadOnlySpan<double> l, int ld, int n, double[] s) =>
        SymmetricInverseFromFactor(l, ld, n, s, new Workspace());

    /// <summary>Work arrays of <see cref="SymmetricInverseFromFactor(ReadOnlySpan{double}, int, int, double[], Workspace)"/>, kept between calls of the same order.</summary>
    public sealed class Workspace
    {
        internal double[] M = [], T = [], X = [];

        internal void Ensure(int n)
        {
            if (M.Length == n * n) return;
            M = new double[n * n];
            T = new double[n * n];
            X = new double[n * n];
        }
    }

    /// <summary>As <see cref="SymmetricInverseFromFactor(ReadOnlySpan{double}, int, int, double[])"/>, reusing the work arrays.</summary>
    public static void SymmetricInverseFromFactor(ReadOnlySpan<double> l, int ld, int n, double[] s, Workspace work)
    {
        work.Ensure(n);
        // K = J Lᵀ J is lower triangular: K[i, k] = L[n−1−k, n−1−i] (its upper triangle stays zero).
        var m = work.M;
        for (int k = 0; k < n; k++)
            for (int i = k; i < n; i++) m[k * n + i] = l[(n - 1 - i) * ld + n - 1 - k];
        InvertLowerInPlace(m, n, work.X);
        // J S J = M Mᵀ (M = K⁻¹): accumulate −M Mᵀ on the lower triangle of t, panel by panel.
        var t = work.T;
        Array.Clear(t);
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
    /// <see cref="RhsBlock"/> columns of X (written into a copy, then back), blocks shared between two threads. Within
    /// a block K's columns are taken four at a time: their 4 × 4 triangle is solved, then the rows below receive one
    /// rank-4 update, vectorised down the rows with the four K columns held in registers across the block's columns.
    /// </summary>
    internal static void InvertLowerInPlace(double[] k, int n) => InvertLowerInPlace(k, n, new double[n * n]);

    /// <summary>As <see cref="InvertLowerInPlace(double[], int)"/> with x (n × n) as the work array.</summary>
    private static void InvertLowerInPlace(double[] k, int n, double[] x)
    {
        Array.Clear(x);
        int blocks = (n + RhsBlock - 1) / RhsBlock;
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = Math.Min(2, Environment.ProcessorCount) }, blk =>
        {
            int j0 = blk * RhsBlock, j1 = Math.Min(n, j0 + RhsBlock);
            for (int j = j0; j < j1; j++) x[j * n + j] = 1;
            Span<double> v = stackalloc double[4 * RhsBlock];
            for (int c0 = j0; c0 < n; c0 += 4)
            {
                int cw = Math.Min(4, n - c0);
                // The 4 × 4 triangle (columns j > row hold zeros there and stay zero).
                for (int c = c0; c < c0 + cw; c++)
                {
                    double diag = k[c * n + c];
                    for (int j = j0; j < j1; j++)
                    {
                        double xc = x[j * n + c] / diag;
                        x[j * n + c] = xc;
                        for (int r = c + 1; r < c0 + cw; r++) x[j * n + r] -= k[c * n + r] * xc;
                    }
                }
                int r0 = c0 + cw;
                if (r0 >= n) break;
                for (int j = j0; j < j1; j++)
                    for (int e = 0; e < 4; e++) v[(j - j0) * 4 + e] = e < cw ? x[j * n + c0 + e] : 0;
                RankFourUpdate(k, x, n, c0, cw, r0, j0, j1, v);
            }
        });
        Array.Copy(x, k, x.Length);
    }

    /// <summary>x[r0.., j] −= Σ_e K[r0.., c0 + e] v[j, e] for the block's columns j, e &lt; cw.</summary>
    private static void RankFourUpdate(double[] k, double[] x, int n, int c0, int cw, int r0, int j0, int j1, ReadOnlySpan<double> v)
    {
        int w = System.Numerics.Vector<double>.Count;
        int rows = n - r0;
        int vecEnd = r0 + rows / w * w;
        var kk = k.AsSpan();
        var zero = System.Numerics.Vector<double>.Zero;
        // −v broadcast once per block column and K column.
        Span<System.Numerics.Vector<double>> nv = stackalloc System.Numerics.Vector<double>[4 * RhsBlock];
        for (int e = 0; e < (j1 - j0) * 4; e++) nv[e] = new System.Numerics.Vector<double>(-v[e]);
        int r = r0;
        for (; r < vecEnd; r += w)
        {
            var k0 = new System.Numerics.Vector<double>(kk.Slice(c0 * n + r, w));
            var k1 = cw > 1 ? new System.Numerics.Vector<double>(kk.Slice((c0 + 1) * n + r, w)) : zero;
            var k2 = cw > 2 ? new System.Numerics.Vector<double>(kk.Slice((c0 + 2) * n + r, w)) : zero;
            var k3 = cw > 3 ? new System.Numerics.Vector<double>(kk.Slice((c0 + 3) * n + r, w)) : zero;
            for (int j = j0; j < j1; j++)
            {
                int vo = (j - j0) * 4;
                var target = x.AsSpan(j * n + r, w);
                var acc = new System.Numerics.Vector<double>(target);
                acc = System.Numerics.Vector.FusedMultiplyAdd(k0, nv[vo], acc);
                acc = System.Numerics.Vector.FusedMultiplyAdd(k1, nv[vo + 1], acc);
                acc = System.Numerics.Vector.FusedMultiplyAdd(k2, nv[vo + 2], acc);
                acc = System.Numerics.Vector.FusedMultiplyAdd(k3, nv[vo + 3], acc);
                acc.CopyTo(target);
            }
        }
        for (; r < n; r++)
            for (int j = j0; j < j1; j++)
            {
                int vo = (j - j0) * 4;
                double acc = 0;
                for (int e = 0; e < cw; e++) acc += k[(c0 + e) * n + r] * v[vo + e];
                x[j * n + r] -= acc;
            }
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
