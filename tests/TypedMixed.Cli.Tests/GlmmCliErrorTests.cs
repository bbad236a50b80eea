namespace TypedMixed.Cli.Tests;

/// <summary>
/// Bad input to a generalized fit: exit code 1, a message naming the file, row and column where there is one and
/// saying what to write instead, and no stack trace. All of these stop before the estimator runs.
/// </summary>
public class GlmmCliErrorTests
{
    private static (int Code, string Out, string Err) RunOn(string csv, string formula, params string[] options)
    {
        string path = Path.Combine(CliRunner.TempDirectory(), "data.csv");
        File.WriteAllText(path, csv);
        return CliRunner.Run(["fit", path, formula, "--quiet", .. options]);
    }

    private static void AssertError((int Code, string Out, string Err) r, params string[] expected)
    {
        Assert.Equal(1, r.Code);
        foreach (var e in expected) Assert.Contains(e, r.Err);
        Assert.DoesNotContain("   at ", r.Err);
        Assert.DoesNotContain("Exception", r.Err);
        Assert.Equal("", r.Out);
    }

    private const string Counts = "y,n,t,x,g\n2,10,1.0,0.1,a\n3,10,2.0,0.5,a\n1,8,1.5,0.3,b\n0,6,0.5,0.8,b\n4,9,2.5,0.2,c\n2,7,1.0,0.6,c\n";

    [Fact]
    public void Negative_count_for_poisson_names_row_column_and_file()
    {
        var r = RunOn(Counts.Replace("0,6,0.5", "-1,6,0.5", StringComparison.Ordinal), "y ~ x + (1 | g)", "--family", "poisson");
        AssertError(r, "Column 'y' has the value -1 at row 4 (line 5) of ", "data.csv", "a Poisson response must be a count (a non-negative integer)");
    }

    [Fact]
    public void Non_integer_count_for_negative_binomial()
    {
        var r = RunOn(Counts.Replace("3,10,2.0", "2.5,10,2.0", StringComparison.Ordinal), "y ~ x + (1 | g)", "--family", "negbin");
        AssertError(r, "Column 'y' has the value 2.5 at row 2 (line 3)", "a negative binomial response must be a count");
    }

    [Fact]
    public void Non_integer_successes_in_cbind()
    {
        var r = RunOn(Counts.Replace("1,8,1.5", "1.5,8,1.5", StringComparison.Ordinal), "cbind(y, n - y) ~ x + (1 | g)", "--family", "binomial");
        AssertError(r, "cbind(y, n - y) is (1.5, 6.5) at row 3 (line 4)", "the successes must be a count");
    }

    [Fact]
    public void Successes_above_trials()
    {
        var r = RunOn(Counts.Replace("4,9,2.5", "12,9,2.5", StringComparison.Ordinal), "cbind(y, n - y) ~ x + (1 | g)", "--family", "binomial");
        AssertError(r, "cbind(y, n - y) is (12, -3) at row 5 (line 6)", "the successes (12) exceed the trials (9)", "cbind(incidence, size - incidence)");
    }

    [Fact]
    public void Zero_one_response_outside_the_unit_interval()
    {
        var r = RunOn("y,g\n0,a\n1,a\n2,b\n0,b\n", "y ~ (1 | g)", "--family", "binomial");
        AssertError(r, "Column 'y' has the value 2 at row 3 (line 4)", "outside [0, 1]", "use cbind(successes, failures)");
    }

    [Fact]
    public void Binomial_needs_a_binary_or_cbind_response()
    {
        // Counts given as the response of a binomial model: the first count above 1 is named, with the cbind fix.
        var r = RunOn(Counts, "y ~ x + (1 | g)", "--family", "binomial");
        AssertError(r, "Column 'y' has the value 2 at row 1 (line 2)", "must be 0/1", "cbind(successes, failures)");
        var p = RunOn("p,g\n0.5,a\n0.25,a\n1,b\n0,b\n", "p ~ (1 | g)", "--family", "binomial");
        AssertError(p, "Column 'p' has the value 0.5 at row 1 (line 2)", "For proportions give the number of trials", "--weights");
    }

    [Fact]
    public void Text_response_with_three_levels_for_binomial()
    {
        var r = RunOn("r,g\nlow,a\nmid,a\nhigh,b\nlow,b\n", "r ~ (1 | g)", "--family", "binomial");
        AssertError(r, "Column 'r' of ", "has 3 levels (high, low, mid)", "needs exactly two");
    }

    [Fact]
    public void Text_inside_cbind_is_not_a_number()
    {
        var r = RunOn("s,n,g\n1,5,a\nx,5,a\n2,5,b\n3,5,b\n", "cbind(s, n - s) ~ (1 | g)", "--family", "binomial");
        AssertError(r, "Column 's' is used in cbind(s, n - s), but its value \"x\" at row 2 (line 3)", "is not a number");
    }

    [Fact]
    public void Quadrature_with_two_terms_says_why_not()
    {
        var r = RunOn("y,h,g\n0,u,a\n1,v,a\n1,u,b\n0,v,b\n1,u,c\n0,v,c\n", "y ~ (1 | g) + (1 | h)", "--family", "binomial", "--nagq", "25");
        AssertError(r, "--nagq 25 needs a single random-intercept term", "2 random-effects terms", "one scalar random effect", "--nagq 1");
    }

    [Fact]
    public void Quadrature_with_random_slopes_says_why_not()
    {
        var r = RunOn(Counts, "y ~ x + (x | g)", "--family", "poisson", "--nagq", "9");
        AssertError(r, "--nagq 9 needs a single random-intercept term", "random slopes in its term (g: (Intercept), x)");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-2")]
    [InlineData("Infinity")]
    public void Non_positive_or_non_finite_weights(string weight)
    {
        var r = RunOn("y,w,g\n0,1,a\n1," + weight + ",a\n1,1,b\n0,2,b\n", "y ~ (1 | g)", "--family", "binomial", "--weights", "w");
        AssertError(r, $"--weights column 'w' has the value \"{weight}\" at row 2 (line 3)", "must be positive finite numbers");
    }

    [Fact]
    public void Missing_weights_column_lists_the_columns()
    {
        var r = RunOn(Counts, "y ~ x + (1 | g)", "--family", "poisson", "--weights", "wt");
        AssertError(r, "--weights: Column 'wt' is not in", "Available columns: y, n, t, x, g.");
    }

    [Fact]
    public void Cbind_without_family_says_add_family_binomial()
    {
        var r = RunOn(Counts, "cbind(y, n - y) ~ x + (1 | g)");
        AssertError(r, "The response cbind(y, n - y) is binomial (successes, failures): add --family binomial.");
        var p = RunOn(Counts, "cbind(y, n - y) ~ x + (1 | g)", "--family", "poisson");
        AssertError(p, "use --family binomial");
    }

    [Fact]
    public void Gaussian_offset_and_weights_reach_the_design_and_are_checked()
    {
        // A linear model takes offset() and --weights (lmer does); a non-finite offset or a non-positive weight names the row.
        var r = RunOn(Counts.Replace("0,6,0.5", "0,6,0", StringComparison.Ordinal), "y ~ x + offset(log(t)) + (1 | g)");
        AssertError(r, "offset(log(t)) is -Inf at row 4 (line 5)", "(t = 0)", "an offset must be finite");
        var w = RunOn(Counts.Replace("0,6,0.5", "0,0,0.5", StringComparison.Ordinal), "y ~ x + (1 | g)", "--weights", "n");
        AssertError(w, "--weights column 'n' has the value \"0\" at row 4 (line 5)", "prior weights must be positive finite numbers");
    }

    [Fact]
    public void Offset_that_is_not_finite_names_the_row()
    {
        var r = RunOn(Counts.Replace("0,6,0.5", "0,6,0", StringComparison.Ordinal), "y ~ x + offset(log(t)) + (1 | g)", "--family", "poisson");
        AssertError(r, "offset(log(t)) is -Inf at row 4 (line 5)", "(t = 0)", "an offset must be finite");
    }

    [Fact]
    public void Yes_no_response_without_family_says_add_family_binomial()
    {
        var r = RunOn("answer,g\nN,a\nY,a\nY,b\nN,b\n", "answer ~ (1 | g)");
        AssertError(r, "Column 'answer' (the response) is text with the values N and Y", "add --family binomial", "'Y' is the event");
        Assert.DoesNotContain("is not a number", r.Err);
    }

    [Theory]
    [InlineData(new[] { "--family", "poisson", "--reml" }, "--reml does not apply with --family")]
    [InlineData(new[] { "--nagq", "5" }, "--nagq applies to generalized models: add --family")]
    [InlineData(new[] { "--link", "probit" }, "--link applies to generalized models")]
    [InlineData(new[] { "--vcov", "factor" }, "--vcov applies to generalized models")]
    [InlineData(new[] { "--laplace", "observed" }, "--laplace applies to generalized models")]
    [InlineData(new[] { "--family", "poisson", "--link", "probit" }, "The poisson family does not take the probit link. Its links: log, identity, sqrt.")]
    [InlineData(new[] { "--family", "binomial(link = \"sqrt\")" }, "The binomial family does not take the sqrt link")]
    [InlineData(new[] { "--family", "binomial(link = \"probit\")", "--link", "logit" }, "--family names the probit link and --link the logit link")]
    [InlineData(new[] { "--family", "gamma" }, "--family 'gamma' is not supported")]
    [InlineData(new[] { "--family", "poisson", "--nagq", "0" }, "--nagq takes a whole number of quadrature points")]
    [InlineData(new[] { "--family", "poisson", "--laplace", "exact" }, "--laplace takes expected (glmer) or observed (glmmTMB)")]
    [InlineData(new[] { "--family", "poisson", "--vcov", "sandwich" }, "--vcov takes hessian")]
    [InlineData(new[] { "--link", "bogus", "--family", "poisson" }, "--link 'bogus' is not a link")]
    public void Option_combinations_that_make_no_sense(string[] options, string message) =>
        AssertError(RunOn(Counts, "y ~ x + (1 | g)", options), message);

    [Fact]
    public void Help_lists_the_glmm_options()
    {
        var r = CliRunner.Run("--help");
        Assert.Equal(0, r.Code);
        foreach (var option in new[] { "--family", "--link", "--nagq", "--weights", "--laplace", "--vcov", "cbind(successes, failures)", "offset(" })
            Assert.Contains(option, r.Out);
    }
}
