using System.Text.Json;

namespace TypedMixed.Cli.Tests;

/// <summary>
/// End-to-end agreement of <c>--correlation</c> and <c>--variance</c> fits with nlme, through the JSON output.
/// </summary>
/// <remarks>
/// Reference numbers are copied from tests/Data/reference/fits (from /work/shared/reference/fits):
/// sleepstudy_nlme_ri_ar1_ML.json — nlme 3.1.162 lme(Reaction ~ Days, random = ~1|Subject,
/// correlation = corAR1(form = ~Days|Subject), method = 'ML'): logLik −872.4150448429699, Phi 0.6414239926238023;
/// exam_varident_sex_ML.json — nlme 3.1.162 lme(normexam ~ standLRT + sex, random = ~1|school,
/// weights = varIdent(form = ~1|sex), method = 'ML'): logLik −4662.595196856757, SD ratio of M to F 1.0512999459414587.
/// </remarks>
public class ResidualStructureReferenceTests
{
    private static JsonElement FitJson(string data, string formula, params string[] options)
    {
        string json = Path.Combine(CliRunner.TempDirectory(), "fit.json");
        var (code, _, stderr) = CliRunner.Run(["fit", CliRunner.DataPath(data), formula, "--ml", "--json", json, "--quiet", .. options]);
        Assert.True(code == 0, $"exit code {code}: {stderr}");
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        return doc.RootElement.Clone();
    }

    [Fact]
    public void Sleepstudy_random_intercept_with_AR1_residuals_matches_nlme()
    {
        var o = FitJson("sleepstudy.csv", "Reaction ~ Days + (1 | Subject)", "--correlation", "corAR1(form = ~ Days | Subject)");
        Assert.Equal(-872.4150448429699, o.GetProperty("logLik").GetDouble(), 1e-4);
        var c = o.GetProperty("residual_correlation");
        Assert.Equal("corAR1", c.GetProperty("structure").GetString());
        Assert.Equal(0.6414239926238023, c.GetProperty("parameter").GetDouble(), 1e-4);
    }

    [Fact]
    public void Exam_varIdent_by_sex_matches_nlme()
    {
        var o = FitJson("Exam.csv", "normexam ~ standLRT + sex + (1 | school)", "--variance", "varIdent(~ 1 | sex)");
        Assert.Equal(-4662.595196856757, o.GetProperty("logLik").GetDouble(), 1e-4);
        var v = o.GetProperty("variance_function");
        Assert.Equal("varIdent", v.GetProperty("structure").GetString());
        Assert.Equal(1.0512999459414587, v.GetProperty("parameters").GetProperty("M").GetDouble(), 1e-4);
    }
}
