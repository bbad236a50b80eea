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

    /// <summary>
    /// In-place lower Cholesky of the n × n column-major matrix a (leading dimension n); only the lower triangle is
    /// read and written. Returns false when a pivot is not positive (the matrix is not positive definite).
    /// </summary>
    public static bool Cholesky(Span<double> a, int n)
    {
        for (int j = 0; j < n; j++)
        {
            var colJ = a.Slice(j * n + j, n - j);
            // a[j:, j] -= Σ_{k<j} a[j, k] · a[j:, k]
            for (int k = 0; k < j; k++)
            {
                double ajk = a[k * n + j];
                if (ajk != 0) Axpy(-ajk, a.Slice(k * n + j, n - j), colJ);
            }
            double d = colJ[0];
            if (!(d > 0)) return false;
            d = Math.Sqrt(d);
            colJ[0] = d;
            double inv = 1 / d;
            for (int i = 1; i < colJ.Length; i++) colJ[i] *= inv;
        }
        return true;
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

    /// <summary>C ← C − A·Aᵀ on the lower triangle, C m × m, A m × k (column-major).</summary>
    public static void SyrkLowerMinus(Span<double> c, int m, ReadOnlySpan<double> a, int k)
    {
        for (int j = 0; j < m; j++)
        {
            var colC = c.Slice(j * m + j, m - j);
            for (int t = 0; t < k; t++)
            {
                double ajt = a[t * m + j];
                if (ajt != 0) Axpy(-ajt, a.Slice(t * m + j, m - j), colC);
            }
        }
    }

    /// <summary>C ← C − A·Bᵀ, C r × m, A r × k, B m × k (column-major).</summary>
    public static void GemmNTMinus(Span<double> c, int r, int m, ReadOnlySpan<double> a, ReadOnlySpan<double> b, int k)
    {
        for (int j = 0; j < m; j++)
        {
            var colC = c.Slice(j * r, r);
            for (int t = 0; t < k; t++)
            {
                double bjt = b[t * m + j];
                if (bjt != 0) Axpy(-bjt, a.Slice(t * r, r), colC);
            }
        }
    }

    /// <summary>Solves L x = b in place (L n × n lower, column-major).</summary>
    public static void ForwardSolve(ReadOnlySpan<double> l, int n, Span<double> x)
    {
        for (int j = 0; j < n; j++)
        {
            x[j] /= l[j * n + j];
            double xj = x[j];
            if (xj != 0) Axpy(-xj, l.Slice(j * n + j + 1, n - j - 1), x.Slice(j + 1));
        }
    }

    /// <summary>Solves Lᵀ x = b in place (L n × n lower, column-major).</summary>
    public static void BackSolveTranspose(ReadOnlySpan<double> l, int n, Span<double> x)
    {
        for (int j = n - 1; j >= 0; j--)
        {
            double s = x[j] - Dot(l.Slice(j * n + j + 1, n - j - 1), x.Slice(j + 1));
            x[j] = s / l[j * n + j];
        }
    }
}
