using System.Text.Json;
using TypedMixed.Tests.Reference;

namespace TypedMixed.Tests.Inference;

/// <summary>
/// Profile-likelihood intervals against lme4's <c>confint(profile(fit))</c> (tests/Data/reference/inference/
/// profile_confint.json, written by scripts/profile_boot.R): every SD, correlation, σ and fixed effect, 95% and 90%.
/// </summary>
public sealed class ProfileReferenceTests
{
    private static JsonElement Reference(string fit) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(ReferenceData.DataDir, "inference", "profile_confint.json"))).RootElement
            .GetProperty("fits").EnumerateArray().First(f => f.GetProperty("name").GetString() == fit);

    public static TheoryData<string> Fits() => new(
        "sleepstudy_REML", "sleepstudy_ML", "sleepstudy_uncorr_REML", "penicillin_REML",
        "exam_m1_ML", "exam_m2_ML", "exam_m2_REML", "exam_m3_ML", "exam_m2_randslope_ML",
        "dyestuff_REML", "dyestuff2_REML", "pastes_REML", "sleepstudy_weighted_ML");

    /// <summary>The reference fit's design; the weighted sleepstudy (prior weights <c>w</c>) is built here.</summary>
    private static ModelDesign DesignOf(string fit)
    {
        if (fit != "sleepstudy_weighted_ML") return ReferenceData.ForFit(fit);
        var t = ReferenceData.ReadCsv("sleepstudy_weights.csv");
        var days = ReferenceData.Numbers(t["Days"]);
        var d = ReferenceData.Design("Reaction", ReferenceData.Numbers(t["Reaction"]), [("Days", days)], ReferenceData.Term("Subject", t["Subject"], ("Days", days)));
        return new ModelDesign
        {
            ResponseName = d.ResponseName, Response = d.Response, FixedEffects = d.FixedEffects, FixedEffectNames = d.FixedEffectNames,
            Terms = d.Terms, Weights = ReferenceData.Numbers(t["w"]),
        };
    }

    /// <summary>The design with column <paramref name="name"/> fixed at <paramref name="value"/>: moved into the offset.</summary>
    private static ModelDesign WithFixed(ModelDesign d, string name, double value)
    {
        int n = d.Rows, j = d.FixedEffectNames.ToList().IndexOf(name);
        var keep = Enumerable.Range(0, d.FixedEffectCount).Where(c => c != j).ToArray();
        return new ModelDesign
        {
            ResponseName = d.ResponseName, Response = d.Response, Terms = d.Terms, Weights = d.Weights,
            FixedEffects = keep.SelectMany(c => d.FixedEffects.Skip(c * n).Take(n)).ToArray(),
            FixedEffectNames = keep.Select(c => d.FixedEffectNames[c]).ToArray(),
            Offset = Enumerable.Range(0, n).Select(i => value * d.FixedEffects[j * n + i]).ToArray(),
        };
    }

    [Theory]
    [MemberData(nameof(Fits))]
    public void IntervalsEqualLme4(string fit)
    {
        var reference = Reference(fit);
        var design = DesignOf(fit);
        var profile = LikelihoodProfile.Compute(design);
        // lme4 names the variance parameters .sig01, .sig02, … and .sigma in θ's order, which is ours here.
        Assert.Equal(reference.GetProperty("parameters").GetArrayLength(), profile.Profiles.Count);
        foreach (var (level, lowerKey, upperKey) in new[] { (0.95, "lower95", "upper95"), (0.90, "lower90", "upper90") })
        {
            var intervals = profile.ConfidenceIntervals(level);
            var lower = reference.GetProperty(lowerKey).Doubles();
            var upper = reference.GetProperty(upperKey).Doubles();
            for (int i = 0; i < intervals.Count; i++)
            {
                var ci = intervals[i];
                if (fit == "sleepstudy_weighted_ML" && ci.Kind == ProfileParameterKind.FixedEffect)
                {
                    // lme4 1.1-31 profiles β wrongly under prior weights: its ζ jumps to ±5.7 at the first step, so its
                    // intervals are under 1/10 of the Wald width. Checked directly instead: with βⱼ fixed at an end
                    // (its column moved into the offset) the ML refit's deviance is z² above the optimum's.
                    double z = Distributions.NormalQuantile(1 - (1 - level) / 2);
                    foreach (double end in new[] { ci.Lower, ci.Upper })
                    {
                        double increase = LinearMixedModel.Fit(WithFixed(design, ci.Name, end), FitOptions.MaximumLikelihood).Deviance - profile.MaximumLikelihoodFit.Deviance;
                        Assert.True(Math.Abs(increase - z * z) < 1e-2, $"{ci.Name} at {end:R}: deviance increase {increase:R}, z² {z * z:R}");
                    }
                    continue;
                }
                double width = upper[i] - lower[i];
                ReferenceData.AssertClose(lower[i], ci.Lower, 1e-3, 1e-3 * width, $"{fit} {ci.Name} lower {level}");
                ReferenceData.AssertClose(upper[i], ci.Upper, 1e-3, 1e-3 * width, $"{fit} {ci.Name} upper {level}");
            }
        }
    }

    /// <summary>The signed-root traces: our interpolated ζ at each of lme4's profile points equals lme4's ζ there.</summary>
    [Theory]
    [InlineData("sleepstudy_REML")]
    [InlineData("penicillin_REML")]
    [InlineData("exam_m2_randslope_ML")]
    public void TracesEqualLme4(string fit)
    {
        var reference = Reference(fit);
        var profile = LikelihoodProfile.Compute(ReferenceData.ForFit(fit));
        var traces = reference.GetProperty("traces").EnumerateArray().ToArray();
        var lme4Names = reference.GetProperty("parameters").EnumerateArray().Select(e => e.GetString()).ToList();
        int compared = 0;
        foreach (var trace in traces)
        {
            var ours = profile.Profiles[lme4Names.IndexOf(trace.GetProperty("parameter").GetString())];
            Assert.True(ours.IsMonotone, $"{fit} {ours.Name}: profile not monotone");
            var values = trace.GetProperty("value").Doubles();
            var zeta = trace.GetProperty("zeta").Doubles();
            for (int i = 0; i < values.Length; i++)
            {
                double z = ours.ZetaAt(values[i]);
                if (double.IsNaN(z)) continue; // beyond our trace's last point
                // Equal to 2e-3, or smaller in size by up to 1e-2: at a few points (the Exam random-slope correlation near
                // its estimate) our interpolated ζ is smaller than lme4's, i.e. a lower deviance than lme4's optimizer found.
                bool close = Math.Abs(z - zeta[i]) <= 2e-3 || (Math.Abs(z) < Math.Abs(zeta[i]) && Math.Abs(z - zeta[i]) <= 1e-2);
                Assert.True(close, $"{fit} {ours.Name} at {values[i]:R}: ζ {z:R}, lme4 {zeta[i]:R}");
                compared++;
            }
        }
        Assert.True(compared >= 15 * traces.Length, $"only {compared} points compared");
    }

    [Fact]
    public void ZetaIsZeroAtTheEstimateAndIncreasing()
    {
        var profile = LikelihoodProfile.Compute(ReferenceData.ForFit("sleepstudy_ML"), new ProfileOptions { Parameters = ["sigma", "Days"] });
        Assert.Equal(["sigma", "Days"], profile.Profiles.Select(p => p.Name));
        foreach (var p in profile.Profiles)
        {
            Assert.Equal(0, p.ZetaAt(p.Estimate), 12);
            for (int i = 1; i < p.Zeta.Count; i++) Assert.True(p.Zeta[i] > p.Zeta[i - 1]);
            Assert.True(p.Zeta[0] < -2.58 && p.Zeta[^1] > 2.58, "the trace covers the 99% interval");
            var ci = p.Interval(0.95);
            Assert.True(ci.Lower < p.Estimate && p.Estimate < ci.Upper);
        }
    }

    [Fact]
    public void UnknownParameterIsAClearError()
    {
        var e = Assert.Throws<ArgumentException>(() => LikelihoodProfile.Compute(ReferenceData.ForFit("sleepstudy_ML"), new ProfileOptions { Parameters = ["Day"] }));
        Assert.Contains("'Day'", e.Message);
        Assert.Contains("Days", e.Message);
    }
}
