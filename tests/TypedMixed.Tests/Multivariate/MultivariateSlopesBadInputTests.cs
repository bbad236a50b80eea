namespace TypedMixed.Tests.Multivariate;

/// <summary>
/// Bad random-slope input: a covariate constant over the units with some response (an error naming covariate,
/// classification and response), malformed covariates (errors naming them), a covariate constant within every level
/// (the TMW006 warning, as for a single response).
/// </summary>
public class MultivariateSlopesBadInputTests
{
    private static MultivariateDesign With(MultivariateDesign d, MultivariateClassification g) => new()
    {
        ResponseNames = d.ResponseNames, Responses = d.Responses, FixedEffects = d.FixedEffects,
        FixedEffectNames = d.FixedEffectNames, Classifications = [g], UnitName = d.UnitName,
    };

    private static MultivariateClassification School(MultivariateDesign d, string[] names, double[] values, bool intercept = true) => new()
    {
        Name = "school", LevelIndex = d.Classifications[0].LevelIndex, LevelKeys = d.Classifications[0].LevelKeys,
        RandomCovariateNames = names, RandomCovariates = values, Intercept = intercept,
    };

    [Fact]
    public void A_covariate_constant_for_one_response_is_named_with_the_fix()
    {
        var d = MultivariateDesigns.Gcsemv();
        int n = d.Units;
        // Constant (2) over every pupil with a written score, varying only among pupils with coursework alone.
        var x = Enumerable.Range(0, n).Select(u => double.IsNaN(d.Responses[0][u]) ? u % 3 : 2.0).ToArray();
        var e = Assert.Throws<ModelDesignException>(() => MultivariateMixedModel.Fit(With(d, School(d, ["x"], x)), FitOptions.MaximumLikelihood));
        Assert.Contains("Random covariate 'x' of classification 'school' is 2 for every pupil with response 'written'", e.Message);
        Assert.Contains("Remove 'x' from (1 + x | school)", e.Message);
    }

    [Fact]
    public void Malformed_covariates_are_named()
    {
        var d = MultivariateDesigns.Gcsemv();
        int n = d.Units;
        var female = d.FixedEffects[n..];
        var e = Assert.Throws<ModelDesignException>(() => MultivariateMixedModel.Fit(With(d, School(d, ["female"], female[..(n - 1)]))));
        Assert.Contains($"{n - 1} random-covariate values, but {n} units × 1 covariates need {n}", e.Message);
        var nan = (double[])female.Clone();
        nan[9] = double.NaN;
        e = Assert.Throws<ModelDesignException>(() => MultivariateMixedModel.Fit(With(d, School(d, ["female"], nan))));
        Assert.Contains("Random covariate 'female' of classification 'school' is NaN at pupil 9", e.Message);
        e = Assert.Throws<ModelDesignException>(() => MultivariateMixedModel.Fit(With(d, School(d, ["female", "female"], [.. female, .. female]))));
        Assert.Contains("lists the random covariate 'female' twice", e.Message);
        e = Assert.Throws<ModelDesignException>(() => MultivariateMixedModel.Fit(With(d, School(d, [], [], intercept: false))));
        Assert.Contains("neither a random intercept nor a random covariate", e.Message);
    }

    [Fact]
    public void A_covariate_constant_within_every_level_gets_the_identification_warning()
    {
        var d = MultivariateDesigns.Random(51, 2, units: 200, groups: 10, twoClassifications: false);
        var g = d.Classifications[0];
        var levelValue = Enumerable.Range(0, g.LevelKeys.Count).Select(l => 0.3 * l - 1).ToArray();
        var schoolLevel = g.LevelIndex.Select(l => levelValue[l]).ToArray();
        var fit = MultivariateMixedModel.Fit(With(d, new MultivariateClassification
        {
            Name = g.Name, LevelIndex = g.LevelIndex, LevelKeys = g.LevelKeys, RandomCovariateNames = ["z"], RandomCovariates = schoolLevel,
        }), FitOptions.MaximumLikelihood, separateModelsTest: false);
        Assert.Contains(fit.Warnings, w => w.Code == "TMW006" && w.Message.Contains("'g'"));
    }
}
