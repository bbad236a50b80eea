namespace TypedMixed.Tests;

public class DesignValidationTests
{
    private static ModelDesign Small(double[]? y = null, double[]? x = null, int[]? levels = null) => new()
    {
        ResponseName = "y",
        Response = y ?? [1, 2, 3, 4],
        FixedEffects = x ?? [1, 1, 1, 1],
        FixedEffectNames = ["(Intercept)"],
        Terms = [RandomEffectsTerm.Intercept("g", levels ?? [0, 0, 1, 1], ["a", "b"])],
    };

    [Fact]
    public void NaN_in_response_names_the_row()
    {
        var ex = Assert.Throws<ModelDesignException>(() => Small(y: [1, double.NaN, 3, 4]).Validate());
        Assert.Equal(1, ex.Row);
        Assert.Equal("y", ex.Member);
        Assert.Contains("row 1", ex.Message);
    }

    [Fact]
    public void Infinity_in_covariate_names_column_and_row()
    {
        var ex = Assert.Throws<ModelDesignException>(() => Small(x: [1, 1, 1, double.PositiveInfinity]).Validate());
        Assert.Equal("(Intercept)", ex.Member);
        Assert.Equal(3, ex.Row);
    }

    [Fact]
    public void Empty_design_is_rejected()
    {
        var ex = Assert.Throws<ModelDesignException>(() => Small(y: [], x: [], levels: []).Validate());
        Assert.Contains("no rows", ex.Message);
    }

    [Fact]
    public void Single_level_term_is_rejected()
    {
        var d = new ModelDesign
        {
            Response = [1, 2, 3],
            FixedEffects = [1, 1, 1],
            FixedEffectNames = ["(Intercept)"],
            Terms = [RandomEffectsTerm.Intercept("g", [0, 0, 0], ["only"])],
        };
        var ex = Assert.Throws<ModelDesignException>(() => d.Validate());
        Assert.Contains("single level", ex.Message);
    }

    [Fact]
    public void Mismatched_lengths_are_rejected()
    {
        var ex = Assert.Throws<ModelDesignException>(() => Small(x: [1, 1, 1]).Validate());
        Assert.Contains("column-major", ex.Message);
        Assert.Throws<ModelDesignException>(() => Small(levels: [0, 1, 1]).Validate());
    }

    [Fact]
    public void Level_index_out_of_range_names_the_row()
    {
        var ex = Assert.Throws<ModelDesignException>(() => Small(levels: [0, 0, 1, 2]).Validate());
        Assert.Equal(3, ex.Row);
    }
}

public class DesignIdentifiabilityTests
{
    [Fact]
    public void A_term_with_as_many_levels_as_rows_is_rejected()
    {
        var d = new ModelDesign
        {
            Response = [1, 2, 3, 4],
            FixedEffects = [1, 1, 1, 1],
            FixedEffectNames = ["(Intercept)"],
            Terms = [RandomEffectsTerm.Intercept("g", [0, 1, 2, 3], ["a", "b", "c", "d"])],
        };
        var ex = Assert.Throws<ModelDesignException>(() => d.Validate());
        Assert.Equal("g", ex.Member);
        Assert.Contains("4 random effects for 4 observations", ex.Message);
    }
}
