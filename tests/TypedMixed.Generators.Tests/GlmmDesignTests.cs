using TypedMixed.Generators.Tests.Models;

namespace TypedMixed.Generators.Tests;

/// <summary>The generated GLMM design builders (compiled by the real build): the family's columns and the run-time value checks.</summary>
public class GlmmDesignTests
{
    [Fact]
    public void Bool_response_is_one_and_zero_with_no_trials()
    {
        Outcome[] rows =
        [
            new(true, 0.5, false, 2),
            new(false, 1.5, true, 1),
            new(true, 1.0, true, 2),
        ];
        var expected = new ModelDesign
        {
            ResponseName = "Recovered",
            Response = [1.0, 0.0, 1.0],
            FixedEffectNames = ["(Intercept)", "Dose", "TreatedTRUE"],
            FixedEffects = [1, 1, 1, 0.5, 1.5, 1.0, 0, 1, 1],
            Terms = [RandomEffectsTerm.Intercept("Clinic", [1, 0, 1], ["1", "2"])],
        };
        var design = RecoveryModel.BuildDesign(rows);
        DesignBuilderTests.AssertSameDesign(expected, design);
        Assert.Equal(ResponseFamily.Binomial, design.Family);
        Assert.Equal(LinkFunction.Logit, design.Link);
        Assert.Null(design.Trials);
        Assert.Null(design.Offset);
        Assert.Null(design.Weights);
    }

    [Fact]
    public void Binomial_counts_carry_their_trials()
    {
        HerdExamination[] rows = [new(3, 2, 14, Period.P1), new(1, 0, 5, Period.P4), new(3, 5, 5, Period.P2)];
        var design = CbppModel.BuildDesign(rows);
        Assert.Equal([2.0, 0.0, 5.0], design.Response);
        Assert.Equal([14.0, 5.0, 5.0], design.Trials!);
        Assert.Equal(["(Intercept)", "PeriodP2", "PeriodP3", "PeriodP4"], design.FixedEffectNames);
        Assert.Equal(["1", "3"], design.Terms[0].LevelKeys);
        Assert.Equal([1, 0, 1], design.Terms[0].LevelIndex);
        Assert.Equal(1, CbppModel.DeclaredQuadraturePoints);
        Assert.Equal(25, CbppQuadratureModel.DeclaredQuadraturePoints);
    }

    [Fact]
    public void Offset_is_read_and_a_null_offset_drops_the_row()
    {
        SiteCount[] rows =
        [
            new(4, Math.Log(2.0), false, "b"),
            new(7, null, true, "a"),
            new(0, Math.Log(0.5), true, "a"),
        ];
        var design = EventRateModel.BuildDesign(rows);
        Assert.Equal(ResponseFamily.Poisson, design.Family);
        Assert.Equal(LinkFunction.Log, design.Link);
        Assert.Equal([4.0, 0.0], design.Response);
        Assert.Equal([Math.Log(2.0), Math.Log(0.5)], design.Offset!);
        Assert.Null(design.Trials);
        Assert.Equal(1, design.RowsDropped);
        Assert.Equal(["a", "b"], design.Terms[0].LevelKeys);
    }

    [Fact]
    public void Successes_above_the_trials_name_the_row_and_both_members()
    {
        HerdExamination[] rows = [new(1, 2, 14, Period.P1), new(2, 6, 5, Period.P2)];
        var e = Assert.Throws<ModelDesignException>(() => CbppModel.BuildDesign(rows));
        Assert.Equal("Incidence", e.Member);
        Assert.Equal(1, e.Row);
        Assert.Contains("'Size'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_trials_are_rejected()
    {
        var e = Assert.Throws<ModelDesignException>(() => CbppModel.BuildDesign([new HerdExamination(1, 0, -3, Period.P1)]));
        Assert.Equal("Size", e.Member);
        Assert.Equal(0, e.Row);
    }

    [Fact]
    public void Negative_count_is_rejected()
    {
        var e = Assert.Throws<ModelDesignException>(() => EventRateModel.BuildDesign([new SiteCount(1, 0.0, false, "a"), new SiteCount(-2, 0.0, true, "b")]));
        Assert.Equal("Events", e.Member);
        Assert.Equal(1, e.Row);
    }

    [Fact]
    public void Infinite_offset_names_the_member_and_row()
    {
        var e = Assert.Throws<ModelDesignException>(() => EventRateModel.BuildDesign([new SiteCount(1, 0.0, false, "a"), new SiteCount(2, double.NegativeInfinity, true, "b")]));
        Assert.Equal("LogExposure", e.Member);
        Assert.Equal(1, e.Row);
        Assert.Contains("−∞", e.Message, StringComparison.Ordinal);
    }
}
