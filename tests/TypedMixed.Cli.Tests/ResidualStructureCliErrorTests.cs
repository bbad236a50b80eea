namespace TypedMixed.Cli.Tests;

/// <summary>
/// <c>--correlation</c> and <c>--variance</c> on the command line: bad arguments stop with exit code 1 and a message that
/// names the option and what to write, never a tokenizer dump or a stack trace, before the estimator runs.
/// </summary>
public class ResidualStructureCliErrorTests
{
    private static readonly string Sleep = CliRunner.DataPath("sleepstudy.csv");

    private static void AssertError((int Code, string Out, string Err) r, params string[] expected)
    {
        Assert.Equal(1, r.Code);
        foreach (var e in expected) Assert.Contains(e, r.Err);
        Assert.DoesNotContain("   at ", r.Err);
        Assert.DoesNotContain("Exception", r.Err);
        Assert.Equal("", r.Out);
    }

    [Fact]
    public void Malformed_spec_names_the_option_and_points_into_it()
    {
        var r = CliRunner.Run("fit", Sleep, "Reaction ~ Days + (1 | Subject)", "--correlation", "corAR1(~ Days | Subject", "--quiet");
        AssertError(r, "typedmixed: error: --correlation: Unclosed '(' of corAR1(.", "  corAR1(~ Days | Subject\n  ^");
    }

    [Fact]
    public void Unknown_structure_lists_the_supported_ones()
    {
        AssertError(CliRunner.Run("fit", Sleep, "Reaction ~ Days + (1 | Subject)", "--correlation", "corSymm(~ 1 | Subject)"),
            "corSymm is not supported. --correlation takes corAR1, corCAR1.");
        AssertError(CliRunner.Run("fit", Sleep, "Reaction ~ Days + (1 | Subject)", "--variance", "varConstPower(~ Days)"),
            "--variance takes varIdent, varExp, varPower, loglinear, quadratic.");
    }

    [Theory]
    [InlineData("--correlation", "corAR1(~ Days | Subject)")]
    [InlineData("--variance", "varExp(~ Days)")]
    public void Residual_structures_are_for_linear_models_only(string option, string spec)
    {
        var r = CliRunner.Run("fit", Sleep, "Reaction ~ Days + (1 | Subject)", option, spec, "--family", "poisson");
        AssertError(r, option + " applies to linear mixed models (Gaussian residuals, as nlme's lme); --family poisson");
    }

    [Fact]
    public void Given_twice_is_an_error()
    {
        AssertError(CliRunner.Run("fit", Sleep, "Reaction ~ Days + (1 | Subject)", "--correlation", "corAR1(~ Days | Subject)", "--correlation", "corCAR1(~ Days | Subject)"),
            "--correlation is given twice");
        AssertError(CliRunner.Run("fit", Sleep, "Reaction ~ Days + (1 | Subject)", "--variance", "varExp(~ Days)", "--variance", "varPower(~ Days + 1)"),
            "--variance is given twice", "loglinear(~ a + b) takes several covariates");
    }

    [Fact]
    public void Variance_and_weights_together_is_an_error()
    {
        AssertError(CliRunner.Run("fit", Sleep, "Reaction ~ Days + (1 | Subject)", "--variance", "varExp(~ Days)", "--weights", "Days"),
            "--weights and --variance both set the level-1 variance");
    }

    [Fact]
    public void A_cluster_that_is_not_in_the_model_stops_before_fitting()
    {
        var r = CliRunner.Run("fit", Sleep, "Reaction ~ Days + (1 | Subject)", "--correlation", "corAR1(~ 1 | Days)");
        AssertError(r, "--correlation corAR1(~ 1 | Days): 'Days' is not a grouping factor of the formula (Subject) nor nested in one", "Days 0 has rows in Subject 308");
    }

    [Fact]
    public void Missing_times_are_dropped_and_reported()
    {
        string dir = CliRunner.TempDirectory(), path = Path.Combine(dir, "sleep.csv");
        var lines = File.ReadAllLines(Sleep);
        lines[3] = lines[3].Replace(",2,", ",NA,", StringComparison.Ordinal); // Subject 308, Days 2
        File.WriteAllLines(path, lines);
        var r = CliRunner.Run("fit", path, "Reaction ~ 1 + (1 | Subject)", "--correlation", "corAR1(~ Days | Subject)", "--design-only");
        Assert.Equal(0, r.Code);
        Assert.Contains("dropped 1 of 180 rows with missing values in the formula's columns or the --correlation/--variance columns", r.Err);
        Assert.Contains("design: 179 rows (1 dropped)", r.Out);
        Assert.Contains("residual correlation Ar1 over Days within Subject (18 clusters)", r.Out);
    }

    [Fact]
    public void Design_only_describes_the_structures()
    {
        var r = CliRunner.Run("fit", CliRunner.DataPath("Exam.csv"), "normexam ~ standLRT + sex + (1 | school)", "--variance", "varIdent(form = ~ 1 | sex)", "--design-only");
        Assert.Equal(0, r.Code);
        Assert.Contains("variance function Ident by sex (F, M)", r.Out);
        r = CliRunner.Run("fit", CliRunner.DataPath("Exam.csv"), "normexam ~ standLRT + sex + (1 | school)", "--variance", "loglinear(~ sex + standLRT)", "--design-only");
        Assert.Contains("variance function LogLinear of sexM, standLRT", r.Out);
    }

    [Fact]
    public void Reference_may_name_a_column_only_the_variance_function_reads()
    {
        var r = CliRunner.Run("fit", CliRunner.DataPath("Exam.csv"), "normexam ~ standLRT + (1 | school)", "--variance", "varIdent(~ 1 | sex)", "--reference", "sex=M", "--design-only");
        Assert.Equal(0, r.Code);
        Assert.Contains("variance function Ident by sex (M, F)", r.Out);
    }

    [Fact]
    public void The_structures_columns_are_read_from_a_sql_query_too()
    {
        string csv = Sleep.Replace("'", "''", StringComparison.Ordinal);
        var r = CliRunner.Run("fit", "--sql", $"SELECT * FROM '{csv}'", "Reaction ~ 1 + (1 | Subject)", "--correlation", "corCAR1(~ Days / 2 | Subject)", "--design-only");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("residual correlation ContinuousAr1 over Days/2 within Subject (18 clusters)", r.Out);
    }

    [Fact]
    public void Help_lists_the_options()
    {
        var r = CliRunner.Run("--help");
        Assert.Contains("--correlation <structure>", r.Out);
        Assert.Contains("corAR1(~ Days | Subject)", r.Out);
        Assert.Contains("--variance <function>", r.Out);
        Assert.Contains("loglinear(~ sex + standLRT)", r.Out);
    }
}
