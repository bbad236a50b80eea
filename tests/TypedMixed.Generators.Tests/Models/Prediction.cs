namespace TypedMixed.Generators.Tests.Models;

/// <summary>A sleepstudy reading whose members may be missing: a record to predict for has no response yet.</summary>
public sealed record PartialReading(double? Reaction, double? Days, [property: Classification] int? Subject);

/// <summary>Reaction ~ Days + (Days | Subject) over nullable members: <c>Predict</c> must not need the response.</summary>
[MixedModel<PartialReading>(Response = nameof(PartialReading.Reaction), Fixed = [nameof(PartialReading.Days)])]
[RandomSlopes(nameof(PartialReading.Subject), nameof(PartialReading.Days))]
public partial record PartialSleepModel;

/// <summary>
/// Reaction ~ 1 + (1 + Days | Subject): Days is only a random slope, so <c>PredictFixed</c> reads none of the members
/// (response, slope, classification may all be null).
/// </summary>
[MixedModel<PartialReading>(Response = nameof(PartialReading.Reaction))]
[RandomSlopes(nameof(PartialReading.Subject), nameof(PartialReading.Days))]
public partial record SlopeOnlyModel;
