namespace TypedMixed.Cli.Tests;

/// <summary>Usage and data errors: exit code 1, a message that says what to fix, no stack trace.</summary>
public class CliErrorTests
{
    private static void AssertUsageError((int Code, string Out, string Err) r, string expected)
    {
        Assert.Equal(1, r.Code);
        Assert.Contains(expected, r.Err);
        Assert.DoesNotContain("   at ", r.Err);
        Assert.DoesNotContain("Exception", r.Err);
    }

    [Fact]
    public void No_arguments_prints_usage_and_fails() => AssertUsageError(CliRunner.Run(), "Usage: typedmixed fit");

    [Fact]
    public void Help_succeeds()
    {
        var r = CliRunner.Run("--help");
        Assert.Equal(0, r.Code);
        Assert.Contains("--caterpillar", r.Out);
    }

    [Fact]
    public void Unknown_command() => AssertUsageError(CliRunner.Run("fitt", "a.csv", "y ~ (1|g)"), "unknown command 'fitt'");

    [Fact]
    public void Unknown_option() =>
        AssertUsageError(CliRunner.Run("fit", CliRunner.DataPath("sleepstudy.csv"), "Reaction ~ Days + (1 | Subject)", "--bogus"), "Unknown option '--bogus'");

    [Fact]
    public void Missing_formula() => AssertUsageError(CliRunner.Run("fit", CliRunner.DataPath("sleepstudy.csv")), "Give the formula");

    [Fact]
    public void Unquoted_formula_is_explained() =>
        AssertUsageError(CliRunner.Run("fit", CliRunner.DataPath("sleepstudy.csv"), "Reaction", "~", "Days"), "Quote the formula");

    [Fact]
    public void Both_methods() =>
        AssertUsageError(CliRunner.Run("fit", CliRunner.DataPath("sleepstudy.csv"), "Reaction ~ (1 | Subject)", "--ml", "--reml"), "either --reml or --ml");

    [Fact]
    public void Missing_file() => AssertUsageError(CliRunner.Run("fit", "/nonexistent/x.csv", "y ~ (1 | g)"), "does not exist");

    [Fact]
    public void Unknown_column_lists_columns_with_caret()
    {
        var r = CliRunner.Run("fit", CliRunner.DataPath("sleepstudy.csv"), "Reaction ~ days + (1 | Subject)");
        AssertUsageError(r, "Column 'days' is not in");
        Assert.Contains("Did you mean 'Days'?", r.Err);
        Assert.Contains("Available columns: Reaction, Days, Subject.", r.Err);
        Assert.Contains("  Reaction ~ days + (1 | Subject)\n             ^", r.Err.Replace("\r\n", "\n"));
    }

    [Fact]
    public void Formula_syntax_error_shows_caret()
    {
        var r = CliRunner.Run("fit", CliRunner.DataPath("sleepstudy.csv"), "Reaction ~ Days + (Days | Subject");
        AssertUsageError(r, "formula error: Unclosed '('");
        Assert.Contains("  Reaction ~ Days + (Days | Subject\n                    ^", r.Err.Replace("\r\n", "\n"));
    }

    [Fact]
    public void Bad_number_names_row_and_column()
    {
        var dir = CliRunner.TempDirectory();
        var csv = Path.Combine(dir, "bad.csv");
        File.WriteAllText(csv, "y,x,g\n1,0.5,a\n2,1.5,a\n3,2.5,b\n4,n/a,b\n5,3,c\n6,2,c\n");
        var r = CliRunner.Run("fit", csv, "y ~ x + (1 | g)");
        AssertUsageError(r, "Column 'x' is used as a numeric covariate, but its value \"n/a\" at row 4 (line 5) is not a number");
    }

    [Fact]
    public void Unknown_reference_level()
    {
        var r = CliRunner.Run("fit", CliRunner.DataPath("Exam.csv"), "normexam ~ sex + (1 | school)", "--reference", "sex=X");
        AssertUsageError(r, "Reference level 'X' is not a level of column 'sex'. Its levels: F, M.");
    }

    [Fact]
    public void Unknown_caterpillar_term()
    {
        var r = CliRunner.Run("fit", CliRunner.DataPath("sleepstudy.csv"), "Reaction ~ Days + (Days | Subject)", "--caterpillar", "Subj", "x.svg");
        AssertUsageError(r, "--plot caterpillar:Subj: the model has no random-effects term 'Subj'. Terms: Subject (effects (Intercept), Days).");
    }

    [Theory]
    [InlineData("histogram:Subject", "x.png", "--plot: unknown kind 'histogram'. Kinds: caterpillar, trajectory, residuals, qq")]
    [InlineData("qq:Subj", "x.png", "--plot qq:Subj: the model has no random-effects term 'Subj'. Terms: Subject (effects (Intercept), Days).")]
    [InlineData("caterpillar:Subject[Dayz]", "x.png", "--plot caterpillar:Subject[Dayz]: term 'Subject' has no effect 'Dayz'. Its effects: (Intercept), Days")]
    [InlineData("trajectory:Subject[Hours]", "x.png", "--plot trajectory:Subject[Hours]: no model column 'Hours' to draw the trajectories over. Columns: Days.")]
    [InlineData("trajectory", "x.png", "--plot trajectory needs a random-effects term")]
    [InlineData("residuals:Subject", "x.png", "--plot residuals takes no term")]
    [InlineData("caterpillar:Subject", "x.pdf", "--plot caterpillar:Subject: write figures as .png or .svg; got '")]
    public void Plot_rejects_unknown_kinds_terms_and_formats(string what, string file, string expected)
    {
        var path = Path.Combine(CliRunner.TempDirectory(), file);
        var r = CliRunner.Run("fit", CliRunner.DataPath("sleepstudy.csv"), "Reaction ~ Days + (Days | Subject)", "--plot", what, path);
        AssertUsageError(r, expected);
        Assert.False(File.Exists(path));
        Assert.Equal("", r.Out); // refused before fitting
    }
}
