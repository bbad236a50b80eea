namespace TypedMixed.Generators.Tests.Models;

/// <summary>One reaction-time measurement of the sleep-deprivation study (Belenky et al. 2003).</summary>
public sealed record Reading(double Reaction, double Days, [property: Classification] int Subject);

/// <summary>Reaction ~ Days + (Days | Subject), REML (the declared default).</summary>
[MixedModel<Reading>(Response = nameof(Reading.Reaction), Fixed = [nameof(Reading.Days)])]
[RandomSlopes(nameof(Reading.Subject), nameof(Reading.Days))]
public partial record SleepModel;

/// <summary>Reaction ~ Days + (Days || Subject): independent intercepts and slopes.</summary>
[MixedModel<Reading>(Response = nameof(Reading.Reaction), Fixed = [nameof(Reading.Days)])]
[RandomSlopes(nameof(Reading.Subject), nameof(Reading.Days), Correlated = false)]
public partial record SleepUncorrelatedModel;
