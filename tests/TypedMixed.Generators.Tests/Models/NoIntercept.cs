namespace TypedMixed.Generators.Tests.Models;

/// <summary>
/// Model 3 without an intercept, normexam ~ 0 + standLRT + sex + schgend + (1 | school): sex, the first categorical
/// effect, is coded by both levels (SexBoy, SexGirl); SchoolGender keeps treatment contrasts. A reparametrization of
/// <see cref="SchoolGenderModel"/>, so it has the same deviance.
/// </summary>
[MixedModel<Pupil>(Response = nameof(Pupil.NormExam), Intercept = false,
    Fixed = [nameof(Pupil.StandLrt), nameof(Pupil.Sex), nameof(Pupil.SchoolGender)],
    Method = EstimationMethod.MaximumLikelihood)]
[RandomIntercept(nameof(Pupil.School))]
public partial record NoInterceptModel;

/// <summary>
/// An intercept and a standLRT slope per sex, normexam ~ 0 + sex + standLRT:sex + (0 + sex | school): the interaction's
/// margin (standLRT) is not a term, so sex is coded by both levels there too, as in the random term without intercept.
/// </summary>
[MixedModel<Pupil>(Response = nameof(Pupil.NormExam), Intercept = false, Fixed = [nameof(Pupil.Sex)],
    Method = EstimationMethod.MaximumLikelihood)]
[Interaction(nameof(Pupil.StandLrt), nameof(Pupil.Sex))]
[RandomSlopes(nameof(Pupil.School), nameof(Pupil.Sex), Intercept = false)]
public partial record SlopePerSexModel;
