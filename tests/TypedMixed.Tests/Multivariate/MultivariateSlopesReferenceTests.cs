using TypedMixed.Tests.Reference;

namespace TypedMixed.Tests.Multivariate;

/// <summary>
/// Gcsemv with a random slope of female per response at school (4 × 4 school covariance) against nlme's <c>lme</c>
/// (<c>random = ~ 0 + resp + resp:female | school</c>, varIdent by response, corSymm within pupil, ML, tight control;
/// tests/Data/reference/fits/gcsemv_slopes_ML.json, see PROVENANCE.md). Tolerances: logLik 1e-6 relative (and not
/// lower), β 1e-3 of its SE, every variance and covariance 1e-3 relative.
/// </summary>
public class MultivariateSlopesReferenceTests
{
    /// <summary>Gcsemv with (1 + female | school) per response.</summary>
    internal static MultivariateDesign GcsemvSlopes()
    {
        var d = MultivariateDesigns.Gcsemv();
        int n = d.Units;
        var g = d.Classifications[0];
        return new MultivariateDesign
        {
            ResponseNames = d.ResponseNames,
            Responses = d.Responses,
            FixedEffects = d.FixedEffects,
            FixedEffectNames = d.FixedEffectNames,
            Classifications = [new MultivariateClassification { Name = g.Name, LevelIndex = g.LevelIndex, LevelKeys = g.LevelKeys, RandomCovariateNames = ["female"], RandomCovariates = d.FixedEffects[n..] }],
            UnitName = d.UnitName,
        };
    }

    [Fact]
    public void Gcsemv_random_slopes_ML_matches_nlme()
    {
        var r = ReferenceData.Fit("gcsemv_slopes_ML");
        var fit = MultivariateMixedModel.Fit(GcsemvSlopes(), FitOptions.MaximumLikelihood);
        double ll = r.GetProperty("logLik").GetDouble();
        ReferenceData.AssertRelative(ll, fit.LogLikelihood, 1e-6, "logLik");
        Assert.True(fit.LogLikelihood >= ll - 1e-6 * Math.Abs(ll), $"ours {fit.LogLikelihood:R} < nlme {ll:R}");
        Assert.Equal(r.GetProperty("logLik_df").GetInt32(), fit.ParameterCount);
        Assert.Equal(r.GetProperty("nobs").GetInt32(), fit.ObservationCount);

        // nlme's fixed order: respwritten, respcourse, respwritten:female, respcourse:female.
        var beta = r.GetProperty("fixed_estimate").Doubles();
        var se = r.GetProperty("fixed_std_error").Doubles();
        string[] ours = ["written:(Intercept)", "course:(Intercept)", "written:female", "course:female"];
        for (int c = 0; c < 4; c++)
        {
            var f = fit.FixedEffects.Single(x => x.Name == ours[c]);
            Assert.InRange(f.Estimate - beta[c], -1e-3 * se[c], 1e-3 * se[c]);
            ReferenceData.AssertRelative(se[c], f.StdError, 1e-3, $"SE {ours[c]}");
        }

        // nlme's random order (written, course, written:female, course:female) → ours (written:(Intercept), written:female, course:(Intercept), course:female).
        var school = fit.Level("school");
        Assert.Equal(["written:(Intercept)", "written:female", "course:(Intercept)", "course:female"], school.ColumnNames);
        int[] map = [0, 2, 1, 3];
        var g = r.GetProperty("school_cov");
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < 4; b++)
            {
                double expected = g[map[a]][map[b]].GetDouble();
                ReferenceData.AssertRelative(expected, school.Covariance[a, b], 1e-3, $"school[{school.ColumnNames[a]}, {school.ColumnNames[b]}]");
            }
        var e = r.GetProperty("residual_cov");
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 2; b++)
                ReferenceData.AssertRelative(e[a][b].GetDouble(), fit.Level("Residual").Covariance[a, b], 1e-3, $"residual[{a},{b}]");

        // lme4's VarCorr layout: 4 variances, 6 covariances named response:column, then the residual's 3.
        Assert.Equal(13, fit.VarianceComponents.Count);
        Assert.Equal(("school", "written:female", (string?)null), (fit.VarianceComponents[1].Group, fit.VarianceComponents[1].Var1, fit.VarianceComponents[1].Var2));
        Assert.Equal(("school", "written:(Intercept)", (string?)"written:female"), (fit.VarianceComponents[4].Group, fit.VarianceComponents[4].Var1, fit.VarianceComponents[4].Var2));
        Assert.All(fit.VarianceComponents.Where(c => c.Kind != VarianceComponentKind.Covariance), c => Assert.True(c.StdError > 0 && c.StdError < c.Estimate));
        Assert.All(school.CorrelationStdErrors.Cast<double>().Where((_, i) => i % 5 != 0), s => Assert.True(s is > 0 and < 1));

        // VPC at female = 0 (boys): the school intercept variance's share.
        for (int k = 0; k < 2; k++)
        {
            double gi = school.Covariance[2 * k, 2 * k], ei = fit.Level("Residual").Covariance[k, k];
            Assert.Equal(gi / (gi + ei), fit.VariancePartition[k, 0], 12);
            Assert.Equal(1, fit.VariancePartition[k, 0] + fit.VariancePartition[k, 1], 12);
        }
        // Against separate (1 + female | school) models: 10 − 2·3 = 4 school covariances and the residual one.
        Assert.Equal(5, fit.SeparateModelsTest!.DegreesOfFreedom);
        Assert.True(fit.SeparateModelsTest.ChiSquare > 100);
        // Conditional modes: 73 schools × 4 effects.
        Assert.Equal((73, 4), (fit.ConditionalModes[0].GetLength(0), fit.ConditionalModes[0].GetLength(1)));
    }

    [Fact]
    public void Gcsemv_random_slopes_improves_on_the_intercepts_model()
    {
        var intercepts = MultivariateMixedModel.Fit(MultivariateDesigns.Gcsemv(), FitOptions.MaximumLikelihood, separateModelsTest: false);
        var slopes = MultivariateMixedModel.Fit(GcsemvSlopes(), FitOptions.MaximumLikelihood, separateModelsTest: false);
        Assert.Equal(intercepts.ParameterCount + 7, slopes.ParameterCount);
        Assert.True(slopes.LogLikelihood > intercepts.LogLikelihood);
    }
}
