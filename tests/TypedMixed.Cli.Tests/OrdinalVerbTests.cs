using System.Globalization;
using System.Text.Json;

namespace TypedMixed.Cli.Tests;

/// <summary>
/// The verbs besides <c>fit</c> on ordinal fits of wine: <c>ranef</c> (conditional modes and SDs against clmm's),
/// <c>anova</c> (the likelihood-ratio test between two nested ordinal fits) and <c>predict --type response</c> (category
/// probabilities, recomputed here from the fitted thresholds, β and modes by the logistic formula, and for a new judge by
/// a fine numerical integral over the judge effect).
/// </summary>
public class OrdinalVerbTests
{
    private const string Formula = "rating ~ temp + contact + (1 | judge)";

    private static string Wine => CliRunner.DataPath("wine.csv");

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static double Logistic(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>P(Y = j) for j = 1..5 at linear predictor η, from the thresholds, by the cumulative logit.</summary>
    private static double[] Probabilities(double[] tau, double eta)
    {
        var p = new double[tau.Length + 1];
        double below = 0;
        for (int j = 0; j < tau.Length; j++)
        {
            double cumulative = Logistic(tau[j] - eta);
            p[j] = cumulative - below;
            below = cumulative;
        }
        p[tau.Length] = 1 - below;
        return p;
    }

    private sealed record Estimates(double[] Tau, double TempWarm, double ContactYes, double Variance, Dictionary<string, double> Modes);

    /// <summary>The fit's estimates from <c>fit --json --ranef</c>.</summary>
    private static Estimates FitEstimates()
    {
        var json = Path.Combine(CliRunner.TempDirectory(), "fit.json");
        var (code, _, err) = CliRunner.Run(["fit", Wine, Formula, "--family", "ordinal", "--quiet", "--json", json, "--ranef"]);
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var o = doc.RootElement;
        var tau = o.GetProperty("thresholds").GetProperty("estimate").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var beta = o.GetProperty("fixed_effects").GetProperty("estimate").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        double variance = o.GetProperty("variance_components")[0].GetProperty("vcov").GetDouble();
        var (_, ranef, _) = CliRunner.Run(["ranef", Wine, Formula, "--family", "ordinal", "--quiet"]);
        var modes = Lines(ranef).Skip(1).Select(l => l.Split(',')).ToDictionary(f => f[2], f => Number(f[3]));
        return new Estimates(tau, beta[0], beta[1], variance, modes);
    }

    [Fact]
    public void Ranef_gives_clmm_conditional_modes_and_sds()
    {
        var (code, output, err) = CliRunner.Run(["ranef", Wine, Formula, "--family", "ordinal", "--quiet"]);
        Assert.True(code == 0, err);
        var lines = Lines(output);
        Assert.Equal("grpvar,term,grp,condval,condsd", lines[0]);
        Assert.Equal(10, lines.Length);
        using var reference = JsonDocument.Parse(File.ReadAllText(CliRunner.DataPath("fits", "wine_clmm_Laplace.json")));
        var re = reference.RootElement.GetProperty("random_effects_first_levels").GetProperty("judge");
        var modes = re.GetProperty("cond_mode").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var sds = re.GetProperty("cond_se").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        for (int l = 0; l < 9; l++)
        {
            var f = lines[l + 1].Split(',');
            Assert.Equal(["judge", "(Intercept)", (l + 1).ToString(CultureInfo.InvariantCulture)], f[..3]);
            Assert.True(Math.Abs(Number(f[3]) - modes[l]) < 1e-3 * sds[l], $"judge {l + 1} mode {f[3]} vs clmm {modes[l]}");
            Assert.True(Math.Abs(Number(f[4]) / sds[l] - 1) < 1e-3, $"judge {l + 1} conditional SD {f[4]} vs clmm {sds[l]}");
        }
    }

    [Fact]
    public void Anova_tests_contact_between_nested_ordinal_fits()
    {
        var (code, output, err) = CliRunner.Run(["anova", Wine, "rating ~ temp + (1 | judge)", Formula, "--family", "ordinal", "--quiet", "--format", "json"]);
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        var models = doc.RootElement.GetProperty("models");
        Assert.Equal(2, models.GetArrayLength());
        Assert.Equal(6, models[0].GetProperty("npar").GetInt32());   // 4 thresholds, temp, judge SD
        Assert.Equal(7, models[1].GetProperty("npar").GetInt32());
        double small = models[0].GetProperty("logLik").GetDouble(), large = models[1].GetProperty("logLik").GetDouble();
        Assert.Equal(-81.56541277649568, large, 1e-6 * 81.6);   // the reference's Laplace maximum (wine_clmm_Laplace.json)
        // clmm's anova of the same pair (tests/Data/reference/scripts/ordinal_wine_anova.R): logLik −88.7388151628 and
        // −81.5654092921, LR.stat 14.347 on 1 df, p 0.000152. Ours is at least as high, and within 1e-6 relative.
        Assert.True(small >= -88.7388151628 - 1e-6 * 88.74 && small <= -88.7388151628 + 1e-5 * 88.74, $"temp-only logLik {small:R} vs clmm -88.7388151628");
        Assert.Equal(14.347, models[1].GetProperty("Chisq").GetDouble(), 1e-3);
        Assert.Equal(0.000152, models[1].GetProperty("p").GetDouble(), 1e-6);
        Assert.Equal(2 * (large - small), models[1].GetProperty("Chisq").GetDouble(), 1e-10);
        Assert.Equal(1, models[1].GetProperty("Df").GetInt32());
        Assert.True(models[1].GetProperty("p").GetDouble() < 1e-3);
        Assert.Equal(JsonValueKind.Null, models[1].GetProperty("p_boundary").ValueKind);

        // The text table, as lme4's anova prints it.
        var (textCode, textOut, _) = CliRunner.Run(["anova", Wine, "rating ~ temp + (1 | judge)", Formula, "--family", "ordinal", "--quiet"]);
        Assert.Equal(0, textCode);
        Assert.Contains("Chisq", textOut, StringComparison.Ordinal);
    }

    [Fact]
    public void Predict_type_response_gives_category_probabilities_for_fitted_rows()
    {
        var e = FitEstimates();
        var (code, output, err) = CliRunner.Run(["predict", Wine, Formula, "--family", "ordinal", "--quiet", "--type", "response"]);
        Assert.True(code == 0, err);
        var lines = Lines(output);
        Assert.Equal("row,1,2,3,4,5", lines[0]);
        Assert.Equal(73, lines.Length);
        var data = Lines(File.ReadAllText(Wine)).Skip(1).Select(l => l.Replace("\"", "", StringComparison.Ordinal).Split(',')).ToArray();
        for (int r = 0; r < 72; r++)
        {
            var f = lines[r + 1].Split(',');
            Assert.Equal((r + 1).ToString(CultureInfo.InvariantCulture), f[0]);
            var p = f.Skip(1).Select(Number).ToArray();
            double eta = (data[r][2] == "warm" ? e.TempWarm : 0) + (data[r][3] == "yes" ? e.ContactYes : 0) + e.Modes[data[r][5]];
            var expected = Probabilities(e.Tau, eta);
            for (int j = 0; j < 5; j++) Assert.Equal(expected[j], p[j], 1e-12);
            Assert.Equal(1.0, p.Sum(), 1e-12);
        }
        // The default type is the linear predictor η (without an intercept: the thresholds hold it).
        var (_, link, _) = CliRunner.Run(["predict", Wine, Formula, "--family", "ordinal", "--quiet"]);
        Assert.Equal(e.Modes["1"], Number(Lines(link)[1].Split(',')[1]), 1e-12);
    }

    [Fact]
    public void Predict_new_judges_integrates_their_effect_and_re_form_NA_sets_it_to_zero()
    {
        var e = FitEstimates();
        var dir = CliRunner.TempDirectory();
        var newData = Path.Combine(dir, "new.csv");
        File.WriteAllText(newData, "temp,contact,judge\nwarm,yes,3\nwarm,yes,99\ncold,no,100\n");

        var (refused, _, refusal) = CliRunner.Run(["predict", Wine, Formula, "--family", "ordinal", "--quiet", "--type", "response", "--newdata", newData]);
        Assert.NotEqual(0, refused);
        Assert.Contains("'99'", refusal, StringComparison.Ordinal);
        Assert.Contains("--allow-new-levels", refusal, StringComparison.Ordinal);

        var (code, output, err) = CliRunner.Run(["predict", Wine, Formula, "--family", "ordinal", "--quiet", "--type", "response", "--newdata", newData, "--allow-new-levels", "--format", "json"]);
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(["1", "2", "3", "4", "5"], doc.RootElement.GetProperty("categories").EnumerateArray().Select(c => c.GetString()));
        var rows = doc.RootElement.GetProperty("prediction").EnumerateArray().Select(r => r.EnumerateArray().Select(x => x.GetDouble()).ToArray()).ToArray();
        // Judge 3 is fitted: its conditional mode.
        var known = Probabilities(e.Tau, e.TempWarm + e.ContactYes + e.Modes["3"]);
        for (int j = 0; j < 5; j++) Assert.Equal(known[j], rows[0][j], 1e-12);
        // Judges 99 and 100 are new: ∫ P(Y = j | η + b) N(b; 0, σ²) db by the trapezoid rule on ±12σ, 20,001 points.
        double sd = Math.Sqrt(e.Variance);
        foreach (var (row, eta) in new[] { (1, e.TempWarm + e.ContactYes), (2, 0.0) })
        {
            var integral = new double[5];
            const int points = 20_001;
            double h = 24 * sd / (points - 1);
            for (int k = 0; k < points; k++)
            {
                double b = -12 * sd + k * h;
                double w = (k == 0 || k == points - 1 ? 0.5 : 1) * h * Math.Exp(-0.5 * b * b / e.Variance) / (sd * Math.Sqrt(2 * Math.PI));
                var p = Probabilities(e.Tau, eta + b);
                for (int j = 0; j < 5; j++) integral[j] += w * p[j];
            }
            for (int j = 0; j < 5; j++) Assert.True(Math.Abs(integral[j] - rows[row][j]) < 1e-9, $"new judge row {row + 1}, category {j + 1}: {rows[row][j]:R} vs integral {integral[j]:R}");
        }

        // --re-form NA: every judge at b = 0.
        var (na, naOut, naErr) = CliRunner.Run(["predict", Wine, Formula, "--family", "ordinal", "--quiet", "--type", "response", "--newdata", newData, "--re-form", "NA"]);
        Assert.True(na == 0, naErr);
        var typical = Lines(naOut)[1].Split(',').Skip(1).Select(Number).ToArray();
        var atZero = Probabilities(e.Tau, e.TempWarm + e.ContactYes);
        for (int j = 0; j < 5; j++) Assert.Equal(atZero[j], typical[j], 1e-12);
    }
}
