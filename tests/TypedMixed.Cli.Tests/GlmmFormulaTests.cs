using TypedMixed.Cli.Formulas;

namespace TypedMixed.Cli.Tests;

/// <summary>The formula front end of generalized models: cbind(successes, failures) with arithmetic, offset(expression).</summary>
public class GlmmFormulaTests
{
    private static double[] Evaluate(ArithmeticExpression e, Dictionary<string, double[]> columns) =>
        e.Evaluate(v => columns[v.Column], columns.Values.First().Length);

    [Fact]
    public void Cbind_response_keeps_both_expressions_and_its_columns()
    {
        var f = FormulaParser.Parse("cbind(incidence, size - incidence) ~ period + (1 | herd)");
        Assert.True(f.Response.IsCbind);
        Assert.Null(f.Response.Column);
        Assert.Equal("cbind(incidence, size - incidence)", f.Response.Label);
        Assert.Equal(["incidence", "size", "incidence"], f.Response.Variables.Select(v => v.Column));
        Assert.Equal(["period"], f.Fixed.Variables.Select(v => v.Label));
        Assert.Equal(["incidence", "size", "period", "herd"], f.AllVariables().Select(v => v.Column));
        var data = new Dictionary<string, double[]> { ["incidence"] = [2, 3, 0], ["size"] = [14, 12, 5] };
        Assert.Equal([2.0, 3, 0], Evaluate(f.Response.Successes!, data));
        Assert.Equal([12.0, 9, 5], Evaluate(f.Response.Failures!, data));
    }

    [Theory]
    [InlineData("cbind(a, b * 2 - a / 2) ~ (1 | g)", new[] { 8.0, 3.0 })]   // 2b − a/2 with a = 4, 2 and b = 5, 2
    [InlineData("cbind(a, (b - a) * 1.5) ~ (1 | g)", new[] { 1.5, 0.0 })]
    [InlineData("cbind(a, -a + b + 10) ~ (1 | g)", new[] { 11.0, 10.0 })]
    public void Cbind_arithmetic_follows_precedence(string formula, double[] failures)
    {
        var f = FormulaParser.Parse(formula);
        var data = new Dictionary<string, double[]> { ["a"] = [4, 2], ["b"] = [5, 2] };
        Assert.Equal(failures, Evaluate(f.Response.Failures!, data));
    }

    [Fact]
    public void Cbind_column_may_also_be_a_covariate()
    {
        // As in R, the response is the cbind() call, so its columns may appear on the right.
        var f = FormulaParser.Parse("cbind(s, n - s) ~ n + (1 | g)");
        Assert.Equal(["n"], f.Fixed.Variables.Select(v => v.Label));
    }

    [Fact]
    public void Offset_is_a_term_of_its_own_not_a_fixed_effect()
    {
        var f = FormulaParser.Parse("y ~ x + offset(log(t)) + (1 | g)");
        Assert.Equal(["x"], f.Fixed.Variables.Select(v => v.Label));
        var offset = Assert.Single(f.Offsets);
        Assert.Equal("log(t)", offset.ToString());
        Assert.Equal(["y", "x", "t", "g"], f.AllVariables().Select(v => v.Column));
        var data = new Dictionary<string, double[]> { ["t"] = [1, Math.E] };
        Assert.Equal([0.0, 1.0], Evaluate(offset, data));
    }

    [Fact]
    public void Several_offsets_and_offset_arithmetic()
    {
        var f = FormulaParser.Parse("y ~ offset(log(a) + b) + offset(c) + (1 | g)");
        Assert.Equal(2, f.Offsets.Count);
        Assert.True(f.Fixed.Intercept);
        Assert.Empty(f.Fixed.Terms);
        Assert.Equal("log(a) + b", f.Offsets[0].ToString());
    }

    [Theory]
    [InlineData("cbind(a) ~ (1 | g)", "cbind() takes two arguments")]
    [InlineData("cbind(a, b, c) ~ (1 | g)", "exactly two arguments")]
    [InlineData("foo(y) ~ (1 | g)", "Unsupported function 'foo()' in the response")]
    [InlineData("y ~ x:offset(t) + (1 | g)", "offset(...) must stand on its own")]
    [InlineData("y ~ x + (offset(t) | g)", "offset(...) must stand on its own")]
    [InlineData("y ~ x - offset(t) + (1 | g)", "An offset cannot be subtracted")]
    [InlineData("y ~ offset(foo(t)) + (1 | g)", "Unsupported function 'foo()' in an expression")]
    [InlineData("y ~ cbind(a, b) + (1 | g)", "is a response")]
    public void Malformed_glmm_formulas_say_what_to_write(string formula, string message)
    {
        var e = Assert.Throws<FormulaException>(() => FormulaParser.Parse(formula));
        Assert.Contains(message, e.Message);
    }
}
