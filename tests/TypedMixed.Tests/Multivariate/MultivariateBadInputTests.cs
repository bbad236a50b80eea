namespace TypedMixed.Tests.Multivariate;

/// <summary>Bad multivariate input: clear errors naming the response or unit and the fix; very different scales still converge.</summary>
public class MultivariateBadInputTests
{
    [Fact]
    public void A_unit_with_no_response_is_named()
    {
        var d = MultivariateDesigns.Gcsemv();
        d.Responses[0][17] = double.NaN;
        d.Responses[1][17] = double.NaN;
        var e = Assert.Throws<ModelDesignException>(() => MultivariateMixedModel.Fit(d, FitOptions.MaximumLikelihood));
        Assert.Contains("pupil 17 has no response", e.Message);
        Assert.Contains("Remove it", e.Message);
    }

    [Fact]
    public void A_response_missing_everywhere_is_named()
    {
        var d = MultivariateDesigns.Gcsemv();
        Array.Fill(d.Responses[1], double.NaN);
        var e = Assert.Throws<ModelDesignException>(() => MultivariateMixedModel.Fit(d, FitOptions.MaximumLikelihood));
        Assert.Contains("Response 'course' is missing for every pupil", e.Message);
        Assert.Contains("Remove it from the responses", e.Message);
    }

    [Fact]
    public void A_response_listed_twice_is_refused()
    {
        var d = MultivariateDesigns.Gcsemv();
        var twice = new MultivariateDesign
        {
            ResponseNames = ["written", "written"], Responses = d.Responses, FixedEffects = d.FixedEffects,
            FixedEffectNames = d.FixedEffectNames, Classifications = d.Classifications,
        };
        var e = Assert.Throws<ModelDesignException>(() => MultivariateMixedModel.Fit(twice));
        Assert.Contains("Response 'written' is listed twice", e.Message);
    }

    [Fact]
    public void A_constant_response_is_refused()
    {
        var d = MultivariateDesigns.Random(3, 2, 60, 6, false);
        for (int u = 0; u < d.Units; u++) if (!double.IsNaN(d.Responses[1][u])) d.Responses[1][u] = 4;
        var e = Assert.Throws<ModelDesignException>(() => MultivariateMixedModel.Fit(d));
        Assert.Contains("Response 'y1' has the same value (4)", e.Message);
    }

    [Fact]
    public void A_duplicated_response_row_in_a_stacked_design_is_named()
    {
        var stacked = MultivariateMixedModel.Stack(MultivariateDesigns.Random(4, 2, 30, 5, false)).Design;
        stacked.ResidualMultivariate!.ResponseIndex[1] = stacked.ResidualMultivariate.ResponseIndex[0];
        stacked.ResidualMultivariate.UnitIndex[1] = stacked.ResidualMultivariate.UnitIndex[0];
        var e = Assert.Throws<ModelDesignException>(() => LinearMixedModel.Fit(stacked));
        Assert.Contains("both hold response 'y0'", e.Message);
    }

    [Fact]
    public void A_multivariate_design_with_another_residual_structure_is_refused()
    {
        var stacked = MultivariateMixedModel.Stack(MultivariateDesigns.Random(5, 2, 30, 5, false)).Design;
        var combined = new ModelDesign
        {
            Response = stacked.Response, FixedEffects = stacked.FixedEffects, FixedEffectNames = stacked.FixedEffectNames, Terms = stacked.Terms,
            ResidualMultivariate = stacked.ResidualMultivariate,
            ResidualVariance = new ResidualVarianceFunction { Kind = ResidualVarianceFunctionKind.Exponential, CovariateNames = ["y"], Covariates = stacked.Response },
        };
        var e = Assert.Throws<ModelDesignException>(() => LinearMixedModel.Fit(combined));
        Assert.Contains("cannot also have a residual correlation or variance function", e.Message);
    }

    [Fact]
    public void Responses_on_very_different_scales_give_the_same_fit_rescaled()
    {
        double[] scales = [1e-3, 1e4, 1];
        var plain = MultivariateMixedModel.Fit(MultivariateDesigns.Random(9, 3, 150, 12, false), FitOptions.MaximumLikelihood, separateModelsTest: false);
        var scaled = MultivariateMixedModel.Fit(MultivariateDesigns.Random(9, 3, 150, 12, false, scales: scales), FitOptions.MaximumLikelihood, separateModelsTest: false);
        Assert.Empty(scaled.Warnings);
        // log L changes by the Jacobian −Σₖ nₖ log sₖ only.
        int[] counts = [.. Enumerable.Range(0, 3).Select(k => MultivariateDesigns.Random(9, 3, 150, 12, false).Responses[k].Count(v => !double.IsNaN(v)))];
        double jacobian = -Enumerable.Range(0, 3).Sum(k => counts[k] * Math.Log(scales[k]));
        Assert.Equal(plain.LogLikelihood + jacobian, scaled.LogLikelihood, 6);
        for (int l = 0; l < 2; l++)
            for (int a = 0; a < 3; a++)
                for (int b = 0; b < 3; b++)
                {
                    double expected = plain.Levels[l].Covariance[a, b] * scales[a] * scales[b];
                    double tolerance = 1e-4 * Math.Sqrt(plain.Levels[l].Covariance[a, a] * plain.Levels[l].Covariance[b, b]) * scales[a] * scales[b];
                    Assert.InRange(scaled.Levels[l].Covariance[a, b] - expected, -tolerance, tolerance);
                }
    }
}
