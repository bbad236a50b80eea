using TypedMixed.Tests.Reference;

namespace TypedMixed.Tests.Multivariate;

/// <summary>
/// The bivariate Gcsemv fit (written and coursework by school, pupils with one score missing included) against nlme's
/// <c>lme</c> with varIdent + corSymm (tests/Data/reference/fits/gcsemv_bivariate_ML.json, nlme 3.1.162 on R 4.2.2;
/// see PROVENANCE.md). Tolerances: logLik 1e-6 relative, β 1e-3 of its SE, every variance and covariance 1e-3 relative.
/// </summary>
public class MultivariateReferenceTests
{
    [Fact]
    public void Gcsemv_bivariate_ML_matches_nlme()
    {
        var r = ReferenceData.Fit("gcsemv_bivariate_ML");
        var fit = MultivariateMixedModel.Fit(MultivariateDesigns.Gcsemv(), FitOptions.MaximumLikelihood);
        ReferenceData.AssertRelative(r.GetProperty("logLik").GetDouble(), fit.LogLikelihood, 1e-6, "logLik");
        Assert.True(fit.LogLikelihood >= r.GetProperty("logLik").GetDouble() - 1e-6 * Math.Abs(fit.LogLikelihood));
        Assert.Equal(r.GetProperty("logLik_df").GetInt32(), fit.ParameterCount);
        Assert.Equal(r.GetProperty("nobs").GetInt32(), fit.ObservationCount);
        ReferenceData.AssertRelative(r.GetProperty("AIC").GetDouble(), fit.Aic, 1e-6, "AIC");
        ReferenceData.AssertRelative(r.GetProperty("BIC").GetDouble(), fit.Bic, 1e-6, "BIC");

        // nlme's order: respwritten, respcourse, respwritten:female, respcourse:female.
        var fe = r.GetProperty("fixed_effects");
        var beta = fe.GetProperty("estimate").Doubles();
        var se = fe.GetProperty("std_error").Doubles();
        string[] ours = ["written:(Intercept)", "course:(Intercept)", "written:female", "course:female"];
        for (int c = 0; c < 4; c++)
        {
            var f = fit.FixedEffects.Single(x => x.Name == ours[c]);
            Assert.InRange(f.Estimate - beta[c], -1e-3 * se[c], 1e-3 * se[c]);
            ReferenceData.AssertRelative(se[c], f.StdError, 1e-3, $"SE {ours[c]}");
        }
        Assert.Equal(-2.4930415387004277, fit.FixedEffect("written", "female").Estimate, 2);

        var school = r.GetProperty("school_cov").GetProperty("cov");
        var residual = r.GetProperty("residual_cov").GetProperty("cov");
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 2; b++)
            {
                ReferenceData.AssertRelative(school[a][b].GetDouble(), fit.Level("school").Covariance[a, b], 1e-3, $"school[{a},{b}]");
                ReferenceData.AssertRelative(residual[a][b].GetDouble(), fit.Level("Residual").Covariance[a, b], 1e-3, $"residual[{a},{b}]");
            }
        ReferenceData.AssertRelative(r.GetProperty("school_cov").GetProperty("corr").GetDouble(), fit.Level("school").Correlation[0, 1], 1e-3, "school corr");
        ReferenceData.AssertRelative(r.GetProperty("residual_cov").GetProperty("corr").GetDouble(), fit.Level("Residual").Correlation[0, 1], 1e-3, "residual corr");

        // lme4's VarCorr layout: school variances, the covariance, then the residual's.
        Assert.Equal(6, fit.VarianceComponents.Count);
        Assert.Equal(("school", "written", (string?)null), (fit.VarianceComponents[0].Group, fit.VarianceComponents[0].Var1, fit.VarianceComponents[0].Var2));
        Assert.Equal(("school", "written", (string?)"course"), (fit.VarianceComponents[2].Group, fit.VarianceComponents[2].Var1, fit.VarianceComponents[2].Var2));
        Assert.Equal("Residual", fit.VarianceComponents[5].Group);
        Assert.All(fit.VarianceComponents, c => Assert.True(c.StdError > 0 && c.StdError < Math.Abs(c.Estimate)));

        // Missingness patterns: 1523 with both, 202 coursework only, 180 written only.
        Assert.Equal(1905, fit.UnitCount);
        Assert.Equal(3, fit.Patterns.Count);
        Assert.Equal((2, 1523), (fit.Patterns[0].Observed.Count, fit.Patterns[0].Units));
        Assert.Equal(202, fit.Patterns.Single(p => p.Observed.SequenceEqual(["course"])).Units);
        Assert.Equal(180, fit.Patterns.Single(p => p.Observed.SequenceEqual(["written"])).Units);

        // VPC per response: school share + residual share = 1.
        for (int k = 0; k < 2; k++)
        {
            Assert.Equal(1, fit.VariancePartition[k, 0] + fit.VariancePartition[k, 1], 12);
            double expected = school[k][k].GetDouble() / (school[k][k].GetDouble() + residual[k][k].GetDouble());
            ReferenceData.AssertRelative(expected, fit.VariancePartition[k, 0], 1e-3, $"VPC {k}");
            Assert.True(fit.VariancePartitionStdErrors[k, 0] is > 0 and < 0.1);
        }

        // The joint model against separate univariate fits: 2 covariances (school and residual), clearly significant.
        Assert.NotNull(fit.SeparateModelsTest);
        Assert.Equal(2, fit.SeparateModelsTest!.DegreesOfFreedom);
        Assert.True(fit.SeparateModelsTest.ChiSquare > 100);
        Assert.True(fit.SeparateModelsLogLikelihood < fit.LogLikelihood);
    }

    [Fact]
    public void Gcsemv_conditional_modes_match_nlme_ranef()
    {
        var r = ReferenceData.Fit("gcsemv_bivariate_ML");
        var fit = MultivariateMixedModel.Fit(MultivariateDesigns.Gcsemv(), FitOptions.MaximumLikelihood, separateModelsTest: false);
        var first = r.GetProperty("random_effects_first_levels");
        var levels = first.GetProperty("levels").EnumerateArray().Select(l => l.GetString()!).ToArray();
        var modes = first.GetProperty("cond_mode");
        for (int i = 0; i < levels.Length; i++)
        {
            int l = fit.LevelKeys[0].ToList().IndexOf(levels[i]);
            for (int k = 0; k < 2; k++)
                Assert.InRange(fit.ConditionalModes[0][l, k] - modes[i][k].GetDouble(), -2e-3, 2e-3);
        }
    }
}
