namespace TypedMixed.Tests.Robustness;

/// <summary>
/// Data simulated from known parameters: over many replicates the estimates average to the truth within Monte-Carlo
/// error (4 standard errors of the replicate mean), and ML's downward bias of a variance shows where theory says.
/// </summary>
public class SimulationRecoveryTests
{
    /// <summary>
    /// y = 2 + 0.5x + b₀ + b₁x + ε, 20 subjects of 5–11 rows (unbalanced), x ~ U(0, 4), Var(b₀) = 1, Var(b₁) = 0.25,
    /// Cov = 0.15 (correlation 0.3), σ² = 1; 200 replicates fitted by REML. β̂ is unbiased; REML's variance estimates
    /// are (nearly) unbiased for this well-identified design.
    /// </summary>
    [Fact]
    public void Reml_recovers_fixed_effects_and_variance_components_of_a_random_slope_model()
    {
        const int replicates = 200;
        double[] beta = [2, 0.5];
        double s00 = 1, s11 = 0.25, s01 = 0.15, sigma2 = 1;
        // Cholesky of Σ for simulating (b₀, b₁).
        double l00 = Math.Sqrt(s00), l10 = s01 / l00, l11 = Math.Sqrt(s11 - l10 * l10);
        var estimates = new List<double[]>(); // β₀, β₁, s00, s11, s01, σ²
        var rng = new Random(20250101);
        int singular = 0;
        for (int r = 0; r < replicates; r++)
        {
            var index = new List<int>();
            for (int g = 0; g < 20; g++)
                for (int j = rng.Next(5, 12); j > 0; j--) index.Add(g);
            int n = index.Count;
            var x = Enumerable.Range(0, n).Select(_ => 4 * rng.NextDouble()).ToArray();
            var b = Enumerable.Range(0, 20).Select(_ =>
            {
                double z0 = Designs.Normal(rng), z1 = Designs.Normal(rng);
                return (l00 * z0, l10 * z0 + l11 * z1);
            }).ToArray();
            var y = new double[n];
            for (int i = 0; i < n; i++)
            {
                var (b0, b1) = b[index[i]];
                y[i] = beta[0] + beta[1] * x[i] + b0 + b1 * x[i] + Math.Sqrt(sigma2) * Designs.Normal(rng);
            }
            var design = new ModelDesign
            {
                Response = y,
                FixedEffects = [.. Enumerable.Repeat(1.0, n), .. x],
                FixedEffectNames = ["(Intercept)", "x"],
                Terms = [new RandomEffectsTerm
                {
                    Name = "subject",
                    LevelIndex = index.ToArray(),
                    LevelKeys = Enumerable.Range(0, 20).Select(Designs.Key).ToArray(),
                    ColumnNames = ["(Intercept)", "x"],
                    Columns = [.. Enumerable.Repeat(1.0, n), .. x],
                }],
            };
            var fit = LinearMixedModel.Fit(design, Designs.Fast(EstimationMethod.Reml));
            if (fit.IsSingular) singular++;
            var cov = fit.Term("subject").Covariance;
            estimates.Add([fit.FixedEffects[0].Estimate, fit.FixedEffects[1].Estimate, cov[0, 0], cov[1, 1], cov[0, 1], fit.ResidualVariance]);
        }
        // With 20 subjects a correlation of ±1 (a boundary) is estimated in roughly one replicate in seven.
        Assert.True(singular <= replicates / 4, $"{singular} of {replicates} fits are singular");
        double[] truth = [beta[0], beta[1], s00, s11, s01, sigma2];
        string[] names = ["β₀", "β₁", "Var(b₀)", "Var(b₁)", "Cov(b₀, b₁)", "σ²"];
        for (int k = 0; k < truth.Length; k++)
        {
            var (mean, se) = MeanAndError(estimates.Select(e => e[k]));
            Assert.True(Math.Abs(mean - truth[k]) <= 4 * se,
                $"{names[k]}: mean of {replicates} REML estimates {mean:F4} ± {se:F4} (MC SE), truth {truth[k]}");
        }
    }

    /// <summary>
    /// Random intercept with 6 clusters of 5 rows, σ²_b = σ² = 1, 300 replicates fitted by ML and by REML. Theory
    /// (balanced one-way layout): E[ML σ̂²_b] ≈ σ²_b − (σ²_b + σ²/m)/k = 0.8, REML is unbiased but for truncation at 0.
    /// ML's mean lies below the truth and below REML's; REML's is within Monte-Carlo error of the truth; the residual
    /// variance is recovered by both.
    /// </summary>
    [Fact]
    public void Ml_underestimates_the_cluster_variance_with_few_clusters_and_reml_does_not()
    {
        const int replicates = 300, k = 6, m = 5;
        var rng = new Random(777);
        var index = Enumerable.Range(0, k * m).Select(i => i / m).ToArray();
        var keys = Enumerable.Range(0, k).Select(Designs.Key).ToArray();
        var ml = new List<double>();
        var reml = new List<double>();
        var mlResidual = new List<double>();
        for (int r = 0; r < replicates; r++)
        {
            var b = Enumerable.Range(0, k).Select(_ => Designs.Normal(rng)).ToArray();
            var y = index.Select(g => 10 + b[g] + Designs.Normal(rng)).ToArray();
            var design = new ModelDesign
            {
                Response = y,
                FixedEffects = Enumerable.Repeat(1.0, k * m).ToArray(),
                FixedEffectNames = ["(Intercept)"],
                Terms = [RandomEffectsTerm.Intercept("g", index, keys)],
            };
            var fitMl = LinearMixedModel.Fit(design, Designs.Fast(EstimationMethod.MaximumLikelihood));
            var fitReml = LinearMixedModel.Fit(design, Designs.Fast(EstimationMethod.Reml));
            ml.Add(fitMl.Term("g").Variance());
            reml.Add(fitReml.Term("g").Variance());
            mlResidual.Add(fitMl.ResidualVariance);
        }
        var (mlMean, mlSe) = MeanAndError(ml);
        var (remlMean, remlSe) = MeanAndError(reml);
        var (diffMean, diffSe) = MeanAndError(reml.Zip(ml, (a, b) => a - b));
        var (residualMean, residualSe) = MeanAndError(mlResidual);
        Assert.True(mlMean < 1 - 2 * mlSe, $"ML mean σ̂²_b {mlMean:F4} ± {mlSe:F4} is not below the truth 1");
        Assert.True(Math.Abs(mlMean - 0.8) <= 4 * mlSe + 0.05, $"ML mean σ̂²_b {mlMean:F4} ± {mlSe:F4}; theory ≈ 0.8 (+ a little from truncation at 0)");
        Assert.True(diffMean > 4 * diffSe, $"REML − ML mean {diffMean:F4} ± {diffSe:F4} is not positive");
        Assert.True(Math.Abs(remlMean - 1) <= 4 * remlSe, $"REML mean σ̂²_b {remlMean:F4} ± {remlSe:F4}, truth 1");
        Assert.True(Math.Abs(residualMean - 1) <= 4 * residualSe, $"ML mean σ̂² {residualMean:F4} ± {residualSe:F4}, truth 1");
        Assert.All(ml.Zip(reml), v => Assert.True(v.First <= v.Second + 1e-6, $"ML σ̂²_b {v.First} above REML's {v.Second} in a balanced design"));
    }

    private static (double Mean, double Error) MeanAndError(IEnumerable<double> values)
    {
        var v = values.ToArray();
        double mean = v.Average();
        double var = v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1);
        return (mean, Math.Sqrt(var / v.Length));
    }
}
