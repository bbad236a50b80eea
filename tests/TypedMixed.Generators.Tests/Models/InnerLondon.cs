namespace TypedMixed.Generators.Tests.Models;

/// <summary>A pupil's sex; the first member is the reference category.</summary>
public enum Sex { Boy, Girl }

/// <summary>A school's gender intake; mixed schools are the reference.</summary>
public enum SchoolGender { Mixed, Boys, Girls }

/// <summary>One pupil of the inner-London exam data (Goldstein et al. 1993).</summary>
public sealed record Pupil(
    double NormExam,
    double StandLrt,
    Sex Sex,
    [property: MeasuredOn(nameof(Pupil.School))] SchoolGender SchoolGender,
    [property: Classification] int School);

/// <summary>Model 1: the empty (variance components) model, normexam ~ 1 + (1 | school).</summary>
[MixedModel<Pupil>(Response = nameof(Pupil.NormExam), Method = EstimationMethod.MaximumLikelihood)]
[RandomIntercept(nameof(Pupil.School))]
public partial record EmptyModel;

/// <summary>Model 2: normexam ~ standLRT + (1 | school).</summary>
[MixedModel<Pupil>(Response = nameof(Pupil.NormExam), Fixed = [nameof(Pupil.StandLrt)], Method = EstimationMethod.MaximumLikelihood)]
[RandomIntercept(nameof(Pupil.School))]
public partial record StandLrtModel;

/// <summary>Model 3: adds the pupil's sex and the school's gender intake (a school-level covariate).</summary>
[MixedModel<Pupil>(Response = nameof(Pupil.NormExam),
    Fixed = [nameof(Pupil.StandLrt), nameof(Pupil.Sex), nameof(Pupil.SchoolGender)],
    Method = EstimationMethod.MaximumLikelihood)]
[RandomIntercept(nameof(Pupil.School))]
public partial record SchoolGenderModel;

/// <summary>Random slope: normexam ~ standLRT + (standLRT | school).</summary>
[MixedModel<Pupil>(Response = nameof(Pupil.NormExam), Fixed = [nameof(Pupil.StandLrt)], Method = EstimationMethod.MaximumLikelihood)]
[RandomSlopes(nameof(Pupil.School), nameof(Pupil.StandLrt))]
public partial record RandomSlopeModel;
