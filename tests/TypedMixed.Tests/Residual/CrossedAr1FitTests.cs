using TypedMixed.Estimation;

namespace TypedMixed.Tests.Residual;

/// <summary>
/// A whole fit with AR(1) residuals within subjects and a crossed item term whose level changes at every occasion
/// (the squares-and-cross-products Gram): the optimum is a local minimum of the objective in every coordinate (θ and
/// atanh ρ), and ρ̂ is near the value simulated.
/// </summary>
public class CrossedAr1FitTests
{
    [Fact]
    public void Crossed_items_with_AR1_within_subjects_fit_to_a_local_minimum()
    {
        const int subjects = 40, occasions = 6, items = 12;
        var rng = new Random(20261201);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        int n = subjects * occasions;
        var y = new double[n];
        var time = new double[n];
        var subject = new int[n];
        var item = new int[n];
        var bItem = Enumerable.Range(0, items).Select(_ => 0.7 * Normal()).ToArray();
        for (int s = 0; s < subjects; s++)
        {
            double b = 1.0 * Normal(), e = Normal();
            for (int t = 0; t < occasions; t++)
            {
                int i = s * occasions + t;
                if (t > 0) e = 0.6 * e + Math.Sqrt(1 - 0.36) * Normal();
                subject[i] = s;
                item[i] = (s + 5 * t) % items;
                time[i] = t;
                y[i] = 3 + 0.2 * t + b + bItem[item[i]] + e;
            }
        }
        var ones = Enumerable.Repeat(1.0, n).ToArray();
        var subjectKeys = Enumerable.Range(0, subjects).Select(s => "s" + s).ToArray();
        var design = new ModelDesign
        {
            Response = y,
            FixedEffects = [.. ones, .. time],
            FixedEffectNames = ["(Intercept)", "t"],
            Terms =
            [
                new RandomEffectsTerm { Name = "subject", LevelIndex = subject, LevelKeys = subjectKeys, ColumnNames = ["(Intercept)"], Columns = ones },
                new RandomEffectsTerm { Name = "item", LevelIndex = item, LevelKeys = Enumerable.Range(0, items).Select(k => "i" + k).ToArray(), ColumnNames = ["(Intercept)"], Columns = ones },
            ],
            ResidualCorrelation = new ResidualCorrelation { Structure = ResidualCorrelationStructure.Ar1, TimeName = "t", Time = time, ClusterName = "subject", ClusterIndex = subject, ClusterKeys = subjectKeys },
        };
        var fit = LinearMixedModel.Fit(design, FitOptions.MaximumLikelihood);
        var problem = MixedModelProblem.Create(design);
        Assert.False(problem.Residual!.RowsShareEveryLevel);
        var objective = new ResidualStructureDeviance(problem, reml: false);
        double rho = fit.ResidualCorrelation!.Parameter;
        double[] x = [.. fit.Theta, Math.Atanh(rho)];
        double f0 = objective.Evaluate(x);
        Assert.Equal(fit.Deviance, f0, 8);
        for (int c = 0; c < x.Length; c++)
            foreach (double h in new[] { -1e-3, 1e-3 })
            {
                var xp = (double[])x.Clone();
                xp[c] += h;
                Assert.True(objective.Evaluate(xp) >= f0 - 1e-9, $"coordinate {c} step {h}: {objective.Evaluate(xp):R} < {f0:R}");
            }
        Assert.InRange(rho, 0.35, 0.8);
        Assert.Equal(1, LikelihoodRatioTest.Compare(LinearMixedModel.Fit(new ModelDesign
        {
            Response = y, FixedEffects = design.FixedEffects, FixedEffectNames = design.FixedEffectNames, Terms = design.Terms,
        }, FitOptions.MaximumLikelihood), fit).DegreesOfFreedom);
    }
}
