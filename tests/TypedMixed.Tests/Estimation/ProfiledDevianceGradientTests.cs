using TypedMixed.Estimation;
using TypedMixed.Tests.Reference;

namespace TypedMixed.Tests.Estimation;

/// <summary>
/// The analytic gradient of the profiled deviance / REML criterion equals central finite differences of the objective
/// (Richardson-extrapolated) on every LMM reference fit — at lme4's θ̂, at its start and at points off the optimum —
/// and on random designs (crossed, nested, slopes, every covariance structure, multiple membership), ML and REML.
/// </summary>
public class ProfiledDevianceGradientTests
{
    /// <summary>|analytic − finite difference| ≤ this × max(|finite difference|, 1) per component.</summary>
    private const double Tolerance = 1e-6;

    [Theory]
    [MemberData(nameof(ReferenceData.LinearFits), MemberType = typeof(ReferenceData))]
    public void Gradient_equals_finite_differences_on_reference_fits(string fit)
    {
        var reference = ReferenceData.Fit(fit);
        var checks = reference.GetProperty("objective_checks");
        bool reml = reference.GetProperty("method").GetString() == "REML";
        var problem = MixedModelProblem.Create(ReferenceData.ForFit(fit));
        var thetaHat = checks.GetProperty("theta_hat").Doubles();
        var start = checks.GetProperty("theta_start").Doubles();
        var rng = new Random(fit.Length);
        var off = thetaHat.Select((t, i) => t + (0.3 + rng.NextDouble()) * Math.Max(Math.Abs(t), 0.2)).ToArray();
        foreach (var theta in new[] { thetaHat, start, off })
            foreach (bool method in new[] { reml, !reml })
                AssertGradient(problem, theta, method, $"{fit} {(method ? "REML" : "ML")} at [{string.Join(", ", theta.Select(t => t.ToString("G4")))}]");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Gradient_equals_finite_differences_on_random_designs(bool reml)
    {
        for (int seed = 0; seed < 150; seed++)
        {
            var rng = new Random(1000 + seed);
            var design = RandomDesigns.Create(rng);
            // Every third design carries prior weights and an offset (a weighted Gram, Σ log w in the objective).
            if (seed % 3 == 0)
                design = new ModelDesign
                {
                    Response = design.Response,
                    FixedEffects = design.FixedEffects,
                    FixedEffectNames = design.FixedEffectNames,
                    Terms = design.Terms,
                    Weights = design.Response.Select(_ => 0.2 + 2 * rng.NextDouble()).ToArray(),
                    Offset = design.Response.Select(_ => rng.NextDouble()).ToArray(),
                };
            var problem = MixedModelProblem.Create(design);
            var (theta, lower) = problem.InitialTheta();
            for (int i = 0; i < theta.Length; i++)
                theta[i] = lower[i] == 0 ? 0.05 + 2 * rng.NextDouble() : rng.NextDouble() - 0.5;
            AssertGradient(problem, theta, reml, $"seed {seed}: terms {string.Join(", ", design.Terms.Select(t => $"{t.Name}[{t.LevelCount}×{t.ColumnCount} {t.Covariance}]"))}");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Gradient_equals_finite_differences_with_multiple_membership(bool reml)
    {
        int checkedDesigns = 0;
        for (int seed = 0; seed < 100; seed++)
        {
            var rng = new Random(2000 + seed);
            var design = MultipleMembershipTests.RandomDesign(rng, seed);
            var problem = MixedModelProblem.Create(design);
            if (!ProfiledDevianceGradient.Supports(problem)) continue;
            var (theta, lower) = problem.InitialTheta();
            for (int i = 0; i < theta.Length; i++)
                theta[i] = lower[i] == 0 ? 0.05 + 2 * rng.NextDouble() : rng.NextDouble() - 0.5;
            AssertGradient(problem, theta, reml, $"membership seed {seed}");
            checkedDesigns++;
        }
        Assert.True(checkedDesigns >= 20, $"only {checkedDesigns} membership designs had the analytic gradient");
    }

    internal static void AssertGradient(MixedModelProblem problem, double[] theta, bool reml, string what)
    {
        var deviance = new ProfiledDeviance(problem.Factor, problem.N, problem.P, reml) { LogWeightSum = problem.LogWeightSum };
        var gradient = new ProfiledDevianceGradient(problem, deviance);
        var g = new double[theta.Length];
        double value = gradient.Evaluate(theta, g);
        Assert.Equal(deviance.Evaluate(theta), value, 12);
        var fd = CentralDifferences(t => deviance.Evaluate(t), theta);
        for (int i = 0; i < theta.Length; i++)
        {
            double err = Math.Abs(g[i] - fd[i]) / Math.Max(Math.Abs(fd[i]), 1);
            Assert.True(err <= Tolerance, $"{what}: ∂/∂θ[{i}] analytic {g[i]:R}, finite differences {fd[i]:R} (error {err:E2})");
        }
    }

    /// <summary>Central differences at steps h and h/2, Richardson-extrapolated (error O(h⁴)).</summary>
    internal static double[] CentralDifferences(Func<double[], double> f, double[] x)
    {
        var g = new double[x.Length];
        var xp = (double[])x.Clone();
        for (int i = 0; i < x.Length; i++)
        {
            double h = 1e-3 * Math.Max(Math.Abs(x[i]), 0.1);
            double D(double step)
            {
                xp[i] = x[i] + step; double fp = f(xp);
                xp[i] = x[i] - step; double fm = f(xp);
                xp[i] = x[i];
                return (fp - fm) / (2 * step);
            }
            double d1 = D(h), d2 = D(h / 2);
            g[i] = (4 * d2 - d1) / 3;
        }
        return g;
    }
}
