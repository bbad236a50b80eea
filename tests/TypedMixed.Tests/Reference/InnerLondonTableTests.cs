namespace TypedMixed.Tests.Reference;

/// <summary>
/// The published inner-London Table 1 (review article "Multilevel models for continuous outcomes"): 4059 pupils in
/// 65 schools, ML. Variance-component SEs, ICCs and the LRT against the single-level model, at the published rounding.
/// </summary>
public class InnerLondonTableTests
{
    private static LinearMixedModelFit Fit(string model) =>
        LinearMixedModel.Fit(ReferenceData.ForFit(model), FitOptions.MaximumLikelihood);

    [Theory]
    [InlineData("exam_m1_ML", 0.169, 0.033, 0.848, 0.019, 0.166, 11010)]
    [InlineData("exam_m2_ML", 0.092, 0.019, 0.566, 0.013, 0.140, 9357)]
    [InlineData("exam_m3_ML", 0.081, 0.017, 0.562, 0.013, 0.126, 9325)]
    public void Variance_components_their_standard_errors_and_the_ICC_match_the_published_table(
        string model, double school, double schoolSe, double student, double studentSe, double icc, double deviance)
    {
        var fit = Fit(model);
        var u = fit.VarianceComponents.Single(v => v.Group == "school");
        var e = fit.VarianceComponents.Single(v => v.Group == "Residual");
        Assert.Equal(school, Math.Round(u.Estimate, 3));
        Assert.Equal(schoolSe, Math.Round(u.StdError, 3));
        Assert.Equal(student, Math.Round(e.Estimate, 3));
        Assert.Equal(studentSe, Math.Round(e.StdError, 3));
        Assert.Equal(icc, Math.Round(fit.IntraclassCorrelation("school")!.Value, 3));
        // The table prints deviances truncated to whole units (11010.65 as 11010).
        Assert.Equal(deviance, Math.Truncate(fit.Deviance));
    }

    [Fact]
    public void Model_1_against_the_single_level_model_gives_the_published_likelihood_ratio()
    {
        var design = ReferenceData.ForFit("exam_m1_ML");
        var fit = LinearMixedModel.Fit(design, FitOptions.MaximumLikelihood);
        var single = SingleLevelModel.Fit(design, EstimationMethod.MaximumLikelihood);
        Assert.Equal(11509, Math.Round(single.Deviance));
        var lrt = LikelihoodRatioTest.AgainstSingleLevel(fit, design);
        Assert.Equal(498.7, Math.Round(lrt.ChiSquare, 1));
        Assert.Equal(1, lrt.DegreesOfFreedom);
        Assert.Equal(lrt.PValue / 2, lrt.BoundaryPValue);
        Assert.True(lrt.PValue < 1e-100);
    }

    [Fact]
    public void Model_2_against_its_single_level_version_gives_the_published_likelihood_ratio()
    {
        var design = ReferenceData.ForFit("exam_m2_ML");
        var lrt = LikelihoodRatioTest.AgainstSingleLevel(LinearMixedModel.Fit(design, FitOptions.MaximumLikelihood), design);
        Assert.Equal(403, Math.Round(lrt.ChiSquare));
    }

    [Fact]
    public void Random_slope_model_against_random_intercept_model()
    {
        var m2 = Fit("exam_m2_ML");
        var slope = Fit("exam_m2_randslope_ML");
        var lrt = LikelihoodRatioTest.Compare(m2, slope);
        Assert.Equal(2, lrt.DegreesOfFreedom);
        // The two deviances from lme4's fits of the same models.
        double expected = -2 * (ReferenceData.Fit("exam_m2_ML").GetProperty("logLik").GetDouble()
                                - ReferenceData.Fit("exam_m2_randslope_ML").GetProperty("logLik").GetDouble());
        ReferenceData.AssertRelative(expected, lrt.ChiSquare, 1e-5, "LRT statistic");
        ReferenceData.AssertRelative(Distributions.ChiSquareUpperTail(expected, 2), lrt.PValue, 1e-4, "LRT p-value");
    }

    [Fact]
    public void REML_fits_with_different_fixed_effects_are_refused()
    {
        var m1 = LinearMixedModel.Fit(ReferenceData.ForFit("exam_m1_ML"), FitOptions.Default);
        var m2 = LinearMixedModel.Fit(ReferenceData.ForFit("exam_m2_REML"), FitOptions.Default);
        var ex = Assert.Throws<ArgumentException>(() => LikelihoodRatioTest.Compare(m1, m2));
        Assert.Contains("maximum likelihood", ex.Message);
    }
}
