using TypedMixed.Cli.Data;
using TypedMixed.Cli.Design;
using TypedMixed.Cli.Formulas;

namespace TypedMixed.Cli.Tests;

public class DesignBuilderTests
{
    // Row 4 has x = NA and is dropped whenever the formula reads x.
    private const string Csv = """
        y,x,sex,grp,sch
        1,0.5,F,1,a
        2,1.5,M,1,b
        3,2.0,F,2,a
        4,NA,M,2,b
        5,3.0,M,3,a
        6,1.0,F,3,b
        """;

    private static BuiltDesign Build(string formula, string csv = Csv, Dictionary<string, string>? references = null) =>
        DesignBuilder.Build(FormulaParser.Parse(formula), CsvTable.Parse(csv), new DesignOptions { ReferenceLevels = references ?? [] });

    private static double[] Column(ModelDesign d, int c) => d.FixedEffects.Skip(c * d.Rows).Take(d.Rows).ToArray();

    [Fact]
    public void Numeric_times_factor_with_treatment_contrasts()
    {
        var b = Build("y ~ x * sex + (1 | grp)");
        var d = b.Design;
        Assert.Equal(1, b.RowsDropped);
        Assert.Equal(1, d.RowsDropped);
        Assert.Equal([1.0, 2, 3, 5, 6], d.Response);
        Assert.Equal(["(Intercept)", "x", "sexM", "x:sexM"], d.FixedEffectNames);
        Assert.Equal([1.0, 1, 1, 1, 1], Column(d, 0));
        Assert.Equal([0.5, 1.5, 2.0, 3.0, 1.0], Column(d, 1));
        Assert.Equal([0.0, 1, 0, 1, 0], Column(d, 2));
        Assert.Equal([0.0, 1.5, 0, 3.0, 0], Column(d, 3));
        d.Validate();
    }

    [Fact]
    public void Rows_are_kept_when_the_formula_does_not_read_the_missing_column()
    {
        var b = Build("y ~ sex + (1 | grp)");
        Assert.Equal(0, b.RowsDropped);
        Assert.Equal(6, b.Design.Rows);
    }

    [Fact]
    public void No_intercept_codes_the_first_factor_by_all_levels()
    {
        var d = Build("y ~ 0 + sex + (1 | grp)").Design;
        Assert.Equal(["sexF", "sexM"], d.FixedEffectNames);
        Assert.Equal([1.0, 0, 1, 0, 0, 1], Column(d, 0));
        Assert.Equal([0.0, 1, 0, 1, 1, 0], Column(d, 1));
    }

    [Fact]
    public void Interaction_without_margin_uses_all_levels_as_R()
    {
        // R: model.matrix(~ x:sex) has columns x:sexF and x:sexM.
        var d = Build("y ~ x:sex + (1 | grp)").Design;
        Assert.Equal(["(Intercept)", "x:sexF", "x:sexM"], d.FixedEffectNames);
        Assert.Equal([0.5, 0, 2.0, 0, 1.0], Column(d, 1));
        Assert.Equal([0.0, 1.5, 0, 3.0, 0], Column(d, 2));
    }

    [Fact]
    public void Factor_by_factor_interaction_first_factor_varies_fastest()
    {
        var d = Build("y ~ sex * sch + (1 | grp)").Design;
        Assert.Equal(["(Intercept)", "sexM", "schb", "sexM:schb"], d.FixedEffectNames);
        Assert.Equal([0.0, 1, 0, 1, 0, 0], Column(d, 3));
        var full = Build("y ~ sex:sch + (1 | grp)").Design;
        Assert.Equal(["(Intercept)", "sexF:scha", "sexM:scha", "sexF:schb", "sexM:schb"], full.FixedEffectNames);
    }

    [Fact]
    public void Factor_of_a_numeric_column_sorts_levels_numerically()
    {
        var csv = "y,d,g\n1,10,a\n2,9,a\n3,2,b\n4,10,b\n5,2,c\n";
        var d = Build("y ~ factor(d) + (1 | g)", csv).Design;
        Assert.Equal(["(Intercept)", "factor(d)9", "factor(d)10"], d.FixedEffectNames);
        Assert.Equal([0.0, 1, 0, 0, 0], Column(d, 1));
        Assert.Equal([1.0, 0, 0, 1, 0], Column(d, 2));
    }

    [Fact]
    public void Reference_level_can_be_chosen()
    {
        var d = Build("y ~ sex + (1 | grp)", references: new() { ["sex"] = "M" }).Design;
        Assert.Equal(["(Intercept)", "sexF"], d.FixedEffectNames);
        Assert.Equal([1.0, 0, 1, 0, 0, 1], Column(d, 1));
        var e = Assert.Throws<CliException>(() => Build("y ~ sex + (1 | grp)", references: new() { ["sex"] = "X" }));
        Assert.Contains("Its levels: F, M", e.Message);
    }

    [Fact]
    public void Random_slope_term_has_intercept_and_slope_columns()
    {
        var d = Build("y ~ x + (x | grp)").Design;
        var t = Assert.Single(d.Terms);
        Assert.Equal("grp", t.Name);
        Assert.Equal(["(Intercept)", "x"], t.ColumnNames);
        Assert.Equal([1.0, 1, 1, 1, 1, 0.5, 1.5, 2.0, 3.0, 1.0], t.Columns);
        Assert.Equal(["1", "2", "3"], t.LevelKeys);
        Assert.Equal([0, 0, 1, 2, 2], t.LevelIndex);
        Assert.Equal(CovarianceStructure.Unstructured, t.Covariance);
    }

    [Fact]
    public void Uncorrelated_term_is_one_diagonal_term()
    {
        var t = Assert.Single(Build("y ~ x + (x || grp)").Design.Terms);
        Assert.Equal(CovarianceStructure.Diagonal, t.Covariance);
        Assert.Equal(["(Intercept)", "x"], t.ColumnNames);
    }

    [Fact]
    public void Slope_only_term()
    {
        var t = Assert.Single(Build("y ~ x + (0 + x | grp)").Design.Terms);
        Assert.Equal(["x"], t.ColumnNames);
        Assert.Equal([0.5, 1.5, 2.0, 3.0, 1.0], t.Columns);
    }

    [Fact]
    public void Nested_terms_are_named_and_ordered_as_lme4()
    {
        var d = Build("y ~ 1 + (1 | grp/sch)").Design;
        // lme4 names the inner factor sch:grp and puts the term with more levels first.
        Assert.Equal(["sch:grp", "grp"], d.Terms.Select(t => t.Name));
        var inner = d.Terms[0];
        Assert.Equal(["a:1", "a:2", "a:3", "b:1", "b:2", "b:3"], inner.LevelKeys);
        Assert.Equal([0, 3, 1, 4, 2, 5], inner.LevelIndex);
    }

    [Fact]
    public void Interaction_grouping_keeps_observed_combinations_only()
    {
        var d = Build("y ~ x + (1 | grp:sch)").Design; // row 4 (2,b) dropped by x = NA
        var t = Assert.Single(d.Terms);
        Assert.Equal("grp:sch", t.Name);
        Assert.Equal(["1:a", "1:b", "2:a", "3:a", "3:b"], t.LevelKeys);
    }

    [Fact]
    public void Crossed_terms_keep_written_order_when_levels_do_not_increase()
    {
        var d = Build("y ~ 1 + (1 | grp) + (1 | sch)").Design;
        Assert.Equal(["grp", "sch"], d.Terms.Select(t => t.Name));
    }

    [Fact]
    public void Lme4_term_order_reverses_ties_when_it_reorders()
    {
        static RandomEffectsTerm T(string name, int levels) =>
            RandomEffectsTerm.Intercept(name, Enumerable.Range(0, levels).ToArray(), Enumerable.Range(0, levels).Select(i => i.ToString()).ToArray());
        var ordered = DesignBuilder.OrderAsLme4([T("a", 2), T("b", 5), T("c", 2)]);
        Assert.Equal(["b", "c", "a"], ordered.Select(t => t.Name)); // rev(order(c(2, 5, 2)))
    }

    [Fact]
    public void Unknown_column_lists_available_columns_and_points_into_the_formula()
    {
        var e = Assert.Throws<CliException>(() => Build("y ~ z + (1 | grp)"));
        Assert.Contains("Column 'z' is not in", e.Message);
        Assert.Contains("Available columns: y, x, sex, grp, sch.", e.Message);
        Assert.Contains("      ^", e.Message);
    }

    [Fact]
    public void Bad_number_in_numeric_covariate_names_row_and_column()
    {
        var csv = "y,x,g\n1,0.5,a\n2,1.5,a\n3,abc,b\n4,2.5,b\n";
        var e = Assert.Throws<CliException>(() => Build("y ~ x + (1 | g)", csv));
        Assert.Contains("Column 'x'", e.Message);
        Assert.Contains("\"abc\" at row 3 (line 4)", e.Message);
        Assert.Contains("factor(x)", e.Message);
    }

    [Fact]
    public void Text_response_is_an_error_naming_the_row()
    {
        // Three text values: not a binary response, so the plain "not a number" error.
        var e = Assert.Throws<CliException>(() => Build("r ~ x + (1 | g)", "r,x,g\nlow,1,a\nmid,2,a\nhigh,3,b\nlow,4,b\n"));
        Assert.Contains("Column 'r' is used as the response", e.Message);
        Assert.Contains("\"low\" at row 1 (line 2)", e.Message);
    }

    [Fact]
    public void Two_level_text_response_without_family_says_add_family_binomial()
    {
        var e = Assert.Throws<CliException>(() => Build("sex ~ x + (1 | grp)"));
        Assert.Contains("Column 'sex' (the response) is text with the values F and M", e.Message);
        Assert.Contains("add --family binomial", e.Message);
        Assert.DoesNotContain("is not a number", e.Message);
    }

    [Fact]
    public void Mostly_text_column_used_plainly_is_categorical()
    {
        var csv = "y,c,g\n1,lo,a\n2,hi,a\n3,1,b\n4,hi,b\n";
        Assert.Equal(["(Intercept)", "chi", "clo"], Build("y ~ c + (1 | g)", csv).Design.FixedEffectNames);
    }

    [Fact]
    public void Non_finite_number_names_row_and_column()
    {
        var e = Assert.Throws<CliException>(() => Build("y ~ x + (1 | g)", "y,x,g\n1,0.5,a\n2,Infinity,a\n3,1,b\n"));
        Assert.Contains("Column 'x' has the value \"Infinity\" at row 2 (line 3)", e.Message);
    }
}
