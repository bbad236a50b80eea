namespace TypedMixed.Generators.Tests.Models;

/// <summary>The period of a cbpp herd examination (lme4's factor period, levels 1–4; the first is the reference).</summary>
public enum Period { P1, P2, P3, P4 }

/// <summary>
/// One examination of a herd in the cbpp data (Lesnoff et al. 2004, via lme4): new cases of contagious bovine
/// pleuropneumonia (<see cref="Incidence"/>) among the <see cref="Size"/> animals of the herd in a period.
/// </summary>
public sealed record HerdExamination([property: Classification] int Herd, int Incidence, int Size, Period Period);

/// <summary>cbind(incidence, size − incidence) ~ period + (1 | herd), binomial logit, Laplace (lme4's glmer default).</summary>
[MixedModel<HerdExamination>(Family = ResponseFamily.Binomial, Response = nameof(HerdExamination.Incidence),
    Trials = nameof(HerdExamination.Size), Fixed = [nameof(HerdExamination.Period)])]
[RandomIntercept(nameof(HerdExamination.Herd))]
public partial record CbppModel;

/// <summary>The cbpp model with 25-point adaptive Gauss–Hermite quadrature declared (glmer's nAGQ = 25).</summary>
[MixedModel<HerdExamination>(Family = ResponseFamily.Binomial, Response = nameof(HerdExamination.Incidence),
    Trials = nameof(HerdExamination.Size), Fixed = [nameof(HerdExamination.Period)], QuadraturePoints = 25)]
[RandomIntercept(nameof(HerdExamination.Herd))]
public partial record CbppQuadratureModel;

/// <summary>One patient's binary outcome in a multi-clinic trial (simulated in the tests).</summary>
public sealed record Outcome(bool Recovered, double Dose, bool Treated, [property: Classification] int Clinic);

/// <summary>recovered ~ dose + treated + (1 | clinic), binomial logit on a bool (0/1) response.</summary>
[MixedModel<Outcome>(Family = ResponseFamily.Binomial, Response = nameof(Outcome.Recovered), Fixed = [nameof(Outcome.Dose), nameof(Outcome.Treated)])]
[RandomIntercept(nameof(Outcome.Clinic))]
public partial record RecoveryModel;

/// <summary>A count of events at a site over an exposure time; the log exposure is the Poisson offset.</summary>
public sealed record SiteCount(int Events, double? LogExposure, bool Treated, [property: Classification] string Site);

/// <summary>events ~ treated + offset(log exposure) + (1 | site), Poisson log.</summary>
[MixedModel<SiteCount>(Family = ResponseFamily.Poisson, Response = nameof(SiteCount.Events), Fixed = [nameof(SiteCount.Treated)],
    Offset = nameof(SiteCount.LogExposure))]
[RandomIntercept(nameof(SiteCount.Site))]
public partial record EventRateModel;

/// <summary>A site count with a prior weight per row.</summary>
public sealed record WeightedSiteCount(int Events, double? LogExposure, bool Treated, double Weight, [property: Classification] string Site);

/// <summary>events ~ treated + offset(log exposure) + (1 | site), Poisson log, with prior weights.</summary>
[MixedModel<WeightedSiteCount>(Family = ResponseFamily.Poisson, Response = nameof(WeightedSiteCount.Events), Fixed = [nameof(WeightedSiteCount.Treated)],
    Offset = nameof(WeightedSiteCount.LogExposure), Weights = nameof(WeightedSiteCount.Weight))]
[RandomIntercept(nameof(WeightedSiteCount.Site))]
public partial record WeightedEventRateModel;
