using TypedMixed.Tests.Reference;
using Xunit.Abstractions;

namespace TypedMixed.Tests.Optimization;

/// <summary>
/// The projected quasi-Newton optimizer on the analytic gradient against BOBYQA on every LMM reference fit: the same
/// or a lower optimum (objective ≤ BOBYQA's + 1e-10 relative), and the evaluations of each (written to the test
/// output: <c>dotnet test --filter QuasiNewtonReferenceTests --logger "console;verbosity=detailed"</c>).
/// </summary>
public class QuasiNewtonReferenceTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(ReferenceData.LinearFits), MemberType = typeof(ReferenceData))]
    public void Quasi_newton_reaches_bobyqas_optimum(string fit)
    {
        var reference = ReferenceData.Fit(fit);
        var method = reference.GetProperty("method").GetString() == "REML" ? EstimationMethod.Reml : EstimationMethod.MaximumLikelihood;
        var design = ReferenceData.ForFit(fit);
        var bobyqa = LinearMixedModel.Fit(design, new FitOptions { Method = method, VarianceComponentErrors = false, Satterthwaite = false, Optimizer = FitOptimizer.Bobyqa });
        var qn = LinearMixedModel.Fit(design, new FitOptions { Method = method, VarianceComponentErrors = false, Satterthwaite = false, Optimizer = FitOptimizer.QuasiNewton });
        output.WriteLine($"{fit}: BOBYQA {bobyqa.Optimizer.Evaluations} evaluations, objective {bobyqa.Objective:R}; quasi-Newton {qn.Optimizer.Evaluations} evaluations, objective {qn.Objective:R} ({qn.Optimizer.Message}); difference {(qn.Objective - bobyqa.Objective) / Math.Abs(bobyqa.Objective):E2} relative");
        Assert.True(qn.Objective <= bobyqa.Objective + 1e-10 * Math.Abs(bobyqa.Objective),
            $"{fit}: quasi-Newton {qn.Objective:R} above BOBYQA {bobyqa.Objective:R}");
        Assert.True(qn.Optimizer.ConvergenceConfirmed, $"{fit}: quasi-Newton optimum not confirmed ({qn.Optimizer.Message})");
    }
}

/// <summary>
/// The objective is even in each θ diagonal, so its gradient vanishes at θ = 0 whether or not that is a minimum: a
/// quasi-Newton step clamped onto the bound would stop there. On 200 seeded small one-way layouts (6 clusters of 5
/// rows, σ²_b = σ² = 1; many steps overshoot onto 0) the quasi-Newton fit is never worse than BOBYQA's, by ML or REML.
/// </summary>
public class QuasiNewtonBoundTests
{
    [Theory]
    [InlineData(EstimationMethod.Reml)]
    [InlineData(EstimationMethod.MaximumLikelihood)]
    public void Quasi_newton_leaves_a_zero_its_gradient_cannot_see(EstimationMethod method)
    {
        const int k = 6, m = 5;
        var rng = new Random(777);
        var index = Enumerable.Range(0, k * m).Select(i => i / m).ToArray();
        var keys = Enumerable.Range(0, k).Select(i => "g" + i).ToArray();
        int singular = 0;
        for (int r = 0; r < 200; r++)
        {
            var b = Enumerable.Range(0, k).Select(_ => Normal(rng)).ToArray();
            var design = new ModelDesign
            {
                Response = index.Select(g => 10 + b[g] + Normal(rng)).ToArray(),
                FixedEffects = Enumerable.Repeat(1.0, k * m).ToArray(),
                FixedEffectNames = ["(Intercept)"],
                Terms = [RandomEffectsTerm.Intercept("g", index, keys)],
            };
            var bobyqa = LinearMixedModel.Fit(design, new FitOptions { Method = method, VarianceComponentErrors = false, Satterthwaite = false, Optimizer = FitOptimizer.Bobyqa });
            var qn = LinearMixedModel.Fit(design, new FitOptions { Method = method, VarianceComponentErrors = false, Satterthwaite = false, Optimizer = FitOptimizer.QuasiNewton });
            Assert.True(qn.Objective <= bobyqa.Objective + 1e-10 * Math.Abs(bobyqa.Objective),
                $"replicate {r}: quasi-Newton {qn.Objective:R} (θ {qn.Theta[0]:R}) above BOBYQA {bobyqa.Objective:R} (θ {bobyqa.Theta[0]:R})");
            if (bobyqa.Theta[0] < 1e-4) singular++;
        }
        // Both kinds of optimum occur: the layout has singular fits and interior ones.
        Assert.InRange(singular, 1, 199);
    }

    private static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
