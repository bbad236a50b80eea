using System.Globalization;
using System.Text.RegularExpressions;

namespace TypedMixed.Cli.Tests;

/// <summary>
/// <c>--optimizer</c> (lmerControl(optimizer =)): by default the library's choice (quasi-Newton on sleepstudy), each
/// optimizer when forced, the same optimum from both, and a clear error for a misspelling or a generalized model.
/// </summary>
public class OptimizerOptionTests
{
    private static (string Optimizer, double Criterion) FitWith(params string[] options)
    {
        var r = CliRunner.Run(["fit", CliRunner.DataPath("sleepstudy.csv"), "Reaction ~ Days + (Days | Subject)", "--quiet", .. options]);
        Assert.True(r.Code == 0, r.Err);
        var m = Regex.Match(r.Out, @"Optimizer: (.+?), \d+ evaluations, stopped: converged; REML criterion [0-9.]+ at the start, ([0-9.]+) at the end");
        Assert.True(m.Success, r.Out);
        return (m.Groups[1].Value, double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Default_and_forced_optimizers_reach_the_same_optimum()
    {
        var byDefault = FitWith();
        var bobyqa = FitWith("--optimizer", "bobyqa");
        var qn = FitWith("--optimizer", "quasi-newton");
        Assert.Equal("quasi-Newton (analytic gradient)", byDefault.Optimizer);
        Assert.Equal("BOBYQA", bobyqa.Optimizer);
        Assert.Equal("quasi-Newton (analytic gradient)", qn.Optimizer);
        // lme4: REML criterion 1743.6283 (printed to 4 decimals).
        Assert.Equal(1743.6283, bobyqa.Criterion, 4);
        Assert.Equal(bobyqa.Criterion, qn.Criterion, 4);
    }

    [Fact]
    public void Misspelled_optimizer_is_named_with_the_choices()
    {
        var r = CliRunner.Run("fit", CliRunner.DataPath("sleepstudy.csv"), "Reaction ~ Days + (1 | Subject)", "--optimizer", "nelder-mead");
        Assert.Equal(1, r.Code);
        Assert.Contains("--optimizer takes bobyqa or quasi-newton; got 'nelder-mead'", r.Err);
        Assert.DoesNotContain("   at ", r.Err);
    }

    [Fact]
    public void Optimizer_with_a_generalized_family_is_refused()
    {
        var r = CliRunner.Run("fit", CliRunner.DataPath("cbpp.csv"), "cbind(incidence, size - incidence) ~ period + (1 | herd)", "--family", "binomial", "--optimizer", "bobyqa");
        Assert.Equal(1, r.Code);
        Assert.Contains("--optimizer applies to linear (Gaussian) models", r.Err);
        Assert.DoesNotContain("   at ", r.Err);
    }
}
