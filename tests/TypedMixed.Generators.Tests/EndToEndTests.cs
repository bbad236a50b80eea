using System.Text.Json;
using TypedMixed.Generators.Tests.Infrastructure;
using TypedMixed.Generators.Tests.Models;

namespace TypedMixed.Generators.Tests;

/// <summary>
/// The sample models, declared with attributes in Models/ and compiled by the real build, fitted through the generated
/// code and compared with lme4 1.1-31: objective 1e-6, β and SE 1e-5, variance components 1e-4 (relative).
/// </summary>
public class EndToEndTests
{
    private static readonly Lazy<Pupil[]> Exam = new(() => Datasets.Exam);

    private static readonly Lazy<Reading[]> Sleep = new(() => Datasets.Sleep);

    private static readonly Lazy<Paste[]> Pastes = new(() => ReferenceData.Csv("Pastes.csv").Select(r => new Paste(
        ReferenceData.Number(r["strength"]), Batch: r["batch"], Cask: r["cask"])).ToArray());

    private static readonly Lazy<Assay[]> Penicillin = new(() => ReferenceData.Csv("Penicillin.csv").Select(r => new Assay(
        ReferenceData.Number(r["diameter"]), Plate: r["plate"], Sample: r["sample"])).ToArray());

    private static void Close(double expected, double actual, double relative, string what) =>
        Assert.True(Math.Abs(actual - expected) <= relative * Math.Abs(expected),
            $"{what}: expected {expected:R}, got {actual:R} (relative error {Math.Abs(actual - expected) / Math.Abs(expected):E2}, tolerance {relative:E0}).");

    private static void AssertFixedEffects(JsonElement reference, LinearMixedModelFit fit, double relative = 1e-5)
    {
        var fixedEffects = reference.GetProperty("fixed_effects");
        var estimate = ReferenceData.Doubles(fixedEffects.GetProperty("estimate"));
        var se = ReferenceData.Doubles(fixedEffects.GetProperty("std_error"));
        Assert.Equal(estimate.Length, fit.FixedEffects.Count);
        for (int c = 0; c < estimate.Length; c++)
        {
            Close(estimate[c], fit.FixedEffects[c].Estimate, relative, "β " + fit.FixedEffects[c].Name);
            Close(se[c], fit.FixedEffects[c].StdError, relative, "SE " + fit.FixedEffects[c].Name);
        }
    }

    /// <summary>
    /// Asserts that our optimum is lower than lme4's by more than 1e-12 (relative): lme4 stopped early on a flat
    /// objective, so its estimates are compared at <see cref="EarlyStopTolerance"/>, not at the usual tolerances.
    /// </summary>
    private static void AssertLowerThanLme4(JsonElement reference, double objective)
    {
        double lme4 = reference.GetProperty("objective_checks").GetProperty("objective_at_theta_hat").GetDouble();
        Assert.True(objective < lme4 - 1e-12 * lme4, $"Our objective {objective:R} vs lme4's {lme4:R}: lme4's is not the worse one");
    }

    /// <summary>The tolerance the runtime's own reference tests use for estimates of fits where lme4 stopped early.</summary>
    private const double EarlyStopTolerance = 1e-3;

    private static void AssertMlObjective(JsonElement reference, LinearMixedModelFit fit)
    {
        Assert.Equal(EstimationMethod.MaximumLikelihood, fit.Method);
        Close(reference.GetProperty("deviance").GetDouble(), fit.Deviance, 1e-6, "deviance");
    }

    [Fact]
    public void Inner_London_model_1()
    {
        var reference = ReferenceData.Fit("exam_m1_ML");
        var fit = EmptyModel.Fit(Exam.Value);
        AssertMlObjective(reference, fit.Underlying);
        AssertFixedEffects(reference, fit.Underlying);
        Close(ReferenceData.VarianceComponent(reference, "school", "(Intercept)"), fit.School.Variance, 1e-4, "school variance");
        Close(ReferenceData.VarianceComponent(reference, "Residual", null), fit.ResidualVariance, 1e-4, "residual variance");
        Assert.Equal(65, fit.School.Effects.Count);
    }

    [Fact]
    public void Inner_London_model_2()
    {
        var reference = ReferenceData.Fit("exam_m2_ML");
        var fit = StandLrtModel.Fit(Exam.Value);
        AssertMlObjective(reference, fit.Underlying);
        AssertFixedEffects(reference, fit.Underlying);
        Close(reference.GetProperty("fixed_effects").GetProperty("estimate")[1].GetDouble(), fit.StandLrt.Estimate, 1e-5, "StandLrt");
        Close(ReferenceData.VarianceComponent(reference, "school", "(Intercept)"), fit.School.Variance, 1e-4, "school variance");
        Close(ReferenceData.VarianceComponent(reference, "Residual", null), fit.ResidualVariance, 1e-4, "residual variance");
    }

    [Fact]
    public void Inner_London_model_3_with_typed_members_and_BLUPs_keyed_by_school()
    {
        var reference = ReferenceData.Fit("exam_m3_ML");
        var fit = SchoolGenderModel.Fit(Exam.Value);
        AssertMlObjective(reference, fit.Underlying);
        AssertFixedEffects(reference, fit.Underlying);
        var beta = ReferenceData.Doubles(reference.GetProperty("fixed_effects").GetProperty("estimate"));
        Close(beta[2], fit.SexGirl.Estimate, 1e-5, "girl");
        Close(beta[3], fit.SchoolGenderBoys.Estimate, 1e-5, "boysch");
        Close(beta[4], fit.SchoolGenderGirls.Estimate, 1e-5, "girlsch");
        Close(ReferenceData.VarianceComponent(reference, "school", "(Intercept)"), fit.School.Variance, 1e-4, "school variance");
        Close(ReferenceData.VarianceComponent(reference, "Residual", null), fit.ResidualVariance, 1e-4, "residual variance");

        // Conditional modes of the first schools, looked up by the school's own int key.
        var modes = reference.GetProperty("random_effects_first_levels").GetProperty("school");
        var levels = modes.GetProperty("levels").EnumerateArray().Select(l => int.Parse(l.GetString()!)).ToArray();
        var condModes = modes.GetProperty("cond_mode").EnumerateArray().Select(m => m[0].GetDouble()).ToArray();
        for (int k = 0; k < levels.Length; k++)
            Close(condModes[k], fit.School.Effects[levels[k]], 1e-4, "BLUP of school " + levels[k]);
    }

    [Fact]
    public void Inner_London_random_slope()
    {
        var reference = ReferenceData.Fit("exam_m2_randslope_ML");
        var fit = RandomSlopeModel.Fit(Exam.Value);
        AssertMlObjective(reference, fit.Underlying);
        AssertLowerThanLme4(reference, fit.Underlying.Deviance);
        AssertFixedEffects(reference, fit.Underlying, EarlyStopTolerance);
        Close(ReferenceData.VarianceComponent(reference, "school", "(Intercept)"), fit.School.InterceptVariance, EarlyStopTolerance, "intercept variance");
        Close(ReferenceData.VarianceComponent(reference, "school", "standLRT"), fit.School.StandLrtVariance, EarlyStopTolerance, "slope variance");
        Close(ReferenceData.VarianceComponent(reference, "school", "(Intercept)", "standLRT"), fit.School.Term.Covariance[0, 1], EarlyStopTolerance, "covariance");
        Close(ReferenceData.VarianceComponent(reference, "Residual", null), fit.ResidualVariance, EarlyStopTolerance, "residual variance");
    }

    [Fact]
    public void Sleepstudy_correlated_random_slope_by_REML()
    {
        var reference = ReferenceData.Fit("sleepstudy_REML");
        var fit = SleepModel.Fit(Sleep.Value);
        Assert.Equal(EstimationMethod.Reml, fit.Underlying.Method);
        Close(reference.GetProperty("REML_criterion").GetDouble(), fit.Underlying.RemlCriterion, 1e-6, "REML criterion");
        AssertFixedEffects(reference, fit.Underlying);
        Close(ReferenceData.VarianceComponent(reference, "Subject", "(Intercept)"), fit.Subject.InterceptVariance, 1e-4, "intercept variance");
        Close(ReferenceData.VarianceComponent(reference, "Subject", "Days"), fit.Subject.DaysVariance, 1e-4, "Days variance");
        Close(ReferenceData.VarianceComponent(reference, "Subject", "(Intercept)", "Days"), fit.Subject.Term.Covariance[0, 1], 1e-4, "covariance");
        Close(ReferenceData.VarianceComponent(reference, "Residual", null), fit.ResidualVariance, 1e-4, "residual variance");
        Assert.Equal(18, fit.Subject.Effects.Count);
    }

    [Fact]
    public void Sleepstudy_uncorrelated_random_slope_by_REML()
    {
        var reference = ReferenceData.Fit("sleepstudy_uncorr_REML");
        var fit = SleepUncorrelatedModel.Fit(Sleep.Value);
        Close(reference.GetProperty("REML_criterion").GetDouble(), fit.Underlying.RemlCriterion, 1e-6, "REML criterion");
        AssertFixedEffects(reference, fit.Underlying);
        Close(ReferenceData.VarianceComponent(reference, "Subject", "(Intercept)"), fit.Subject.InterceptVariance, 1e-4, "intercept variance");
        Close(ReferenceData.VarianceComponent(reference, "Subject.1", "Days"), fit.Subject.DaysVariance, 1e-4, "Days variance");
        Assert.Equal(0.0, fit.Subject.Term.Covariance[0, 1]);
    }

    [Fact]
    public void No_intercept_model_3_is_a_reparametrization_with_a_coefficient_per_sex()
    {
        // lme4's exam_m3 fit has an intercept and sexGirl; without the intercept sex is coded by both levels, so the
        // deviance is the same and SexBoy = (Intercept), SexGirl = (Intercept) + sexGirl.
        var reference = ReferenceData.Fit("exam_m3_ML");
        var fit = NoInterceptModel.Fit(Exam.Value);
        AssertMlObjective(reference, fit.Underlying);
        var beta = ReferenceData.Doubles(reference.GetProperty("fixed_effects").GetProperty("estimate"));
        Assert.Equal(["StandLrt", "SexBoy", "SexGirl", "SchoolGenderBoys", "SchoolGenderGirls"], fit.Underlying.FixedEffects.Select(e => e.Name));
        Close(beta[1], fit.StandLrt.Estimate, 1e-5, "standLRT");
        Close(beta[0], fit.SexBoy.Estimate, 1e-5, "boy");
        Close(beta[0] + beta[2], fit.SexGirl.Estimate, 1e-5, "girl");
        Close(beta[3], fit.SchoolGenderBoys.Estimate, 1e-5, "boysch");
        Close(beta[4], fit.SchoolGenderGirls.Estimate, 1e-5, "girlsch");
        Close(ReferenceData.VarianceComponent(reference, "school", "(Intercept)"), fit.School.Variance, 1e-4, "school variance");
    }

    [Fact]
    public void Pastes_nested_casks_in_batches_by_REML()
    {
        var reference = ReferenceData.Fit("pastes_REML");
        var fit = PastesModel.Fit(Pastes.Value);
        Assert.Equal(EstimationMethod.Reml, fit.Underlying.Method);
        Close(reference.GetProperty("REML_criterion").GetDouble(), fit.Underlying.RemlCriterion, 1e-6, "REML criterion");
        AssertFixedEffects(reference, fit.Underlying);
        Close(ReferenceData.VarianceComponent(reference, "cask:batch", "(Intercept)"), fit.Cask.Variance, 1e-4, "cask:batch variance");
        Close(ReferenceData.VarianceComponent(reference, "batch", "(Intercept)"), fit.Batch.Variance, 1e-4, "batch variance");
        Close(ReferenceData.VarianceComponent(reference, "Residual", null), fit.ResidualVariance, 1e-4, "residual variance");

        // lme4's name and level keys for the nested term; ours are spelled with the member names (Cask, Batch).
        var modes = reference.GetProperty("random_effects_first_levels").GetProperty("cask:batch");
        Assert.Equal("cask:batch", fit.Cask.Term.Name, ignoreCase: true);
        Assert.Equal(reference.GetProperty("ngroups").GetProperty("cask:batch").GetInt32(), fit.Cask.Term.LevelCount);
        Assert.Equal(reference.GetProperty("ngroups").GetProperty("batch").GetInt32(), fit.Batch.Effects.Count);
        var levels = modes.GetProperty("levels").EnumerateArray().Select(l => l.GetString()!).ToArray();
        Assert.Equal(levels, fit.Cask.Term.LevelKeys.Take(levels.Length));

        // The typed effects are keyed by the (Batch, Cask) tuple, outermost first; lme4's key "a:A" is cask a of batch A.
        var condModes = modes.GetProperty("cond_mode").EnumerateArray().Select(m => m[0].GetDouble()).ToArray();
        for (int k = 0; k < levels.Length; k++)
        {
            var parts = levels[k].Split(':');
            Close(condModes[k], fit.Cask.Effects[(Batch: parts[1], Cask: parts[0])], 1e-4, "BLUP of cask " + levels[k]);
        }
        Assert.Equal(fit.Cask.Levels[0], (Batch: "A", Cask: "a"));
    }

    [Fact]
    public void Penicillin_crossed_plates_and_samples_by_REML()
    {
        var reference = ReferenceData.Fit("penicillin_REML");
        var fit = PenicillinModel.Fit(Penicillin.Value);
        Close(reference.GetProperty("REML_criterion").GetDouble(), fit.Underlying.RemlCriterion, 1e-6, "REML criterion");
        AssertLowerThanLme4(reference, fit.Underlying.RemlCriterion);
        AssertFixedEffects(reference, fit.Underlying, EarlyStopTolerance);
        Close(ReferenceData.VarianceComponent(reference, "plate", "(Intercept)"), fit.Plate.Variance, EarlyStopTolerance, "plate variance");
        Close(ReferenceData.VarianceComponent(reference, "sample", "(Intercept)"), fit.Sample.Variance, EarlyStopTolerance, "sample variance");
        Close(ReferenceData.VarianceComponent(reference, "Residual", null), fit.ResidualVariance, EarlyStopTolerance, "residual variance");
        Assert.Equal(reference.GetProperty("ngroups").GetProperty("plate").GetInt32(), fit.Plate.Effects.Count);
        Assert.Equal(reference.GetProperty("ngroups").GetProperty("sample").GetInt32(), fit.Sample.Effects.Count);
    }

    [Fact]
    public void Declared_method_can_be_overridden_and_options_pass_through()
    {
        var reml = SleepModel.Fit(Sleep.Value, EstimationMethod.MaximumLikelihood);
        Close(ReferenceData.Fit("sleepstudy_ML").GetProperty("deviance").GetDouble(), reml.Underlying.Deviance, 1e-6, "ML deviance");
        int reports = 0;
        var fit = SleepModel.Fit(Sleep.Value, new FitOptions { Progress = new SyncProgress(_ => reports++) });
        Assert.Equal(EstimationMethod.Reml, fit.Underlying.Method);
        Assert.True(reports > 0);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => SleepModel.Fit(Sleep.Value, cancellationToken: cancelled.Token));
    }

    [Fact]
    public void Predict_adds_the_cluster_effects_of_a_known_cluster_and_zero_for_a_new_one_only_when_allowed()
    {
        var fit = SleepModel.Fit(Sleep.Value);
        var first = Sleep.Value[3];
        Assert.Equal(fit.Underlying.Fitted[3], fit.Predict(first), 9);
        double population = fit.Intercept.Estimate + fit.Days.Estimate * first.Days;
        Assert.Equal(population, fit.Predict(first with { Subject = 9999 }, allowNewLevels: true), 9);
        var error = Assert.Throws<ModelDesignException>(() => fit.Predict(first with { Subject = 9999 }));
        Assert.Equal(("Subject", 0), (error.Member, error.Row));
        Assert.StartsWith("Record 0 is in 'Subject' cluster '9999', which is not in the fitted data (18 levels: 308, 309, 310, 330, 331, …). Pass allowNewLevels: true", error.Message, StringComparison.Ordinal);
        var e = fit.Subject.Effects[first.Subject];
        Assert.Equal(population + e.Intercept + e.Days * first.Days, fit.Predict(first), 9);
    }

    [Fact]
    public void Batch_predictions_equal_the_record_by_record_ones_and_the_fitted_values()
    {
        var fit = SleepModel.Fit(Sleep.Value);
        var all = fit.Predict(Sleep.Value);
        Assert.Equal(Sleep.Value.Length, all.Length);
        for (int i = 0; i < all.Length; i++)
        {
            Assert.Equal(fit.Underlying.Fitted[i], all[i], 9);
            Assert.Equal(fit.Predict(Sleep.Value[i]), all[i], 12);
        }
        var fixedAll = fit.PredictFixed(Sleep.Value);
        Assert.Equal(fit.PredictFixed(Sleep.Value[7]), fixedAll[7], 12);
        Assert.Equal(fit.Intercept.Estimate + fit.Days.Estimate * Sleep.Value[7].Days, fixedAll[7], 9);

        // One new subject among known ones: an error naming its position, or its population prediction when allowed.
        var mixed = new[] { Sleep.Value[0], Sleep.Value[1] with { Subject = 1 }, Sleep.Value[2] };
        Assert.Equal(1, Assert.Throws<ModelDesignException>(() => fit.Predict(mixed)).Row);
        var allowed = fit.Predict(mixed, allowNewLevels: true);
        Assert.Equal(all[0], allowed[0], 12);
        Assert.Equal(fixedAll[1], allowed[1], 12);
        Assert.Equal(all[2], allowed[2], 12);
        Assert.Empty(fit.Predict(Array.Empty<Reading>()));
    }

    [Fact]
    public void Unknown_keys_name_the_classification_the_key_and_some_valid_keys()
    {
        var fit = SleepModel.Fit(Sleep.Value);
        string expected = "'Subject' has no cluster '999' in the fitted data (18 levels: 308, 309, 310, 330, 331, …); use one of Subject.Levels, or TryGetValue/ContainsKey to test a key first.";
        Assert.Equal(expected, Assert.Throws<KeyNotFoundException>(() => fit.Subject.Effects[999]).Message);
        Assert.Equal(expected, Assert.Throws<KeyNotFoundException>(() => fit.Subject.Sizes[999]).Message);
        Assert.Equal(expected, Assert.Throws<KeyNotFoundException>(() => fit.Subject.ConditionalStdDev(999)).Message);
        Assert.False(fit.Subject.Effects.TryGetValue(999, out _));
        Assert.True(fit.Subject.Effects.ContainsKey(308));
        Assert.Equal(fit.Subject.Levels, fit.Subject.Effects.Keys);
        Assert.Equal(18, fit.Subject.Sizes.Count);
        Assert.Equal(Sleep.Value.Length, fit.Subject.Sizes.Values.Sum());
    }

    [Fact]
    public void Formula_is_the_declaration_in_lme4_notation_and_heads_the_summary()
    {
        Assert.Equal("Reaction ~ 1 + Days + (1 + Days | Subject)", SleepModel.Formula);
        Assert.Equal("Reaction ~ 1 + Days + (1 + Days || Subject)", SleepUncorrelatedModel.Formula);
        Assert.Equal("NormExam ~ 1 + (1 | School)", EmptyModel.Formula);
        var fit = SleepModel.Fit(Sleep.Value);
        Assert.Equal(SleepModel.Formula, fit.Formula);
        Assert.Contains("Formula: Reaction ~ 1 + Days + (1 + Days | Subject)\n", fit.Summary(), StringComparison.Ordinal);
        Assert.Contains("- **Formula**: `Reaction ~ 1 + Days + (1 + Days | Subject)`", fit.SummaryMarkdown(), StringComparison.Ordinal);
        Assert.Contains("Formula: other", fit.Summary(new TypedMixed.Presentation.FitReportOptions { Formula = "other" }), StringComparison.Ordinal);
    }

    private sealed class SyncProgress(Action<FitProgress> report) : IProgress<FitProgress>
    {
        public void Report(FitProgress value) => report(value);
    }
}
