using System.Collections.Generic;

namespace TypedMixed.Generators.Tests.Models;

/// <summary>
/// A pupil of tests/Data/reference/mm_pupils.csv: the schools attended, each with the share of time spent there, and
/// the (crossed) area of residence.
/// </summary>
public sealed record MmPupil(
    double Y,
    double X,
    [property: MultipleMembership] IReadOnlyList<Membership<int>> Schools,
    [property: Classification] int Area);

/// <summary>lme4 with the weighted membership matrix: y ~ x + (1 | mm(school1, school2, school3, weights = cbind(w1, w2, w3))).</summary>
[MixedModel<MmPupil>(Response = nameof(MmPupil.Y), Fixed = [nameof(MmPupil.X)], Method = EstimationMethod.MaximumLikelihood)]
[RandomIntercept(nameof(MmPupil.Schools))]
public partial record MmPupilModel;

/// <summary>A membership slope beside a crossed area intercept; the weights are normalized per pupil.</summary>
public sealed record MmVisit(
    double Y,
    double X,
    [property: MultipleMembership(Weighting = MembershipWeighting.Normalize)] Membership<string>[]? Wards,
    [property: Classification] int Area);

/// <summary>(1 + x | mm(Wards)) + (1 | Area), REML.</summary>
[MixedModel<MmVisit>(Response = nameof(MmVisit.Y), Fixed = [nameof(MmVisit.X)])]
[RandomSlopes(nameof(MmVisit.Wards), nameof(MmVisit.X))]
[RandomIntercept(nameof(MmVisit.Area))]
public partial record MmWardSlopeModel;

/// <summary>The pupils' schools by membership, crossed with the area of residence: y ~ x + (1 | mm(schools)) + (1 | area).</summary>
[MixedModel<MmPupil>(Response = nameof(MmPupil.Y), Fixed = [nameof(MmPupil.X)])]
[RandomIntercept(nameof(MmPupil.Schools))]
[RandomIntercept(nameof(MmPupil.Area))]
public partial record MmPupilAreaModel;

/// <summary>A random slope of x over the pupils' schools: y ~ x + (1 + x | mm(schools)), ML.</summary>
[MixedModel<MmPupil>(Response = nameof(MmPupil.Y), Fixed = [nameof(MmPupil.X)], Method = EstimationMethod.MaximumLikelihood)]
[RandomSlopes(nameof(MmPupil.Schools), nameof(MmPupil.X))]
public partial record MmPupilSlopeModel;
