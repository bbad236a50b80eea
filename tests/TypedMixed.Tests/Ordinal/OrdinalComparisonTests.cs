namespace TypedMixed.Tests.Ordinal;

/// <summary>
/// Ordinal fits in <see cref="ModelComparison"/> (lme4-style anova): nested wine fits give the likelihood-ratio test of
/// <see cref="OrdinalLikelihoodRatioTest"/>; fits with other categories or another approximation are refused with a
/// reason. And the multiple-membership term an ordinal fit does not take is a clear error.
/// </summary>
public class OrdinalComparisonTests
{
    private static ModelDesign WithoutContact(ModelDesign d)
    {
        int n = d.Rows;
        return new ModelDesign
        {
            ResponseName = d.ResponseName,
            Response = d.Response,
            FixedEffects = d.FixedEffects[..(2 * n)],
            FixedEffectNames = d.FixedEffectNames.Take(2).ToArray(),
            Terms = d.Terms,
            Family = ResponseFamily.Ordinal,
            Ordinal = d.Ordinal,
        };
    }

    [Fact]
    public void Anova_of_nested_ordinal_fits_is_their_likelihood_ratio_test()
    {
        var design = WineReferenceTests.Design();
        Assert.Equal(["(Intercept)", "tempwarm", "contactyes"], design.FixedEffectNames);
        var full = OrdinalMixedModel.Fit(design);
        var small = OrdinalMixedModel.Fit(WithoutContact(design));
        var result = ModelComparison.Compare(new ComparedModel("full", full), new ComparedModel("temp", small));
        Assert.Equal(["temp", "full"], result.Rows.Select(r => r.Name));
        var lrt = OrdinalLikelihoodRatioTest.Compare(small, full);
        Assert.Equal(lrt.ChiSquare, result.Rows[1].ChiSquare, 12);
        Assert.Equal(lrt.DegreesOfFreedom, result.Rows[1].DegreesOfFreedom);
        Assert.Equal(lrt.PValue, result.Rows[1].PValue, 14);
        Assert.True(double.IsNaN(result.Rows[1].BoundaryPValue), "contact is a fixed effect: no boundary correction");
    }

    [Fact]
    public void Ordinal_fits_with_other_categories_or_quadrature_are_refused()
    {
        var design = WineReferenceTests.Design();
        var laplace = OrdinalMixedModel.Fit(design);
        var agq = OrdinalMixedModel.Fit(design, new OrdinalFitOptions { QuadraturePoints = 5 });
        var e = Assert.Throws<ArgumentException>(() => ModelComparison.Compare(new ComparedModel("a", laplace), new ComparedModel("b", agq)));
        Assert.Contains("different approximations", e.Message, StringComparison.Ordinal);

        var renamed = new ModelDesign
        {
            ResponseName = design.ResponseName,
            Response = design.Response,
            FixedEffects = design.FixedEffects,
            FixedEffectNames = design.FixedEffectNames,
            Terms = design.Terms,
            Family = ResponseFamily.Ordinal,
            Ordinal = new OrdinalResponse { Categories = ["a", "b", "c", "d", "e"] },
        };
        var other = OrdinalMixedModel.Fit(renamed);
        e = Assert.Throws<ArgumentException>(() => ModelComparison.Compare(new ComparedModel("a", laplace), new ComparedModel("b", other)));
        Assert.Contains("different categories", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_multiple_membership_term_is_named_in_the_error()
    {
        var design = WineReferenceTests.Design();
        int n = design.Rows;
        var memberships = new Memberships
        {
            RowStart = Enumerable.Range(0, n + 1).ToArray(),
            Level = Enumerable.Range(0, n).Select(i => i % 3).ToArray(),
            Weight = Enumerable.Repeat(1.0, n).ToArray(),
        };
        var withMembership = new ModelDesign
        {
            ResponseName = design.ResponseName,
            Response = design.Response,
            FixedEffects = design.FixedEffects,
            FixedEffectNames = design.FixedEffectNames,
            Terms = [RandomEffectsTerm.MultipleMembershipIntercept("panel", memberships, ["p1", "p2", "p3"])],
            Family = ResponseFamily.Ordinal,
            Ordinal = design.Ordinal,
        };
        var e = Assert.Throws<ModelDesignException>(() => OrdinalMixedModel.Fit(withMembership));
        Assert.Contains("'panel' is a multiple-membership term", e.Message, StringComparison.Ordinal);
        Assert.Equal("panel", e.Member);
    }
}
