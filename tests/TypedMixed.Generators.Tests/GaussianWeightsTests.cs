using System.Globalization;
using TypedMixed.Generators.Tests.Infrastructure;
using TypedMixed.Generators.Tests.Models;

namespace TypedMixed.Generators.Tests;

/// <summary>
/// Prior weights and an offset on a Gaussian (linear mixed) model, through the generated code (Models/WeightedSleepStudy.cs):
/// the design carries them, the fit is the runtime's on the same design bit for bit, and on sleepstudy with weights it
/// matches lmer (logLik 1e-6 relative, β within 1e-3 of its SE); predictions add the record's offset.
/// </summary>
public class GaussianWeightsTests
{
    private static readonly Lazy<WeightedReading[]> Sleep = new(() => ReferenceData.Csv("sleepstudy_weights.csv").Select(r =>
    {
        double days = ReferenceData.Number(r["Days"]);
        return new WeightedReading(ReferenceData.Number(r["Reaction"]), days, int.Parse(r["Subject"], CultureInfo.InvariantCulture),
            ReferenceData.Number(r["w"]), Shift: 2 * days);
    }).ToArray());

    private static void Close(double expected, double actual, double relative, string what) =>
        Assert.True(Math.Abs(actual - expected) <= relative * Math.Abs(expected),
            $"{what}: expected {expected:R}, got {actual:R} (relative error {Math.Abs(actual - expected) / Math.Abs(expected):E2}, tolerance {relative:E0}).");

    /// <summary>lmer's logLik to 1e-6 relative, β within 1e-3 of lmer's SE, SE and σ² to 1e-3 relative.</summary>
    private static void AssertMatchesLmer(string name, LinearMixedModelFit fit, double residualVariance)
    {
        var reference = ReferenceData.Fit(name);
        Assert.Equal(180, reference.GetProperty("nobs").GetInt32());
        Close(reference.GetProperty("logLik").GetDouble(), fit.LogLikelihood, 1e-6, "logLik");
        var fixedEffects = reference.GetProperty("fixed_effects");
        var estimate = ReferenceData.Doubles(fixedEffects.GetProperty("estimate"));
        var se = ReferenceData.Doubles(fixedEffects.GetProperty("std_error"));
        Assert.Equal(estimate.Length, fit.FixedEffects.Count);
        for (int c = 0; c < estimate.Length; c++)
        {
            var b = fit.FixedEffects[c];
            Assert.True(Math.Abs(b.Estimate - estimate[c]) <= 1e-3 * se[c], $"β {b.Name}: expected {estimate[c]:R}, got {b.Estimate:R} (SE {se[c]:R})");
            Close(se[c], b.StdError, 1e-3, "SE " + b.Name);
        }
        Close(ReferenceData.VarianceComponent(reference, "Residual", null), residualVariance, 1e-3, "residual variance");
    }

    /// <summary>The design of Reaction ~ Days + (Days | Subject) on <paramref name="rows"/>, built by hand.</summary>
    private static ModelDesign HandBuilt(WeightedReading[] rows, bool offset)
    {
        int n = rows.Length;
        var subjects = rows.Select(r => r.Subject).Distinct().Order().ToArray();
        var x = new double[2 * n];
        var z = new double[2 * n];
        for (int i = 0; i < n; i++)
        {
            x[i] = z[i] = 1;
            x[n + i] = z[n + i] = rows[i].Days;
        }
        return new ModelDesign
        {
            ResponseName = "Reaction",
            Response = rows.Select(r => r.Reaction).ToArray(),
            FixedEffects = x,
            FixedEffectNames = ["(Intercept)", "Days"],
            Terms =
            [
                new RandomEffectsTerm
                {
                    Name = "Subject",
                    LevelIndex = rows.Select(r => Array.IndexOf(subjects, r.Subject)).ToArray(),
                    LevelKeys = subjects.Select(s => s.ToString(CultureInfo.InvariantCulture)).ToArray(),
                    ColumnNames = ["(Intercept)", "Days"],
                    Columns = z,
                    Covariance = CovarianceStructure.Unstructured,
                },
            ],
            Weights = rows.Select(r => r.W!.Value).ToArray(),
            Offset = offset ? rows.Select(r => r.Shift).ToArray() : null,
        };
    }

    [Fact]
    public void Generated_design_carries_the_weights_and_offset_and_equals_the_hand_built_one()
    {
        var rows = Sleep.Value;
        var design = WeightedOffsetSleepModel.BuildDesign(rows);
        var expected = HandBuilt(rows, offset: true);
        DesignBuilderTests.AssertSameDesign(expected, design);
        Assert.Equal(expected.Weights, design.Weights);
        Assert.Equal(expected.Offset, design.Offset);
        Assert.Null(WeightedSleepModel.BuildDesign(rows).Offset);
        Assert.Equal(expected.Weights, WeightedSleepModel.BuildDesign(rows).Weights);
        Assert.Equal("Reaction ~ 1 + Days + offset(Shift) + (1 + Days | Subject)", WeightedOffsetSleepModel.Formula);
        Assert.Equal("Reaction ~ 1 + Days + (1 + Days | Subject)", WeightedSleepModel.Formula);
    }

    [Fact]
    public void Generated_fit_equals_the_runtime_fit_of_the_hand_built_design_exactly()
    {
        var rows = Sleep.Value;
        var fit = WeightedOffsetSleepModel.Fit(rows);
        var direct = LinearMixedModel.Fit(HandBuilt(rows, offset: true), new FitOptions { Method = EstimationMethod.MaximumLikelihood });

        Assert.Equal(EstimationMethod.MaximumLikelihood, fit.Underlying.Method);
        Assert.Equal(direct.LogLikelihood, fit.Underlying.LogLikelihood);
        Assert.Equal(direct.Theta, fit.Underlying.Theta);
        Assert.Equal(direct.ResidualVariance, fit.ResidualVariance);
        Assert.Equal(direct.FixedEffects.Select(b => (b.Name, b.Estimate, b.StdError)), fit.Underlying.FixedEffects.Select(b => (b.Name, b.Estimate, b.StdError)));
        for (int s = 0; s < direct.RandomEffects[0].LevelKeys.Count; s++)
        {
            int subject = int.Parse(direct.RandomEffects[0].LevelKeys[s], CultureInfo.InvariantCulture);
            Assert.Equal(direct.RandomEffects[0].ConditionalModes[s, 0], fit.Subject.Effects[subject].Intercept);
            Assert.Equal(direct.RandomEffects[0].ConditionalModes[s, 1], fit.Subject.Effects[subject].Days);
        }
    }

    [Fact]
    public void Weighted_sleepstudy_by_REML_matches_lmer()
    {
        var fit = WeightedSleepModel.Fit(Sleep.Value);
        Assert.Equal(EstimationMethod.Reml, fit.Underlying.Method);
        AssertMatchesLmer("sleepstudy_weighted_REML", fit.Underlying, fit.ResidualVariance);
    }

    [Fact]
    public void Weighted_sleepstudy_with_an_offset_by_ML_matches_lmer()
    {
        // lmer: Reaction ~ Days + offset(2 * Days) + (Days | Subject), weights = w; Days' coefficient is 2 less than without the offset.
        var fit = WeightedOffsetSleepModel.Fit(Sleep.Value);
        AssertMatchesLmer("sleepstudy_weighted_offset_ML", fit.Underlying, fit.ResidualVariance);
        Assert.Equal(WeightedSleepModel.Fit(Sleep.Value, EstimationMethod.MaximumLikelihood).Days.Estimate - 2, fit.Days.Estimate, 4);
    }

    [Fact]
    public void Predictions_add_the_records_offset_at_both_levels()
    {
        var fit = WeightedOffsetSleepModel.Fit(Sleep.Value);
        var record = Sleep.Value[25] with { Reaction = double.NaN, W = null, Shift = 7.5 };
        double fixedPart = fit.Intercept.Estimate + fit.Days.Estimate * record.Days;
        var effect = fit.Subject.Effects[record.Subject];

        Assert.Equal(fixedPart + 7.5, fit.PredictFixed(record), 10);
        Assert.Equal(fixedPart + 7.5 + effect.Intercept + effect.Days * record.Days, fit.Predict(record), 10);
        Assert.Equal(fit.Predict(record) + 1, fit.Predict(record with { Shift = 8.5 }), 10);
        Assert.Equal(fit.Underlying.Fitted[25], fit.Predict(Sleep.Value[25]), 8);
    }

    [Fact]
    public void Rows_with_a_null_weight_are_dropped_and_counted()
    {
        var rows = Sleep.Value.Select((r, i) => i is 3 or 100 ? r with { W = null } : r).ToArray();
        var design = WeightedOffsetSleepModel.BuildDesign(rows);
        Assert.Equal(2, design.RowsDropped);
        Assert.Equal(178, design.Rows);
        Assert.Equal(rows.Where(r => r.W is not null).Select(r => r.W!.Value), design.Weights!);
        Assert.Equal(rows.Where(r => r.W is not null).Select(r => r.Shift), design.Offset!);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.5)]
    public void A_weight_that_is_not_positive_is_rejected_with_its_row_member_and_fix(double weight)
    {
        var rows = Sleep.Value.Select((r, i) => i == 7 ? r with { W = weight } : r).ToArray();
        var e = Assert.Throws<ModelDesignException>(() => WeightedSleepModel.BuildDesign(rows));
        Assert.Equal("W", e.Member);
        Assert.Equal(7, e.Row);
        Assert.Contains("must be positive", e.Message, StringComparison.Ordinal);
        Assert.Contains("Remove the row", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.NaN, true)]
    [InlineData(double.PositiveInfinity, true)]
    [InlineData(double.NegativeInfinity, false)]
    public void Non_finite_weights_and_offsets_are_rejected_with_their_row_and_member(double value, bool inWeight)
    {
        var rows = Sleep.Value.Select((r, i) => i == 11 ? (inWeight ? r with { W = value } : r with { Shift = value }) : r).ToArray();
        var e = Assert.Throws<ModelDesignException>(() => WeightedOffsetSleepModel.BuildDesign(rows));
        Assert.Equal(inWeight ? "W" : "Shift", e.Member);
        Assert.Equal(11, e.Row);
    }

    [Fact]
    public void A_non_finite_offset_is_rejected_when_predicting_but_weights_are_not_read()
    {
        var fit = WeightedOffsetSleepModel.Fit(Sleep.Value);
        var e = Assert.Throws<ModelDesignException>(() => fit.PredictFixed(Sleep.Value[0] with { Shift = double.NaN }));
        Assert.Equal("Shift", e.Member);
        Assert.True(double.IsFinite(fit.Predict(Sleep.Value[0] with { W = -3 })));
    }
}
