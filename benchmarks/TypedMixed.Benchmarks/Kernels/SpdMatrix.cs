using TypedMixed.Benchmarks.Data;

namespace TypedMixed.Benchmarks.Kernels;

/// <summary>Deterministic symmetric positive-definite test matrices (column-major, full storage).</summary>
internal static class SpdMatrix
{
    /// <summary>A = G'G/m + I for a random m × n G (m = n + 8), well conditioned; both triangles filled.</summary>
    public static double[] Create(int n, ulong seed = 1128)
    {
        var rng = new Rng(seed);
        int m = n + 8;
        var g = new double[m * n];
        for (int i = 0; i < g.Length; i++) g[i] = rng.Normal();
        var a = new double[n * n];
        for (int j = 0; j < n; j++)
        {
            var gj = g.AsSpan(j * m, m);
            for (int i = j; i < n; i++)
            {
                double s = TypedMixed.Factorization.DenseKernels.Dot(g.AsSpan(i * m, m), gj) / m;
                a[j * n + i] = a[i * n + j] = s + (i == j ? 1 : 0);
            }
        }
        return a;
    }

    /// <summary>Floating-point operations of a Cholesky factorization: n³/3.</summary>
    public static double CholeskyFlops(int n) => (double)n * n * n / 3;
}
