using TypedMixed.Presentation;

namespace TypedMixed.Tests.Presentation;

public class FitSummaryTests
{
    private static string Line(string text, string start) =>
        text.Split('\n').FirstOrDefault(l => l.TrimStart().StartsWith(start, StringComparison.Ordinal)) ?? throw new Xunit.Sdk.XunitException($"no line starting '{start}' in:\n{text}");

    [Fact]
    public void Text_summary_has_the_lme4_sections_and_numbers()
    {
        var fit = FitJsonTests.FitOf("sleepstudy_ML");
        var text = FitSummary.ToText(fit, new FitReportOptions { Formula = "Reaction ~ Days + (Days | Subject)", DataName = "sleepstudy.csv" });
        Assert.StartsWith("Linear mixed model fit by maximum likelihood\n", text);
        Assert.Contains(" Formula: Reaction ~ Days + (Days | Subject)\n", text);
        Assert.Contains("    Data: sleepstudy.csv\n", text);
        Assert.Contains("Random effects:\n", text);
        Assert.Contains("Number of obs: 180, groups:  Subject, 18\n", text);
        Assert.Contains("Fixed effects:\n", text);
        // AIC, BIC, logLik, deviance with two decimals, invariant culture.
        var stats = text.Split('\n').SkipWhile(l => !l.Contains("AIC", StringComparison.Ordinal)).Skip(1).First();
        Assert.Contains(fit.Aic.ToString("F2", System.Globalization.CultureInfo.InvariantCulture), stats);
        Assert.Contains(fit.Deviance.ToString("F2", System.Globalization.CultureInfo.InvariantCulture), stats);
        // Random-effects rows: variance and SD to 4 significant digits, correlation beside the slope.
        var subject = Line(text, "Subject");
        Assert.Contains(NumberText.Sig(fit.Term("Subject").Variance(0)), subject);
        var days = Line(text, "Days");
        Assert.Contains(NumberText.Fixed(fit.Term("Subject").Correlation(0, 1), 2), days);
        var residual = Line(text, "Residual");
        Assert.Contains(NumberText.Sig(fit.ResidualVariance), residual);
        // Fixed effects: estimate, SE, Satterthwaite df and t.
        // (the first Days line after "Fixed effects:"; the correlation of fixed effects below has one too)
        var slope = text.Split('\n').SkipWhile(l => l != "Fixed effects:").First(l => l.TrimStart().StartsWith("Days", StringComparison.Ordinal));
        var b = fit.FixedEffect("Days");
        Assert.Contains(NumberText.Sig(b.Estimate), slope);
        Assert.Contains(NumberText.Sig(b.StdError), slope);
        Assert.Contains(NumberText.Fixed(b.SatterthwaiteDf, 1), slope);
        Assert.Contains($"Optimizer: quasi-Newton (analytic gradient), {fit.Optimizer.Evaluations} evaluations, stopped: converged", text);
        Assert.DoesNotContain(",5", text.Replace(", 5", "", StringComparison.Ordinal)); // no comma decimals
    }

    [Fact]
    public void Reml_summary_reports_the_reml_criterion_and_icc()
    {
        var fit = FitJsonTests.FitOf("pastes_REML");
        var text = FitSummary.ToText(fit);
        Assert.StartsWith("Linear mixed model fit by REML\n", text);
        Assert.Contains("REML criterion", text);
        Assert.Contains(fit.RemlCriterion.ToString("F2", System.Globalization.CultureInfo.InvariantCulture), text);
        Assert.Contains("Intraclass correlation (VPC): cask:batch ", text);
        Assert.Contains("Response: strength", text);
    }

    [Fact]
    public void Singular_fit_prints_warnings()
    {
        var fit = FitJsonTests.FitOf("dyestuff2_REML");
        var text = FitSummary.ToText(fit);
        Assert.Contains("Warnings:\n", text);
        Assert.Contains("singular", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Uncorrelated_groups_print_as_lme4()
    {
        var text = FitSummary.ToText(FitJsonTests.FitOf("sleepstudy_uncorr_REML"));
        Assert.Contains(" Subject.1  Days", text);
    }

    [Fact]
    public void Markdown_has_pipe_tables_with_escaped_cells()
    {
        var fit = FitJsonTests.FitOf("sleepstudy_REML");
        var md = FitSummary.ToMarkdown(fit, new FitReportOptions { Formula = "Reaction ~ Days + (Days | Subject)" });
        Assert.StartsWith("### Linear mixed model fit by REML\n", md);
        Assert.Contains("- **Formula**: `Reaction ~ Days + (Days | Subject)`", md);
        Assert.Contains("#### Random effects\n\n| Groups | Name | Variance | Std.Dev. | Corr | SE(Variance) |\n|:---|:---|---:|---:|---:|---:|\n", md);
        Assert.Contains("| Pr(\\>\\|t\\|) |", md);
        Assert.Contains("| Subject | (Intercept) | ", md);
        var rows = md.Split('\n').Where(l => l.StartsWith('|')).ToList();
        Assert.All(rows, r => Assert.EndsWith("|", r));
    }

    [Theory]
    [InlineData(0.09212345, 4, "0.09212")]
    [InlineData(612.0898, 4, "612.1")]
    [InlineData(-1.5e-6, 3, "-1.50e-06")]
    [InlineData(12345678.0, 4, "1.235e+07")]
    [InlineData(0.0, 4, "0")]
    [InlineData(double.NaN, 4, "NA")]
    [InlineData(9.9999, 2, "10")]
    public void Significant_digits(double x, int digits, string expected) => Assert.Equal(expected, NumberText.Sig(x, digits));

    [Theory]
    [InlineData(0.95213, "0.952")]
    [InlineData(3.3e-6, "3.3e-06")]
    [InlineData(1e-20, "<2e-16")]
    [InlineData(0.99999e-4, "1.0e-04")]
    public void P_values(double p, string expected) => Assert.Equal(expected, NumberText.PValue(p));
}
