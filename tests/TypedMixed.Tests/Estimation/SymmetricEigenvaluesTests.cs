namespace TypedMixed.Tests.Estimation;

/// <summary>The convergence check's eigenvalues (MathNet's symmetric EVD) on a matrix with known spectrum.</summary>
public class SymmetricEigenvaluesTests
{
    [Fact]
    public void Tridiagonal_matrix_has_eigenvalues_two_minus_root_two_two_and_two_plus_root_two()
    {
        var eigen = TypedMixed.Estimation.ConvergenceCheck.SymmetricEigenvalues(new double[,] { { 2, 1, 0 }, { 1, 2, 1 }, { 0, 1, 2 } });
        var expected = new[] { 2 - Math.Sqrt(2), 2, 2 + Math.Sqrt(2) };
        Assert.Equal(3, eigen.Length);
        for (int i = 0; i < 3; i++) Assert.Equal(expected[i], eigen.Order().ElementAt(i), 1e-14);
    }
}
