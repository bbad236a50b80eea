namespace TypedMixed.Factorization;

/// <summary>
/// Inverses from a lower Cholesky factor L: K = L⁻¹ (<see cref="InvertLower"/>), which the deviance gradient's
/// diagonal blocks of A⁻¹ need, and S = L⁻ᵀ L⁻¹ (<see cref="SymmetricInverseFromFactor(ReadOnlySpan{double}, int, int, double[], Workspace)"/>),
/// which its general path needs. K is computed in place by column panels from the last (as LAPACK's blocked
/// triangular inverse does): with the trailing part X₂₂ = L₂₂⁻¹ already inverted, the panel's block below its diagonal
/// becomes X₂₁ = −X₂₂ L₂₁ L₁₁⁻¹. Both products run on <see cref="PackedSyrk"/>'s register-tiled kernel with A
/// packed per thread in depth chunks and B packed once per panel, so the n³/3 flops run at about the dense
/// Cholesky's speed, on two threads. With J the order-reversing permutation, J S J = M Mᵀ with M = J Kᵀ J lower
/// triangular, so S costs one triangular inverse and one symmetric rank-k product, panel by panel on the same kernel.
/// </summary>
internal static unsafe class TriangularInverse
{
    /// <summary>Panel width of the rank-k product.</summary>
    private const int Panel = 96;

    /// <summary>Column panel of the blocked inverse.</summary>
    private const int InversePanel = 96;

    /// <summary>Depth chunk of a packed A sliver (16 × 256 doubles: 32 KB, stays in L1 across the B slivers).</summary>
    private const int DepthChunk = 256;

    /// <summary>Below this order the column algorithm is as fast as the blocked one.</summary>
    private const int BlockedThreshold = 128;

    [ThreadStatic] private static double[]? t_packA;

    /// <summary>
    /// S = (L Lᵀ)⁻¹ for the leading n × n block of the lower-triangular L (column-major, leading dimension ld), written
    /// full (both triangles) into s (n × n, leading dimension n).
    /// </summary>
    public static void SymmetricInverseFromFactor(ReadOnlySpan<double> l, int ld, int n, double[] s) =>
        SymmetricInverseFromFactor(l, ld, n, s, new Workspace());

    /// <summary>Work arrays of <see cref="SymmetricInverseFromFactor(ReadOnlySpan{double}, int, int, double[], Workspace)"/>, kept between calls of the same order.</summary>
    public sealed class Workspace
    {
        internal double[] M = [], T = [];

        internal void Ensure(int n)
        {
            if (M.Length == n * n) return;
            M = new double[n * n];
            T = new double[n * n];
        }
    }

    /// <summary>As <see cref="SymmetricInverseFromFactor(ReadOnlySpan{double}, int, int, double[])"/>, reusing the work arrays.</summary>
    public static void SymmetricInverseFromFactor(ReadOnlySpan<double> l, int ld, int n, double[] s, Workspace work)
    {
        work.Ensure(n);
        // K = J Lᵀ J is lower triangular: K[i, k] = L[n−1−k, n−1−i] (its upper triangle stays zero).
        var m = work.M;
        Array.Clear(m);
        for (int k = 0; k < n; k++)
            for (int i = k; i < n; i++) m[k * n + i] = l[(n - 1 - i) * ld + n - 1 - k];
        InvertLowerInPlace(m, n);
        SymmetricFromReversed(m, n, s, work);
    }

    /// <summary>
    /// S = Kᵀ K (= (L Lᵀ)⁻¹ when K = L⁻¹) for a lower-triangular n × n K (leading dimension ldk, zero above its diagonal),
    /// written full into s (n × n): the general gradient path, when the inverse is already at hand.
    /// </summary>
    public static void SymmetricInverseFromInverse(double[] k, int ldk, int n, double[] s, Workspace work)
    {
        work.Ensure(n);
        // M = J Kᵀ J: M[i, c] = K[n−1−c, n−1−i], lower triangular; then J S J = M Mᵀ.
        var m = work.M;
        Array.Clear(m);
        for (int c = 0; c < n; c++)
            for (int i = c; i < n; i++) m[c * n + i] = k[(n - 1 - i) * ldk + n - 1 - c];
        SymmetricFromReversed(m, n, s, work);
    }

    /// <summary>S with J S J = M Mᵀ, M (in work.M) lower triangular.</summary>
    private static void SymmetricFromReversed(double[] m, int n, double[] s, Workspace work)
    {
        // J S J = M Mᵀ: accumulate −M Mᵀ on the lower triangle of t, panel by panel.
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
    /// K = L⁻¹ for the leading n × n block of the lower-triangular L (column-major, leading dimension ld), into k
    /// (column-major, leading dimension ldk ≥ n; its upper triangle is written zero, rows n .. ldk are not touched).
    /// </summary>
    public static void InvertLower(ReadOnlySpan<double> l, int ld, int n, double[] k, int ldk)
    {
        for (int c = 0; c < n; c++)
        {
            k.AsSpan(c * ldk, c).Clear();
            l.Slice(c * ld + c, n - c).CopyTo(k.AsSpan(c * ldk + c, n - c));
        }
        InvertLowerInPlace(k, n, ldk);
    }

    /// <summary>
    /// K ← K⁻¹ for a lower-triangular n × n column-major K (leading dimension n) whose upper triangle is zero (it stays
    /// zero): blocked on the packed kernel from <see cref="BlockedThreshold"/> on, the column algorithm below it.
    /// </summary>
    internal static void InvertLowerInPlace(double[] k, int n) => InvertLowerInPlace(k, n, n);

    /// <summary>As <see cref="InvertLowerInPlace(double[], int)"/> with leading dimension ld.</summary>
    internal static void InvertLowerInPlace(double[] k, int n, int ld)
    {
        if (n < BlockedThreshold || !PackedSyrk.IsAccelerated)
        {
            InvertDiagonalBlock(k, ld, 0, n);
            return;
        }
        fixed (double* x = k)
        {
            int last = (n - 1) / InversePanel * InversePanel;
            for (int j0 = last; j0 >= 0; j0 -= InversePanel)
            {
                int jb = Math.Min(InversePanel, n - j0), j1 = j0 + jb, m = n - j1;
                // X₁₁ = L₁₁⁻¹ (the diagonal block alone).
                InvertDiagonalBlock(k, ld, j0, jb);
                if (m == 0) continue;
                double* x21 = x + (long)j0 * ld + j1;
                // X₂₁ ← −X₂₂ L₂₁: L₂₁ packed as B, the block cleared, then the product with X₂₂ (lower: sliver i
                // needs depth up to its last row only).
                var packB = PackBuffer(ref t_packB, m, jb);
                fixed (double* pb = packB)
                {
                    PackTransposed(x21, ld, m, jb, pb);
                    for (int c = 0; c < jb; c++) new Span<double>(x21 + (long)c * ld, m).Clear();
                    MultiplySubtract(x + (long)j1 * ld + j1, ld, m, m, aLower: true, aSign: 1, pb, jb, bUpper: false, x21, ld);
                }
                // X₂₁ ← (−X₂₂ L₂₁) X₁₁: X₁₁ packed as B (Bᵀ = X₁₁ is lower: sliver j starts at depth j), the block
                // packed negated as A and cleared, so that C −= (−A) B leaves +A X₁₁.
                var packB2 = PackBuffer(ref t_packB2, jb, jb);
                var copy = PackBuffer(ref t_copy, m, jb);
                fixed (double* pb = packB2, pc = copy)
                {
                    PackTransposed(x + (long)j0 * ld + j0, ld, jb, jb, pb);
                    for (int c = 0; c < jb; c++)
                    {
                        var col = new Span<double>(x21 + (long)c * ld, m);
                        col.CopyTo(new Span<double>(pc + (long)c * m, m));
                        col.Clear();
                    }
                    MultiplySubtract(pc, m, m, jb, aLower: false, aSign: -1, pb, jb, bUpper: true, x21, ld);
                }
            }
        }
    }

    [ThreadStatic] private static double[]? t_packB;
    [ThreadStatic] private static double[]? t_packB2;
    [ThreadStatic] private static double[]? t_copy;

    private static double[] PackBuffer(ref double[]? buffer, int depth, int cols)
    {
        int nr = PackedSyrk.Tile.NR;
        int need = Math.Max(1, (cols + nr - 1) / nr * nr * depth);
        if (buffer is null || buffer.Length < need) buffer = new double[need];
        return buffer;
    }

    /// <summary>
    /// The column algorithm on the b × b diagonal block at (j0, j0) (leading dimension ld), in place: from the last
    /// column, X[j, j] = 1 / L[j, j] and X[j+1.., j] = −X[j, j] · X₂₂ L[j+1.., j] with X₂₂ the part already inverted
    /// (its product with the column accumulated from the bottom, so the column can be overwritten as it goes).
    /// </summary>
    private static void InvertDiagonalBlock(double[] k, int ld, int j0, int b)
    {
        for (int j = b - 1; j >= 0; j--)
        {
            int cj = (j0 + j) * ld + j0;
            double d = 1 / k[cj + j];
            k[cj + j] = d;
            for (int c = b - 1; c > j; c--)
            {
                int cc = (j0 + c) * ld + j0;
                double t = k[cj + c];
                k[cj + c] = k[cc + c] * t;
                if (t != 0 && c + 1 < b)
                    DenseKernels.Axpy(t, k.AsSpan(cc + c + 1, b - c - 1), k.AsSpan(cj + c + 1, b - c - 1));
            }
            for (int r = j + 1; r < b; r++) k[cj + r] *= -d;
        }
    }

    /// <summary>
    /// Packs the depth × cols column-major block at p (leading dimension ld) as B of C −= A Bᵀ: B[j, k] = P[k, j], in
    /// NR-row slivers, k-major, zero-padded.
    /// </summary>
    private static void PackTransposed(double* p, int ld, int depth, int cols, double* pack)
    {
        int nr = PackedSyrk.Tile.NR;
        for (int s = 0; s < cols; s += nr)
        {
            int w = Math.Min(nr, cols - s);
            double* dst = pack + (long)s * depth;
            for (int j = 0; j < nr; j++)
            {
                if (j >= w)
                {
                    for (int k = 0; k < depth; k++) dst[k * nr + j] = 0;
                    continue;
                }
                double* src = p + (long)(s + j) * ld;
                for (int k = 0; k < depth; k++) dst[k * nr + j] = src[k];
            }
        }
    }

    /// <summary>
    /// C (m × nc at c, leading dimension ldc) −= (aSign · A) Bᵀ, A the m × depth column-major block at a (leading
    /// dimension lda), B packed by <see cref="PackTransposed"/> (nc × depth). <paramref name="aLower"/>: A is zero
    /// right of its diagonal (a sliver stops at its last row); <paramref name="bUpper"/>: B[j, k] = 0 for k &lt; j (a
    /// B sliver starts at its first column). A's MR-row slivers alternate between two threads; each packs its sliver
    /// in depth chunks and runs it against every B sliver while the chunk is in L1.
    /// </summary>
    private static void MultiplySubtract(double* a, int lda, int m, int depth, bool aLower, double aSign, double* packB, int nc, bool bUpper, double* c, int ldc)
    {
        int mr = PackedSyrk.Tile.MR;
        int slivers = (m + mr - 1) / mr;
        int threads = (double)m * depth * nc >= 2e6 && Environment.ProcessorCount > 1 ? 2 : 1;
        if (threads == 1)
        {
            Slivers(a, lda, m, depth, aLower, aSign, packB, nc, bUpper, c, ldc, 0, 1, slivers);
            return;
        }
        nint pa = (nint)a, pb = (nint)packB, pc = (nint)c;
        Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, t =>
            Slivers((double*)pa, lda, m, depth, aLower, aSign, (double*)pb, nc, bUpper, (double*)pc, ldc, t, 2, slivers));
    }

    private static void Slivers(double* a, int lda, int m, int depth, bool aLower, double aSign, double* packB, int nc, bool bUpper, double* c, int ldc, int first, int step, int slivers)
    {
        var (mr, nr) = PackedSyrk.Tile;
        // Pinned and 64-byte aligned, so that the kernel's 512-bit loads of A never split a cache line.
        if (t_packA is null || t_packA.Length < mr * DepthChunk + 8) t_packA = GC.AllocateArray<double>(mr * DepthChunk + 8, pinned: true);
        fixed (double* a0 = t_packA)
        {
            double* ap = a0 + (64 - (long)a0 % 64) % 64 / sizeof(double);
            for (int s = first; s < slivers; s += step)
            {
                int i0 = s * mr, im = Math.Min(mr, m - i0);
                int kEnd = aLower ? Math.Min(depth, i0 + mr) : depth;
                for (int k0 = 0; k0 < kEnd; k0 += DepthChunk)
                {
                    int k1 = Math.Min(kEnd, k0 + DepthChunk);
                    // Pack A[i0 .. i0+im, k0 .. k1) (times aSign), MR rows per k, zero-padded.
                    for (int k = k0; k < k1; k++)
                    {
                        double* src = a + (long)k * lda + i0;
                        double* dst = ap + (k - k0) * mr;
                        int r = 0;
                        for (; r < im; r++) dst[r] = aSign * src[r];
                        for (; r < mr; r++) dst[r] = 0;
                    }
                    for (int j0 = 0; j0 < nc; j0 += nr)
                    {
                        int kStart = bUpper ? Math.Max(k0, j0) : k0;
                        if (kStart >= k1) continue;
                        PackedSyrk.MultiplySubtractTile(ap + (kStart - k0) * mr, packB + (long)j0 * depth + (long)kStart * nr, k1 - kStart,
                            c + (long)j0 * ldc + i0, ldc, im, Math.Min(nr, nc - j0));
                    }
                }
            }
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
