using TypedMixed.Cli.Data;
using TypedMixed.Cli.Design;
using TypedMixed.Cli.Formulas;

namespace TypedMixed.Cli.Tests;

/// <summary>How a generalized model's response, trials, offset and weights reach the <see cref="ModelDesign"/>.</summary>
public class GlmmDesignTests
{
    private static BuiltDesign Build(string formula, string csv, ResponseFamily? family, string? weights = null, Dictionary<string, string>? references = null) =>
        DesignBuilder.Build(FormulaParser.Parse(formula), CsvTable.Parse(csv, "test.csv"),
            new DesignOptions { Family = family, WeightsColumn = weights, ReferenceLevels = references ?? [] });

    private const string Counts = """
        s,n,t,x,g
        2,14,1.5,0.1,a
        3,12,2.0,0.4,a
        0,5,0.5,0.9,b
        1,9,1.0,0.2,b
        4,7,3.0,0.6,c
        """;

    [Fact]
    public void Cbind_gives_successes_and_trials_as_successes_plus_failures()
    {
        var d = Build("cbind(s, n - s) ~ x + (1 | g)", Counts, ResponseFamily.Binomial).Design;
        Assert.Equal(ResponseFamily.Binomial, d.Family);
        Assert.Equal([2.0, 3, 0, 1, 4], d.Response);
        Assert.Equal([14.0, 12, 5, 9, 7], d.Trials!);
        Assert.Equal("cbind(s, n - s)", d.ResponseName);
        Assert.Equal(["(Intercept)", "x"], d.FixedEffectNames);
        Assert.Null(d.Offset);
    }

    [Fact]
    public void Cbind_with_arithmetic_on_both_parts()
    {
        // successes 2s, failures n − 2s + 1: trials n + 1.
        var d = Build("cbind(2 * s, n - 2 * s + 1) ~ (1 | g)", Counts, ResponseFamily.Binomial).Design;
        Assert.Equal([4.0, 6, 0, 2, 8], d.Response);
        Assert.Equal([15.0, 13, 6, 10, 8], d.Trials!);
    }

    [Theory]
    [InlineData("0,1,1,0,1")]
    [InlineData("FALSE,TRUE,TRUE,FALSE,TRUE")]
    [InlineData("false,True,TRUE,False,true")]
    public void Zero_one_and_logical_columns_are_bernoulli(string values)
    {
        var y = values.Split(',');
        var csv = "y,g\n" + string.Join("\n", y.Select((v, i) => $"{v},{"aabbc"[i]}")) + "\n";
        var d = Build("y ~ (1 | g)", csv, ResponseFamily.Binomial).Design;
        Assert.Equal([0.0, 1, 1, 0, 1], d.Response);
        Assert.Null(d.Trials);
    }

    [Fact]
    public void Two_level_text_response_takes_the_second_sorted_level_as_the_event()
    {
        var csv = "status,g\nN,a\nY,a\nY,b\nN,b\nY,c\n";
        var b = Build("status ~ (1 | g)", csv, ResponseFamily.Binomial);
        Assert.Equal([0.0, 1, 1, 0, 1], b.Design.Response);
        Assert.Contains(b.Notes, n => n.Contains("'Y' is the event", StringComparison.Ordinal));
        // --reference status=Y makes Y the first level, so N becomes the event, as relevel() in R.
        var swapped = Build("status ~ (1 | g)", csv, ResponseFamily.Binomial, references: new() { ["status"] = "Y" });
        Assert.Equal([1.0, 0, 0, 1, 0], swapped.Design.Response);
    }

    [Fact]
    public void Offset_of_log_column_goes_to_the_offset_not_to_x()
    {
        var d = Build("s ~ x + offset(log(t)) + (1 | g)", Counts, ResponseFamily.Poisson).Design;
        Assert.Equal(ResponseFamily.Poisson, d.Family);
        Assert.Equal(["(Intercept)", "x"], d.FixedEffectNames);
        Assert.Equal(2 * d.Rows, d.FixedEffects.Length);
        Assert.Equal(new[] { 1.5, 2.0, 0.5, 1.0, 3.0 }.Select(v => Math.Log(v)), d.Offset!);
    }

    [Fact]
    public void Offsets_add_up_and_may_combine_columns()
    {
        var d = Build("s ~ offset(log(t) + x) + offset(n) + (1 | g)", Counts, ResponseFamily.Poisson).Design;
        double[] t = [1.5, 2.0, 0.5, 1.0, 3.0], x = [0.1, 0.4, 0.9, 0.2, 0.6], n = [14, 12, 5, 9, 7];
        Assert.Equal(Enumerable.Range(0, 5).Select(i => Math.Log(t[i]) + x[i] + n[i]), d.Offset!);
        Assert.Equal(["(Intercept)"], d.FixedEffectNames);
    }

    [Fact]
    public void Weights_column_becomes_prior_weights_and_missing_weights_drop_the_row()
    {
        var csv = "y,w,g\n1,2,a\n0,1.5,a\n1,,b\n0,3,b\n1,1,c\n";
        var b = Build("y ~ (1 | g)", csv, ResponseFamily.Binomial, weights: "w");
        Assert.Equal(1, b.RowsDropped);
        Assert.Equal([2.0, 1.5, 3, 1], b.Design.Weights!);
        Assert.Equal([1.0, 0, 0, 1], b.Design.Response);
    }

    [Fact]
    public void Proportions_with_weights_are_successes_out_of_the_weights()
    {
        // glmer(y ~ ..., weights = n) with y a proportion is cbind(y·n, n − y·n).
        var csv = "p,n,g\n0.5,4,a\n0.25,8,a\n1,3,b\n0,5,b\n";
        var b = Build("p ~ (1 | g)", csv, ResponseFamily.Binomial, weights: "n");
        Assert.Equal([2.0, 2, 3, 0], b.Design.Response);
        Assert.Equal([4.0, 8, 3, 5], b.Design.Trials!);
        Assert.Null(b.Design.Weights);
    }

    [Fact]
    public void Counts_fitted_as_gaussian_get_a_note_suggesting_poisson()
    {
        var b = Build("s ~ x + (1 | g)", Counts, family: null);
        Assert.Equal(ResponseFamily.Gaussian, b.Design.Family);
        Assert.Contains(b.Notes, n => n.Contains("add --family poisson", StringComparison.Ordinal));
        var binary = Build("y ~ (1 | g)", "y,g\n0,a\n1,a\n1,b\n0,b\n", family: null);
        Assert.Contains(binary.Notes, n => n.Contains("add --family binomial", StringComparison.Ordinal));
        Assert.Empty(Build("x ~ s + (1 | g)", Counts, family: null).Notes);
        Assert.Empty(Build("s ~ x + (1 | g)", Counts, ResponseFamily.Gaussian).Notes);
    }
}
