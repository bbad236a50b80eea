namespace TypedMixed.Generators.Tests.Models;

/// <summary>A trial arm; placebo is the reference.</summary>
public enum Treatment { Placebo, Drug }

/// <summary>
/// A repeated measurement of a patient in a clinic. Patient ids restart in each clinic, so patients are nested in
/// clinics; raters are crossed with patients. Score may be missing.
/// </summary>
public sealed record Visit(
    double? Score,
    double Time,
    Treatment Treatment,
    bool Female,
    string Region,
    [property: MeasuredOn(nameof(Visit.Clinic))] double ClinicSize,
    [property: Classification] string Clinic,
    [property: Classification(NestedIn = nameof(Visit.Clinic))] int Patient,
    [property: Classification] int Rater);

/// <summary>Nested: score ~ time * treatment + (1 | clinic) + (1 | clinic:patient).</summary>
[MixedModel<Visit>(Response = nameof(Visit.Score), Fixed = [nameof(Visit.Time), nameof(Visit.Treatment)])]
[Interaction(nameof(Visit.Time), nameof(Visit.Treatment))]
[RandomIntercept(nameof(Visit.Clinic))]
[RandomIntercept(nameof(Visit.Patient))]
public partial record NestedModel;

/// <summary>Crossed: score ~ time + female + region + (1 | clinic:patient) + (1 | rater).</summary>
[MixedModel<Visit>(Response = nameof(Visit.Score), Fixed = [nameof(Visit.Time), nameof(Visit.Female), nameof(Visit.Region)])]
[RandomIntercept(nameof(Visit.Patient))]
[RandomIntercept(nameof(Visit.Rater))]
public partial record CrossedModel;

/// <summary>A cross-level interaction (time × clinic size) and an uncorrelated random slope without intercept.</summary>
[MixedModel<Visit>(Response = nameof(Visit.Score), Fixed = [nameof(Visit.Time), nameof(Visit.ClinicSize)], Method = EstimationMethod.MaximumLikelihood)]
[Interaction(nameof(Visit.Time), nameof(Visit.ClinicSize))]
[RandomIntercept(nameof(Visit.Patient))]
[RandomSlopes(nameof(Visit.Patient), nameof(Visit.Time), Intercept = false)]
public partial record CrossLevelModel;

/// <summary>
/// A three-way interaction without its two-way margins, score ~ time + treatment + female + time:treatment:female: as in
/// R, both categories are coded by all their levels inside it, and its members are ordered as first named in Fixed.
/// </summary>
[MixedModel<Visit>(Response = nameof(Visit.Score), Fixed = [nameof(Visit.Time), nameof(Visit.Treatment), nameof(Visit.Female)])]
[Interaction(nameof(Visit.Female), nameof(Visit.Treatment), nameof(Visit.Time))]
[RandomIntercept(nameof(Visit.Patient))]
public partial record ThreeWayModel;
