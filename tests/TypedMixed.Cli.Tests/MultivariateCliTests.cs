using System.Text.Json;

namespace TypedMixed.Cli.Tests;

/// <summary>
/// <c>mvbind(written, csework) ~ female + (1 | school)</c> end to end on Gcsemv (wide; tests/Data/reference/Gcsemv.csv,
/// with a <c>female</c> column and the coursework column renamed as the issue spells it), against nlme's bivariate fit
/// (tests/Data/reference/fits/gcsemv_bivariate_ML.json, nlme 3.1.162: logLik −13399.754381919704, β written
/// 49.008397229812374 / −2.4930415387004277, coursework 69.62302908658756 / 6.756701316052929; school covariance
/// 46.564624652286255, 24.93712324031455, 75.19296221635425; residual 124.43343954725036, 72.74872470907346,
/// 180.06960708673498), and its errors.
/// </summary>
public class MultivariateCliTests
{
    /// <summary>Gcsemv with female = 1 for gender F, the coursework column named <c>csework</c>, and optional edits.</summary>
    private static string GcseFile(Func<string[], string[]>? edit = null)
    {
        var lines = File.ReadAllLines(CliRunner.DataPath("Gcsemv.csv"));
        var rows = new List<string> { "school,student,female,written,csework" };
        foreach (var line in lines.Skip(1))
        {
            var f = line.Split(',').Select(s => s.Trim('"')).ToArray();
            string[] row = [f[0], f[1], f[2] == "F" ? "1" : "0", f[3], f[4]];
            rows.Add(string.Join(",", edit?.Invoke(row) ?? row));
        }
        string path = Path.Combine(CliRunner.TempDirectory(), "gcse.csv");
        File.WriteAllLines(path, rows);
        return path;
    }

    [Fact]
    public void Mvbind_on_Gcsemv_matches_nlme_and_writes_lme4_layout_json()
    {
        string json = Path.Combine(CliRunner.TempDirectory(), "fit.json");
        var (code, stdout, stderr) = CliRunner.Run("fit", GcseFile(), "mvbind(written, csework) ~ female + (1 | school)", "--ml", "--json", json, "--quiet");
        Assert.True(code == 0, stderr);
        Assert.Contains("written + csework  1523", stdout);
        Assert.Contains("Against separate univariate models", stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var o = doc.RootElement;
        Assert.Equal(-13399.754381919704, o.GetProperty("logLik").GetDouble(), 1e-6 * 13399.75);
        var fe = o.GetProperty("fixed_effects");
        var names = fe.GetProperty("names").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Equal(["written:(Intercept)", "written:female", "csework:(Intercept)", "csework:female"], names);
        double[] expected = [49.008397229812374, -2.4930415387004277, 69.62302908658756, 6.756701316052929];
        double[] se = [0.9318087072799337, 0.5602972966208711, 1.1719436692968581, 0.6706372166566744];
        var estimate = fe.GetProperty("estimate").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        for (int c = 0; c < 4; c++) Assert.InRange(estimate[c] - expected[c], -1e-3 * se[c], 1e-3 * se[c]);

        var vc = o.GetProperty("variance_components").EnumerateArray().ToArray();
        (string Group, string Var1, string? Var2, double Vcov)[] reference =
        [
            ("school", "written", null, 46.564624652286255), ("school", "csework", null, 75.19296221635425), ("school", "written", "csework", 24.93712324031455),
            ("Residual", "written", null, 124.43343954725036), ("Residual", "csework", null, 180.06960708673498), ("Residual", "written", "csework", 72.74872470907346),
        ];
        Assert.Equal(reference.Length, vc.Length);
        for (int i = 0; i < vc.Length; i++)
        {
            Assert.Equal(reference[i].Group, vc[i].GetProperty("group").GetString());
            Assert.Equal(reference[i].Var1, vc[i].GetProperty("var1").GetString());
            Assert.Equal(reference[i].Var2, vc[i].GetProperty("var2").ValueKind == JsonValueKind.Null ? null : vc[i].GetProperty("var2").GetString());
            double v = vc[i].GetProperty("vcov").GetDouble();
            Assert.InRange(v / reference[i].Vcov - 1, -1e-3, 1e-3);
            double sdcor = vc[i].GetProperty("sdcor").GetDouble();
            if (reference[i].Var2 is null) Assert.Equal(Math.Sqrt(v), sdcor, 1e-12);
            else Assert.InRange(sdcor, 0.4, 0.5);
        }
        Assert.Equal(1905, o.GetProperty("n_units").GetInt32());
        Assert.Equal(3428, o.GetProperty("nobs").GetInt32());
    }

    [Fact]
    public void Design_only_describes_the_stacked_model()
    {
        var (code, stdout, stderr) = CliRunner.Run("fit", GcseFile(), "mvbind(written, csework) ~ female + (1 | school)", "--design-only");
        Assert.True(code == 0, stderr);
        Assert.Contains("1905 rows (0 dropped), responses written, csework, 2 fixed-effect columns per response ((Intercept), female), classifications school [73 levels x 2]", stdout);
    }

    [Theory]
    [InlineData("mvbind(written, written) ~ female + (1 | school)", "Response 'written' is listed twice in mvbind(...)")]
    [InlineData("mvbind(written) ~ female + (1 | school)", "a multivariate model needs at least two")]
    [InlineData("mvbind(written, csework ~ female + (1 | school)", "no ')' closing mvbind(")]
    [InlineData("mvbind(written, csework) ~ female + (female || school)", "'||' (uncorrelated) is not supported with it")]
    [InlineData("mvbind(written, csework) ~ female + (1 | school) + (0 + female | school)", "takes one random term per classification; 'school' has 2")]
    [InlineData("mvbind(written, nosuch) ~ female + (1 | school)", "Column 'nosuch' is not in")]
    public void Formula_errors_name_the_problem(string formula, string message)
    {
        var (code, _, stderr) = CliRunner.Run("fit", GcseFile(), formula, "--quiet");
        Assert.Equal(1, code);
        Assert.Contains(message, stderr);
    }

    [Fact]
    public void A_row_with_no_response_is_named_with_its_line()
    {
        var (code, _, stderr) = CliRunner.Run("fit", GcseFile(r => r[1] == "25" && r[0] == "20920" ? [r[0], r[1], r[2], "NA", "NA"] : r),
            "mvbind(written, csework) ~ female + (1 | school)", "--quiet");
        Assert.Equal(1, code);
        Assert.Contains("row 2 (line 3)", stderr);
        Assert.Contains("has no response: written, csework are all missing", stderr);
    }

    [Fact]
    public void An_all_missing_response_column_is_named()
    {
        var (code2, _, stderr2) = CliRunner.Run("fit", GcseFile(r => [r[0], r[1], r[2], r[3] == "NA" ? "1" : r[3], "NA"]),
            "mvbind(written, csework) ~ female + (1 | school)", "--quiet");
        Assert.Equal(1, code2);
        Assert.Contains("Response 'csework' is missing for every row", stderr2);
    }

    [Fact]
    public void A_text_response_column_is_named()
    {
        var (code, _, stderr) = CliRunner.Run("fit", GcseFile(r => r[0] == "22520" && r[3] != "NA" ? [r[0], r[1], r[2], "high", r[4]] : r),
            "mvbind(written, csework) ~ female + (1 | school)", "--quiet");
        Assert.Equal(1, code);
        Assert.Contains("Response column 'written' is not numeric", stderr);
        Assert.Contains("'high'", stderr);
    }

    [Fact]
    public void Family_and_residual_options_are_refused()
    {
        string file = GcseFile();
        var (code, _, stderr) = CliRunner.Run("fit", file, "mvbind(written, csework) ~ female + (1 | school)", "--family", "poisson", "--quiet");
        Assert.Equal(1, code);
        Assert.Contains("Gaussian responses only", stderr);
        (code, _, stderr) = CliRunner.Run("fit", file, "mvbind(written, csework) ~ female + (1 | school)", "--variance", "varIdent(~ 1 | female)", "--quiet");
        Assert.Equal(1, code);
        Assert.Contains("remove --correlation/--variance", stderr);
    }

    [Fact]
    public void Reml_fit_runs_and_reports_the_REML_criterion()
    {
        string json = Path.Combine(CliRunner.TempDirectory(), "fit.json");
        var (code, _, stderr) = CliRunner.Run("fit", GcseFile(), "mvbind(written, csework) ~ female + (1 | school)", "--json", json, "--quiet");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal("REML", doc.RootElement.GetProperty("method").GetString());
        Assert.Equal(-2 * doc.RootElement.GetProperty("logLik").GetDouble(), doc.RootElement.GetProperty("REML_criterion").GetDouble(), 1e-8);
        // REML variances are a little larger than ML's (school written variance 46.56 under ML).
        Assert.True(doc.RootElement.GetProperty("variance_components")[0].GetProperty("vcov").GetDouble() > 46.56);
    }
}
