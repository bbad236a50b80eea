using MathNet.Numerics.LinearAlgebra;

namespace TypedMixed.Families;

/// <summary>
/// Gauss–Hermite rules for the standard normal weight: Σₖ wₖ f(xₖ) ≈ ∫ f(x) φ(x) dx, exact for polynomials of degree
/// up to 2n − 1. Nodes and weights by Golub–Welsch: the nodes are the eigenvalues of the symmetric tridiagonal Jacobi
/// matrix of the probabilists' Hermite polynomials (off-diagonal √k), the weights the squared first components of its
/// normalised eigenvectors.
/// </summary>
internal static class GaussHermite
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, (double[] Nodes, double[] Weights)> Cache = new();

    /// <summary>The n-point rule (nodes ascending, weights summing to 1).</summary>
    public static (double[] Nodes, double[] Weights) Rule(int n)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "A quadrature rule needs at least one point.");
        return Cache.GetOrAdd(n, Compute);
    }

    private static (double[] Nodes, double[] Weights) Compute(int n)
    {
        if (n == 1) return ([0.0], [1.0]);
        var jacobi = Matrix<double>.Build.Dense(n, n);
        for (int k = 1; k < n; k++) jacobi[k, k - 1] = jacobi[k - 1, k] = Math.Sqrt(k);
        var evd = jacobi.Evd(Symmetricity.Symmetric);
        var nodes = new double[n];
        var weights = new double[n];
        var order = Enumerable.Range(0, n).OrderBy(i => evd.EigenValues[i].Real).ToArray();
        for (int j = 0; j < n; j++)
        {
            int i = order[j];
            nodes[j] = evd.EigenValues[i].Real;
            double v = evd.EigenVectors[0, i];
            weights[j] = v * v;
        }
        // Symmetrise (the rule is symmetric about 0) and renormalise away the eigen-solver's rounding.
        for (int j = 0; j < n / 2; j++)
        {
            double x = 0.5 * (nodes[n - 1 - j] - nodes[j]), w = 0.5 * (weights[j] + weights[n - 1 - j]);
            nodes[j] = -x; nodes[n - 1 - j] = x;
            weights[j] = weights[n - 1 - j] = w;
        }
        if (n % 2 == 1) nodes[n / 2] = 0;
        double sum = weights.Sum();
        for (int j = 0; j < n; j++) weights[j] /= sum;
        return (nodes, weights);
    }
}
