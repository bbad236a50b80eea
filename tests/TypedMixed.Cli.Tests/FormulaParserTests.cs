using TypedMixed.Cli.Formulas;

namespace TypedMixed.Cli.Tests;

public class FormulaParserTests
{
    private static string[] Labels(TermSet set) => set.Terms.Select(set.Label).ToArray();

    [Fact]
    public void Random_intercept_model()
    {
        var f = FormulaParser.Parse("normexam ~ standLRT + sex + (1 | school)");
        Assert.Equal("normexam", f.Response.Column);
        Assert.True(f.Fixed.Intercept);
        Assert.Equal(["standLRT", "sex"], Labels(f.Fixed));
        var bar = Assert.Single(f.RandomTerms);
        Assert.True(bar.Effects.Intercept);
        Assert.Empty(bar.Effects.Terms);
        Assert.False(bar.Uncorrelated);
        Assert.Equal("school", bar.GroupName(0));
    }

    [Fact]
    public void Star_expands_to_main_effects_and_interaction()
    {
        var f = FormulaParser.Parse("y ~ standLRT * sex + (1 | g)");
        Assert.Equal(["standLRT", "sex", "standLRT:sex"], Labels(f.Fixed));
    }

    [Fact]
    public void Interaction_labels_follow_first_appearance_and_terms_sort_by_order()
    {
        // As R's terms(): variables ordered by first appearance, main effects before interactions.
        var f = FormulaParser.Parse("y ~ b:a + a + (1 | g)");
        Assert.Equal(["a", "b:a"], Labels(f.Fixed));
        Assert.Equal(["b", "a"], f.Fixed.Variables.Select(v => v.Label));
    }

    [Fact]
    public void Three_way_star_expands_fully()
    {
        var f = FormulaParser.Parse("y ~ a * b * c + (1 | g)");
        Assert.Equal(["a", "b", "c", "a:b", "a:c", "b:c", "a:b:c"], Labels(f.Fixed));
    }

    [Fact]
    public void Colon_distributes_over_parenthesised_sum()
    {
        var f = FormulaParser.Parse("y ~ (a + b):c + (1 | g)");
        Assert.Equal(["a:c", "b:c"], Labels(f.Fixed));
    }

    [Theory]
    [InlineData("y ~ 0 + x + (1 | g)")]
    [InlineData("y ~ x - 1 + (1 | g)")]
    [InlineData("y ~ -1 + x + (1 | g)")]
    public void Intercept_can_be_removed(string text)
    {
        var f = FormulaParser.Parse(text);
        Assert.False(f.Fixed.Intercept);
        Assert.Equal(["x"], Labels(f.Fixed));
    }

    [Fact]
    public void Intercept_only_fixed_part()
    {
        var f = FormulaParser.Parse("Yield ~ 1 + (1 | Batch)");
        Assert.True(f.Fixed.Intercept);
        Assert.Empty(f.Fixed.Terms);
    }

    [Fact]
    public void Duplicate_terms_are_removed_and_minus_removes_a_term()
    {
        var f = FormulaParser.Parse("y ~ a * b - a:b + a + (1 | g)");
        Assert.Equal(["a", "b"], Labels(f.Fixed));
    }

    [Fact]
    public void Correlated_slope()
    {
        var bar = Assert.Single(FormulaParser.Parse("Reaction ~ Days + (Days | Subject)").RandomTerms);
        Assert.True(bar.Effects.Intercept);
        Assert.Equal(["Days"], Labels(bar.Effects));
        Assert.False(bar.Uncorrelated);
    }

    [Fact]
    public void Slope_without_intercept()
    {
        var bar = Assert.Single(FormulaParser.Parse("Reaction ~ Days + (0 + Days | Subject)").RandomTerms);
        Assert.False(bar.Effects.Intercept);
        Assert.Equal(["Days"], Labels(bar.Effects));
    }

    [Fact]
    public void Double_bar_is_uncorrelated()
    {
        var bar = Assert.Single(FormulaParser.Parse("Reaction ~ Days + (Days || Subject)").RandomTerms);
        Assert.True(bar.Uncorrelated);
        Assert.True(bar.Effects.Intercept);
        Assert.Equal(["Days"], Labels(bar.Effects));
    }

    [Fact]
    public void Nested_grouping_expands_as_lme4()
    {
        var bar = Assert.Single(FormulaParser.Parse("strength ~ 1 + (1 | batch/cask)").RandomTerms);
        Assert.Equal(2, bar.Grouping.Count);
        Assert.Equal("batch", bar.GroupName(0));
        Assert.Equal("cask:batch", bar.GroupName(1));
    }

    [Fact]
    public void Three_level_nesting()
    {
        var bar = Assert.Single(FormulaParser.Parse("y ~ (1 | a/b/c)").RandomTerms);
        Assert.Equal(["a", "b:a", "c:b:a"], Enumerable.Range(0, 3).Select(bar.GroupName));
    }

    [Fact]
    public void Interaction_grouping()
    {
        var bar = Assert.Single(FormulaParser.Parse("y ~ (1 | batch:cask)").RandomTerms);
        Assert.Equal("batch:cask", bar.GroupName(0));
        Assert.Single(bar.Grouping);
    }

    [Fact]
    public void Crossed_terms()
    {
        var f = FormulaParser.Parse("diameter ~ 1 + (1 | plate) + (1 | sample)");
        Assert.Equal(["plate", "sample"], f.RandomTerms.Select(b => b.GroupName(0)));
    }

    [Fact]
    public void Factor_call_and_backquoted_names()
    {
        var f = FormulaParser.Parse("y ~ factor(period) + `my col` + (1 | herd)");
        Assert.Equal(["factor(period)", "my col"], Labels(f.Fixed));
        Assert.True(f.Fixed.Variables[0].AsFactor);
        Assert.Equal("period", f.Fixed.Variables[0].Column);
    }

    [Fact]
    public void All_variables_in_order_without_duplicates()
    {
        var f = FormulaParser.Parse("y ~ x + sex + x:sex + (x | g) + (1 | g/h)");
        Assert.Equal(["y", "x", "sex", "g", "h"], f.AllVariables().Select(v => v.Column));
    }

    [Theory]
    [InlineData("y ~ x + ", 8, "ends where a term is expected")]
    [InlineData("y ~ x + (1 | g", 8, "Unclosed '('")]
    [InlineData("~ x + (1 | g)", 0, "needs a response")]
    [InlineData("y x + (1 | g)", 2, "Expected '~'")]
    [InlineData("y ~ x $ z + (1 | g)", 6, "Unexpected character '$'")]
    [InlineData("y ~ ns(x) + (1 | g)", 4, "Unsupported function 'ns()'. Supported: I(), log()")]
    [InlineData("y ~ x + (1 | )", 13, "grouping factor")]
    [InlineData("y ~ x:(1 | g)", 6, "must stand on its own")]
    [InlineData("y ~ x + 2 + (1 | g)", 8, "Only 0 and 1")]
    [InlineData("y ~ x + z)", 9, "Unmatched ')'")]
    [InlineData("y ~ x / z + (1 | g)", 6, "'/' (nesting) is supported only in a grouping factor")]
    [InlineData("y ~ x + y + (1 | g)", 8, "response 'y' also appears")]
    [InlineData("y ~ x", 5, "no random-effects term")]
    [InlineData("y ~ x + (1 | g h)", 15, "in the grouping factor")]
    public void Errors_point_at_the_position(string text, int position, string message)
    {
        var e = Assert.Throws<FormulaException>(() => FormulaParser.Parse(text));
        Assert.Contains(message, e.Message);
        Assert.Equal(position, e.Position);
        var lines = e.Describe().Split('\n');
        Assert.Equal("  " + text, lines[1]);
        Assert.Equal(new string(' ', 2 + position) + "^", lines[2]);
    }
}
