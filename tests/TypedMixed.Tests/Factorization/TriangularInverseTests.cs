using TypedMixed.Factorization;

namespace TypedMixed.Tests.Factorization;

/// <summary>
/// L⁻¹ and (L Lᵀ)⁻¹ from the factor equal the inverses by columns (L x = eⱼ, L Lᵀ x = eⱼ), at orders that take every
/// code path (column algorithm, blocked panels with partial last panel and partial register tiles, two threads).
/// </summary>
public class TriangularInverseTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(97)]
    [InlineData(300)]
    [InlineData(531)]
    public void Symmetric_inverse_from_factor_equals_solves(int n)
    {
        var rng = new Random(n);
        int ld = n + 3; // a factor inside a larger matrix, as the tail's leading block
        var l = new double[ld * ld];
        for (int c = 0; c < n; c++)
        {
            l[c * ld + c] = 1 + rng.NextDouble();
            for (int r = c + 1; r < n; r++) l[c * ld + r] = (rng.NextDouble() - 0.5) / Math.Sqrt(n);
        }
        var s = new double[n * n];
        TriangularInverse.SymmetricInverseFromFactor(l, ld, n, s);
        var col = new double[n];
        double worst = 0;
        for (int j = 0; j < n; j++)
        {
            Array.Clear(col);
            col[j] = 1;
            DenseKernels.ForwardSolve(l, ld, 0, n, col);
            DenseKernels.BackSolveTranspose(l, ld, 0, n, col);
            for (int i = 0; i < n; i++) worst = Math.Max(worst, Math.Abs(s[j * n + i] - col[i]) / (1 + Math.Abs(col[i])));
        }
        Assert.True(worst < 1e-12, $"n = {n}: largest difference {worst:E2}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(193)]
    [InlineData(531)]
    [InlineData(1145)]
    public void Triangular_inverse_equals_forward_solves(int n)
    {
        var rng = new Random(7 * n);
        int ld = n + 2;
        var l = new double[ld * ld];
        for (int c = 0; c < ld; c++)
            for (int r = 0; r < ld; r++) l[c * ld + r] = r < c ? double.NaN : 0; // the factor's upper triangle is never read
        for (int c = 0; c < n; c++)
        {
            l[c * ld + c] = 0.5 + rng.NextDouble();
            for (int r = c + 1; r < n; r++) l[c * ld + r] = (rng.NextDouble() - 0.5) / Math.Sqrt(n);
        }
        int ldk = n + 3; // padding rows below the inverse are left alone
        var k = new double[ldk * n];
        TriangularInverse.InvertLower(l, ld, n, k, ldk);
        var col = new double[n];
        double worst = 0;
        for (int j = 0; j < n; j += Math.Max(1, n / 97))
        {
            Array.Clear(col);
            col[j] = 1;
            DenseKernels.ForwardSolve(l, ld, 0, n, col);
            for (int i = 0; i < n; i++)
            {
                double err = Math.Abs(k[j * ldk + i] - col[i]) / (1 + Math.Abs(col[i]));
                if (i < j) Assert.Equal(0.0, k[j * ldk + i]);
                worst = Math.Max(worst, err);
            }
            for (int i = n; i < ldk; i++) Assert.Equal(0.0, k[j * ldk + i]);
        }
        Assert.True(worst < 1e-12, $"n = {n}: largest difference {worst:E2}");
    }
}
