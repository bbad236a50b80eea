using System.Text.Json;

namespace TypedMixed.Cli.Tests;

/// <summary>
/// Random slopes per response from the CLI: <c>mvbind(written, csework) ~ female + (1 + female | school)</c> on Gcsemv
/// against nlme (tests/Data/reference/fits/gcsemv_slopes_ML.json), the factor spelling <c>(gender | school)</c> (the
/// same model, reparameterised: same logLik), <c>(0 + x | g)</c>, and a constant slope covariate.
/// </summary>
public class MultivariateSlopesCliTests
{
    /// <summary>Gcsemv with gender (F/M), female (1/0), a constant column <c>cohort</c>, coursework named <c>csework</c>.</summary>
    private static string GcseFile()
    {
        var lines = File.ReadAllLines(CliRunner.DataPath("Gcsemv.csv"));
        var rows = new List<string> { "school,student,gender,female,cohort,written,csework" };
        foreach (var line in lines.Skip(1))
        {
            var f = line.Split(',').Select(s => s.Trim('"')).ToArray();
            rows.Add(string.Join(",", f[0], f[1], f[2], f[2] == "F" ? "1" : "0", "1998", f[3], f[4]));
        }
        string path = Path.Combine(CliRunner.TempDirectory(), "gcse.csv");
        File.WriteAllLines(path, rows);
        return path;
    }

    private static JsonDocument Fit(string file, string formula, params string[] extra)
    {
        string json = Path.Combine(CliRunner.TempDirectory(), "fit.json");
        var (code, _, stderr) = CliRunner.Run(["fit", file, formula, "--json", json, "--quiet", .. extra]);
        Assert.True(code == 0, stderr);
        return JsonDocument.Parse(File.ReadAllText(json));
    }

    [Fact]
    public void Random_slopes_per_response_match_nlme_in_lme4_layout()
    {
        using var reference = JsonDocument.Parse(File.ReadAllText(CliRunner.DataPath("fits", "gcsemv_slopes_ML.json")));
        var r = reference.RootElement;
        string file = GcseFile();
        var (code, stdout, stderr) = CliRunner.Run("fit", file, "mvbind(written, csework) ~ female + (1 + female | school)", "--ml", "--quiet");
        Assert.True(code == 0, stderr);
        Assert.Contains("written:female", stdout);
        Assert.Contains("VPC below: at the random covariates' value 0", stdout);
        using var doc = Fit(file, "mvbind(written, csework) ~ female + (1 + female | school)", "--ml");
        var o = doc.RootElement;
        double ll = r.GetProperty("logLik").GetDouble();
        Assert.InRange(o.GetProperty("logLik").GetDouble() - ll, -1e-6 * Math.Abs(ll), 1e-6 * Math.Abs(ll));
        Assert.Equal(17, o.GetProperty("logLik_df").GetInt32());

        // School: nlme's order (written, course, written:female, course:female) → ours by response.
        var g = r.GetProperty("school_cov");
        string[] names = ["written:(Intercept)", "written:female", "csework:(Intercept)", "csework:female"];
        int[] map = [0, 2, 1, 3];
        var vc = o.GetProperty("variance_components").EnumerateArray().Where(v => v.GetProperty("group").GetString() == "school").ToArray();
        Assert.Equal(10, vc.Length);
        int i = 0;
        for (int a = 0; a < 4; a++, i++)
        {
            Assert.Equal(names[a], vc[i].GetProperty("var1").GetString());
            Assert.Equal(JsonValueKind.Null, vc[i].GetProperty("var2").ValueKind);
            Assert.InRange(vc[i].GetProperty("vcov").GetDouble() / g[map[a]][map[a]].GetDouble() - 1, -1e-3, 1e-3);
        }
        for (int b = 0; b < 4; b++)
            for (int a = b + 1; a < 4; a++, i++)
            {
                Assert.Equal((names[b], names[a]), (vc[i].GetProperty("var1").GetString(), vc[i].GetProperty("var2").GetString()));
                Assert.InRange(vc[i].GetProperty("vcov").GetDouble() / g[map[a]][map[b]].GetDouble() - 1, -1e-3, 1e-3);
            }
        Assert.Equal(names, o.GetProperty("levels").GetProperty("school").GetProperty("names").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(5, o.GetProperty("separate_models_test").GetProperty("df").GetInt32());
    }

    [Fact]
    public void Factor_spelling_names_effects_as_the_fixed_part_and_gives_the_same_likelihood()
    {
        string file = GcseFile();
        using var numeric = Fit(file, "mvbind(written, csework) ~ female + (1 + female | school)", "--ml");
        using var factor = Fit(file, "mvbind(written, csework) ~ gender + (gender | school)", "--ml");
        var o = factor.RootElement;
        Assert.Contains("written:genderM", o.GetProperty("fixed_effects").GetProperty("names").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["written:(Intercept)", "written:genderM", "csework:(Intercept)", "csework:genderM"],
            o.GetProperty("levels").GetProperty("school").GetProperty("names").EnumerateArray().Select(e => e.GetString()));
        // genderM = 1 − female: the same model, so the same maximum; the slope variances agree, the intercepts move.
        double a = numeric.RootElement.GetProperty("logLik").GetDouble(), b = o.GetProperty("logLik").GetDouble();
        Assert.InRange(a - b, -1e-6 * Math.Abs(a), 1e-6 * Math.Abs(a));
        var ca = numeric.RootElement.GetProperty("levels").GetProperty("school").GetProperty("cov");
        var cb = o.GetProperty("levels").GetProperty("school").GetProperty("cov");
        foreach (int k in new[] { 1, 3 })
            Assert.InRange(cb[k][k].GetDouble() / ca[k][k].GetDouble() - 1, -2e-3, 2e-3);
    }

    [Fact]
    public void Slopes_only_term_fits()
    {
        using var doc = Fit(GcseFile(), "mvbind(written, csework) ~ female + (0 + female | school)", "--ml");
        var o = doc.RootElement;
        Assert.Equal(["written:female", "csework:female"], o.GetProperty("levels").GetProperty("school").GetProperty("names").EnumerateArray().Select(e => e.GetString()));
        // No school intercept: the school's share at female = 0 is 0.
        Assert.Equal(0, o.GetProperty("vpc").GetProperty("written").GetProperty("estimate")[0].GetDouble());
        Assert.True(o.GetProperty("levels").GetProperty("school").GetProperty("cov")[0][0].GetDouble() > 0);
    }

    [Fact]
    public void Design_only_lists_the_slopes()
    {
        var (code, stdout, stderr) = CliRunner.Run("fit", GcseFile(), "mvbind(written, csework) ~ female + (1 + female | school)", "--design-only");
        Assert.True(code == 0, stderr);
        Assert.Contains("school [73 levels x 2 x ((Intercept), female)]", stdout);
    }

    [Fact]
    public void A_constant_slope_covariate_is_named_with_the_fix()
    {
        var (code, _, stderr) = CliRunner.Run("fit", GcseFile(), "mvbind(written, csework) ~ female + (1 + cohort | school)", "--quiet");
        Assert.Equal(1, code);
        Assert.Contains("Random covariate 'cohort' of classification 'school' is 1998 for every row with response 'written'", stderr);
        Assert.Contains("Remove 'cohort' from (1 + cohort | school)", stderr);
    }
}
