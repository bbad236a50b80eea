using TypedMixed;

namespace LondonSchools;

/// <summary>A pupil's sex; boys are the reference category, so the fixed effect is the girls' difference.</summary>
public enum Sex { Boy, Girl }

/// <summary>A school's gender intake; mixed schools are the reference category.</summary>
public enum SchoolGender { Mixed, Boys, Girls }

/// <summary>One pupil of the inner-London exam data (Goldstein, Rasbash et al. 1993).</summary>
/// <param name="NormExam">Age-16 exam score, standardised.</param>
/// <param name="StandLrt">Age-11 London Reading Test score, standardised.</param>
/// <param name="Sex">The pupil's sex.</param>
/// <param name="SchoolGender">The school's gender intake: a school-level covariate.</param>
/// <param name="School">The school, the level-2 classification.</param>
public sealed record Pupil(
    double NormExam,
    double StandLrt,
    Sex Sex,
    [property: MeasuredOn(nameof(Pupil.School))] SchoolGender SchoolGender,
    [property: Classification] int School);

/// <summary>Table 1, Model 1: the variance-components model, normexam ~ 1 + (1 | school).</summary>
[MixedModel<Pupil>(Response = nameof(Pupil.NormExam), Method = EstimationMethod.MaximumLikelihood)]
[RandomIntercept(nameof(Pupil.School))]
public partial record Model1;

/// <summary>Table 1, Model 2: adds the age-11 score, normexam ~ standLRT + (1 | school).</summary>
[MixedModel<Pupil>(Response = nameof(Pupil.NormExam), Fixed = [nameof(Pupil.StandLrt)], Method = EstimationMethod.MaximumLikelihood)]
[RandomIntercept(nameof(Pupil.School))]
public partial record Model2;

/// <summary>Table 1, Model 3: adds the pupil's sex and the school's gender intake (girl, boys' school, girls' school).</summary>
[MixedModel<Pupil>(Response = nameof(Pupil.NormExam),
    Fixed = [nameof(Pupil.StandLrt), nameof(Pupil.Sex), nameof(Pupil.SchoolGender)],
    Method = EstimationMethod.MaximumLikelihood)]
[RandomIntercept(nameof(Pupil.School))]
public partial record Model3;

/// <summary>Model 2 with a random slope of the age-11 score: normexam ~ standLRT + (standLRT | school).</summary>
[MixedModel<Pupil>(Response = nameof(Pupil.NormExam), Fixed = [nameof(Pupil.StandLrt)], Method = EstimationMethod.MaximumLikelihood)]
[RandomSlopes(nameof(Pupil.School), nameof(Pupil.StandLrt))]
public partial record Model2RandomSlope;

/// <summary>
/// Model 3's pupil-level part with a level-1 variance that depends on sex and prior score:
/// log σ²ᵢ = γ₀ + γ₁ girlᵢ + γ₂ standLRTᵢ (the CLI's --variance "loglinear(~ sex + standLRT)").
/// </summary>
[MixedModel<Pupil>(Response = nameof(Pupil.NormExam), Fixed = [nameof(Pupil.StandLrt), nameof(Pupil.Sex)], Method = EstimationMethod.MaximumLikelihood)]
[RandomIntercept(nameof(Pupil.School))]
[ResidualVariance(ResidualVarianceFunctionKind.LogLinear, nameof(Pupil.Sex), nameof(Pupil.StandLrt))]
public partial record HeteroscedasticModel;

/// <summary>The heteroscedastic model's homoscedastic counterpart, for the likelihood-ratio test of the variance function.</summary>
[MixedModel<Pupil>(Response = nameof(Pupil.NormExam), Fixed = [nameof(Pupil.StandLrt), nameof(Pupil.Sex)], Method = EstimationMethod.MaximumLikelihood)]
[RandomIntercept(nameof(Pupil.School))]
public partial record HomoscedasticModel;
