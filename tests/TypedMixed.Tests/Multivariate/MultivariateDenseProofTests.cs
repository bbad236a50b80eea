using MathNet.Numerics.LinearAlgebra;
using TypedMixed.Estimation;

namespace TypedMixed.Tests.Multivariate;

/// <summary>
/// The multivariate objective (stacked rows, pattern pieces, internal scaling undone) against the dense multivariate
/// normal likelihood of the stacked responses, V = Σₜ Zₜ(I ⊗ Gₜ)Zₜ' + blockdiag over units of Σ_O, β by GLS:
/// ML −½[n log 2π + log|V| + r'V⁻¹r], REML −½[(n − p) log 2π + log|V| + log|X'V⁻¹X| + r'V⁻¹r]; 1e-9 relative.
/// </summary>
public class MultivariateDenseProofTests
{
    public static TheoryData<int, int, bool, bool> Designs => new()
    {
        { 1, 2, false, false }, { 2, 2, true, false }, { 3, 3, false, true }, { 4, 3, true, true }, { 5, 2, true, true },
    };

    [Theory]
    [MemberData(nameof(Designs))]
    public void Objective_equals_the_dense_likelihood_at_random_parameters(int seed, int responses, bool two, bool reml)
    {
        var design = MultivariateDesigns.Random(seed, responses, units: 40, groups: 6, twoClassifications: two, scales: [.. Enumerable.Range(0, responses).Select(k => Math.Pow(10, k - 1))]);
        var rng = new Random(seed * 7 + 1);
        var method = reml ? EstimationMethod.Reml : EstimationMethod.MaximumLikelihood;
        for (int trial = 0; trial < 3; trial++)
        {
            var covs = Enumerable.Range(0, design.Classifications.Count + 1).Select(_ => RandomSpd(rng, responses, design)).ToList();
            double ours = MultivariateMixedModel.LogLikelihoodAt(design, method, covs);
            double dense = Dense(design, covs, reml);
            Assert.True(Math.Abs(ours - dense) <= 1e-9 * Math.Abs(dense), $"ours {ours:R}, dense {dense:R}");
        }
    }

    [Theory]
    [InlineData(11, false)]
    [InlineData(13, true)]
    public void Fitted_log_likelihood_equals_the_dense_likelihood_at_the_estimates_and_is_a_maximum(int seed, bool reml)
    {
        var design = MultivariateDesigns.Random(seed, 2, units: 160, groups: 16, twoClassifications: false, scales: [1, 50]);
        var method = reml ? EstimationMethod.Reml : EstimationMethod.MaximumLikelihood;
        var fit = MultivariateMixedModel.Fit(design, new FitOptions { Method = method });
        Assert.False(fit.IsSingular);
        var covs = fit.Levels.Select(l => l.Covariance).ToList();
        double dense = Dense(design, covs, reml);
        Assert.True(Math.Abs(fit.LogLikelihood - dense) <= 1e-9 * Math.Abs(dense), $"fit {fit.LogLikelihood:R}, dense {dense:R}");
        // A maximum: moving any variance or covariance entry lowers the dense likelihood.
        foreach (var (level, a, b) in new[] { (0, 0, 0), (0, 1, 0), (1, 1, 1), (1, 1, 0) })
            foreach (double h in new[] { -0.02, 0.02 })
            {
                var moved = covs.Select(c => (double[,])c.Clone()).ToList();
                double step = h * Math.Sqrt(moved[level][a, a] * moved[level][b, b]);
                moved[level][a, b] += step;
                if (a != b) moved[level][b, a] += step;
                Assert.True(Dense(design, moved, reml) < dense + 1e-9 * Math.Abs(dense), $"level {level} ({a},{b}) step {h}: {Dense(design, moved, reml):R} > {dense:R}; singular {fit.IsSingular}; {string.Join(" ", fit.Levels.SelectMany(l => l.Covariance.Cast<double>()))}");
            }
        // β is the GLS estimate at the estimated covariances.
        var (_, beta) = DenseParts(design, covs, reml);
        for (int c = 0; c < beta.Length; c++)
            Assert.InRange(fit.FixedEffects[c].Estimate - beta[c], -1e-6 * fit.FixedEffects[c].StdError, 1e-6 * fit.FixedEffects[c].StdError);
    }

    private static double[,] RandomSpd(Random rng, int r, MultivariateDesign design)
    {
        var scale = design.Responses.Select(y => y.Where(v => !double.IsNaN(v)).Select(Math.Abs).Average()).ToArray();
        var l = new double[r, r];
        for (int i = 0; i < r; i++)
            for (int j = 0; j <= i; j++) l[i, j] = i == j ? 0.3 + rng.NextDouble() : rng.NextDouble() - 0.5;
        var c = new double[r, r];
        for (int i = 0; i < r; i++)
            for (int j = 0; j < r; j++)
            {
                double s = 0;
                for (int k = 0; k < r; k++) s += l[i, k] * l[j, k];
                c[i, j] = s * scale[i] * scale[j] / 4;
            }
        return c;
    }

    /// <summary>The dense (REML) log-likelihood of the stacked rows on the original scale.</summary>
    internal static double Dense(MultivariateDesign design, IReadOnlyList<double[,]> covs, bool reml) => DenseParts(design, covs, reml).LogLikelihood;

    private static (double LogLikelihood, double[] Beta) DenseParts(MultivariateDesign design, IReadOnlyList<double[,]> covs, bool reml)
    {
        var stacked = MultivariateMixedModel.Stack(design, scale: false).Design;
        var mv = stacked.ResidualMultivariate!;
        int n = stacked.Rows, p = stacked.FixedEffectCount, t = design.Classifications.Count;
        var v = Matrix<double>.Build.Dense(n, n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                int ki = mv.ResponseIndex[i], kj = mv.ResponseIndex[j];
                double s = 0;
                for (int c = 0; c < t; c++)
                    if (stacked.Terms[c].LevelIndex[i] == stacked.Terms[c].LevelIndex[j]) s += covs[c][ki, kj];
                if (mv.UnitIndex[i] == mv.UnitIndex[j]) s += covs[t][ki, kj];
                v[i, j] = s;
            }
        var x = Matrix<double>.Build.Dense(n, p, stacked.FixedEffects);
        var y = Vector<double>.Build.Dense(stacked.Response);
        var chol = v.Cholesky();
        var vx = chol.Solve(x);
        var xtvx = x.TransposeThisAndMultiply(vx);
        var beta = xtvx.Cholesky().Solve(vx.TransposeThisAndMultiply(y));
        var r = y - x * beta;
        double quad = r.DotProduct(chol.Solve(r));
        double ll = -0.5 * ((reml ? n - p : n) * Math.Log(2 * Math.PI) + chol.DeterminantLn + quad);
        if (reml) ll -= 0.5 * xtvx.Cholesky().DeterminantLn;
        return (ll, beta.ToArray());
    }
}
