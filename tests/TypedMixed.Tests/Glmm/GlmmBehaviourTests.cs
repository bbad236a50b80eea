using TypedMixed.Estimation;
using TypedMixed.Families;

namespace TypedMixed.Tests.Glmm;

/// <summary>Simulation recovery, the single-level comparison, warnings and bad input of generalized fits.</summary>
public class GlmmBehaviourTests
{
    /// <summary>Seeded counts: η = b0 + b1·x + u[g] + log(exposure), u ~ N(0, sd²); Poisson or NB2 with shape k.</summary>
    private static ModelDesign Counts(int seed, int clusters, int perCluster, double sd, double? shape, ResponseFamily family)
    {
        var rng = new Random(seed);
        int n = clusters * perCluster;
        var u = Enumerable.Range(0, clusters).Select(_ => sd * Normal(rng)).ToArray();
        var x = new double[n];
        var offset = new double[n];
        var y = new double[n];
        var g = new int[n];
        for (int i = 0; i < n; i++)
        {
            g[i] = i / perCluster;
            x[i] = rng.NextDouble() * 2 - 1;
            offset[i] = Math.Log(1 + 2 * rng.NextDouble());
            double mu = Math.Exp(0.5 + 0.4 * x[i] + u[g[i]] + offset[i]);
            if (shape is { } k) mu *= Gamma(rng, k) / k;      // gamma-Poisson mixture = NB2
            y[i] = Poisson(rng, mu);
        }
        return new ModelDesign
        {
            Response = y, FixedEffects = Enumerable.Repeat(1.0, n).Concat(x).ToArray(), FixedEffectNames = ["(Intercept)", "x"],
            Terms = [RandomEffectsTerm.Intercept("g", g, Enumerable.Range(0, clusters).Select(c => c.ToString()).ToArray())],
            Family = family, Offset = offset,
        };
    }

    private static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    private static double Poisson(Random rng, double mu)
    {
        if (mu > 50) return Math.Max(0, Math.Round(mu + Math.Sqrt(mu) * Normal(rng)));
        double l = Math.Exp(-mu), p = 1; int k = 0;
        do { k++; p *= rng.NextDouble(); } while (p > l);
        return k - 1;
    }

    private static double Gamma(Random rng, double shape)
    {
        // Marsaglia–Tsang (shape ≥ 1; boosted below 1).
        if (shape < 1) return Gamma(rng, shape + 1) * Math.Pow(rng.NextDouble(), 1 / shape);
        double d = shape - 1.0 / 3, c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double z = Normal(rng), v = Math.Pow(1 + c * z, 3);
            if (v > 0 && Math.Log(rng.NextDouble()) < 0.5 * z * z + d - d * v + d * Math.Log(v)) return d * v;
        }
    }

    [Fact]
    public void Poisson_with_offset_recovers_the_simulation_and_beats_the_glm()
    {
        var design = Counts(11, 60, 12, 0.5, null, ResponseFamily.Poisson);
        var fit = GeneralizedLinearMixedModel.Fit(design);
        Assert.Equal(LinkFunction.Log, fit.Link);
        Assert.InRange(fit.FixedEffect("x").Estimate, 0.4 - 4 * fit.FixedEffect("x").StdError, 0.4 + 4 * fit.FixedEffect("x").StdError);
        Assert.InRange(fit.RandomEffects[0].StdDev(), 0.35, 0.65);
        Assert.InRange(fit.PearsonDispersion, 0.7, 1.3);
        Assert.DoesNotContain(fit.Warnings, w => w.Code == "TMW010");
        Assert.Equal(Math.Exp(fit.FixedEffect("x").Estimate), Math.Exp(fit.LinearPredictor[0] - fit.LinearPredictor[0] + fit.FixedEffect("x").Estimate));
        // The fit equals the GLM at θ = 0 on the same objective, and the LRT says the variance is not zero.
        var glm = GeneralizedLinearModel.Fit(design);
        double atZero = GlmmEstimator.DevianceAt(design, GlmmFitOptions.Default, [0.0], glm.Coefficients);
        Assert.Equal(-2 * glm.LogLikelihood, atZero, 1e-8 * Math.Abs(atZero));
        var lrt = GeneralizedLikelihoodRatioTest.AgainstSingleLevel(fit, design);
        Assert.Equal(1, lrt.DegreesOfFreedom);
        Assert.True(lrt.ChiSquare > 50 && lrt.BoundaryPValue < 1e-10, $"χ² {lrt.ChiSquare}");
        // Fitted means, Pearson residuals and the linear predictor are consistent.
        for (int i = 0; i < design.Rows; i++)
        {
            Assert.Equal(Math.Exp(fit.LinearPredictor[i]), fit.Fitted[i], 1e-12 * fit.Fitted[i]);
            Assert.Equal((design.Response[i] - fit.Fitted[i]) / Math.Sqrt(fit.Fitted[i]), fit.PearsonResiduals[i], 1e-10);
        }
    }

    [Fact]
    public void Overdispersed_counts_are_flagged_and_the_negative_binomial_recovers_its_shape()
    {
        var poisson = Counts(5, 80, 10, 0.3, 2.0, ResponseFamily.Poisson);
        var fit = GeneralizedLinearMixedModel.Fit(poisson);
        Assert.Contains(fit.Warnings, w => w.Code == "TMW010" && w.Message.Contains("negative binomial"));
        var nbDesign = Counts(5, 80, 10, 0.3, 2.0, ResponseFamily.NegativeBinomial);
        var nb = GeneralizedLinearMixedModel.Fit(nbDesign);
        Assert.True(nb.LogLikelihood > fit.LogLikelihood + 50, $"NB {nb.LogLikelihood} vs Poisson {fit.LogLikelihood}");
        Assert.InRange(nb.NegativeBinomialShape, 2.0 - 4 * nb.NegativeBinomialShapeStdError, 2.0 + 4 * nb.NegativeBinomialShapeStdError);
        Assert.True(nb.NegativeBinomialShapeStdError > 0);
        Assert.Equal(4, nb.ParameterCount);
        // A known shape is not estimated, and gives the same fit when it is the estimate.
        var fixedShape = GeneralizedLinearMixedModel.Fit(nbDesign, new GlmmFitOptions { NegativeBinomialShape = nb.NegativeBinomialShape });
        Assert.Equal(3, fixedShape.ParameterCount);
        Assert.Equal(nb.LogLikelihood, fixedShape.LogLikelihood, 1e-6 * Math.Abs(nb.LogLikelihood));
    }

    [Fact]
    public void Bernoulli_responses_fit_and_report_the_latent_icc()
    {
        var rng = new Random(3);
        int clusters = 100, per = 20, n = clusters * per;
        var u = Enumerable.Range(0, clusters).Select(_ => 1.0 * Normal(rng)).ToArray();
        var x = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var y = Enumerable.Range(0, n).Select(i => rng.NextDouble() < 1 / (1 + Math.Exp(-(-0.5 + x[i] + u[i / per]))) ? 1.0 : 0.0).ToArray();
        var design = new ModelDesign
        {
            Response = y, FixedEffects = Enumerable.Repeat(1.0, n).Concat(x).ToArray(), FixedEffectNames = ["(Intercept)", "x"],
            Terms = [RandomEffectsTerm.Intercept("g", Enumerable.Range(0, n).Select(i => i / per).ToArray(), Enumerable.Range(0, clusters).Select(c => c.ToString()).ToArray())],
            Family = ResponseFamily.Binomial,
        };
        var fit = GeneralizedLinearMixedModel.Fit(design);
        double v = fit.RandomEffects[0].Variance();
        Assert.InRange(v, 0.5, 1.6);
        Assert.Equal(v / (v + Math.PI * Math.PI / 3), fit.LatentIntraclassCorrelation("g")!.Value, 1e-12);
        Assert.True(fit.RandomEffects[0].Components[0].StdError > 0);
        Assert.Empty(fit.Warnings);
        Assert.True(fit.Optimizer.ConvergenceConfirmed);
        // Laplace and 10-point quadrature are close but not equal for binary data.
        var agq = GeneralizedLinearMixedModel.Fit(design, new GlmmFitOptions { QuadraturePoints = 10 });
        Assert.InRange(agq.LogLikelihood - fit.LogLikelihood, -2, 2);
        Assert.NotEqual(agq.LogLikelihood, fit.LogLikelihood);
    }

    [Fact]
    public void Complete_separation_is_named()
    {
        var rng = new Random(9);
        int n = 300;
        var g = Enumerable.Range(0, n).Select(i => i % 15).ToArray();
        var treated = Enumerable.Range(0, n).Select(i => i % 4 == 0 ? 1.0 : 0.0).ToArray();
        var y = Enumerable.Range(0, n).Select(i => treated[i] == 1 ? 1.0 : rng.NextDouble() < 0.3 ? 1.0 : 0.0).ToArray();
        var design = new ModelDesign
        {
            Response = y, FixedEffects = Enumerable.Repeat(1.0, n).Concat(treated).ToArray(), FixedEffectNames = ["(Intercept)", "treated"],
            Terms = [RandomEffectsTerm.Intercept("g", g, Enumerable.Range(0, 15).Select(c => c.ToString()).ToArray())],
            Family = ResponseFamily.Binomial,
        };
        var fit = GeneralizedLinearMixedModel.Fit(design);
        Assert.Contains(fit.Warnings, w => w.Code == "TMW008" && w.Message.Contains("treated") && w.Message.Contains("success"));
    }

    public static TheoryData<string, ResponseFamily, double[], double[]?, string> BadInputs() => new()
    {
        { "negative count", ResponseFamily.Poisson, [1, 2, -1, 0, 3, 1], null, "row 2" },
        { "non-integer count", ResponseFamily.Poisson, [1, 2, 1.5, 0, 3, 1], null, "whole number" },
        { "outside [0, 1]", ResponseFamily.Binomial, [0, 1, 2, 0, 1, 0], null, "outside [0, 1]" },
        { "proportion without trials", ResponseFamily.Binomial, [0, 1, 0.5, 0, 1, 0], null, "give Trials" },
        { "successes above trials", ResponseFamily.Binomial, [1, 2, 5, 0, 1, 0], [3, 3, 3, 3, 3, 3], "row 2 with 3 trials" },
        { "all failures", ResponseFamily.Binomial, [0, 0, 0, 0, 0, 0], null, "every row" },
        { "all zero counts", ResponseFamily.Poisson, [0, 0, 0, 0, 0, 0], null, "0 in every row" },
        { "zero trials", ResponseFamily.Binomial, [0, 1, 0, 0, 1, 0], [1, 1, 0, 1, 1, 1], "positive whole number of trials" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_responses_are_clear_errors(string what, ResponseFamily family, double[] y, double[]? trials, string expected)
    {
        var design = new ModelDesign
        {
            ResponseName = "outcome", Response = y, FixedEffects = Enumerable.Repeat(1.0, 6).ToArray(), FixedEffectNames = ["(Intercept)"],
            Terms = [RandomEffectsTerm.Intercept("g", [0, 0, 1, 1, 2, 2], ["a", "b", "c"])], Family = family, Trials = trials,
        };
        var error = Assert.Throws<ModelDesignException>(() => GeneralizedLinearMixedModel.Fit(design));
        Assert.True(error.Message.Contains(expected), $"{what}: {error.Message}");
    }

    [Fact]
    public void Options_out_of_range_are_clear_errors()
    {
        var design = CbppReferenceTests.Design();
        Assert.Contains("Laplace", Assert.Throws<ArgumentException>(() => GeneralizedLinearMixedModel.Fit(design, new GlmmFitOptions { QuadraturePoints = 0 })).Message);
        var twoTerms = new ModelDesign
        {
            Response = design.Response, FixedEffects = design.FixedEffects, FixedEffectNames = design.FixedEffectNames, Trials = design.Trials,
            Family = ResponseFamily.Binomial,
            Terms = [design.Terms[0], RandomEffectsTerm.Intercept("period", Enumerable.Range(0, design.Rows).Select(i => i % 4).ToArray(), ["1", "2", "3", "4"])],
        };
        Assert.Contains("single random-effects term", Assert.Throws<ModelDesignException>(() => GeneralizedLinearMixedModel.Fit(twoTerms, new GlmmFitOptions { QuadraturePoints = 5 })).Message);
        var wrongLink = new ModelDesign { Response = design.Response, FixedEffects = design.FixedEffects, FixedEffectNames = design.FixedEffectNames, Trials = design.Trials, Terms = design.Terms, Family = ResponseFamily.Binomial, Link = LinkFunction.Sqrt };
        Assert.Contains("does not take the sqrt link", Assert.Throws<ModelDesignException>(() => GeneralizedLinearMixedModel.Fit(wrongLink)).Message);
        var gaussian = new ModelDesign { Response = design.Response, FixedEffects = design.FixedEffects, FixedEffectNames = design.FixedEffectNames, Terms = design.Terms };
        Assert.Contains("LinearMixedModel.Fit", Assert.Throws<ArgumentException>(() => GeneralizedLinearMixedModel.Fit(gaussian)).Message);
    }

    [Fact]
    public void Likelihood_ratio_between_glmm_fits_and_families_match_r_constants()
    {
        // Each family's probabilities sum to 1 over the support (every constant is there), and a row's log-density is
        // the textbook formula.
        var binomial = new GlmFamily(ResponseFamily.Binomial, LinkFunction.Logit);
        Assert.Equal(Math.Log(91) + 2 * Math.Log(0.2) + 12 * Math.Log(0.8), binomial.LogDensity(2.0 / 14, 0.2, 14, 1), 1e-12);
        Assert.Equal(1.0, Enumerable.Range(0, 15).Sum(s => Math.Exp(binomial.LogDensity(s / 14.0, 0.2, 14, 1))), 1e-12);
        var poisson = new GlmFamily(ResponseFamily.Poisson, LinkFunction.Log);
        Assert.Equal(3 * Math.Log(2.5) - 2.5 - Math.Log(6), poisson.LogDensity(3, 2.5, 1, 1), 1e-12);
        Assert.Equal(1.0, Enumerable.Range(0, 100).Sum(k => Math.Exp(poisson.LogDensity(k, 2.5, 1, 1))), 1e-12);
        var nb = new GlmFamily(ResponseFamily.NegativeBinomial, LinkFunction.Log) { Shape = 1.5 };
        double expected = MathNet.Numerics.SpecialFunctions.GammaLn(5.5) - MathNet.Numerics.SpecialFunctions.GammaLn(1.5) - Math.Log(24)
                          + 1.5 * Math.Log(1.5 / 4.5) + 4 * Math.Log(3 / 4.5);
        Assert.Equal(expected, nb.LogDensity(4, 3, 1, 1), 1e-12);
        // Sums of the negative-binomial probabilities are 1 (the constants are complete).
        double total = Enumerable.Range(0, 400).Sum(k => Math.Exp(nb.LogDensity(k, 3, 1, 1)));
        Assert.Equal(1.0, total, 1e-12);

        var design = CbppReferenceTests.Design();
        var full = GeneralizedLinearMixedModel.Fit(design);
        var reduced = new ModelDesign
        {
            Response = design.Response, Trials = design.Trials, Family = ResponseFamily.Binomial, Terms = design.Terms,
            FixedEffects = Enumerable.Repeat(1.0, design.Rows).ToArray(), FixedEffectNames = ["(Intercept)"],
        };
        var small = GeneralizedLinearMixedModel.Fit(reduced);
        var lrt = GeneralizedLikelihoodRatioTest.Compare(small, full);
        Assert.Equal(3, lrt.DegreesOfFreedom);
        Assert.Equal(-2 * (small.LogLikelihood - full.LogLikelihood), lrt.ChiSquare, 1e-12);
        Assert.True(lrt.PValue < 1e-3);
    }

    [Fact]
    public void Random_slopes_and_nested_terms_fit_and_clusters_with_no_events_stay_finite()
    {
        // logit P(y) = −0.5 + x + u0[g] + u1[g]·x + v[g:h], (u0, u1) correlated; some clusters have no events at all.
        var rng = new Random(21);
        int groups = 60, sub = 3, per = 8, n = groups * sub * per;
        var x = new double[n];
        var y = new double[n];
        var g = new int[n];
        var gh = new int[n];
        var u0 = new double[groups];
        var u1 = new double[groups];
        for (int j = 0; j < groups; j++)
        {
            double a = Normal(rng), b = Normal(rng);
            u0[j] = 0.9 * a;
            u1[j] = 0.5 * (0.4 * a + Math.Sqrt(1 - 0.16) * b);
        }
        var v = Enumerable.Range(0, groups * sub).Select(_ => 0.5 * Normal(rng)).ToArray();
        for (int i = 0; i < n; i++)
        {
            g[i] = i / (sub * per);
            gh[i] = i / per;
            x[i] = rng.NextDouble() * 2 - 1;
            double eta = -0.5 + x[i] + u0[g[i]] + u1[g[i]] * x[i] + v[gh[i]];
            y[i] = g[i] < 3 ? 0 : rng.NextDouble() < 1 / (1 + Math.Exp(-eta)) ? 1 : 0;
        }
        var design = new ModelDesign
        {
            Response = y, FixedEffects = Enumerable.Repeat(1.0, n).Concat(x).ToArray(), FixedEffectNames = ["(Intercept)", "x"],
            Family = ResponseFamily.Binomial,
            Terms =
            [
                new RandomEffectsTerm
                {
                    Name = "g", LevelIndex = g, LevelKeys = Enumerable.Range(0, groups).Select(c => c.ToString()).ToArray(),
                    ColumnNames = ["(Intercept)", "x"], Columns = Enumerable.Repeat(1.0, n).Concat(x).ToArray(),
                },
                RandomEffectsTerm.Intercept("h:g", gh, Enumerable.Range(0, groups * sub).Select(c => c.ToString()).ToArray()),
            ],
        };
        var fit = GeneralizedLinearMixedModel.Fit(design);
        Assert.Equal(4, fit.Theta.Length);
        Assert.True(fit.Optimizer.ConvergenceConfirmed, fit.Optimizer.Message);
        Assert.InRange(fit.FixedEffect("x").Estimate, 0.5, 1.5);
        Assert.InRange(fit.RandomEffects[0].StdDev(0), 0.5, 1.4);
        Assert.True(fit.VarianceComponents.All(c => double.IsFinite(c.Estimate)));
        // The clusters with no events get finite, negative modes, shrunk towards 0 (not −∞).
        for (int j = 0; j < 3; j++)
        {
            double mode = fit.RandomEffects[0].ConditionalModes[j, 0];
            Assert.True(double.IsFinite(mode) && mode < 0 && mode > -5, $"cluster {j}: {mode}");
            Assert.True(fit.RandomEffects[0].ConditionalStdDev(j) > 0);
        }
        // The same objective from a different (worse) start is not better than the fit: it is the optimum.
        double atFit = TypedMixed.Estimation.GlmmEstimator.DevianceAt(design, GlmmFitOptions.Default, fit.Theta, fit.FixedEffects.Select(f => f.Estimate).ToArray());
        Assert.Equal(-2 * fit.LogLikelihood, atFit, 1e-8 * Math.Abs(atFit));
        var perturbed = fit.Theta.Select(t => t * 1.05).ToArray();
        Assert.True(TypedMixed.Estimation.GlmmEstimator.DevianceAt(design, GlmmFitOptions.Default, perturbed, fit.FixedEffects.Select(f => f.Estimate).ToArray()) > atFit);
    }
}
