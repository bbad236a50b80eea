using System.Text.Json;

namespace TypedMixed.Cli.Tests;

/// <summary>
/// <c>confint --method profile</c> against lme4's <c>confint(profile(fit))</c> (tests/Data/reference/inference,
/// scripts/profile_boot.R) and <c>confint --method boot</c>: reproducible with --seed, with a progress line, and
/// clear errors for options that do not fit together.
/// </summary>
public class ConfintInferenceCliTests
{
    private const string Sleep = "Reaction ~ Days + (Days | Subject)";
    private const string Cbpp = "cbind(incidence, size - incidence) ~ factor(period) + (1 | herd)";

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
    }

    [Fact]
    public void Profile_intervals_equal_lme4s_and_the_plot_is_written()
    {
        string data = CliRunner.DataPath("sleepstudy.csv");
        string plot = Path.Combine(CliRunner.TempDirectory(), "profile.png");
        var r = Ok("confint", data, Sleep, "--method", "profile", "--format", "json", "--profile-plot", plot);
        Assert.Contains("typedmixed: profiled 6 parameters", r.Err);
        Assert.True(new FileInfo(plot).Length > 10_000);
        using var json = JsonDocument.Parse(r.Out);
        var rows = json.RootElement.GetProperty("intervals").EnumerateArray().ToArray();
        using var reference = JsonDocument.Parse(File.ReadAllText(CliRunner.DataPath("inference", "profile_confint.json")));
        var fit = reference.RootElement.GetProperty("fits").EnumerateArray().First(f => f.GetProperty("name").GetString() == "sleepstudy_REML");
        Assert.Equal(["sd_(Intercept)|Subject", "cor_Days.(Intercept)|Subject", "sd_Days|Subject", "sigma", "(Intercept)", "Days"], rows.Select(x => x.GetProperty("name").GetString()));
        for (int i = 0; i < rows.Length; i++)
        {
            double lo = fit.GetProperty("lower95")[i].GetDouble(), hi = fit.GetProperty("upper95")[i].GetDouble();
            Assert.True(Math.Abs(rows[i].GetProperty("lower").GetDouble() - lo) <= 1e-3 * Math.Abs(lo), $"{rows[i]} lower vs {lo}");
            Assert.True(Math.Abs(rows[i].GetProperty("upper").GetDouble() - hi) <= 1e-3 * Math.Abs(hi), $"{rows[i]} upper vs {hi}");
        }
        Assert.Equal(6, json.RootElement.GetProperty("profiles").GetArrayLength());
        var text = Ok("confint", data, Sleep, "--method", "profile", "--level", "0.9", "--quiet").Out;
        Assert.Equal(["Estimate", "5", "%", "95", "%"], text.Split('\n')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("profiled on the ML deviance", text);
    }

    [Fact]
    public void Bootstrap_intervals_repeat_with_the_seed_and_report_progress()
    {
        string data = CliRunner.DataPath("sleepstudy.csv");
        var first = Ok("confint", data, Sleep, "--method", "boot", "--nsim", "40", "--seed", "17", "--format", "json");
        var second = Ok("confint", data, Sleep, "--method", "boot", "--nsim", "40", "--seed", "17", "--format", "json", "--quiet");
        Assert.Equal(first.Out, second.Out);
        Assert.Contains("typedmixed: bootstrap 40 replicates (0 failed), seed 17", first.Err);
        Assert.DoesNotContain("bootstrap", second.Err);
        using var json = JsonDocument.Parse(first.Out);
        Assert.Equal(40, json.RootElement.GetProperty("nsim").GetInt32());
        Assert.Equal("perc", json.RootElement.GetProperty("type").GetString());
        var other = Ok("confint", data, Sleep, "--method", "boot", "--nsim", "40", "--seed", "18", "--format", "json", "--quiet");
        Assert.NotEqual(first.Out, other.Out);
        // Basic intervals reflect the percentile ones about the estimate: lower_basic = 2 t0 − upper_perc.
        var basic = Ok("confint", data, Sleep, "--method", "boot", "--nsim", "40", "--seed", "17", "--boot-type", "basic", "--format", "json", "--quiet");
        using var b = JsonDocument.Parse(basic.Out);
        var p = json.RootElement.GetProperty("intervals").EnumerateArray().ToArray();
        var q = b.RootElement.GetProperty("intervals").EnumerateArray().ToArray();
        for (int i = 0; i < p.Length; i++)
            Assert.Equal(2 * p[i].GetProperty("estimate").GetDouble() - p[i].GetProperty("upper").GetDouble(), q[i].GetProperty("lower").GetDouble(), 9);
    }

    [Fact]
    public void Bootstrap_works_for_a_binomial_model()
    {
        var r = Ok("confint", CliRunner.DataPath("cbpp.csv"), Cbpp, "--family", "binomial", "--method", "boot", "--nsim", "8", "--quiet");
        Assert.Contains("sd_(Intercept)|herd", r.Out);
        Assert.Contains("factor(period)4", r.Out);
        Assert.Contains("fixed effects on the link scale", r.Out);
    }

    [Fact]
    public void Options_that_do_not_fit_together_are_clear_errors()
    {
        string sleep = CliRunner.DataPath("sleepstudy.csv");
        AssertCleanError(CliRunner.Run("confint", sleep, Sleep, "--nsim", "10"), "--nsim applies to bootstrap intervals: add --method boot.");
        AssertCleanError(CliRunner.Run("confint", sleep, Sleep, "--method", "boot", "--nsim", "ten"), "--nsim takes a whole number");
        AssertCleanError(CliRunner.Run("confint", sleep, Sleep, "--method", "boot", "--boot-type", "bca"), "--boot-type takes perc");
        AssertCleanError(CliRunner.Run("confint", sleep, Sleep, "--method", "profile", "--profile-plot", "p.pdf"), "--profile-plot writes a .png or .svg file");
        AssertCleanError(CliRunner.Run("confint", sleep, Sleep, "--profile-plot", "p.png"), "add --method profile");
        AssertCleanError(CliRunner.Run("fit", sleep, Sleep, "--seed", "1"), "--seed does not apply to 'fit'");
        AssertCleanError(CliRunner.Run("confint", CliRunner.DataPath("cbpp.csv"), Cbpp, "--family", "binomial", "--method", "profile"), "use --method boot");
    }
}
