namespace TypedMixed.Generators.Tests.Models;

/// <summary>
/// A sleepstudy reading with a prior weight (null: the row is left out) and a known shift of the mean, as lme4's
/// <c>weights = w</c> and <c>offset(2 * Days)</c> (Data/reference/sleepstudy_weights.csv).
/// </summary>
public sealed record WeightedReading(double Reaction, double Days, [property: Classification] int Subject, double? W, double Shift);

/// <summary>Reaction ~ Days + (Days | Subject), weights = w, REML.</summary>
[MixedModel<WeightedReading>(Response = nameof(WeightedReading.Reaction), Fixed = [nameof(WeightedReading.Days)], Weights = nameof(WeightedReading.W))]
[RandomSlopes(nameof(WeightedReading.Subject), nameof(WeightedReading.Days))]
public partial record WeightedSleepModel;

/// <summary>Reaction ~ Days + offset(Shift) + (Days | Subject), weights = w, ML.</summary>
[MixedModel<WeightedReading>(Response = nameof(WeightedReading.Reaction), Fixed = [nameof(WeightedReading.Days)],
    Weights = nameof(WeightedReading.W), Offset = nameof(WeightedReading.Shift), Method = EstimationMethod.MaximumLikelihood)]
[RandomSlopes(nameof(WeightedReading.Subject), nameof(WeightedReading.Days))]
public partial record WeightedOffsetSleepModel;
