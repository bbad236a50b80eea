using TypedMixed.Generators.Tests.Infrastructure;
using TypedMixed.Generators.Tests.Models;

namespace TypedMixed.Generators.Tests;

/// <summary>
/// The multivariate model declared in Models/Multivariate.cs, fitted through the generated code on Gcsemv and compared
/// with nlme (tests/Data/reference/fits/gcsemv_bivariate_ML.json, nlme 3.1.162 on R 4.2.2: logLik −13399.754381919704;
/// β written:female −2.4930415387004277 (SE 0.5602972966208711), course:female 6.756701316052929 (SE 0.6706372166566744);
/// school covariance 24.93712324031455).
/// </summary>
public class MultivariateEndToEndTests
{
    private static GcsePupil[] Pupils() => ReferenceData.Csv("Gcsemv.csv").Select(r => new GcsePupil(
        r["written"] == "NA" ? null : ReferenceData.Number(r["written"]),
        r["course"] == "NA" ? null : ReferenceData.Number(r["course"]),
        r["gender"] == "F",
        r["school"])).ToArray();

    [Fact]
    public void Gcsemv_through_the_generated_model_matches_nlme_with_effects_named_per_response()
    {
        var fit = GcseBivariateModel.Fit(Pupils());
        Assert.Equal(EstimationMethod.MaximumLikelihood, fit.Underlying.Method);
        Assert.True(Math.Abs(fit.LogLikelihood / -13399.754381919704 - 1) < 1e-6, $"logLik {fit.LogLikelihood}");
        Assert.Equal("Written:FemaleTRUE", fit.Written.FemaleTRUE.Name);
        Assert.InRange(fit.Written.FemaleTRUE.Estimate - -2.4930415387004277, -1e-3 * 0.5602972966208711, 1e-3 * 0.5602972966208711);
        Assert.InRange(fit.Course.FemaleTRUE.Estimate - 6.756701316052929, -1e-3 * 0.6706372166566744, 1e-3 * 0.6706372166566744);
        Assert.True(fit.Course.Intercept.Estimate > fit.Written.Intercept.Estimate);
        Assert.True(Math.Abs(fit.Underlying.Level("School").Covariance[0, 1] / 24.93712324031455 - 1) < 1e-3);
        Assert.Equal(3, fit.Underlying.Patterns.Count);
        Assert.StartsWith("mvbind(Written, Course) ~ 1 + Female + (1 | School)", GcseBivariateModel.Formula);
        Assert.Contains("Written:FemaleTRUE", fit.Summary);
    }

    [Fact]
    public void BuildDesign_keeps_pupils_with_one_score_and_names_a_pupil_with_none()
    {
        var pupils = Pupils();
        var design = GcseBivariateModel.BuildDesign(pupils);
        Assert.Equal(1905, design.Units);
        Assert.Equal(180 + 202, Enumerable.Range(0, design.Units).Count(u => double.IsNaN(design.Responses[0][u]) || double.IsNaN(design.Responses[1][u])));
        pupils[5] = pupils[5] with { Written = null, Course = null };
        var e = Assert.Throws<ModelDesignException>(() => GcseBivariateModel.Fit(pupils));
        Assert.Contains("record 5 has no response", e.Message);
    }
}
