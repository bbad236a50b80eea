using TypedMixed.Tests.Reference;

namespace TypedMixed.Tests.Residual;

/// <summary>
/// Fits with residual structures against nlme's <c>lme</c> (tests/Data/reference/fits: sleepstudy_nlme_ri_ar1_ML.json
/// and exam_varident_sex_ML.json copied from shared/reference, nlme 3.1.162 on R 4.2.2; see PROVENANCE.md).
/// Tolerances: log-likelihood 1e-6 relative, ρ and variance ratios 1e-3, β 1e-3 of its SE.
/// </summary>
public class ResidualReferenceTests
{
    [Fact]
    public void Sleepstudy_random_intercept_with_AR1_matches_nlme()
    {
        var r = ReferenceData.Fit("sleepstudy_nlme_ri_ar1_ML");
        var fit = LinearMixedModel.Fit(ResidualDesigns.Sleep(slope: false, correlation: ResidualCorrelationStructure.Ar1), FitOptions.MaximumLikelihood);
        ReferenceData.AssertRelative(r.GetProperty("logLik").GetDouble(), fit.LogLikelihood, 1e-6, "logLik");
        Assert.Equal(r.GetProperty("logLik_df").GetInt32(), fit.ParameterCount);
        ReferenceData.AssertRelative(r.GetProperty("AIC").GetDouble(), fit.Aic, 1e-6, "AIC");
        ReferenceData.AssertRelative(r.GetProperty("BIC").GetDouble(), fit.Bic, 1e-6, "BIC");
        Assert.NotNull(fit.ResidualCorrelation);
        Assert.InRange(fit.ResidualCorrelation!.Parameter - r.GetProperty("ar1_phi").GetDouble(), -1e-3, 1e-3);
        var fe = r.GetProperty("fixed_effects");
        var beta = fe.GetProperty("estimate").Doubles();
        var se = fe.GetProperty("std_error").Doubles();
        for (int c = 0; c < beta.Length; c++)
        {
            Assert.InRange(fit.FixedEffects[c].Estimate - beta[c], -1e-3 * se[c], 1e-3 * se[c]);
            ReferenceData.AssertRelative(se[c], fit.FixedEffects[c].StdError, 1e-3, $"SE[{c}]");
        }
        ReferenceData.AssertRelative(r.GetProperty("residual_variance").GetDouble(), fit.ResidualVariance, 1e-3, "σ²");
        ReferenceData.AssertRelative(r.GetProperty("random_effects_cov").GetProperty("cov")[0][0].GetDouble(), fit.RandomEffects[0].Covariance[0, 0], 1e-3, "τ²");
        Assert.True(fit.ResidualCorrelation.StdError is > 0 and < 1);
        Assert.True(fit.ResidualCorrelation.ConfidenceLower < fit.ResidualCorrelation.Parameter && fit.ResidualCorrelation.Parameter < fit.ResidualCorrelation.ConfidenceUpper);
    }

    [Fact]
    public void Exam_varIdent_by_sex_matches_nlme()
    {
        var r = ReferenceData.Fit("exam_varident_sex_ML");
        var fit = LinearMixedModel.Fit(ResidualDesigns.ExamVarIdent(), FitOptions.MaximumLikelihood);
        ReferenceData.AssertRelative(r.GetProperty("logLik").GetDouble(), fit.LogLikelihood, 1e-6, "logLik");
        Assert.Equal(r.GetProperty("logLik_df").GetInt32(), fit.ParameterCount);
        var vf = fit.ResidualVarianceFunction!;
        Assert.InRange(vf.Parameter("M") - 1.0512999459414587, -1e-3, 1e-3);
        var fe = r.GetProperty("fixed_effects");
        var beta = fe.GetProperty("estimate").Doubles();
        var se = fe.GetProperty("std_error").Doubles();
        for (int c = 0; c < beta.Length; c++)
        {
            Assert.InRange(fit.FixedEffects[c].Estimate - beta[c], -1e-3 * se[c], 1e-3 * se[c]);
            ReferenceData.AssertRelative(se[c], fit.FixedEffects[c].StdError, 1e-3, $"SE[{c}]");
        }
        ReferenceData.AssertRelative(0.5395548540569947, fit.ResidualVariance, 1e-3, "σ² (stratum F)");
        ReferenceData.AssertRelative(0.5395548540569947 * 1.0512999459414587 * 1.0512999459414587, vf.VarianceInStratum("M"), 2e-3, "σ² (stratum M)");
        ReferenceData.AssertRelative(0.08831594185046347, fit.RandomEffects[0].Covariance[0, 0], 1e-3, "τ²");
    }
}
