namespace TypedMixed.Generators.Tests.Models;

/// <summary>A sleepstudy reading with the day as a whole-number occasion (AR(1) needs integer occasions).</summary>
public sealed record SleepVisit(double Reaction, int Days, [property: Classification] int Subject);

/// <summary>nlme's lme(Reaction ~ Days, random = ~ 1 | Subject, correlation = corAR1(form = ~ Days | Subject)).</summary>
[MixedModel<SleepVisit>(Response = nameof(SleepVisit.Reaction), Fixed = [nameof(SleepVisit.Days)], Method = EstimationMethod.MaximumLikelihood)]
[RandomIntercept(nameof(SleepVisit.Subject))]
[ResidualCorrelation(ResidualCorrelationStructure.Ar1, nameof(SleepVisit.Days), nameof(SleepVisit.Subject))]
public partial record SleepAr1Model;

/// <summary>nlme's lme(normexam ~ standLRT + sex, random = ~ 1 | school, weights = varIdent(form = ~ 1 | sex)); Boy is the reference stratum.</summary>
[MixedModel<Pupil>(Response = nameof(Pupil.NormExam), Fixed = [nameof(Pupil.StandLrt), nameof(Pupil.Sex)], Method = EstimationMethod.MaximumLikelihood)]
[RandomIntercept(nameof(Pupil.School))]
[ResidualVariance(ResidualVarianceFunctionKind.Ident, nameof(Pupil.Sex))]
public partial record ExamVarIdentModel;

/// <summary>The inner-London model with a level-1 variance log-linear in sex and prior score.</summary>
[MixedModel<Pupil>(Response = nameof(Pupil.NormExam), Fixed = [nameof(Pupil.StandLrt), nameof(Pupil.Sex)], Method = EstimationMethod.MaximumLikelihood)]
[RandomIntercept(nameof(Pupil.School))]
[ResidualVariance(ResidualVarianceFunctionKind.LogLinear, nameof(Pupil.Sex), nameof(Pupil.StandLrt))]
public partial record ExamLogLinearModel;

/// <summary>
/// Continuous-time AR(1) within patients (nested in clinics, whose intercept is the random effect), and a level-1
/// variance log-linear in two members the model reads nowhere else (a bool and a string category).
/// </summary>
[MixedModel<Visit>(Response = nameof(Visit.Score), Fixed = [nameof(Visit.Time)])]
[RandomIntercept(nameof(Visit.Clinic))]
[ResidualCorrelation(ResidualCorrelationStructure.ContinuousAr1, nameof(Visit.Time), nameof(Visit.Patient))]
[ResidualVariance(ResidualVarianceFunctionKind.LogLinear, nameof(Visit.Female), nameof(Visit.Region))]
public partial record ClinicCar1Model;

/// <summary>A power variance function of a member read nowhere else.</summary>
[MixedModel<Visit>(Response = nameof(Visit.Score), Fixed = [nameof(Visit.Treatment)])]
[RandomIntercept(nameof(Visit.Clinic))]
[ResidualVariance(ResidualVarianceFunctionKind.Power, nameof(Visit.ClinicSize))]
public partial record ClinicPowerModel;

/// <summary>An Exam pupil with the sex as nlme reads it, a string (<c>F</c>, <c>M</c>), and as a bool.</summary>
public sealed record ExamPupil(double NormExam, double StandLrt, string SexCode, bool Girl, [property: Classification] int School);

/// <summary>Exam's varIdent by sex with a string stratum: F is the reference (ordinal order), as in nlme's fit.</summary>
[MixedModel<ExamPupil>(Response = nameof(ExamPupil.NormExam), Fixed = [nameof(ExamPupil.StandLrt), nameof(ExamPupil.SexCode)], Method = EstimationMethod.MaximumLikelihood)]
[RandomIntercept(nameof(ExamPupil.School))]
[ResidualVariance(ResidualVarianceFunctionKind.Ident, nameof(ExamPupil.SexCode))]
public partial record ExamVarIdentByCodeModel;

/// <summary>Exam's varIdent by sex with a bool stratum: false (boys) is the reference.</summary>
[MixedModel<ExamPupil>(Response = nameof(ExamPupil.NormExam), Fixed = [nameof(ExamPupil.StandLrt), nameof(ExamPupil.Girl)], Method = EstimationMethod.MaximumLikelihood)]
[RandomIntercept(nameof(ExamPupil.School))]
[ResidualVariance(ResidualVarianceFunctionKind.Ident, nameof(ExamPupil.Girl))]
public partial record ExamVarIdentByFlagModel;
