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

/// <summary>
/// Random slopes per response through the generated code: GcseSlopesModel ((1 + Female | School) per score) on Gcsemv
/// against nlme's fit (tests/Data/reference/fits/gcsemv_slopes_ML.json: random = ~ 0 + resp + resp:female | school).
/// </summary>
public class MultivariateSlopesEndToEndTests
{
    [Fact]
    public void Gcsemv_slopes_through_the_generated_model_match_nlme()
    {
        var pupils = ReferenceData.Csv("Gcsemv.csv").Select(r => new GcsePupil(
            r["written"] == "NA" ? null : ReferenceData.Number(r["written"]),
            r["course"] == "NA" ? null : ReferenceData.Number(r["course"]),
            r["gender"] == "F",
            r["school"])).ToArray();
        var fit = GcseSlopesModel.Fit(pupils);
        using var reference = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Data", "reference", "fits", "gcsemv_slopes_ML.json")));
        var r = reference.RootElement;
        double ll = r.GetProperty("logLik").GetDouble();
        Assert.True(Math.Abs(fit.LogLikelihood / ll - 1) < 1e-6, $"logLik {fit.LogLikelihood} vs {ll}");
        var school = fit.Levels[0];
        Assert.Equal(["Written:(Intercept)", "Written:FemaleTRUE", "Course:(Intercept)", "Course:FemaleTRUE"], school.ColumnNames);
        int[] map = [0, 2, 1, 3];
        var g = r.GetProperty("school_cov");
        for (int a = 0; a < 4; a++)
            for (int b = 0; b <= a; b++)
                Assert.True(Math.Abs(school.Covariance[a, b] / g[map[a]][map[b]].GetDouble() - 1) < 1e-3, $"school[{a},{b}]");
        var se = r.GetProperty("fixed_std_error");
        Assert.InRange(fit.Course.FemaleTRUE.Estimate - r.GetProperty("fixed_estimate")[3].GetDouble(), -1e-3 * se[3].GetDouble(), 1e-3 * se[3].GetDouble());
        Assert.StartsWith("mvbind(Written, Course) ~ 1 + Female + (1 + Female | School)", GcseSlopesModel.Formula);
    }
}
