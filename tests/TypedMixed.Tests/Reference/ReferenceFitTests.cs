using System.Text.Json;

namespace TypedMixed.Tests.Reference;

/// <summary>Every LMM reference fit reproduced, to the project's agreement targets.</summary>
public class ReferenceFitTests
{
    private static (LinearMixedModelFit fit, JsonElement reference) FitReference(string name)
    {
        var reference = ReferenceData.Fit(name);
        var method = reference.GetProperty("method").GetString() == "REML" ? EstimationMethod.Reml : EstimationMethod.MaximumLikelihood;
        var fit = LinearMixedModel.Fit(ReferenceData.ForFit(name), new FitOptions { Method = method });
        return (fit, reference);
    }

    [Theory]
    [MemberData(nameof(ReferenceData.LinearFits), MemberType = typeof(ReferenceData))]
    public void Objective_fixed_effects_and_variance_components_match_lme4(string name)
    {
        var (fit, r) = FitReference(name);
        if (fit.Method == EstimationMethod.Reml)
        {
            ReferenceData.AssertRelative(r.GetProperty("REML_criterion").GetDouble(), fit.RemlCriterion, 1e-6, $"{name} REML criterion");
            ReferenceData.AssertRelative(r.GetProperty("ML_deviance_at_REML_estimates").GetDouble(), fit.Deviance, 1e-6, $"{name} ML deviance at REML estimates");
        }
        else
        {
            ReferenceData.AssertRelative(-2 * r.GetProperty("logLik").GetDouble(), fit.Deviance, 1e-6, $"{name} deviance");
        }
        ReferenceData.AssertRelative(r.GetProperty("logLik").GetDouble(), fit.LogLikelihood, 1e-6, $"{name} logLik");
        ReferenceData.AssertRelative(r.GetProperty("AIC").GetDouble(), fit.Aic, 1e-6, $"{name} AIC");
        ReferenceData.AssertRelative(r.GetProperty("BIC").GetDouble(), fit.Bic, 1e-6, $"{name} BIC");

        var fe = r.GetProperty("fixed_effects");
        var names = fe.GetProperty("names").EnumerateArray().Select(e => e.GetString()!).ToArray();
        var est = fe.GetProperty("estimate").Doubles();
        var se = fe.GetProperty("std_error").Doubles();
        Assert.Equal(names, fit.FixedEffects.Select(f => f.Name).ToArray());
        for (int c = 0; c < names.Length; c++)
        {
            ReferenceData.AssertClose(est[c], fit.FixedEffects[c].Estimate, 1e-5, 1e-7, $"{name} β[{names[c]}]");
            ReferenceData.AssertClose(se[c], fit.FixedEffects[c].StdError, 1e-5, 1e-7, $"{name} SE[{names[c]}]");
        }

        var vcs = r.GetProperty("variance_components").EnumerateArray().ToArray();
        Assert.Equal(vcs.Length, fit.VarianceComponents.Count);
        double scale = fit.VarianceComponents.Max(v => Math.Abs(v.Estimate));
        for (int i = 0; i < vcs.Length; i++)
        {
            var expected = vcs[i];
            var actual = fit.VarianceComponents[i];
            Assert.Equal(expected.GetProperty("kind").GetString(), actual.Kind switch
            {
                VarianceComponentKind.Variance => "variance",
                VarianceComponentKind.Covariance => "covariance",
                _ => "residual_variance",
            });
            // 1e-4 relative; a component that is zero in lme4 (a boundary) must be zero to 1e-4 of the largest one.
            ReferenceData.AssertClose(expected.GetProperty("vcov").GetDouble(), actual.Estimate, 1e-4, 1e-4 * scale * 1e-2,
                $"{name} variance component {i} ({actual.Group} {actual.Var1} {actual.Var2})");
        }
        Assert.Equal(r.GetProperty("is_singular").GetBoolean(), fit.IsSingular);
    }

    [Theory]
    [MemberData(nameof(ReferenceData.LinearFits), MemberType = typeof(ReferenceData))]
    public void Conditional_modes_and_their_standard_deviations_match_lme4(string name)
    {
        var (fit, r) = FitReference(name);
        if (!r.TryGetProperty("random_effects_first_levels", out var re)) return;
        foreach (var group in re.EnumerateObject())
        {
            var term = fit.Term(group.Name);
            var levels = group.Value.GetProperty("levels").EnumerateArray().Select(e => e.GetString()!).ToArray();
            var modes = group.Value.GetProperty("cond_mode").EnumerateArray().Select(e => e.Doubles()).ToArray();
            var ses = group.Value.GetProperty("cond_se").EnumerateArray().Select(e => e.Doubles()).ToArray();
            double scale = modes.SelectMany(m => m).Max(Math.Abs);
            for (int l = 0; l < levels.Length; l++)
            {
                int level = term.LevelKeys.ToList().IndexOf(levels[l]);
                Assert.True(level >= 0, $"level {levels[l]} of {group.Name}");
                for (int c = 0; c < modes[l].Length; c++)
                {
                    ReferenceData.AssertClose(modes[l][c], term.ConditionalModes[level, c], 1e-4, 1e-4 * scale + 1e-10, $"{name} mode {group.Name}[{levels[l]}, {c}]");
                    ReferenceData.AssertClose(ses[l][c], term.ConditionalStdDev(level, c), 1e-4, 1e-6 * scale + 1e-10, $"{name} cond. SD {group.Name}[{levels[l]}, {c}]");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(ReferenceData.LinearFits), MemberType = typeof(ReferenceData))]
    public void Satterthwaite_degrees_of_freedom_match_lmerTest(string name)
    {
        var (fit, r) = FitReference(name);
        if (!r.TryGetProperty("satterthwaite", out var s)) return;
        var df = s.GetProperty("df").Doubles();
        for (int c = 0; c < df.Length; c++)
            ReferenceData.AssertRelative(df[c], fit.FixedEffects[c].SatterthwaiteDf, 1e-4, $"{name} Satterthwaite df[{c}]");
    }
}
