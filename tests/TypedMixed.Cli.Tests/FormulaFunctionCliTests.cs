using System.Globalization;
using TypedMixed.Cli.Data;
using TypedMixed.Cli.Design;
using TypedMixed.Cli.Formulas;

namespace TypedMixed.Cli.Tests;

/// <summary>
/// The formulas of issue 11 through the command line: <c>I(age^2)</c>, <c>poly(age, 2)</c> and <c>log(height) ~ …</c>
/// fit and report R's column names; an unsupported function is a usage error naming it and the supported ones, with
/// no stack trace. And scale() sees every row where its argument is present, as R's model.frame evaluates it before
/// incomplete rows are dropped.
/// </summary>
public class FormulaFunctionCliTests
{
    [Theory]
    [InlineData("height ~ age + I(age^2) + (age | Subject)", new[] { "I(age^2)" })]
    [InlineData("height ~ poly(age, 2) + (age | Subject)", new[] { "poly(age, 2)1", "poly(age, 2)2" })]
    [InlineData("log(height) ~ poly(age, 2) + (1 | Subject)", new[] { "log(height) ~ poly(age, 2)", "poly(age, 2)2" })]
    public void Issue_formulas_fit_with_Rs_column_names(string formula, string[] expected)
    {
        var r = CliRunner.Run("fit", CliRunner.DataPath("Oxboys.csv"), formula, "--quiet");
        Assert.True(r.Code == 0, r.Err);
        foreach (var text in expected) Assert.Contains(text, r.Out);
    }

    [Fact]
    public void Unsupported_function_is_a_usage_error_listing_the_supported_ones()
    {
        var r = CliRunner.Run("fit", CliRunner.DataPath("Oxboys.csv"), "height ~ ns(age, 3) + (1 | Subject)");
        Assert.Equal(1, r.Code);
        Assert.Contains("Unsupported function 'ns()'. Supported: I(), log(), log2(), log10(), log1p(), exp(), sqrt(), abs(), scale(), poly()", r.Err);
        Assert.DoesNotContain("Unexpected character", r.Err);
        Assert.DoesNotContain("   at ", r.Err);
    }

    [Fact]
    public void Scale_uses_every_row_where_its_argument_is_present()
    {
        // Row 3 has no response and is dropped from the model, but scale(x) is computed before, on all five x values.
        const string csv = "y,x,g\n1,0.5,a\n2,1.5,a\nNA,4.0,b\n4,3.0,b\n5,1.0,c\n";
        var design = DesignBuilder.Build(FormulaParser.Parse("y ~ scale(x) + (1 | g)"), CsvTable.Parse(csv)).Design;
        double[] x = [0.5, 1.5, 4.0, 3.0, 1.0];
        double mean = x.Average(), sd = Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / (x.Length - 1));
        Assert.Equal(["(Intercept)", "scale(x)"], design.FixedEffectNames);
        var expected = new[] { 0, 1, 3, 4 }.Select(i => (x[i] - mean) / sd).ToArray();
        var actual = design.FixedEffects.AsSpan(4, 4).ToArray();
        for (int i = 0; i < 4; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-14, string.Create(CultureInfo.InvariantCulture, $"row {i}: {expected[i]:R} vs {actual[i]:R}"));
    }
}
