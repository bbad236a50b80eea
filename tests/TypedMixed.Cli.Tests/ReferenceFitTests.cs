using System.Globalization;
using System.Text;
using System.Text.Json;
using TypedMixed.Cli.Data;

namespace TypedMixed.Cli.Tests;

/// <summary>
/// Runs the CLI on each reference dataset with the formula of each lme4 fit in <c>Data/reference/fits</c> and compares
/// the JSON it writes with lme4's: the objective (deviance or REML criterion) to 1e-6 relative, β and their SEs to
/// 1e-5 relative, variance components to 1e-4 relative. Our optimum must be at least as good as lme4's; where it is
/// better by more than rounding (lme4 stopped early on a flat objective: sleepstudy_ML, penicillin_REML,
/// exam_m2_randslope_ML), the estimates are compared at <see cref="EarlyStopTolerance"/>, as the runtime's reference tests do.
/// </summary>
public class ReferenceFitTests
{
    /// <summary>Relative tolerance for estimates when lme4's optimum is measurably worse than ours.</summary>
    private const double EarlyStopTolerance = 1e-3;

    public static TheoryData<string, string, string, string[]> Cases() => new()
    {
        { "exam_m1_ML", "Exam.csv", "normexam ~ 1 + (1 | school)", [] },
        { "exam_m2_ML", "Exam.csv", "normexam ~ standLRT + (1 | school)", [] },
        { "exam_m2_REML", "Exam.csv", "normexam ~ standLRT + (1 | school)", [] },
        { "exam_m2_randslope_ML", "Exam.csv", "normexam ~ standLRT + (standLRT | school)", [] },
        // lme4's model used derived 0/1 columns; the test writes them (see DerivedExamCsv) and uses the same formula.
        { "exam_m3_ML", "ExamDerived.csv", "normexam ~ standLRT + girl + boysch + girlsch + (1 | school)", [] },
        { "sleepstudy_ML", "sleepstudy.csv", "Reaction ~ Days + (Days | Subject)", [] },
        { "sleepstudy_REML", "sleepstudy.csv", "Reaction ~ Days + (Days | Subject)", [] },
        { "sleepstudy_uncorr_ML", "sleepstudy.csv", "Reaction ~ Days + (Days || Subject)", [] },
        { "sleepstudy_uncorr_REML", "sleepstudy.csv", "Reaction ~ Days + (Days || Subject)", [] },
        { "dyestuff_ML", "Dyestuff.csv", "Yield ~ 1 + (1 | Batch)", [] },
        { "dyestuff_REML", "Dyestuff.csv", "Yield ~ 1 + (1 | Batch)", [] },
        { "dyestuff2_ML", "Dyestuff2.csv", "Yield ~ 1 + (1 | Batch)", [] },
        { "dyestuff2_REML", "Dyestuff2.csv", "Yield ~ 1 + (1 | Batch)", [] },
        { "penicillin_REML", "Penicillin.csv", "diameter ~ 1 + (1 | plate) + (1 | sample)", [] },
        { "pastes_REML", "Pastes.csv", "strength ~ 1 + (1 | batch/cask)", [] },
        // Formula functions, prior weights and offsets (scripts/formula_functions.R).
        { "sleepstudy_logpoly_REML", "sleepstudy.csv", "log(Reaction) ~ poly(Days, 2) + (1 | Subject)", [] },
        { "sleepstudy_logpoly_ML", "sleepstudy.csv", "log(Reaction) ~ poly(Days, 2) + (1 | Subject)", [] },
        { "sleepstudy_weighted_REML", "sleepstudy_weights.csv", "Reaction ~ Days + (Days | Subject)", ["--weights", "w"] },
        { "sleepstudy_weighted_ML", "sleepstudy_weights.csv", "Reaction ~ Days + (Days | Subject)", ["--weights", "w"] },
        { "sleepstudy_weighted_offset_ML", "sleepstudy_weights.csv", "Reaction ~ Days + offset(2 * Days) + (Days | Subject)", ["--weights", "w"] },
        { "exam_offset_REML", "Exam.csv", "normexam ~ sex + offset(0.5 * standLRT) + (1 | school)", [] },
        { "exam_offset_ML", "Exam.csv", "normexam ~ sex + offset(0.5 * standLRT) + (1 | school)", [] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Cli_json_matches_lme4(string fit, string data, string formula, string[] extra)
    {
        using var reference = JsonDocument.Parse(File.ReadAllText(CliRunner.DataPath("fits", fit + ".json")));
        var r = reference.RootElement;
        Assert.Equal(formula, r.GetProperty("formula").GetString());
        using var ours = RunCli(fit, data, formula, extra);
        var o = ours.RootElement;
        CompareWithReference(r, o, nameMap: null);
    }

    [Fact]
    public void Exam_m3_from_the_original_columns_with_chosen_reference_levels()
    {
        // girl = (sex == F), boysch / girlsch = schgend dummies with mixed as reference: the same model as
        // sex + schgend with reference levels M and mixed, whose columns R would call sexF, schgendboys, schgendgirls.
        using var reference = JsonDocument.Parse(File.ReadAllText(CliRunner.DataPath("fits", "exam_m3_ML.json")));
        using var ours = RunCli("exam_m3_ML", "Exam.csv", "normexam ~ standLRT + sex + schgend + (1 | school)",
            ["--reference", "sex=M", "--reference", "schgend=mixed"]);
        var map = new Dictionary<string, string> { ["sexF"] = "girl", ["schgendboys"] = "boysch", ["schgendgirls"] = "girlsch" };
        CompareWithReference(reference.RootElement, ours.RootElement, map);
    }

    private static JsonDocument RunCli(string fit, string data, string formula, string[] extra)
    {
        var dir = CliRunner.TempDirectory();
        string csv = data == "ExamDerived.csv" ? DerivedExamCsv(dir) : CliRunner.DataPath(data);
        string json = Path.Combine(dir, fit + ".json");
        string method = fit.EndsWith("_REML", StringComparison.Ordinal) ? "--reml" : "--ml";
        var (code, stdout, stderr) = CliRunner.Run(["fit", csv, formula, method, "--json", json, "--quiet", .. extra]);
        Assert.True(code == 0, $"exit code {code}: {stderr}");
        Assert.Contains("Random effects:", stdout);
        return JsonDocument.Parse(File.ReadAllText(json));
    }

    private static void CompareWithReference(JsonElement r, JsonElement o, Dictionary<string, string>? nameMap)
    {
        bool reml = r.GetProperty("method").GetString() == "REML";
        Assert.Equal(r.GetProperty("method").GetString(), o.GetProperty("method").GetString());
        Assert.Equal(r.GetProperty("nobs").GetInt32(), o.GetProperty("nobs").GetInt32());
        Assert.Equal(
            r.GetProperty("ngroups").EnumerateObject().Select(p => (p.Name, p.Value.GetInt32())).OrderBy(p => p.Name),
            o.GetProperty("ngroups").EnumerateObject().Select(p => (p.Name, p.Value.GetInt32())).OrderBy(p => p.Name));

        // Objective: 1e-6 relative, and never worse than lme4's.
        string objective = reml ? "REML_criterion" : "deviance";
        double lme4Objective = r.GetProperty(objective).GetDouble(), ourObjective = o.GetProperty(objective).GetDouble();
        Close(r, o, objective, 1e-6);
        Close(r, o, "logLik", 1e-6);
        Assert.True(ourObjective <= lme4Objective + 1e-10 * Math.Abs(lme4Objective), $"our {objective} {ourObjective:R} is worse than lme4's {lme4Objective:R}");
        bool lme4StoppedEarly = ourObjective < lme4Objective - 1e-12 * Math.Abs(lme4Objective);
        double feTol = lme4StoppedEarly ? EarlyStopTolerance : 1e-5, vcTol = lme4StoppedEarly ? EarlyStopTolerance : 1e-4;

        // Fixed effects: names, β and SE to 1e-5 relative (plus 1e-5 SE for estimates near zero).
        var rf = r.GetProperty("fixed_effects");
        var of = o.GetProperty("fixed_effects");
        var names = Strings(of.GetProperty("names")).Select(n => nameMap?.GetValueOrDefault(n) ?? n).ToArray();
        Assert.Equal(Strings(rf.GetProperty("names")), names);
        var se = Numbers(rf.GetProperty("std_error"));
        AllClose("std_error", Numbers(rf.GetProperty("std_error")), Numbers(of.GetProperty("std_error")), feTol, 0);
        AllClose("estimate", Numbers(rf.GetProperty("estimate")), Numbers(of.GetProperty("estimate")), feTol, se.Select(s => feTol * s).ToArray());

        // Variance components: lme4's rows (group, var1, var2, kind), values to 1e-4 relative.
        var rv = r.GetProperty("variance_components").EnumerateArray().ToList();
        var ov = o.GetProperty("variance_components").EnumerateArray().ToList();
        Assert.Equal(rv.Select(Key), ov.Select(Key));
        double sigma2 = rv[^1].GetProperty("vcov").GetDouble();
        for (int i = 0; i < rv.Count; i++)
        {
            var kind = rv[i].GetProperty("kind").GetString();
            double expected = rv[i].GetProperty("vcov").GetDouble(), actual = ov[i].GetProperty("vcov").GetDouble();
            Within($"vcov {Key(rv[i])}", expected, actual, vcTol, 1e-9 * sigma2);
            double esd = rv[i].GetProperty("sdcor").GetDouble(), asd = ov[i].GetProperty("sdcor").GetDouble();
            Within($"sdcor {Key(rv[i])}", esd, asd, vcTol, kind == "covariance" ? vcTol : 1e-4 * Math.Sqrt(sigma2));
        }
        Within("sigma", r.GetProperty("sigma").GetDouble(), o.GetProperty("sigma").GetDouble(), vcTol, 0);
        Assert.Equal(r.GetProperty("is_singular").GetBoolean(), o.GetProperty("is_singular").GetBoolean());

        // θ, loosely (it determines the variance components checked above).
        AllClose("theta", Numbers(r.GetProperty("theta").GetProperty("values")), Numbers(o.GetProperty("theta").GetProperty("values")), lme4StoppedEarly ? 1e-2 : 1e-3, 1e-4);
        Assert.Equal(r.GetProperty("theta").GetProperty("lower").EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null),
                     o.GetProperty("theta").GetProperty("lower").EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null));
    }

    private static string Key(JsonElement e) =>
        $"{e.GetProperty("group").GetString()}|{e.GetProperty("var1").GetString()}|{e.GetProperty("var2").GetString()}|{e.GetProperty("kind").GetString()}";

    private static void Close(JsonElement r, JsonElement o, string name, double rel) =>
        Within(name, r.GetProperty(name).GetDouble(), o.GetProperty(name).GetDouble(), rel, 0);

    private static void Within(string what, double expected, double actual, double rel, double abs) =>
        Assert.True(Math.Abs(actual - expected) <= rel * Math.Abs(expected) + abs,
            string.Create(CultureInfo.InvariantCulture, $"{what}: expected {expected:R}, got {actual:R} (relative difference {Math.Abs(actual - expected) / Math.Abs(expected):E2})"));

    private static void AllClose(string what, double[] expected, double[] actual, double rel, double abs) =>
        AllClose(what, expected, actual, rel, Enumerable.Repeat(abs, expected.Length).ToArray());

    private static void AllClose(string what, double[] expected, double[] actual, double rel, double[] abs)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Within($"{what}[{i}]", expected[i], actual[i], rel, abs[i]);
    }

    private static string[] Strings(JsonElement e) => e.EnumerateArray().Select(x => x.GetString()!).ToArray();

    private static double[] Numbers(JsonElement e) => e.EnumerateArray().Select(x => x.GetDouble()).ToArray();

    /// <summary>Exam with lme4's derived columns: girl = (sex == F), boysch = (schgend == boys), girlsch = (schgend == girls).</summary>
    private static string DerivedExamCsv(string dir)
    {
        var exam = CsvTable.Load(CliRunner.DataPath("Exam.csv"));
        var sb = new StringBuilder("normexam,standLRT,girl,boysch,girlsch,school\n");
        for (int i = 0; i < exam.RowCount; i++)
        {
            string sex = exam.Column("sex").Raw[i]!, schgend = exam.Column("schgend").Raw[i]!;
            sb.Append(exam.Column("normexam").Raw[i]).Append(',').Append(exam.Column("standLRT").Raw[i]).Append(',')
              .Append(sex == "F" ? 1 : 0).Append(',').Append(schgend == "boys" ? 1 : 0).Append(',').Append(schgend == "girls" ? 1 : 0).Append(',')
              .Append(exam.Column("school").Raw[i]).Append('\n');
        }
        string path = Path.Combine(dir, "ExamDerived.csv");
        File.WriteAllText(path, sb.ToString());
        return path;
    }
}
