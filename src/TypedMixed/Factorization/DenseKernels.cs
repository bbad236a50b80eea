using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace TypedMixed.Factorization;

/// <summary>
/// Dense kernels on column-major storage used by the blocked Cholesky: in-place lower Cholesky, triangular solves,
/// rank-k updates. Inner loops are contiguous column operations (axpy / dot) vectorised with <see cref="Vector{T}"/>.
/// </summary>
internal static class DenseKernels
{
    /// <summary>y += a·x over equal-length spans.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Axpy(double a, ReadOnlySpan<double> x, Span<double> y)
    {
        int n = x.Length, i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<double>.Count)
        {
            var va = new Vector<double>(a);
            var xv = MemoryMarshal.Cast<double, Vector<double>>(x);
            var yv = MemoryMarshal.Cast<double, Vector<double>>(y);
            for (int v = 0; v < xv.Length; v++) yv[v] += va * xv[v];
            i = xv.Length * Vector<double>.Count;
        }
        for (; i < n; i++) y[i] += a * x[i];
    }

    /// <summary>y += a·x with x stored in single precision (widened to double as it is read).</summary>
    public static void AxpyWiden(double a, ReadOnlySpan<float> x, Span<double> y)
    {
        int n = x.Length, i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            var va = new Vector<double>(a);
            int fc = Vector<float>.Count, dc = Vector<double>.Count;
            for (; i + fc <= n; i += fc)
            {
                Vector.Widen(new Vector<float>(x.Slice(i)), out var lo, out var hi);
                var y0 = y.Slice(i, dc);
                var y1 = y.Slice(i + dc, dc);
                (new Vector<double>(y0) + va * lo).CopyTo(y0);
                (new Vector<double>(y1) + va * hi).CopyTo(y1);
            }
        }
        for (; i < n; i++) y[i] += a * x[i];
    }

    /// <summary>x'y with x stored in single precision (widened to double as it is read).</summary>
    public static double DotWiden(ReadOnlySpan<float> x, ReadOnlySpan<double> y)
    {
        int n = x.Length, i = 0;
        double s = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            // Two independent accumulators over reinterpreted vectors (no per-iteration slices): the sum's dependency
            // chain, not the loads, bounded the single-accumulator loop.
            var xv = MemoryMarshal.Cast<float, Vector<float>>(x);
            var yv = MemoryMarshal.Cast<double, Vector<double>>(y.Slice(0, xv.Length * Vector<float>.Count));
            var acc0 = Vector<double>.Zero;
            var acc1 = Vector<double>.Zero;
            for (int v = 0; v < xv.Length; v++)
            {
                Vector.Widen(xv[v], out var lo, out var hi);
                acc0 += lo * yv[2 * v];
                acc1 += hi * yv[2 * v + 1];
            }
            s = Vector.Sum(acc0 + acc1);
            i = xv.Length * Vector<float>.Count;
        }
        for (; i < n; i++) s += x[i] * y[i];
        return s;
    }

    /// <summary>y = a·x.</summary>
    public static void Scale(ReadOnlySpan<double> x, double a, Span<double> y)
    {
        int n = x.Length, i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<double>.Count)
        {
            var va = new Vector<double>(a);
            var xv = MemoryMarshal.Cast<double, Vector<double>>(x);
            var yv = MemoryMarshal.Cast<double, Vector<double>>(y);
            for (int v = 0; v < xv.Length; v++) yv[v] = va * xv[v];
            i = xv.Length * Vector<double>.Count;
        }
        for (; i < n; i++) y[i] = a * x[i];
    }

    /// <summary>x'y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int n = x.Length, i = 0;
        double s = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<double>.Count)
        {
            var acc = Vector<double>.Zero;
            var xv = MemoryMarshal.Cast<double, Vector<double>>(x);
            var yv = MemoryMarshal.Cast<double, Vector<double>>(y.Slice(0, n));
            for (int v = 0; v < xv.Length; v++) acc += xv[v] * yv[v];
            s = Vector.Sum(acc);
            i = xv.Length * Vector<double>.Count;
        }
        for (; i < n; i++) s += x[i] * y[i];
        return s;
    }

    /// <summary>Order from which the blocked, packed, two-thread Cholesky is used.</summary>
    public const int BlockedThreshold = 160;

    /// <summary>Column block of the blocked Cholesky.</summary>
    private const int BlockSize = 96;

    /// <summary>
    /// In-place lower Cholesky of the n × n column-major matrix a (leading dimension n); only the lower triangle is
    /// read and written. Returns false when a pivot is not positive (the matrix is not positive definite).
    /// Large matrices use a right-looking blocked algorithm whose trailing update is <see cref="PackedSyrk"/>.
    /// </summary>
    public static bool Cholesky(Span<double> a, int n, bool lastPivotMayBeZero = false)
    {
        if (n >= BlockedThreshold && PackedSyrk.IsAccelerated) return BlockedCholesky(a, n, lastPivotMayBeZero);
        return FactorDiagonalBlock(a, n, 0, n, lastPivotMayBeZero);
    }

    /// <summary>Left-looking column Cholesky (axpy inner loops), for small orders.</summary>
    public static bool UnblockedCholesky(Span<double> a, int n) => FactorDiagonalBlock(a, n, 0, n);

    /// <summary>
    /// Left-looking Cholesky of the b × b diagonal block starting at (k, k) of a column-major matrix with leading
    /// dimension ld, whose updates from earlier columns are already applied. With <paramref name="lastPivotMayBeZero"/>
    /// the last pivot may be 0 (it is then left 0): the [X y] block, whose last pivot is the residual norm.
    /// </summary>
    public static bool FactorDiagonalBlock(Span<double> a, int ld, int k, int b, bool lastPivotMayBeZero = false)
    {
        for (int j = 0; j < b; j++)
        {
            var colJ = a.Slice((k + j) * ld + k + j, b - j);
            // a[j:, j] −= Σ_{c<j} a[j, c] · a[j:, c]
            for (int c = 0; c < j; c++)
            {
                double ajc = a[(k + c) * ld + k + j];
                if (ajc != 0) Axpy(-ajc, a.Slice((k + c) * ld + k + j, b - j), colJ);
            }
            double d = colJ[0];
            if (lastPivotMayBeZero && j == b - 1)
            {
                colJ[0] = Math.Sqrt(Math.Max(d, 0));
                return true;
            }
            if (!(d > 0)) return false;
            d = Math.Sqrt(d);
            colJ[0] = d;
            double inv = 1 / d;
            for (int i = 1; i < colJ.Length; i++) colJ[i] *= inv;
        }
        return true;
    }

    /// <summary>
    /// Right-looking blocked Cholesky: factor a diagonal block, solve the panel below it, then subtract the panel's
    /// outer product from the trailing matrix with the packed kernel (split between two threads when large).
    /// </summary>
    private static unsafe bool BlockedCholesky(Span<double> span, int n, bool lastPivotMayBeZero)
    {
        fixed (double* a = span)
        {
            for (int k = 0; k < n; k += BlockSize)
            {
                int b = Math.Min(BlockSize, n - k);
                // L_kk: unblocked on the diagonal block (its trailing updates are already applied).
                if (!FactorDiagonalBlock(span, n, k, b, lastPivotMayBeZero && k + b == n)) return false;
                int m = n - k - b;
                if (m == 0) break;
                // Panel: A[k+b.., k..k+b] ← A[k+b.., k..k+b] · L_kk⁻ᵀ on the packed kernel, packed as it is solved;
                // rows split between two threads.
                var (packA, packB) = PackedSyrk.Buffers(m, b);
                var packL = PackedSyrk.LowerBuffer(b);
                fixed (double* pa = packA, pb = packB, pl = packL)
                {
                    PackedSyrk.PackLower(a, n, k, b, pl);
                    if (m >= 256 && Environment.ProcessorCount > 1)
                        SolvePanelInTwoHalves((nint)a, n, k, b, m, (nint)pa, (nint)pb, (nint)pl);
                    else
                        PackedSyrk.SolvePanel(a, n, k + b, k, m, b, 0, m, pa, pb, pl);
                    // Trailing: A[k+b.., k+b..] −= P Pᵀ (lower), P the panel.
                    int nr = PackedSyrk.Tile.NR;
                    if (m >= 256 && Environment.ProcessorCount > 1)
                    {
                        // Work in the lower triangle left of column j ∝ m² − (m − j)²; split it in half.
                        int split = (int)(m * (1 - Math.Sqrt(0.5))) / nr * nr;
                        nint ap = (nint)a, ppa = (nint)pa, ppb = (nint)pb;
                        int r0 = k + b, kb = b;
                        Parallel.Invoke(
                            () => PackedSyrk.Update((double*)ap, n, r0, 0, m, kb, 0, split, (double*)ppa, (double*)ppb),
                            () => PackedSyrk.Update((double*)ap, n, r0, 0, m, kb, split, m, (double*)ppa, (double*)ppb));
                    }
                    else
                    {
                        PackedSyrk.Update(a, n, k + b, k, m, b, 0, m, pa, pb);
                    }
                }
            }
        }
        return true;
    }

    /// <summary>The packed panel solve with its rows split between two threads (own method: closures only on this path).</summary>
    private static unsafe void SolvePanelInTwoHalves(nint a, int n, int k, int b, int m, nint pa, nint pb, nint pl)
    {
        int half = m / 2 / PackedSyrk.Tile.MR * PackedSyrk.Tile.MR;
        Parallel.Invoke(
            () => PackedSyrk.SolvePanel((double*)a, n, k + b, k, m, b, 0, half, (double*)pa, (double*)pb, (double*)pl),
            () => PackedSyrk.SolvePanel((double*)a, n, k + b, k, m, b, half, m, (double*)pa, (double*)pb, (double*)pl));
    }

    /// <summary>
    /// B ← B · L⁻ᵀ for the r × m column-major B and the m × m lower-triangular L (in place).
    /// Column b of the result: (B[:, b] − Σ_{d&lt;b} result[:, d] · L[b, d]) / L[b, b].
    /// </summary>
    public static void RightSolveLowerTranspose(Span<double> b, int r, ReadOnlySpan<double> l, int m)
    {
        for (int c = 0; c < m; c++)
        {
            var colC = b.Slice(c * r, r);
            for (int d = 0; d < c; d++)
            {
                double lcd = l[d * m + c];
                if (lcd != 0) Axpy(-lcd, b.Slice(d * r, r), colC);
            }
            double inv = 1 / l[c * m + c];
            for (int i = 0; i < r; i++) colC[i] *= inv;
        }
    }

    /// <summary>Solves L x = b in place (L n × n lower, column-major).</summary>
    public static void ForwardSolve(ReadOnlySpan<double> l, int n, Span<double> x) => ForwardSolve(l, n, 0, n, x);

    /// <summary>
    /// Solves L x = b in place for the n × n lower-triangular block of a column-major matrix with leading dimension
    /// ld whose diagonal starts at (offset, offset).
    /// </summary>
    public static void ForwardSolve(ReadOnlySpan<double> l, int ld, int offset, int n, Span<double> x)
    {
        for (int j = 0; j < n; j++)
        {
            int d = (offset + j) * ld + offset + j;
            x[j] /= l[d];
            double xj = x[j];
            if (xj != 0) Axpy(-xj, l.Slice(d + 1, n - j - 1), x.Slice(j + 1));
        }
    }

    /// <summary>Solves Lᵀ x = b in place (L n × n lower, column-major).</summary>
    public static void BackSolveTranspose(ReadOnlySpan<double> l, int n, Span<double> x) => BackSolveTranspose(l, n, 0, n, x);

    /// <summary>Solves Lᵀ x = b in place for the block described as in <see cref="ForwardSolve(ReadOnlySpan{double}, int, int, int, Span{double})"/>.</summary>
    public static void BackSolveTranspose(ReadOnlySpan<double> l, int ld, int offset, int n, Span<double> x)
    {
        for (int j = n - 1; j >= 0; j--)
        {
            int d = (offset + j) * ld + offset + j;
            double s = x[j] - Dot(l.Slice(d + 1, n - j - 1), x.Slice(j + 1));
            x[j] = s / l[d];
        }
    }
}
