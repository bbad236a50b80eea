using System.Text.Json;
using TypedMixed.Generators.Tests.Infrastructure;
using TypedMixed.Generators.Tests.Models;

namespace TypedMixed.Generators.Tests;

/// <summary>
/// The multiple-membership declaration (Models/Memberships.cs) fitted through the generated code on
/// tests/Data/reference/mm_pupils.csv and compared with lme4 fed the weighted membership matrix
/// (fits/mm_pupils_ML.json, mm_pupils_REML.json; lme4 1.1.31, R 4.2.2): log-likelihood or REML criterion within 1e-6
/// relative, β within 1e-3 SE, variances within 1e-3 relative, the listed schools' conditional modes within 1e-4.
/// Also the builder's checks, which name the record and the member.
/// </summary>
public class MembershipEndToEndTests
{
    private static readonly Lazy<MmPupil[]> PupilRows = new(() => ReferenceData.Csv("mm_pupils.csv").Select(r =>
    {
        var schools = new List<Membership<int>>();
        for (int k = 1; k <= 3; k++)
            if (r["school" + k].Length > 0)
                schools.Add(new Membership<int>(int.Parse(r["school" + k], System.Globalization.CultureInfo.InvariantCulture), ReferenceData.Number(r["w" + k])));
        return new MmPupil(ReferenceData.Number(r["y"]), ReferenceData.Number(r["x"]), schools, int.Parse(r["area"], System.Globalization.CultureInfo.InvariantCulture));
    }).ToArray());

    private static MmPupil[] Pupils => PupilRows.Value;

    [Theory]
    [InlineData("mm_pupils_ML")]
    [InlineData("mm_pupils_REML")]
    public void Pupils_match_lme4(string reference)
    {
        var expected = ReferenceData.Fit(reference);
        bool reml = reference.EndsWith("REML", StringComparison.Ordinal);
        var fit = MmPupilModel.Fit(Pupils, reml ? EstimationMethod.Reml : null);
        Assert.Equal("Y ~ 1 + X + (1 | mm(Schools))", MmPupilModel.Formula);

        double logLik = expected.GetProperty("logLik").GetDouble();
        double actual = reml ? -fit.Underlying.RemlCriterion / 2 : fit.Underlying.LogLikelihood;
        Assert.True(Math.Abs(actual / logLik - 1) < 1e-6, $"logLik {actual} vs {logLik}");

        var fixedEffects = expected.GetProperty("fixed_effects");
        var beta = ReferenceData.Doubles(fixedEffects.GetProperty("estimate"));
        var se = ReferenceData.Doubles(fixedEffects.GetProperty("std_error"));
        Assert.True(Math.Abs(fit.Intercept.Estimate - beta[0]) < 1e-3 * se[0], $"intercept {fit.Intercept.Estimate} vs {beta[0]}");
        Assert.True(Math.Abs(fit.X.Estimate - beta[1]) < 1e-3 * se[1], $"x {fit.X.Estimate} vs {beta[1]}");
        Assert.True(Math.Abs(fit.X.StdError / se[1] - 1) < 1e-3, $"SE(x) {fit.X.StdError} vs {se[1]}");

        double school = ReferenceData.VarianceComponent(expected, "school", "(Intercept)");
        double residual = ReferenceData.VarianceComponent(expected, "Residual", null);
        Assert.True(Math.Abs(fit.Schools.Variance / school - 1) < 1e-3, $"school variance {fit.Schools.Variance} vs {school}");
        Assert.True(Math.Abs(fit.ResidualVariance / residual - 1) < 1e-3, $"residual variance {fit.ResidualVariance} vs {residual}");

        var first = expected.GetProperty("random_effects_first_levels").GetProperty("school");
        var levels = first.GetProperty("levels").EnumerateArray().Select(l => int.Parse(l.GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var modes = first.GetProperty("cond_mode").EnumerateArray().Select(m => m[0].GetDouble()).ToArray();
        var ses = first.GetProperty("cond_se").EnumerateArray().Select(m => m[0].GetDouble()).ToArray();
        Assert.Equal(100, fit.Schools.Levels.Count);
        Assert.Equal(Enumerable.Range(1, 100), fit.Schools.Levels);
        for (int k = 0; k < levels.Length; k++)
        {
            Assert.True(Math.Abs(fit.Schools.Effects[levels[k]] - modes[k]) < 1e-4, $"school {levels[k]}: {fit.Schools.Effects[levels[k]]} vs {modes[k]}");
            Assert.True(Math.Abs(fit.Schools.ConditionalStdDev(levels[k]) / ses[k] - 1) < 1e-3, $"school {levels[k]} SD: {fit.Schools.ConditionalStdDev(levels[k])} vs {ses[k]}");
        }
        Assert.True(fit.Schools.Term.IsMultipleMembership);
    }

    /// <summary>
    /// With a crossed area intercept: lme4 fed the same weighted Z (fits/mm_pupils_area_ML.json and _REML.json,
    /// tests/Data/reference/scripts/mm_pupils_area.R): deviance or REML criterion, β, the three variances, schools 1–5.
    /// </summary>
    [Theory]
    [InlineData("mm_pupils_area_ML")]
    [InlineData("mm_pupils_area_REML")]
    public void Pupils_with_a_crossed_area_match_lme4(string reference)
    {
        var r = ReferenceData.Fit(reference);
        bool reml = reference.EndsWith("REML", StringComparison.Ordinal);
        var fit = MmPupilAreaModel.Fit(Pupils, reml ? EstimationMethod.Reml : EstimationMethod.MaximumLikelihood);
        double objective = r.GetProperty("objective").GetDouble();
        double ours = reml ? fit.Underlying.RemlCriterion : fit.Underlying.Deviance;
        Assert.True(Math.Abs(ours / objective - 1) < 1e-6, $"objective {ours} vs {objective}");
        var beta = ReferenceData.Doubles(r.GetProperty("beta"));
        var se = ReferenceData.Doubles(r.GetProperty("beta_se"));
        Assert.True(Math.Abs(fit.Intercept.Estimate - beta[0]) < 1e-3 * se[0], $"intercept {fit.Intercept.Estimate} vs {beta[0]}");
        Assert.True(Math.Abs(fit.X.Estimate - beta[1]) < 1e-3 * se[1], $"x {fit.X.Estimate} vs {beta[1]}");
        Assert.True(Math.Abs(fit.Schools.Variance / r.GetProperty("var_school").GetDouble() - 1) < 1e-3, $"school {fit.Schools.Variance}");
        Assert.True(Math.Abs(fit.Area.Variance / r.GetProperty("var_area").GetDouble() - 1) < 1e-3, $"area {fit.Area.Variance}");
        Assert.True(Math.Abs(fit.ResidualVariance / r.GetProperty("sigma2").GetDouble() - 1) < 1e-3, $"residual {fit.ResidualVariance}");
        var modes = ReferenceData.Doubles(r.GetProperty("school_cond_mode_1to5"));
        for (int school = 1; school <= 5; school++)
            Assert.True(Math.Abs(fit.Schools.Effects[school] - modes[school - 1]) < 1e-4, $"school {school}: {fit.Schools.Effects[school]} vs {modes[school - 1]}");
        // The weighted ICC counts the area variance among the others (an area is an ordinary term: Σw² = 1).
        double s2 = fit.Schools.Variance, a2 = fit.Area.Variance, e2 = fit.ResidualVariance, m = fit.Schools.MeanSquaredWeightSum;
        Assert.Equal(m * s2 / (m * s2 + a2 + e2), fit.Schools.WeightedIntraclassCorrelation(), 1e-12);
        Assert.Equal("Y ~ 1 + X + (1 | mm(Schools)) + (1 | Area)", MmPupilAreaModel.Formula);
    }

    /// <summary>
    /// No lme4 reference has a membership slope, so the generated model is checked against the runtime's design written
    /// by hand from the CSV (the path the CLI and the runtime tests use): the same weighted slopes give the same fit.
    /// </summary>
    [Fact]
    public void Membership_slope_matches_the_runtime_design_written_by_hand()
    {
        var fit = MmPupilSlopeModel.Fit(Pupils);
        int n = Pupils.Length;
        var rowStart = new int[n + 1];
        var level = new List<int>();
        var weight = new List<double>();
        for (int i = 0; i < n; i++)
        {
            foreach (var m in Pupils[i].Schools)
            {
                level.Add(m.Level - 1);
                weight.Add(m.Weight);
            }
            rowStart[i + 1] = level.Count;
        }
        var ones = Enumerable.Repeat(1.0, n).ToArray();
        var x = Pupils.Select(p => p.X).ToArray();
        var design = new ModelDesign
        {
            Response = Pupils.Select(p => p.Y).ToArray(),
            FixedEffects = [.. ones, .. x],
            FixedEffectNames = ["(Intercept)", "X"],
            Terms =
            [
                new RandomEffectsTerm
                {
                    Name = "Schools",
                    Memberships = new Memberships { RowStart = rowStart, Level = [.. level], Weight = [.. weight] },
                    LevelKeys = Enumerable.Range(1, 100).Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
                    ColumnNames = ["(Intercept)", "X"],
                    Columns = [.. ones, .. x],
                },
            ],
        };
        var direct = LinearMixedModel.Fit(design, new FitOptions { Method = EstimationMethod.MaximumLikelihood });
        Assert.True(Math.Abs(fit.Underlying.LogLikelihood / direct.LogLikelihood - 1) < 1e-9, $"{fit.Underlying.LogLikelihood} vs {direct.LogLikelihood}");
        Assert.Equal(direct.RandomEffects[0].Variance(1), fit.Schools.XVariance, 1e-8);
        Assert.Equal(direct.RandomEffects[0].Correlation(0, 1), fit.Schools.InterceptXCorrelation, 1e-6);
        Assert.Equal(direct.RandomEffects[0].ConditionalModes[60, 1], fit.Schools.Effects[61].X, 1e-8);
        Assert.True(fit.Schools.XVariance > 0);
    }

    [Fact]
    public void Weighted_icc_uses_the_pupils_squared_weights()
    {
        var fit = MmPupilModel.Fit(Pupils);
        double meanSquared = Pupils.Average(p => p.Schools.Sum(m => m.Weight * m.Weight));
        Assert.Equal(meanSquared, fit.Schools.MeanSquaredWeightSum, 1e-12);
        Assert.True(meanSquared is > 0.5 and < 1, $"mean Σw² {meanSquared}");
        double s2 = fit.Schools.Variance, e2 = fit.ResidualVariance;
        Assert.Equal(meanSquared * s2 / (meanSquared * s2 + e2), fit.Schools.WeightedIntraclassCorrelation(), 1e-12);
        Assert.Equal(0.5 * s2 / (0.5 * s2 + e2), fit.Schools.WeightedIntraclassCorrelation(0.5), 1e-12);
        Assert.Equal(s2 / (s2 + e2), fit.Schools.WeightedIntraclassCorrelation(1), 1e-12);
        // The schools' sizes count pupils listing them (membership.n_pupils_by_number_of_schools gives 1840 + 2·837 + 3·323 listings).
        Assert.Equal(1840 + 2 * 837 + 3 * 323, fit.Schools.Sizes.Values.Sum());
    }

    [Fact]
    public void Design_holds_the_weighted_memberships_in_record_order()
    {
        var design = MmPupilModel.BuildDesign(Pupils);
        var term = Assert.Single(design.Terms);
        var mm = term.Memberships!;
        Assert.Equal(MembershipWeighting.SumToOne, mm.Weighting);
        Assert.Equal(Pupils.Length, mm.Rows);
        // Pupil 1 (first CSV row): schools 61, 16, 71 with weights 0.31, 0.32, 0.37; levels are the school ids in numeric order.
        Assert.Equal(new[] { 60, 15, 70 }, mm.Level[mm.RowStart[0]..mm.RowStart[1]]);
        Assert.Equal(new[] { 0.31, 0.32, 0.37 }, mm.Weight[mm.RowStart[0]..mm.RowStart[1]]);
        Assert.Equal("61", term.LevelKeys[60]);
    }

    [Fact]
    public void Predict_is_refused_but_PredictFixed_works()
    {
        var fit = MmPupilModel.Fit(Pupils);
        var ex = Assert.Throws<NotSupportedException>(() => fit.Predict(Pupils.Take(3)));
        Assert.Contains("Schools", ex.Message, StringComparison.Ordinal);
        var fixedPart = fit.PredictFixed(Pupils.Take(2));
        Assert.Equal(fit.Intercept.Estimate + fit.X.Estimate * Pupils[1].X, fixedPart[1], 1e-12);
    }

    public static TheoryData<string, Membership<int>[], string> BadMemberships => new()
    {
        { "empty", [], "empty" },
        { "duplicate", [new(3, 0.5), new(3, 0.5)], "twice" },
        { "negative", [new(3, 1.5), new(4, -0.5)], "-0.5" },
        { "not finite", [new(3, double.NaN)], "NaN" },
        { "sum", [new(3, 0.5), new(4, 0.4)], "sum to 0.9" },
    };

    [Theory]
    [MemberData(nameof(BadMemberships))]
    public void Bad_memberships_name_the_record_and_member(string what, Membership<int>[] schools, string message)
    {
        var data = new[]
        {
            new MmPupil(1, 0, [new(1, 1)], 1),
            new MmPupil(2, 1, schools, 1),
        };
        var ex = Assert.Throws<ModelDesignException>(() => MmPupilModel.BuildDesign(data));
        Assert.Contains("Record 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'Schools'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(what));
    }

    [Fact]
    public void Normalize_accepts_any_positive_weights_and_a_null_list_drops_the_record()
    {
        var data = new[]
        {
            new MmVisit(1, 0.5, [new("b", 2), new("a", 2)], 1),
            new MmVisit(2, 1.5, null, 1),
            new MmVisit(3, -1, [new("c", 3)], 2),
        };
        var design = MmWardSlopeModel.BuildDesign(data);
        Assert.Equal(1, design.RowsDropped);
        var wards = design.Terms[0];
        Assert.Equal(new[] { "a", "b", "c" }, wards.LevelKeys);
        Assert.Equal(new[] { "(Intercept)", "X" }, wards.ColumnNames);
        Assert.Equal(MembershipWeighting.Normalize, wards.Memberships!.Weighting);
        Assert.Equal(new[] { 0.5, 0.5, 1.0 }, wards.Memberships.EffectiveWeights());
        Assert.Equal(new[] { 1, 0, 2 }, wards.Memberships.Level);
        Assert.Equal("Y ~ 1 + X + (1 + X | mm(Wards)) + (1 | Area)", MmWardSlopeModel.Formula);
    }
}
