using System.Globalization;
using System.Text.Json;
using TypedMixed.Cli.Data;
using TypedMixed.Cli.Design;
using TypedMixed.Cli.Formulas;

namespace TypedMixed.Cli.Tests;

/// <summary>
/// The verbs anova, ranef, predict and confint against lme4's numbers: tests/Data/anova/exam_anova.csv (r/anova.R),
/// the sleepstudy REML reference fit's conditional modes, tests/Data/predict/predict_reference.csv (r/predict.R) and
/// tests/Data/summary (r/summary_blocks.R).
/// </summary>
public class VerbTests
{
    private const string Sleep = "Reaction ~ Days + (Days | Subject)";
    private const string Cbpp = "cbind(incidence, size - incidence) ~ factor(period) + (1 | herd)";

    private static string TestData(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Data", .. parts]);

    private static void Close(double expected, double actual, double relative, string what) =>
        Assert.True(Math.Abs(actual - expected) <= relative * Math.Max(1, Math.Abs(expected)), $"{what}: {actual} vs lme4 {expected}");

    private static (int Code, string Out, string Err) Ok(params string[] args)
    {
        var r = CliRunner.Run(args);
        Assert.True(r.Code == 0, r.Err);
        return r;
    }

    private static void AssertCleanError((int Code, string Out, string Err) r, string expected)
    {
        Assert.Equal(1, r.Code);
        Assert.Contains(expected, r.Err);
        Assert.DoesNotContain("   at ", r.Err);
        Assert.DoesNotContain("Exception", r.Err);
    }

    /// <summary>lme4's anova rows of one set: model, npar, AIC, BIC, logLik, deviance, Chisq, Df, p.</summary>
    private static string[][] AnovaReference(string set) =>
        File.ReadLines(TestData("anova", "exam_anova.csv")).Where(l => l.StartsWith(set + ",", StringComparison.Ordinal)).Select(l => l.Split(',')).ToArray();

    private static double D(string s) => s == "NA" ? double.NaN : double.Parse(s, CultureInfo.InvariantCulture);

    [Fact]
    public void Anova_of_the_Exam_models_2_and_3_fitted_by_REML_reproduces_lme4s_refitted_table()
    {
        // lme4's m3 uses derived 0/1 columns (girl, boysch, girlsch); sex + schgend spans the same columns, so the
        // likelihoods are the same.
        var r = Ok("anova", CliRunner.DataPath("Exam.csv"), "normexam ~ standLRT + sex + schgend + (1 | school)", "normexam ~ standLRT + (1 | school)", "--format", "json", "--quiet");
        using var json = JsonDocument.Parse(r.Out);
        var root = json.RootElement;
        Assert.Equal("ML", root.GetProperty("method").GetString());
        Assert.Equal(["m1", "m2"], root.GetProperty("refitted_by_ML").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(4059, root.GetProperty("nobs").GetInt32());
        var rows = root.GetProperty("models").EnumerateArray().ToArray();
        var expected = AnovaReference("m2_m3");
        Assert.Equal(2, rows.Length);
        // Sorted by complexity: the smaller model (given second) first.
        Assert.Equal(["m2", "m1"], rows.Select(x => x.GetProperty("name").GetString()));
        Assert.Equal("normexam ~ standLRT + (1 | school)", rows[0].GetProperty("formula").GetString());
        for (int i = 0; i < 2; i++)
        {
            var e = expected[i];
            var o = rows[i];
            Assert.Equal(int.Parse(e[2], CultureInfo.InvariantCulture), o.GetProperty("npar").GetInt32());
            Close(D(e[3]), o.GetProperty("AIC").GetDouble(), 1e-8, "AIC");
            Close(D(e[4]), o.GetProperty("BIC").GetDouble(), 1e-8, "BIC");
            Close(D(e[5]), o.GetProperty("logLik").GetDouble(), 1e-8, "logLik");
            Close(D(e[6]), o.GetProperty("deviance").GetDouble(), 1e-8, "deviance");
        }
        Assert.Equal(JsonValueKind.Null, rows[0].GetProperty("Chisq").ValueKind);
        Close(D(expected[1][7]), rows[1].GetProperty("Chisq").GetDouble(), 1e-5, "Chisq");
        Assert.Equal(3, rows[1].GetProperty("Df").GetInt32());
        double p = rows[1].GetProperty("p").GetDouble();
        Assert.True(Math.Abs(p - D(expected[1][9])) <= 2e-4 * D(expected[1][9]), $"p {p}");
    }

    [Fact]
    public void Anova_prints_lme4s_table_as_text_and_markdown()
    {
        string data = CliRunner.DataPath("Exam.csv");
        var text = Ok("anova", data, "normexam ~ standLRT + (1 | school)", "normexam ~ standLRT + sex + schgend + (1 | school)", "--quiet").Out;
        Assert.Contains("Models (refitted by ML instead of REML: m1, m2), 4059 observations:", text);
        var header = text.Split('\n').Single(l => l.Contains("npar", StringComparison.Ordinal));
        Assert.Equal(["npar", "AIC", "BIC", "logLik", "deviance", "Chisq", "Df", "Pr(>Chisq)"], header.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var m2 = text.Split('\n').Single(l => l.StartsWith("m2 ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["m2", "7", "9339.4", "9383.6", "-4662.7", "9325.4", "31.816", "3", "5.723e-07"], m2);
        var markdown = Ok("anova", data, "normexam ~ standLRT + (1 | school)", "normexam ~ standLRT + sex + schgend + (1 | school)", "--markdown", "--quiet").Out;
        Assert.Contains("| m2 | 7 |", markdown);
    }

    [Fact]
    public void Anova_needs_two_formulas_and_refuses_different_data()
    {
        AssertCleanError(CliRunner.Run("anova", CliRunner.DataPath("Exam.csv"), "normexam ~ standLRT + (1 | school)"), "at least two formulas");
        AssertCleanError(CliRunner.Run("anova", CliRunner.DataPath("Exam.csv"), "normexam ~ standLRT + (1 | school)", "standLRT ~ 1 + (1 | school)", "--quiet"),
            "anova: 'm1' and 'm2' model different responses (normexam and standLRT).\n");
    }

    [Fact]
    public void Ranef_csv_matches_lme4s_conditional_modes_and_sds_for_sleepstudy()
    {
        var r = Ok("ranef", CliRunner.DataPath("sleepstudy.csv"), Sleep, "--quiet");
        var lines = r.Out.TrimEnd('\n').Split('\n');
        Assert.Equal("grpvar,term,grp,condval,condsd", lines[0]);
        Assert.Equal(1 + 2 * 18, lines.Length);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToArray();
        using var reference = JsonDocument.Parse(File.ReadAllText(CliRunner.DataPath("fits", "sleepstudy_REML.json")));
        var first = reference.RootElement.GetProperty("random_effects_first_levels").GetProperty("Subject");
        var terms = first.GetProperty("terms").EnumerateArray().Select(t => t.GetString()!).ToArray();
        var levels = first.GetProperty("levels").EnumerateArray().Select(t => t.GetString()!).ToArray();
        var modes = first.GetProperty("cond_mode").EnumerateArray().Select(a => a.EnumerateArray().Select(x => x.GetDouble()).ToArray()).ToArray();
        var sds = first.GetProperty("cond_se").EnumerateArray().Select(a => a.EnumerateArray().Select(x => x.GetDouble()).ToArray()).ToArray();
        int compared = 0;
        for (int k = 0; k < terms.Length; k++)
            for (int l = 0; l < levels.Length; l++)
            {
                // as.data.frame(ranef): by term, then effect, then level.
                var row = rows[k * 18 + l];
                Assert.Equal(["Subject", terms[k], levels[l]], row[..3]);
                Close(modes[l][k], D(row[3]), 1e-4, $"condval {terms[k]} {levels[l]}");
                Close(sds[l][k], D(row[4]), 1e-4, $"condsd {terms[k]} {levels[l]}");
                compared++;
            }
        Assert.Equal(20, compared);
    }

    [Fact]
    public void Ranef_json_and_fit_json_with_ranef_carry_every_level()
    {
        var r = Ok("ranef", CliRunner.DataPath("sleepstudy.csv"), Sleep, "--format", "json", "--quiet");
        using var json = JsonDocument.Parse(r.Out);
        var subject = json.RootElement.GetProperty("ranef").GetProperty("Subject");
        Assert.Equal(["(Intercept)", "Days"], subject.GetProperty("terms").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(18, subject.GetProperty("levels").GetArrayLength());
        Assert.Equal("308", subject.GetProperty("levels")[0].GetString());
        Close(2.258550949901155, subject.GetProperty("cond_mode")[0][0].GetDouble(), 1e-4, "cond_mode 308");
        Close(2.304839020900285, subject.GetProperty("cond_sd")[0][1].GetDouble(), 1e-4, "cond_sd 308 Days");

        string dir = CliRunner.TempDirectory(), path = Path.Combine(dir, "fit.json");
        Ok("fit", CliRunner.DataPath("sleepstudy.csv"), Sleep, "--json", path, "--ranef", "--quiet");
        using var fit = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal(18, fit.RootElement.GetProperty("ranef").GetProperty("Subject").GetProperty("cond_mode").GetArrayLength());
        Ok("fit", CliRunner.DataPath("sleepstudy.csv"), Sleep, "--json", path, "--quiet");
        using var plain = JsonDocument.Parse(File.ReadAllText(path));
        Assert.False(plain.RootElement.TryGetProperty("ranef", out _));
        AssertCleanError(CliRunner.Run("fit", CliRunner.DataPath("sleepstudy.csv"), Sleep, "--ranef"), "give --json <out.json> too");
    }

    private static double[] PredictReference(string set) =>
        File.ReadLines(TestData("predict", "predict_reference.csv")).Where(l => l.StartsWith(set + ",", StringComparison.Ordinal)).Select(l => D(l.Split(',')[2])).ToArray();

    private static double[] Predictions(string csv)
    {
        var lines = csv.TrimEnd('\n').Split('\n');
        Assert.Equal("row,prediction", lines[0]);
        return lines.Skip(1).Select((l, i) =>
        {
            var parts = l.Split(',');
            Assert.Equal((i + 1).ToString(CultureInfo.InvariantCulture), parts[0]);
            return D(parts[1]);
        }).ToArray();
    }

    [Fact]
    public void Predict_for_a_new_subject_fails_without_allow_new_levels_and_matches_lme4_with_it()
    {
        string data = CliRunner.DataPath("sleepstudy.csv"), newdata = TestData("predict", "sleepstudy_new.csv");
        AssertCleanError(CliRunner.Run("predict", data, Sleep, "--newdata", newdata, "--quiet"),
            "Subject has the level '999' at row 3 (line 4) of");
        AssertCleanError(CliRunner.Run("predict", data, Sleep, "--newdata", newdata, "--quiet"), "(classification Subject, key 999). Add --allow-new-levels");

        var conditional = Predictions(Ok("predict", data, Sleep, "--newdata", newdata, "--allow-new-levels", "--quiet").Out);
        var expected = PredictReference("sleepstudy_conditional_new_levels");
        Assert.Equal(4, expected.Length);
        Assert.Equal(expected.Length, conditional.Length);
        for (int i = 0; i < expected.Length; i++) Close(expected[i], conditional[i], 1e-6, $"conditional row {i + 1}");

        var population = Predictions(Ok("predict", data, Sleep, "--newdata", newdata, "--re-form", "NA", "--quiet").Out);
        var expectedPopulation = PredictReference("sleepstudy_population");
        for (int i = 0; i < expectedPopulation.Length; i++) Close(expectedPopulation[i], population[i], 1e-6, $"population row {i + 1}");
        // The new subject's conditional prediction is the population one (b = 0).
        Assert.Equal(population[2], conditional[2], 12);
    }

    [Fact]
    public void Predict_without_newdata_gives_the_fitted_values_and_missing_values_give_NA()
    {
        string data = CliRunner.DataPath("sleepstudy.csv");
        var fitted = Predictions(Ok("predict", data, Sleep, "--quiet").Out);
        Assert.Equal(180, fitted.Length);
        Close(PredictReference("sleepstudy_conditional_new_levels")[0], fitted[0], 1e-6, "row 1 (308, day 0)");

        string dir = CliRunner.TempDirectory(), csv = Path.Combine(dir, "new.csv");
        File.WriteAllText(csv, "Days,Subject\n,308\n3,NA\n");
        var json = Ok("predict", data, Sleep, "--newdata", csv, "--format", "json", "--quiet").Out;
        using var doc = JsonDocument.Parse(json);
        Assert.All(doc.RootElement.GetProperty("prediction").EnumerateArray(), e => Assert.Equal(JsonValueKind.Null, e.ValueKind));
        Assert.Equal("NULL", doc.RootElement.GetProperty("re_form").GetString());
    }

    [Fact]
    public void Predict_glmm_on_link_and_response_scales_matches_lme4_for_cbpp()
    {
        string data = CliRunner.DataPath("cbpp.csv"), newdata = TestData("predict", "cbpp_new.csv");
        // glmer stops its inner iterations earlier than we do: the fits agree to about 1e-3 (see GlmmReferenceFitTests).
        var link = Predictions(Ok("predict", data, Cbpp, "--family", "binomial", "--newdata", newdata, "--allow-new-levels", "--type", "link", "--quiet").Out);
        var expectedLink = PredictReference("cbpp_link_new_levels");
        for (int i = 0; i < 4; i++) Close(expectedLink[i], link[i], 2e-3, $"link row {i + 1}");
        var response = Predictions(Ok("predict", data, Cbpp, "--family", "binomial", "--newdata", newdata, "--allow-new-levels", "--type", "response", "--quiet").Out);
        var expectedResponse = PredictReference("cbpp_response_new_levels");
        for (int i = 0; i < 4; i++)
        {
            Close(expectedResponse[i], response[i], 2e-3, $"response row {i + 1}");
            Assert.Equal(1 / (1 + Math.Exp(-link[i])), response[i], 12);
        }
        var population = Predictions(Ok("predict", data, Cbpp, "--family", "binomial", "--newdata", newdata, "--re-form", "NA", "--type", "response", "--quiet").Out);
        var expectedPopulation = PredictReference("cbpp_response_population");
        for (int i = 0; i < 4; i++) Close(expectedPopulation[i], population[i], 2e-3, $"population row {i + 1}");
        AssertCleanError(CliRunner.Run("predict", data, Cbpp, "--family", "binomial", "--newdata", newdata, "--quiet"), "herd has the level '99'");
    }

    [Fact]
    public void Predict_refuses_new_fixed_levels_and_data_dependent_terms()
    {
        string dir = CliRunner.TempDirectory(), csv = Path.Combine(dir, "new.csv");
        File.WriteAllText(csv, "herd,period\n1,5\n");
        AssertCleanError(CliRunner.Run("predict", CliRunner.DataPath("cbpp.csv"), Cbpp, "--family", "binomial", "--newdata", csv, "--quiet"),
            "factor(period) has the level '5'");
        AssertCleanError(CliRunner.Run("predict", CliRunner.DataPath("sleepstudy.csv"), "Reaction ~ scale(Days) + (1 | Subject)", "--quiet"),
            "predict with scale(Days) is not supported yet");
        AssertCleanError(CliRunner.Run("predict", CliRunner.DataPath("sleepstudy.csv"), Sleep, "--type", "mean"), "--type takes link");
        AssertCleanError(CliRunner.Run("predict", CliRunner.DataPath("sleepstudy.csv"), Sleep, "--re-form", "~(1|Subject)"), "--re-form takes NA");
        AssertCleanError(CliRunner.Run("fit", CliRunner.DataPath("sleepstudy.csv"), Sleep, "--newdata", csv), "--newdata does not apply to 'fit'");
    }

    [Fact]
    public void Confint_gives_Wald_intervals_estimate_plus_minus_z_se()
    {
        string data = CliRunner.DataPath("sleepstudy.csv");
        using var reference = JsonDocument.Parse(File.ReadAllText(CliRunner.DataPath("fits", "sleepstudy_REML.json")));
        var fe = reference.RootElement.GetProperty("fixed_effects");
        foreach (var (level, z) in new[] { (0.95, 1.959963984540054), (0.9, 1.6448536269514722) })
        {
            var r = Ok("confint", data, Sleep, "--format", "json", "--level", level.ToString(CultureInfo.InvariantCulture), "--quiet");
            using var json = JsonDocument.Parse(r.Out);
            Assert.Equal("Wald", json.RootElement.GetProperty("method").GetString());
            var rows = json.RootElement.GetProperty("fixed_effects").EnumerateArray().ToArray();
            Assert.Equal(2, rows.Length);
            for (int i = 0; i < 2; i++)
            {
                double est = rows[i].GetProperty("estimate").GetDouble(), se = rows[i].GetProperty("std_error").GetDouble();
                Assert.Equal(fe.GetProperty("names")[i].GetString(), rows[i].GetProperty("name").GetString());
                Close(fe.GetProperty("estimate")[i].GetDouble(), est, 1e-5, "estimate");
                Close(fe.GetProperty("std_error")[i].GetDouble(), se, 1e-5, "std_error");
                Assert.Equal(est - z * se, rows[i].GetProperty("lower").GetDouble(), 10);
                Assert.Equal(est + z * se, rows[i].GetProperty("upper").GetDouble(), 10);
            }
        }
        var text = Ok("confint", data, Sleep, "--quiet").Out;
        Assert.Equal(["2.5", "%", "97.5", "%"], text.Split('\n')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1));
        Assert.Contains("Profile-likelihood (lme4's default) and bootstrap intervals: --method profile, --method boot.", text);
        Assert.Contains(" 5 %", Ok("confint", data, Sleep, "--level", "0.9", "--markdown", "--quiet").Out);
        AssertCleanError(CliRunner.Run("confint", data, Sleep, "--method", "likelihood"), "--method takes wald, profile or boot");
        AssertCleanError(CliRunner.Run("confint", data, Sleep, "--level", "95"), "--level takes a probability between 0 and 1");
    }

    [Fact]
    public void Glmm_options_work_with_every_verb()
    {
        string data = CliRunner.DataPath("cbpp.csv");
        var ranef = Ok("ranef", data, Cbpp, "--family", "binomial", "--quiet").Out.Split('\n');
        Assert.Equal("grpvar,term,grp,condval,condsd", ranef[0]);
        Assert.StartsWith("herd,(Intercept),1,", ranef[1]);
        var confint = Ok("confint", data, Cbpp, "--family", "binomial", "--quiet").Out;
        Assert.Contains("(on the link scale)", confint);
        var anova = Ok("anova", data, "cbind(incidence, size - incidence) ~ 1 + (1 | herd)", Cbpp, "--family", "binomial", "--format", "json", "--quiet").Out;
        using var json = JsonDocument.Parse(anova);
        var expected = AnovaReference("cbpp_g1_g0");
        var rows = json.RootElement.GetProperty("models").EnumerateArray().ToArray();
        Close(D(expected[1][7]), rows[1].GetProperty("Chisq").GetDouble(), 1e-3, "cbpp Chisq");
        Close(D(expected[0][6]), rows[0].GetProperty("deviance").GetDouble(), 1e-5, "cbpp deviance g0");
    }

    [Fact]
    public void Weighted_scaled_residuals_match_lme4()
    {
        var reference = File.ReadAllLines(TestData("summary", "lme4_summary_blocks.csv"));
        var formula = FormulaParser.Parse(Sleep);
        var built = DesignBuilder.Build(formula, CsvTable.Load(CliRunner.DataPath("sleepstudy_weights.csv")), new DesignOptions { WeightsColumn = "w" });
        var fit = LinearMixedModel.Fit(built.Design);
        Assert.NotNull(fit.PriorWeights);
        var sorted = fit.ScaledResiduals().Order().ToArray();
        var names = new[] { "Min", "1Q", "Median", "3Q", "Max" };
        var probabilities = new[] { 0, 0.25, 0.5, 0.75, 1 };
        for (int i = 0; i < 5; i++)
        {
            double expected = D(reference.Single(l => l.StartsWith($"scaled_residual_weighted,{names[i]},", StringComparison.Ordinal)).Split(',')[2]);
            double h = (sorted.Length - 1) * probabilities[i];
            int lo = (int)Math.Floor(h), hi = Math.Min(lo + 1, sorted.Length - 1);
            Close(expected, sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]), 1e-4, names[i]);
        }
    }

    [Fact]
    public void Usage_lists_every_verb_and_unknown_verbs_name_them()
    {
        var help = Ok("--help").Out;
        foreach (var verb in new[] { "fit", "anova", "ranef", "predict", "confint" }) Assert.Contains("typedmixed " + verb, help);
        var r = CliRunner.Run("lmer", "a.csv", "y ~ (1 | g)");
        Assert.Equal(1, r.Code);
        Assert.Contains("The verbs: fit, anova, ranef, confint, predict.", r.Err);
    }

    [Fact]
    public void Progress_is_quiet_when_stderr_is_redirected_and_a_fit_keeps_its_result_and_errors_on_the_worker_thread()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(["fit", CliRunner.DataPath("sleepstudy.csv"), Sleep], stdout, stderr, ProgressDisplay.ClosingLineOnly);
        Assert.Equal(0, code);
        Assert.DoesNotContain("  evaluation ", stderr.ToString());
        Assert.Matches(@"^typedmixed: \d+ evaluations, REML criterion \d+\.\d{6}, \d+\.\d\d s\n$", stderr.ToString().Replace("\r", "", StringComparison.Ordinal));

        // A fit that ends within the delay shows nothing and returns its value; its exception reaches the caller as
        // itself (so the CLI still maps it to exit code 2), not wrapped in an AggregateException.
        Assert.Equal(42, LiveProgress.Run("deviance", p => { p.Report(new FitProgress(1, 2, 2)); return 42; }));
        var e = Assert.Throws<InvalidOperationException>(() => LiveProgress.Run<int>("deviance", _ => throw new InvalidOperationException("not finite")));
        Assert.Equal("not finite", e.Message);
    }

    [Fact]
    public void Glmm_summary_prints_lme4s_correlation_of_fixed_effects_for_cbpp()
    {
        var text = Ok("fit", CliRunner.DataPath("cbpp.csv"), Cbpp, "--family", "binomial", "--quiet").Out;
        var lines = text.Split('\n');
        int at = Array.IndexOf(lines, "Correlation of Fixed Effects:");
        Assert.True(at > 0, text);
        Assert.Equal(["(Intr)", "fct()2", "fct()3"], lines[at + 1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var reference = File.ReadAllLines(TestData("summary", "lme4_summary_blocks.csv"))
            .Where(l => l.StartsWith("correlation_cbpp,", StringComparison.Ordinal)).Select(l => D(l.Split(',')[2])).ToArray();
        Assert.Equal(6, reference.Length);
        var rows = lines.Skip(at + 2).Take(3).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
        Assert.Equal(["factr(prd)2", "factr(prd)3", "factr(prd)4"], rows.Select(r => r[0]));
        var printed = rows.SelectMany(r => r.Skip(1)).Select(D).ToArray();
        Assert.Equal(6, printed.Length);
        // glmer's vcov comes from its finite-difference Hessian at an optimum ~1e-3 from ours (see GlmmReferenceFitTests):
        // the correlations agree to 0.005.
        for (int k = 0; k < 6; k++) Assert.True(Math.Abs(printed[k] - reference[k]) <= 0.005, $"correlation {k}: {printed[k]} vs lme4 {reference[k]}");
    }
}
