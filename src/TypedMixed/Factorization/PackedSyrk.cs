using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace TypedMixed.Factorization;

/// <summary>
/// C ← C − P Pᵀ on the lower triangle of a column-major C, P an m × kb panel: the trailing update of the blocked
/// Cholesky, which is where its n³/3 flops go. P is packed into MR-row and NR-row slivers so that a 16 × 8
/// register tile of Vector512 accumulators (or 8 × 4 of Vector256) runs fused multiply-adds from L1.
/// Tiles crossing the diagonal are computed whole; their strictly-upper entries land in C's upper triangle,
/// which the factorization never reads.
/// </summary>
internal static unsafe class PackedSyrk
{
    [ThreadStatic] private static double[]? t_packA;
    [ThreadStatic] private static double[]? t_packB;
    [ThreadStatic] private static double[]? t_packL;

    /// <summary>Register tile of the kernel for this processor.</summary>
    public static (int MR, int NR) Tile => Vector512.IsHardwareAccelerated ? (16, 8) : (8, 4);

    /// <summary>True when a vector kernel exists (otherwise callers use the column-axpy kernels).</summary>
    public static bool IsAccelerated => Vector512.IsHardwareAccelerated || Vector256.IsHardwareAccelerated;

    /// <summary>
    /// C[r0.., r0..] −= P Pᵀ (lower), with P = A[r0 .. r0+m, c0 .. c0+kb] and C = A[r0 .., r0 ..] in the same
    /// column-major matrix of leading dimension ld. Columns [j0, j1) of the trailing block are updated (for splitting
    /// the work between threads); pass 0 and m for all.
    /// </summary>
    public static void Update(double* a, int ld, int r0, int c0, int m, int kb, int j0, int j1, double* packA, double* packB)
    {
        var (mr, nr) = Tile;
        // Column slivers [j0, j1) aligned to NR; row slivers from the diagonal down.
        for (int jb = j0; jb < j1; jb += nr)
        {
            int jn = Math.Min(nr, m - jb);
            double* bp = packB + (jb / nr) * nr * kb;
            int ibStart = jb / mr * mr;
            for (int ib = ibStart; ib < m; ib += mr)
            {
                int im = Math.Min(mr, m - ib);
                double* ap = packA + (ib / mr) * mr * kb;
                double* c = a + (long)(r0 + jb) * ld + r0 + ib;
                MultiplySubtractTile(ap, bp, kb, c, ld, im, jn);
            }
        }
    }

    /// <summary>Packs P (m × kb at A[r0.., c0..]) into MR-row slivers (k-major) and NR-row slivers, zero-padded.</summary>
    public static void Pack(double* a, int ld, int r0, int c0, int m, int kb, double* packA, double* packB)
    {
        var (mr, nr) = Tile;
        PackSlivers(a, ld, r0, c0, m, kb, mr, packA);
        PackSlivers(a, ld, r0, c0, m, kb, nr, packB);
    }

    private static void PackSlivers(double* a, int ld, int r0, int c0, int m, int kb, int width, double* pack)
    {
        for (int s = 0; s < m; s += width)
        {
            int rows = Math.Min(width, m - s);
            double* dst = pack + (s / width) * width * kb;
            for (int k = 0; k < kb; k++)
            {
                double* src = a + (long)(c0 + k) * ld + r0 + s;
                int r = 0;
                for (; r < rows; r++) dst[k * width + r] = src[r];
                for (; r < width; r++) dst[k * width + r] = 0;
            }
        }
    }

    /// <summary>Pack buffers for an m × kb panel, owned by the calling thread and reused.</summary>
    public static (double[] packA, double[] packB) Buffers(int m, int kb)
    {
        var (mr, nr) = Tile;
        int na = (m + mr - 1) / mr * mr * kb, nb = (m + nr - 1) / nr * nr * kb;
        if (t_packA is null || t_packA.Length < na) t_packA = new double[Math.Max(na, 1)];
        if (t_packB is null || t_packB.Length < nb) t_packB = new double[Math.Max(nb, 1)];
        return (t_packA, t_packB);
    }

    /// <summary>
    /// The panel solve of the blocked Cholesky on the same kernel: P ← P · L⁻ᵀ for P = A[r0 .. r0+m, c0 .. c0+kb] and
    /// L = A[c0 .., c0 ..] (kb × kb, lower, already factored), for the panel rows [i0, i1) (i0 a multiple of MR, i1 one
    /// or m), and the solved rows packed into packA and packB exactly as <see cref="Pack"/> packs them, ready for
    /// <see cref="Update"/>. Columns go NR at a time: first the columns already solved are subtracted,
    /// P[:, J] −= X[:, 0..J) · L[J, 0..J)ᵀ, with the register-tiled kernel (X read from packA, where the earlier slivers
    /// were just packed); then the NR × NR triangle is solved by column axpys over the rows. Rows are independent, so
    /// two threads may take two row ranges. <paramref name="packL"/> holds L's rows as <see cref="PackLower"/> wrote them.
    /// </summary>
    public static void SolvePanel(double* a, int ld, int r0, int c0, int m, int kb, int i0, int i1, double* packA, double* packB, double* packL)
    {
        // Rows in chunks of a few MR slivers, so that a chunk's NR columns stay in L1 through the kernel, the triangle
        // and the packing.
        int chunk = 4 * Tile.MR;
        for (int c = i0; c < i1; c += chunk) SolvePanelRows(a, ld, r0, c0, m, kb, c, Math.Min(i1, c + chunk), packA, packB, packL);
    }

    private static void SolvePanelRows(double* a, int ld, int r0, int c0, int m, int kb, int i0, int i1, double* packA, double* packB, double* packL)
    {
        var (mr, nr) = Tile;
        int rows = i1 - i0;
        if (rows <= 0) return;
        for (int jb = 0; jb < kb; jb += nr)
        {
            int jn = Math.Min(nr, kb - jb);
            // P[i0..i1, jb..jb+jn] −= X[i0..i1, 0..jb) · L[jb..jb+jn, 0..jb)ᵀ
            if (jb > 0)
            {
                double* lp = packL + (jb / nr) * nr * kb;
                for (int ib = i0; ib < i1; ib += mr)
                {
                    int im = Math.Min(mr, i1 - ib);
                    double* ap = packA + (ib / mr) * mr * kb;
                    double* c = a + (long)(c0 + jb) * ld + r0 + ib;
                    MultiplySubtractTile(ap, lp, jb, c, ld, im, jn);
                }
            }
            // The jn × jn triangle: X[:, c] = (P[:, c] − Σ_{jb≤d<c} X[:, d] L[c, d]) / L[c, c].
            for (int c = jb; c < jb + jn; c++)
            {
                var colC = new Span<double>(a + (long)(c0 + c) * ld + r0 + i0, rows);
                for (int d = jb; d < c; d++)
                {
                    double lcd = a[(long)(c0 + d) * ld + c0 + c];
                    if (lcd != 0) DenseKernels.Axpy(-lcd, new ReadOnlySpan<double>(a + (long)(c0 + d) * ld + r0 + i0, rows), colC);
                }
                double inv = 1 / a[(long)(c0 + c) * ld + c0 + c];
                DenseKernels.Scale(colC, inv, colC);
            }
            // Pack the solved columns (k = jb .. jb+jn) of these rows into the MR- and NR-row slivers.
            for (int k = jb; k < jb + jn; k++)
            {
                double* src = a + (long)(c0 + k) * ld + r0;
                PackColumn(src, k, kb, mr, i0, i1, m, packA);
                PackColumn(src, k, kb, nr, i0, i1, m, packB);
            }
        }
    }

    /// <summary>Entry k of the width-row slivers covering rows [i0, i1) (zero beyond m).</summary>
    private static void PackColumn(double* src, int k, int kb, int width, int i0, int i1, int m, double* pack)
    {
        for (int s = i0; s < i1; s += width)
        {
            double* dst = pack + (s / width) * width * kb + k * width;
            int n = Math.Min(width, m - s), r = 0;
            for (; r < n; r++) dst[r] = src[s + r];
            for (; r < width; r++) dst[r] = 0;
        }
    }

    /// <summary>
    /// Packs the kb × kb lower-triangular L = A[c0 .., c0 ..] for <see cref="SolvePanel"/>: for each NR-row sliver J of
    /// L, entries L[J, k] k-major (NR per k), zero outside L's rows.
    /// </summary>
    public static void PackLower(double* a, int ld, int c0, int kb, double* packL)
    {
        var (_, nr) = Tile;
        for (int jb = 0; jb < kb; jb += nr)
        {
            double* dst = packL + (jb / nr) * nr * kb;
            for (int k = 0; k < kb; k++)
                for (int j = 0; j < nr; j++)
                    dst[k * nr + j] = jb + j < kb && k <= jb + j ? a[(long)(c0 + k) * ld + c0 + jb + j] : 0;
        }
    }

    /// <summary>The buffer of <see cref="PackLower"/> for a kb × kb block, owned by the calling thread and reused.</summary>
    public static double[] LowerBuffer(int kb)
    {
        var (_, nr) = Tile;
        int nl = (kb + nr - 1) / nr * nr * kb;
        if (t_packL is null || t_packL.Length < nl) t_packL = new double[Math.Max(nl, 1)];
        return t_packL;
    }

    /// <summary>
    /// One register tile: C[0..im, 0..jn] −= A Bᵀ over kb (the trailing update, the panel solve, the blocked triangular inverse),
    /// A packed as one MR-row sliver and B as one NR-row sliver, both k-major and zero-padded, as <see cref="Pack"/> lays them out.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MultiplySubtractTile(double* ap, double* bp, int kb, double* c, int ld, int im, int jn)
    {
        if (Tile.MR == 16) Kernel16x8(ap, bp, kb, c, ld, im, jn);
        else Kernel8x4(ap, bp, kb, c, ld, im, jn);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel16x8(double* ap, double* bp, int kb, double* c, int ld, int im, int jn)
    {
        Vector512<double> c00 = default, c01 = default, c02 = default, c03 = default, c04 = default, c05 = default, c06 = default, c07 = default;
        Vector512<double> c10 = default, c11 = default, c12 = default, c13 = default, c14 = default, c15 = default, c16 = default, c17 = default;
        for (int k = 0; k < kb; k++)
        {
            var a0 = Vector512.Load(ap);
            var a1 = Vector512.Load(ap + 8);
            var b = Vector512.Create(bp[0]); c00 = Vector512.FusedMultiplyAdd(a0, b, c00); c10 = Vector512.FusedMultiplyAdd(a1, b, c10);
            b = Vector512.Create(bp[1]); c01 = Vector512.FusedMultiplyAdd(a0, b, c01); c11 = Vector512.FusedMultiplyAdd(a1, b, c11);
            b = Vector512.Create(bp[2]); c02 = Vector512.FusedMultiplyAdd(a0, b, c02); c12 = Vector512.FusedMultiplyAdd(a1, b, c12);
            b = Vector512.Create(bp[3]); c03 = Vector512.FusedMultiplyAdd(a0, b, c03); c13 = Vector512.FusedMultiplyAdd(a1, b, c13);
            b = Vector512.Create(bp[4]); c04 = Vector512.FusedMultiplyAdd(a0, b, c04); c14 = Vector512.FusedMultiplyAdd(a1, b, c14);
            b = Vector512.Create(bp[5]); c05 = Vector512.FusedMultiplyAdd(a0, b, c05); c15 = Vector512.FusedMultiplyAdd(a1, b, c15);
            b = Vector512.Create(bp[6]); c06 = Vector512.FusedMultiplyAdd(a0, b, c06); c16 = Vector512.FusedMultiplyAdd(a1, b, c16);
            b = Vector512.Create(bp[7]); c07 = Vector512.FusedMultiplyAdd(a0, b, c07); c17 = Vector512.FusedMultiplyAdd(a1, b, c17);
            ap += 16;
            bp += 8;
        }
        if (im == 16 && jn == 8)
        {
            Store(c, c00, c10); Store(c + ld, c01, c11); Store(c + 2 * ld, c02, c12); Store(c + 3 * ld, c03, c13);
            Store(c + 4 * ld, c04, c14); Store(c + 5 * ld, c05, c15); Store(c + 6 * ld, c06, c16); Store(c + 7 * ld, c07, c17);
            return;
        }
        double* tile = stackalloc double[128];
        c00.Store(tile); c10.Store(tile + 8); c01.Store(tile + 16); c11.Store(tile + 24);
        c02.Store(tile + 32); c12.Store(tile + 40); c03.Store(tile + 48); c13.Store(tile + 56);
        c04.Store(tile + 64); c14.Store(tile + 72); c05.Store(tile + 80); c15.Store(tile + 88);
        c06.Store(tile + 96); c16.Store(tile + 104); c07.Store(tile + 112); c17.Store(tile + 120);
        for (int j = 0; j < jn; j++)
            for (int i = 0; i < im; i++) c[(long)j * ld + i] -= tile[j * 16 + i];

        static void Store(double* col, Vector512<double> lo, Vector512<double> hi)
        {
            (Vector512.Load(col) - lo).Store(col);
            (Vector512.Load(col + 8) - hi).Store(col + 8);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel8x4(double* ap, double* bp, int kb, double* c, int ld, int im, int jn)
    {
        Vector256<double> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector256<double> c10 = default, c11 = default, c12 = default, c13 = default;
        for (int k = 0; k < kb; k++)
        {
            var a0 = Vector256.Load(ap);
            var a1 = Vector256.Load(ap + 4);
            var b = Vector256.Create(bp[0]); c00 = Vector256.FusedMultiplyAdd(a0, b, c00); c10 = Vector256.FusedMultiplyAdd(a1, b, c10);
            b = Vector256.Create(bp[1]); c01 = Vector256.FusedMultiplyAdd(a0, b, c01); c11 = Vector256.FusedMultiplyAdd(a1, b, c11);
            b = Vector256.Create(bp[2]); c02 = Vector256.FusedMultiplyAdd(a0, b, c02); c12 = Vector256.FusedMultiplyAdd(a1, b, c12);
            b = Vector256.Create(bp[3]); c03 = Vector256.FusedMultiplyAdd(a0, b, c03); c13 = Vector256.FusedMultiplyAdd(a1, b, c13);
            ap += 8;
            bp += 4;
        }
        double* tile = stackalloc double[32];
        c00.Store(tile); c10.Store(tile + 4); c01.Store(tile + 8); c11.Store(tile + 12);
        c02.Store(tile + 16); c12.Store(tile + 20); c03.Store(tile + 24); c13.Store(tile + 28);
        for (int j = 0; j < jn; j++)
            for (int i = 0; i < im; i++) c[(long)j * ld + i] -= tile[j * 8 + i];
    }
}
