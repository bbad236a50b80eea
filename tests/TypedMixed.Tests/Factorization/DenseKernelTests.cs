using TypedMixed.Factorization;

namespace TypedMixed.Tests.Factorization;

public class DenseKernelTests
{
    private static double[] RandomSpd(int n, int seed)
    {
        var rng = new Random(seed);
        var b = new double[n * n];
        for (int i = 0; i < b.Length; i++) b[i] = rng.NextDouble() - 0.5;
        var a = new double[n * n];
        for (int j = 0; j < n; j++)
            for (int i = j; i < n; i++)
            {
                double s = DenseKernels.Dot(b.AsSpan(i * n, n), b.AsSpan(j * n, n));
                a[j * n + i] = a[i * n + j] = s + (i == j ? 1 : 0);
            }
        return a;
    }

    /// <summary>The blocked, packed, threaded path agrees with the unblocked one on orders that are not multiples of any tile.</summary>
    [Theory]
    [InlineData(160)]
    [InlineData(193)]
    [InlineData(257)]
    [InlineData(411)]
    public void Blocked_Cholesky_equals_unblocked(int n)
    {
        var a = RandomSpd(n, n);
        var blocked = (double[])a.Clone();
        var plain = (double[])a.Clone();
        Assert.True(DenseKernels.Cholesky(blocked, n));
        Assert.True(DenseKernels.UnblockedCholesky(plain, n));
        for (int j = 0; j < n; j++)
            for (int i = j; i < n; i++)
                Assert.True(Math.Abs(blocked[j * n + i] - plain[j * n + i]) <= 1e-11 * Math.Abs(plain[j * n + j]),
                    $"L[{i},{j}]: blocked {blocked[j * n + i]:R}, unblocked {plain[j * n + i]:R}");
        // And L Lᵀ reproduces A.
        for (int j = 0; j < n; j += 7)
            for (int i = j; i < n; i += 5)
            {
                double s = 0;
                for (int k = 0; k <= j; k++) s += blocked[k * n + i] * blocked[k * n + j];
                Assert.True(Math.Abs(s - a[j * n + i]) <= 1e-10 * a[j * n + j]);
            }
    }

    [Fact]
    public void Blocked_Cholesky_reports_an_indefinite_matrix()
    {
        int n = 300;
        var a = RandomSpd(n, 3);
        a[250 * n + 250] = -1;
        Assert.False(DenseKernels.Cholesky(a, n));
    }
}
