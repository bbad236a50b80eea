using TypedMixed.Tests.Reference;

namespace TypedMixed.Tests.Estimation;

/// <summary>
/// Prior weights and offsets of a linear mixed model, checked by identities that hold exactly at a given θ (lmer's own
/// weighted fits are compared in the CLI's reference tests): unit weights and a zero offset change nothing; constant
/// weights c scale σ̂² by c and leave the log-likelihood, β̂ and their SEs alone (the residual variance σ²/c is unchanged); an offset
/// o = k·x is the fit of y − o with x's coefficient less k, and its fitted values add o back.
/// </summary>
public class PriorWeightTests
{
    private static ModelDesign With(ModelDesign d, double[]? weights = null, double[]? offset = null, double[]? response = null) =>
        new()
        {
            ResponseName = d.ResponseName,
            Response = response ?? d.Response,
            FixedEffects = d.FixedEffects,
            FixedEffectNames = d.FixedEffectNames,
            Terms = d.Terms,
            Weights = weights,
            Offset = offset,
        };

    public static TheoryData<string> Fits() => new() { "sleepstudy_ML", "sleepstudy_REML" };

    private static EstimationMethod MethodOf(string fit) => fit.EndsWith("_ML", StringComparison.Ordinal) ? EstimationMethod.MaximumLikelihood : EstimationMethod.Reml;

    private static void Close(double expected, double actual, double rel, string what) =>
        Assert.True(Math.Abs(actual - expected) <= rel * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R}");

    [Theory]
    [MemberData(nameof(Fits))]
    public void Unit_weights_and_zero_offset_give_the_unweighted_fit(string name)
    {
        var design = ReferenceData.ForFit(name);
        var options = new FitOptions { Method = MethodOf(name), Satterthwaite = false };
        var fit = LinearMixedModel.Fit(design, options);
        var ones = Enumerable.Repeat(1.0, design.Rows).ToArray();
        var same = TypedMixed.Estimation.LmmEstimator.AssembleAt(With(design, ones, new double[design.Rows]), options, fit.Theta);
        Assert.Equal(fit.LogLikelihood, same.LogLikelihood, 12);
        Assert.Equal(fit.ResidualVariance, same.ResidualVariance, 9);
        for (int j = 0; j < fit.FixedEffects.Count; j++) Assert.Equal(fit.FixedEffects[j].Estimate, same.FixedEffects[j].Estimate, 10);
    }

    [Theory]
    [MemberData(nameof(Fits))]
    public void Constant_weights_rescale_sigma_and_keep_the_likelihood(string name)
    {
        const double c = 4;
        var design = ReferenceData.ForFit(name);
        var options = new FitOptions { Method = MethodOf(name), Satterthwaite = false };
        var fit = LinearMixedModel.Fit(design, options);
        var weighted = LinearMixedModel.Fit(With(design, Enumerable.Repeat(c, design.Rows).ToArray()), options);
        Close(fit.LogLikelihood, weighted.LogLikelihood, 1e-9, "logLik");
        Close(fit.ResidualVariance * c, weighted.ResidualVariance, 1e-5, "sigma²");
        for (int j = 0; j < fit.FixedEffects.Count; j++)
        {
            Close(fit.FixedEffects[j].Estimate, weighted.FixedEffects[j].Estimate, 1e-5, $"beta[{j}]");
            Close(fit.FixedEffects[j].StdError, weighted.FixedEffects[j].StdError, 1e-5, $"SE[{j}]");
        }
    }

    [Theory]
    [MemberData(nameof(Fits))]
    public void An_offset_is_the_fit_of_the_response_less_the_offset(string name)
    {
        const double k = 2;
        var design = ReferenceData.ForFit(name);
        int n = design.Rows, days = design.FixedEffectNames.ToList().IndexOf("Days");
        var offset = Enumerable.Range(0, n).Select(i => k * design.FixedEffects[days * n + i]).ToArray();
        var options = new FitOptions { Method = MethodOf(name), Satterthwaite = false };
        var withOffset = LinearMixedModel.Fit(With(design, offset: offset), options);
        var shifted = TypedMixed.Estimation.LmmEstimator.AssembleAt(With(design, response: design.Response.Select((y, i) => y - offset[i]).ToArray()), options, withOffset.Theta);
        Close(shifted.LogLikelihood, withOffset.LogLikelihood, 1e-12, "logLik");
        for (int j = 0; j < shifted.FixedEffects.Count; j++)
            Close(shifted.FixedEffects[j].Estimate, withOffset.FixedEffects[j].Estimate, 1e-9, $"beta[{j}]");
        for (int i = 0; i < n; i++)
        {
            Close(shifted.Fitted[i] + offset[i], withOffset.Fitted[i], 1e-9, $"fitted[{i}]");
            Close(shifted.Residuals[i], withOffset.Residuals[i], 1e-9, $"residual[{i}]");
        }
        // The same model without the offset has Days' coefficient larger by k.
        var plain = LinearMixedModel.Fit(design, options);
        Close(plain.FixedEffects[days].Estimate - k, withOffset.FixedEffects[days].Estimate, 1e-5, "Days");
    }

    /// <summary>
    /// The single-level comparison model (<see cref="SingleLevelModel"/>, used by the likelihood-ratio test against
    /// it) takes the same weights and offset: R's <c>lm(Reaction ~ Days + offset(2 * Days), weights = w)</c>, its ML
    /// and REML log-likelihoods to 1e-10 relative (fits/sleepstudy_weighted_offset_lm.json).
    /// </summary>
    [Fact]
    public void Single_level_model_with_weights_and_offset_matches_lm()
    {
        var csv = ReferenceData.ReadCsv("sleepstudy_weights.csv");
        var days = ReferenceData.Numbers(csv["Days"]);
        var design = ReferenceData.Design("Reaction", ReferenceData.Numbers(csv["Reaction"]), [("Days", days)],
            ReferenceData.Term("Subject", csv["Subject"], ("Days", days)));
        design = With(design, ReferenceData.Numbers(csv["w"]), days.Select(d => 2 * d).ToArray());
        var r = ReferenceData.Fit("sleepstudy_weighted_offset_lm");
        var ml = SingleLevelModel.Fit(design, EstimationMethod.MaximumLikelihood);
        var reml = SingleLevelModel.Fit(design, EstimationMethod.Reml);
        Close(r.GetProperty("logLik_ML").GetDouble(), ml.LogLikelihood, 1e-10, "ML logLik");
        Close(r.GetProperty("logLik_REML").GetDouble(), reml.LogLikelihood, 1e-10, "REML logLik");
        var beta = r.GetProperty("coefficients").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        for (int j = 0; j < beta.Length; j++) Close(beta[j], ml.Coefficients[j], 1e-10, $"beta[{j}]");
    }

    [Fact]
    public void Zero_or_negative_weights_are_rejected_with_the_row()
    {
        var design = ReferenceData.ForFit("sleepstudy_ML");
        var w = Enumerable.Repeat(1.0, design.Rows).ToArray();
        w[7] = 0;
        var e = Assert.Throws<ModelDesignException>(() => LinearMixedModel.Fit(With(design, w)));
        Assert.Contains("at row 7", e.Message);
        Assert.Contains("must be positive", e.Message);
    }
}
