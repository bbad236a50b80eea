using TypedMixed;

namespace MathsTutoring;

/// <summary>Trial arm; controls are the reference category, so the fixed effects are the tutored pupils' differences.</summary>
public enum Group { Control, Tutored }

/// <summary>One weekly maths test of one pupil in the (simulated) tutoring trial.</summary>
/// <param name="Points">Score on a 100-point scale.</param>
/// <param name="Time">Occasion: 0 at baseline, 0.2 after week 1, …, 1.0 after week 5.</param>
/// <param name="Group">The pupil's arm: a pupil-level covariate.</param>
/// <param name="Pupil">The pupil, the level-2 classification (occasions are nested in pupils).</param>
public sealed record TestScore(
    double Points,
    double Time,
    [property: MeasuredOn(nameof(TestScore.Pupil))] Group Group,
    [property: Classification] int Pupil)
{
    /// <summary>The test's number, 0 (baseline) to 5: <see cref="Time"/> in weeks, the whole-number occasion AR(1) needs.</summary>
    public int Occasion => (int)Math.Round(Time * 5);
}

/// <summary>Table 2, Model 1: linear growth with a correlated random intercept and slope per pupil.</summary>
[MixedModel<TestScore>(Response = nameof(TestScore.Points), Fixed = [nameof(TestScore.Time)], Method = EstimationMethod.MaximumLikelihood)]
[RandomSlopes(nameof(TestScore.Pupil), nameof(TestScore.Time))]
public partial record GrowthModel;

/// <summary>Table 2, Model 2: adds the arm and the arm × time interaction (the tutoring effect on the growth rate).</summary>
[MixedModel<TestScore>(Response = nameof(TestScore.Points), Fixed = [nameof(TestScore.Time), nameof(TestScore.Group)],
    Method = EstimationMethod.MaximumLikelihood)]
[Interaction(nameof(TestScore.Time), nameof(TestScore.Group))]
[RandomSlopes(nameof(TestScore.Pupil), nameof(TestScore.Time))]
public partial record TutoringModel;

/// <summary>
/// Table 2, Model 3: Model 2 with AR(1) residuals between a pupil's weekly tests (nlme's corAR1(~ Occasion | Pupil);
/// published ρ = 0.17), beside the correlated random intercept and slope.
/// </summary>
[MixedModel<TestScore>(Response = nameof(TestScore.Points), Fixed = [nameof(TestScore.Time), nameof(TestScore.Group)],
    Method = EstimationMethod.MaximumLikelihood)]
[Interaction(nameof(TestScore.Time), nameof(TestScore.Group))]
[RandomSlopes(nameof(TestScore.Pupil), nameof(TestScore.Time))]
[ResidualCorrelation(ResidualCorrelationStructure.Ar1, nameof(TestScore.Occasion), nameof(TestScore.Pupil))]
public partial record Ar1TutoringModel;
