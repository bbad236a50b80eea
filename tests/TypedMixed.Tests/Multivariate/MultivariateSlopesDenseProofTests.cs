using MathNet.Numerics.LinearAlgebra;

namespace TypedMixed.Tests.Multivariate;

/// <summary>
/// Random slopes per response against the dense multivariate normal likelihood. The random-effects vector of row i
/// (unit u, response k) is built here from the wide design, independently of the stacking: zᵢ has, in response k's
/// block of term t, (1, c₁(u), …, c_s(u)) and 0 elsewhere; V = Σₜ [same level] zᵢ'Gₜzⱼ + [same unit] Σ_kk'. β by GLS;
/// ML −½[n log 2π + log|V| + r'V⁻¹r], REML −½[(n − p) log 2π + log|V| + log|X'V⁻¹X| + r'V⁻¹r]; 1e-9 relative.
/// </summary>
public class MultivariateSlopesDenseProofTests
{
    public static TheoryData<int, int, bool, bool> Designs => new()
    {
        { 21, 2, false, false }, { 22, 2, true, false }, { 23, 3, false, true }, { 24, 3, true, true }, { 25, 2, true, true }, { 26, 3, false, false },
    };

    [Theory]
    [MemberData(nameof(Designs))]
    public void Objective_with_slopes_equals_the_dense_likelihood_at_random_parameters(int seed, int responses, bool two, bool reml)
    {
        var design = MultivariateDesigns.Random(seed, responses, units: 50, groups: 7, twoClassifications: two, missing: 0.25,
            scales: [.. Enumerable.Range(0, responses).Select(k => Math.Pow(10, k - 1))], slopes: true);
        var rng = new Random(seed * 5 + 3);
        var method = reml ? EstimationMethod.Reml : EstimationMethod.MaximumLikelihood;
        Assert.Contains(design.Responses, y => y.Any(double.IsNaN));
        for (int trial = 0; trial < 3; trial++)
        {
            var covs = design.Classifications.Select(g => RandomSpd(rng, responses * g.ColumnsPerResponse, g.ColumnsPerResponse, design))
                .Append(RandomSpd(rng, responses, 1, design)).ToList();
            double ours = MultivariateMixedModel.LogLikelihoodAt(design, method, covs);
            double dense = Dense(design, covs, reml);
            Assert.True(Math.Abs(ours - dense) <= 1e-9 * Math.Abs(dense), $"ours {ours:R}, dense {dense:R}");
        }
    }

    [Theory]
    [InlineData(31, false)]
    [InlineData(32, true)]
    public void Fit_with_slopes_reaches_a_maximum_of_the_dense_likelihood(int seed, bool reml)
    {
        var design = MultivariateDesigns.Random(seed, 2, units: 240, groups: 20, twoClassifications: false, scales: [1, 30], slopes: true);
        design = WithOnlySlope(design, "x");
        var method = reml ? EstimationMethod.Reml : EstimationMethod.MaximumLikelihood;
        var fit = MultivariateMixedModel.Fit(design, new FitOptions { Method = method });
        Assert.False(fit.IsSingular);
        var covs = fit.Levels.Select(l => l.Covariance).ToList();
        Assert.Equal(4, covs[0].GetLength(0));
        Assert.Equal(["y0:(Intercept)", "y0:x", "y1:(Intercept)", "y1:x"], fit.Levels[0].ColumnNames);
        double dense = Dense(design, covs, reml);
        Assert.True(Math.Abs(fit.LogLikelihood - dense) <= 1e-9 * Math.Abs(dense), $"fit {fit.LogLikelihood:R}, dense {dense:R}");
        foreach (var (level, a, b) in new[] { (0, 0, 0), (0, 1, 1), (0, 3, 1), (0, 2, 1), (1, 1, 0), (1, 1, 1) })
            foreach (double h in new[] { -0.02, 0.02 })
            {
                var moved = covs.Select(c => (double[,])c.Clone()).ToList();
                double step = h * Math.Sqrt(moved[level][a, a] * moved[level][b, b]);
                moved[level][a, b] += step;
                if (a != b) moved[level][b, a] += step;
                Assert.True(Dense(design, moved, reml) < dense + 1e-9 * Math.Abs(dense), $"level {level} ({a},{b}) step {h}");
            }
        // Every level's covariance has SEs; the correlation matrix has a unit diagonal.
        Assert.All(fit.Levels, l => Assert.All(Enumerable.Range(0, l.Covariance.GetLength(0)), a =>
        {
            Assert.True(l.CovarianceStdErrors[a, a] > 0);
            Assert.Equal(1, l.Correlation[a, a]);
        }));
        // The joint model against separate (1 + x | g) models: 2·4·5/2 − 2·3 = 4 school covariances + 1 residual one.
        Assert.Equal(5, fit.SeparateModelsTest!.DegreesOfFreedom);
        Assert.True(fit.SeparateModelsLogLikelihood <= fit.LogLikelihood + 1e-8);
        // Parameters: 4 fixed, 10 at g, 3 residual.
        Assert.Equal(17, fit.ParameterCount);
        // VPC at x = 0: the intercept variances' shares.
        for (int k = 0; k < 2; k++)
        {
            double g = fit.Levels[0].Covariance[2 * k, 2 * k], e = fit.Levels[1].Covariance[k, k];
            Assert.Equal(g / (g + e), fit.VariancePartition[k, 0], 12);
        }
    }

    [Fact]
    public void Slopes_scale_with_their_response_only()
    {
        var design = WithOnlySlope(MultivariateDesigns.Random(41, 2, units: 200, groups: 16, twoClassifications: false, scales: [1, 1], slopes: true), "x");
        var scaled = new MultivariateDesign
        {
            ResponseNames = design.ResponseNames,
            Responses = [design.Responses[0], [.. design.Responses[1].Select(v => v * 1000)]],
            FixedEffects = design.FixedEffects,
            FixedEffectNames = design.FixedEffectNames,
            Classifications = design.Classifications,
        };
        var a = MultivariateMixedModel.Fit(design, FitOptions.MaximumLikelihood, separateModelsTest: false);
        var b = MultivariateMixedModel.Fit(scaled, FitOptions.MaximumLikelihood, separateModelsTest: false);
        int n1 = design.Responses[1].Count(v => !double.IsNaN(v));
        Assert.Equal(a.LogLikelihood - n1 * Math.Log(1000), b.LogLikelihood, 6);
        var ga = a.Levels[0].Covariance;
        var gb = b.Levels[0].Covariance;
        int[] owner = [0, 0, 1, 1];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
            {
                double factor = (owner[i] == 1 ? 1000 : 1) * (owner[j] == 1 ? 1000 : 1);
                Assert.True(Math.Abs(gb[i, j] / factor - ga[i, j]) <= 2e-5 * Math.Sqrt(ga[i, i] * ga[j, j]), $"({i},{j}): {gb[i, j] / factor} vs {ga[i, j]}");
            }
    }

    /// <summary>The design with classification g's random covariates reduced to <paramref name="name"/>.</summary>
    internal static MultivariateDesign WithOnlySlope(MultivariateDesign design, string name)
    {
        var g = design.Classifications[0];
        int j = g.RandomCovariateNames.ToList().IndexOf(name), n = design.Units;
        return new MultivariateDesign
        {
            ResponseNames = design.ResponseNames,
            Responses = design.Responses,
            FixedEffects = design.FixedEffects,
            FixedEffectNames = design.FixedEffectNames,
            Classifications = [new MultivariateClassification { Name = g.Name, LevelIndex = g.LevelIndex, LevelKeys = g.LevelKeys, RandomCovariateNames = [name], RandomCovariates = g.RandomCovariates[(j * n)..((j + 1) * n)] }],
        };
    }

    /// <summary>A random SPD matrix of size d whose entries follow the responses' scales (m columns per response).</summary>
    private static double[,] RandomSpd(Random rng, int d, int m, MultivariateDesign design)
    {
        var scale = design.Responses.Select(y => y.Where(v => !double.IsNaN(v)).Select(Math.Abs).Average()).ToArray();
        var l = new double[d, d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j <= i; j++) l[i, j] = i == j ? 0.3 + rng.NextDouble() : rng.NextDouble() - 0.5;
        var c = new double[d, d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
            {
                double s = 0;
                for (int k = 0; k < d; k++) s += l[i, k] * l[j, k];
                c[i, j] = s * scale[i / m] * scale[j / m] / 4;
            }
        return c;
    }

    /// <summary>The dense (REML) log-likelihood of the observed values on the original scale.</summary>
    internal static double Dense(MultivariateDesign design, IReadOnlyList<double[,]> covs, bool reml)
    {
        // Rows: unit by unit, observed responses in order; X and y from the wide design.
        var rows = new List<(int Unit, int Response)>();
        for (int u = 0; u < design.Units; u++)
            for (int k = 0; k < design.ResponseNames.Count; k++)
                if (!double.IsNaN(design.Responses[k][u])) rows.Add((u, k));
        int n = rows.Count, r = design.ResponseNames.Count, pc = design.FixedEffectNames.Count, p = r * pc, units = design.Units;
        var x = Matrix<double>.Build.Dense(n, p);
        var y = Vector<double>.Build.Dense(n);
        for (int i = 0; i < n; i++)
        {
            var (u, k) = rows[i];
            y[i] = design.Responses[k][u];
            for (int c = 0; c < pc; c++) x[i, k * pc + c] = design.FixedEffects[c * units + u];
        }
        var zs = design.Classifications.Select(g =>
        {
            int m = (g.Intercept ? 1 : 0) + g.RandomCovariateNames.Count;
            var z = new double[n, r * m];
            for (int i = 0; i < n; i++)
            {
                var (u, k) = rows[i];
                int col = k * m;
                if (g.Intercept) z[i, col++] = 1;
                for (int j = 0; j < g.RandomCovariateNames.Count; j++) z[i, col++] = g.RandomCovariates[j * units + u];
            }
            return z;
        }).ToArray();
        var v = Matrix<double>.Build.Dense(n, n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int t = 0; t < zs.Length; t++)
                {
                    var g = design.Classifications[t];
                    if (g.LevelIndex[rows[i].Unit] != g.LevelIndex[rows[j].Unit]) continue;
                    int q = zs[t].GetLength(1);
                    for (int a = 0; a < q; a++)
                        for (int b = 0; b < q; b++) s += zs[t][i, a] * covs[t][a, b] * zs[t][j, b];
                }
                if (rows[i].Unit == rows[j].Unit) s += covs[^1][rows[i].Response, rows[j].Response];
                v[i, j] = s;
            }
        var chol = v.Cholesky();
        var vx = chol.Solve(x);
        var xtvx = x.TransposeThisAndMultiply(vx);
        var beta = xtvx.Cholesky().Solve(vx.TransposeThisAndMultiply(y));
        var res = y - x * beta;
        double ll = -0.5 * ((reml ? n - p : n) * Math.Log(2 * Math.PI) + chol.DeterminantLn + res.DotProduct(chol.Solve(res)));
        if (reml) ll -= 0.5 * xtvx.Cholesky().DeterminantLn;
        return ll;
    }
}
