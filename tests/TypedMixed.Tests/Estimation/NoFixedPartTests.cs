namespace TypedMixed.Tests.Estimation;

/// <summary>A model with no fixed part (lme4's <c>y ~ 0 + (1 | g)</c>, the TM0023 warning) still fits: every effect is centred at zero.</summary>
public class NoFixedPartTests
{
    [Fact]
    public void Random_intercepts_without_fixed_effects_absorb_the_cluster_means()
    {
        var design = new ModelDesign
        {
            ResponseName = "y",
            Response = [9.8, 10.2, 10.1, 9.9, -5.1, -4.9, -5.2, -4.8],
            FixedEffects = [],
            FixedEffectNames = [],
            Terms = [RandomEffectsTerm.Intercept("g", [0, 0, 0, 0, 1, 1, 1, 1], ["a", "b"])],
        };
        var fit = LinearMixedModel.Fit(design, new FitOptions { Method = EstimationMethod.MaximumLikelihood });
        Assert.Empty(fit.FixedEffects);
        var modes = fit.RandomEffects[0].ConditionalModes;
        // Shrunk towards zero, not towards the grand mean: the cluster means are 10 and -5.
        Assert.InRange(modes[0, 0], 9.0, 10.0);
        Assert.InRange(modes[1, 0], -5.0, -4.5);
        Assert.True(fit.RandomEffects[0].Variance() > 10);
    }
}
