using System.Globalization;
using System.Text.Json;
using TypedMixed.Cli.Formulas;

namespace TypedMixed.Cli.Tests;

/// <summary>
/// <c>(1 | mm(school1, school2, school3, weights = cbind(w1, w2, w3)))</c> (issue 13): lme4's fits of the shared
/// pupils data through the CLI (JSON and <c>ranef</c>), the parser's errors, and the data errors with row and column.
/// </summary>
public class MultipleMembershipCliTests
{
    private const string Formula = "y ~ x + (1 | mm(school1, school2, school3, weights = cbind(w1, w2, w3)))";

    [Theory]
    [InlineData("mm_pupils_ML", "--ml")]
    [InlineData("mm_pupils_REML", "--reml")]
    public void Cli_json_and_ranef_match_lme4(string fit, string method)
    {
        using var reference = JsonDocument.Parse(File.ReadAllText(CliRunner.DataPath("fits", fit + ".json")));
        var r = reference.RootElement;
        var dir = CliRunner.TempDirectory();
        string json = Path.Combine(dir, "fit.json");
        var (code, stdout, stderr) = CliRunner.Run(["fit", CliRunner.DataPath("mm_pupils.csv"), Formula, method, "--json", json, "--quiet"]);
        Assert.True(code == 0, stderr);
        Assert.Contains("school", stdout);
        using var ours = JsonDocument.Parse(File.ReadAllText(json));
        var o = ours.RootElement;
        Assert.Equal(3000, o.GetProperty("nobs").GetInt32());
        Assert.Equal(100, o.GetProperty("ngroups").GetProperty("school").GetInt32());
        string objective = method == "--reml" ? "REML_criterion" : "deviance";
        Relative(r.GetProperty(objective).GetDouble(), o.GetProperty(objective).GetDouble(), 1e-6, objective);
        Relative(r.GetProperty("logLik").GetDouble(), o.GetProperty("logLik").GetDouble(), 1e-6, "logLik");
        var beta = Numbers(r.GetProperty("fixed_effects").GetProperty("estimate"));
        var se = Numbers(r.GetProperty("fixed_effects").GetProperty("std_error"));
        var ourBeta = Numbers(o.GetProperty("fixed_effects").GetProperty("estimate"));
        for (int c = 0; c < beta.Length; c++)
            Assert.True(Math.Abs(ourBeta[c] - beta[c]) <= 1e-3 * se[c], $"β{c}: {ourBeta[c]:R} vs {beta[c]:R}");
        var rv = r.GetProperty("variance_components").EnumerateArray().ToList();
        var ov = o.GetProperty("variance_components").EnumerateArray().ToList();
        Assert.Equal(rv.Count, ov.Count);
        for (int i = 0; i < rv.Count; i++)
        {
            Assert.Equal(rv[i].GetProperty("group").GetString(), ov[i].GetProperty("group").GetString());
            Relative(rv[i].GetProperty("vcov").GetDouble(), ov[i].GetProperty("vcov").GetDouble(), 1e-3, "vcov " + rv[i].GetProperty("group").GetString());
        }

        // Conditional modes and SDs of the listed schools (ranef, lme4's as.data.frame(ranef(condVar = TRUE)) layout).
        (code, stdout, stderr) = CliRunner.Run(["ranef", CliRunner.DataPath("mm_pupils.csv"), Formula, method]);
        Assert.True(code == 0, stderr);
        var rows = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')).ToDictionary(f => f[2]);
        Assert.Equal(100, rows.Count);
        var levels = r.GetProperty("random_effects_first_levels").GetProperty("school");
        var keys = levels.GetProperty("levels").EnumerateArray().Select(v => v.GetString()!).ToArray();
        var modes = levels.GetProperty("cond_mode").EnumerateArray().Select(v => v[0].GetDouble()).ToArray();
        var sds = levels.GetProperty("cond_se").EnumerateArray().Select(v => v[0].GetDouble()).ToArray();
        for (int j = 0; j < keys.Length; j++)
        {
            double mode = double.Parse(rows[keys[j]][3], CultureInfo.InvariantCulture), sd = double.Parse(rows[keys[j]][4], CultureInfo.InvariantCulture);
            Assert.True(Math.Abs(mode - modes[j]) <= 1e-4, $"school {keys[j]} mode {mode:R} vs {modes[j]:R}");
            Assert.True(Math.Abs(sd - sds[j]) <= 1e-4, $"school {keys[j]} SD {sd:R} vs {sds[j]:R}");
        }
    }

    /// <summary>With a crossed (1 | area): lme4 fed the same weighted Z (tests/Data/reference/scripts/mm_pupils_area.R).</summary>
    [Theory]
    [InlineData("mm_pupils_area_ML", "--ml", "deviance")]
    [InlineData("mm_pupils_area_REML", "--reml", "REML_criterion")]
    public void Crossed_area_matches_lme4(string fit, string method, string objective)
    {
        using var reference = JsonDocument.Parse(File.ReadAllText(CliRunner.DataPath("fits", fit + ".json")));
        var r = reference.RootElement;
        string json = Path.Combine(CliRunner.TempDirectory(), "fit.json");
        var (code, _, stderr) = CliRunner.Run(["fit", CliRunner.DataPath("mm_pupils.csv"), Formula + " + (1 | area)", method, "--json", json, "--quiet"]);
        Assert.True(code == 0, stderr);
        using var ours = JsonDocument.Parse(File.ReadAllText(json));
        var o = ours.RootElement;
        Relative(r.GetProperty("objective").GetDouble(), o.GetProperty(objective).GetDouble(), 1e-6, objective);
        var beta = Numbers(r.GetProperty("beta"));
        var se = Numbers(r.GetProperty("beta_se"));
        var ourBeta = Numbers(o.GetProperty("fixed_effects").GetProperty("estimate"));
        for (int c = 0; c < beta.Length; c++)
            Assert.True(Math.Abs(ourBeta[c] - beta[c]) <= 1e-3 * se[c], $"β{c}: {ourBeta[c]:R} vs {beta[c]:R}");
        var vc = o.GetProperty("variance_components").EnumerateArray().ToDictionary(v => v.GetProperty("group").GetString()!, v => v.GetProperty("vcov").GetDouble());
        Relative(r.GetProperty("var_school").GetDouble(), vc["school"], 1e-3, "school variance");
        Relative(r.GetProperty("var_area").GetDouble(), vc["area"], 1e-3, "area variance");
        Relative(r.GetProperty("sigma2").GetDouble(), vc["Residual"], 1e-3, "residual variance");
        Assert.True(o.GetProperty("multiple_membership").GetProperty("school").GetProperty("weighted_icc").GetDouble() > 0);
    }

    [Fact]
    public void Parser_reads_levels_weights_and_scale()
    {
        var f = FormulaParser.Parse("y ~ x + (1 | mm(school1, school2, weights = cbind(w1, w2), scale = TRUE)) + (1 | area)");
        var mm = f.RandomTerms[0].Membership!;
        Assert.Equal(["school1", "school2"], mm.Levels.Select(v => v.Column));
        Assert.Equal(["w1", "w2"], mm.Weights!.Select(v => v.Column));
        Assert.Equal(MembershipWeighting.Normalize, mm.Weighting);
        Assert.Equal("school", mm.Name);
        Assert.Empty(f.RandomTerms[0].Grouping);
        Assert.Null(f.RandomTerms[1].Membership);
        Assert.Equal(MembershipWeighting.AsGiven, FormulaParser.Parse("y ~ (1 | mm(a, b, scale = FALSE))").RandomTerms[0].Membership!.Weighting);
        Assert.Null(FormulaParser.Parse("y ~ (1 | mm(a, b))").RandomTerms[0].Membership!.Weights);
        Assert.Equal("mm(a, b)", FormulaParser.Parse("y ~ (1 | mm(a, b))").RandomTerms[0].Membership!.Name);
    }

    [Theory]
    [InlineData("y ~ (1 | mm(s1, s2, weights = cbind(w1)))", "2 level column(s) but 1 weight column(s)")]
    [InlineData("y ~ (1 | mm(s1, s2, weights = list(w1, w2)))", "cbind(w1, w2, ...)")]
    [InlineData("y ~ (1 | mm(s1, s2, scale = maybe))", "scale is TRUE")]
    [InlineData("y ~ (1 | mm(s1, s2, wts = cbind(w1, w2)))", "no argument 'wts'")]
    [InlineData("y ~ (1 | mm(s1, s1))", "listed twice")]
    [InlineData("y ~ (1 | mm())", "lists the columns")]
    public void Parser_errors_say_how_to_write_mm(string formula, string expected)
    {
        var e = Assert.Throws<FormulaException>(() => FormulaParser.Parse(formula));
        Assert.Contains(expected, e.Message);
    }

    /// <summary>The pupils CSV with cells replaced (data row <paramref name="row"/>, 1-based; columns by name, joined by '+').</summary>
    private static string Edited(int row, string column, string value)
    {
        var lines = File.ReadAllLines(CliRunner.DataPath("mm_pupils.csv"));
        var header = lines[0].Split(',').Select(h => h.Trim('"')).ToList();
        var cells = lines[row].Split(',');
        foreach (var c in column.Split('+')) cells[header.IndexOf(c)] = value;
        lines[row] = string.Join(',', cells);
        string path = Path.Combine(CliRunner.TempDirectory(), "pupils.csv");
        File.WriteAllLines(path, lines);
        return path;
    }

    [Theory]
    [InlineData(4, "w1", "-1", "'w1' is -1 at row 4", "≥ 0")]
    [InlineData(1, "w2", "0.5", "sum to", "row 1")]
    [InlineData(4, "w2", "0.3", "'w2' is 0.3 but level column 'school2' is empty", "row 4")]
    [InlineData(2, "w3", "", "", "")]
    [InlineData(1, "w3", "", "level column 'school3' has a level but weight column 'w3' is empty", "row 1")]
    [InlineData(4, "school1+w1", "", "no membership", "row 4")]
    [InlineData(4, "w1", "Inf", "finite", "row 4")]
    public void Data_errors_name_the_row_and_column(int row, string column, string value, string expected, string where)
    {
        var path = Edited(row, column, value);
        var (code, _, stderr) = CliRunner.Run(["fit", path, Formula, "--quiet"]);
        if (expected.Length == 0)
        {
            // Row 2 has no third school: emptying its (already empty) w3 changes nothing.
            Assert.True(code == 0, stderr);
            return;
        }
        Assert.NotEqual(0, code);
        Assert.Contains(expected, stderr);
        Assert.Contains(where, stderr);
    }

    [Fact]
    public void Scale_true_accepts_weights_that_do_not_sum_to_one()
    {
        var path = Edited(1, "w2", "0.5");
        var (code, _, stderr) = CliRunner.Run(["fit", path, Formula.Replace("cbind(w1, w2, w3)", "cbind(w1, w2, w3), scale = TRUE"), "--quiet"]);
        Assert.True(code == 0, stderr);
    }

    private static void Relative(double expected, double actual, double tolerance, string what) =>
        Assert.True(Math.Abs(actual - expected) <= tolerance * Math.Abs(expected), $"{what}: expected {expected:R}, got {actual:R}");

    private static double[] Numbers(JsonElement e) => e.EnumerateArray().Select(x => x.GetDouble()).ToArray();
}
