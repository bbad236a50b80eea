using System.Text.Json;

namespace TypedMixed.Cli.Tests;

/// <summary>
/// Ordinal fits through the CLI: wine against ordinal::clmm (Data/reference/fits/wine_clmm_*.json; thresholds and β
/// within 1e-3 SE of the reference's independent Laplace maximum, logLik 1e-6 relative), the JSON thresholds block,
/// --levels reordering the categories (reversed levels mirror the thresholds and flip β), and the errors.
/// </summary>
public class OrdinalCliTests
{
    private const string Formula = "rating ~ temp + contact + (1 | judge)";

    private static JsonDocument Fit(params string[] options)
    {
        var dir = CliRunner.TempDirectory();
        var json = Path.Combine(dir, "fit.json");
        var (code, _, err) = CliRunner.Run(["fit", CliRunner.DataPath("wine.csv"), Formula, "--quiet", "--json", json, .. options]);
        Assert.True(code == 0, err);
        return JsonDocument.Parse(File.ReadAllText(json));
    }

    [Fact]
    public void Wine_laplace_matches_clmm_with_a_thresholds_block()
    {
        using var reference = JsonDocument.Parse(File.ReadAllText(CliRunner.DataPath("fits", "wine_clmm_Laplace.json")));
        var r = reference.RootElement;
        var max = r.GetProperty("laplace_check").GetProperty("laplace_max");
        using var ours = Fit("--family", "ordinal");
        var o = ours.RootElement;
        Assert.Equal("ordinal", o.GetProperty("family").GetString());
        Assert.Equal("logit", o.GetProperty("link").GetString());
        var th = o.GetProperty("thresholds");
        Assert.Equal(["1|2", "2|3", "3|4", "4|5"], th.GetProperty("names").EnumerateArray().Select(e => e.GetString()!).ToArray());
        var est = th.GetProperty("estimate").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var se = th.GetProperty("std_error").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var refTau = max.GetProperty("thresholds").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var refSe = r.GetProperty("thresholds").GetProperty("std_error").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        for (int j = 0; j < 4; j++)
        {
            Assert.True(Math.Abs(est[j] - refTau[j]) <= 1e-3 * refSe[j], $"τ[{j}]");
            Assert.True(Math.Abs(se[j] / refSe[j] - 1) < 1e-2, $"SE τ[{j}] {se[j]} vs {refSe[j]}");
        }
        var beta = o.GetProperty("fixed_effects").GetProperty("estimate").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var refBeta = max.GetProperty("beta").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var refBetaSe = r.GetProperty("fixed_effects").GetProperty("std_error").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        for (int c = 0; c < 2; c++) Assert.True(Math.Abs(beta[c] - refBeta[c]) <= 1e-3 * refBetaSe[c], $"β[{c}]");
        double logLik = max.GetProperty("logLik").GetDouble();
        Assert.True(Math.Abs(o.GetProperty("logLik").GetDouble() - logLik) <= 1e-6 * Math.Abs(logLik));
        Assert.Equal(7, o.GetProperty("logLik_df").GetInt32());
    }

    [Fact]
    public void Quadrature_and_probit_options_reach_the_fit()
    {
        using var agq = Fit("--family", "ordinal", "--nagq", "10");
        Assert.Equal("AGQ", agq.RootElement.GetProperty("method").GetString());
        using var reference = JsonDocument.Parse(File.ReadAllText(CliRunner.DataPath("fits", "wine_clmm_AGQ10.json")));
        double logLik = reference.RootElement.GetProperty("logLik").GetDouble();
        Assert.True(agq.RootElement.GetProperty("logLik").GetDouble() >= logLik - 1e-6 * Math.Abs(logLik));
        using var probit = Fit("--family", "ordinal", "--link", "probit");
        Assert.Equal("probit", probit.RootElement.GetProperty("link").GetString());
        // clmm(link = "probit"): logLik −80.9306071535611 (ordinal 2022.11-16, R 4.2.2; tests/Data/reference/scripts/ordinal_wine.R).
        Assert.Equal(-80.9306071535611, probit.RootElement.GetProperty("logLik").GetDouble(), 1e-4);
    }

    [Fact]
    public void Levels_reversed_mirror_the_thresholds_and_flip_beta()
    {
        using var usual = Fit("--family", "ordinal");
        using var reversed = Fit("--family", "ordinal", "--levels", "5,4,3,2,1");
        var t1 = usual.RootElement.GetProperty("thresholds").GetProperty("estimate").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var t2 = reversed.RootElement.GetProperty("thresholds").GetProperty("estimate").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(["5|4", "4|3", "3|2", "2|1"], reversed.RootElement.GetProperty("thresholds").GetProperty("names").EnumerateArray().Select(e => e.GetString()!).ToArray());
        // The logistic is symmetric: reversing the order negates τ (in reverse) and β; the likelihood is the same.
        for (int j = 0; j < 4; j++) Assert.Equal(-t1[3 - j], t2[j], 2e-3);
        var b1 = usual.RootElement.GetProperty("fixed_effects").GetProperty("estimate")[0].GetDouble();
        var b2 = reversed.RootElement.GetProperty("fixed_effects").GetProperty("estimate")[0].GetDouble();
        Assert.Equal(-b1, b2, 2e-3);
        Assert.Equal(usual.RootElement.GetProperty("logLik").GetDouble(), reversed.RootElement.GetProperty("logLik").GetDouble(), 1e-7);
    }

    [Theory]
    [InlineData("the value \"5\", which --levels", "--family", "ordinal", "--levels", "1,2,3,4")]
    [InlineData("Category '6'", "--family", "ordinal", "--levels", "1,2,3,4,5,6")]
    [InlineData("--levels applies to ordinal responses", "--family", "binomial", "--levels", "1,2")]
    [InlineData("does not take the log link", "--family", "ordinal", "--link", "log")]
    [InlineData("--threshold takes flexible", "--family", "ordinal", "--threshold", "spaced")]
    public void Errors_name_the_problem(string expected, params string[] options)
    {
        var (code, _, err) = CliRunner.Run(["fit", CliRunner.DataPath("wine.csv"), Formula, "--quiet", .. options]);
        Assert.Equal(1, code);
        Assert.Contains(expected, err);
    }

    [Fact]
    public void Two_level_response_says_binary()
    {
        var dir = CliRunner.TempDirectory();
        var path = Path.Combine(dir, "two.csv");
        var lines = File.ReadAllLines(CliRunner.DataPath("wine.csv"));
        File.WriteAllLines(path, lines.Take(1).Concat(lines.Skip(1).Select(l =>
        {
            var f = l.Split(',');
            f[1] = f[1].Trim('"') is "1" or "2" or "3" ? "\"low\"" : "\"high\"";
            return string.Join(",", f);
        })));
        var (code, _, err) = CliRunner.Run(["fit", path, Formula, "--quiet", "--family", "ordinal"]);
        Assert.Equal(1, code);
        Assert.Contains("binary", err);
    }
}
