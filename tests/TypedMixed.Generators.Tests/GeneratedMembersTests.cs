using Microsoft.CodeAnalysis;
using TypedMixed.Generators.Tests.Infrastructure;
using TypedMixed.Generators.Tests.Models;

namespace TypedMixed.Generators.Tests;

/// <summary>
/// The typed result's derived members — variance-component SEs, cluster sizes, ICC, <c>PredictFixed</c> — agree with
/// what the runtime reports for the same fit, and prediction never reads the response.
/// </summary>
public class GeneratedMembersTests
{
    private static readonly Lazy<EmptyModel.Result> Empty = new(() => EmptyModel.Fit(Datasets.Exam));
    private static readonly Lazy<SleepModel.Result> Sleep = new(() => SleepModel.Fit(Datasets.Sleep));

    private static readonly Lazy<Paste[]> Pastes = new(() => ReferenceData.Csv("Pastes.csv").Select(r => new Paste(
        ReferenceData.Number(r["strength"]), Batch: r["batch"], Cask: r["cask"])).ToArray());

    private static PartialReading[] PartialSleep() => Datasets.Sleep.Select(r => new PartialReading(r.Reaction, r.Days, r.Subject)).ToArray();

    private static void Close(double expected, double actual, double relative, string what) =>
        Assert.True(Math.Abs(actual - expected) <= relative * Math.Abs(expected), $"{what}: expected {expected:R}, got {actual:R}.");

    [Fact]
    public void Variance_standard_errors_are_the_runtimes()
    {
        var empty = Empty.Value;
        Assert.Equal(empty.Underlying.Term("School").VarianceStdError(0), empty.School.VarianceStdError);
        Assert.True(empty.School.VarianceStdError > 0);
        var residual = empty.Underlying.VarianceComponents.Single(c => c.Kind == VarianceComponentKind.ResidualVariance);
        Assert.Equal(residual.StdError, empty.ResidualVarianceStdError);
        Assert.True(empty.ResidualVarianceStdError > 0);

        var sleep = Sleep.Value;
        var subject = sleep.Underlying.Term("Subject");
        Assert.Equal(subject.VarianceStdError(0), sleep.Subject.VarianceStdError);
        Assert.Equal(subject.VarianceStdError(0), sleep.Subject.InterceptVarianceStdError);
        Assert.Equal(subject.VarianceStdError(1), sleep.Subject.DaysVarianceStdError);
        var covariance = sleep.Underlying.VarianceComponents.Single(c => c.Group == "Subject" && c.Kind == VarianceComponentKind.Covariance);
        Assert.Equal(("(Intercept)", "Days"), (covariance.Var1, covariance.Var2));
        Assert.Equal(subject.Covariance[0, 1], sleep.Subject.InterceptDaysCovariance);
        Close(covariance.Estimate, sleep.Subject.InterceptDaysCovariance, 1e-12, "covariance");
        Assert.Equal(covariance.StdError, sleep.Subject.InterceptDaysCovarianceStdError);
        Assert.True(double.IsFinite(sleep.Subject.InterceptDaysCovarianceStdError) && sleep.Subject.InterceptDaysCovarianceStdError > 0);
    }

    [Fact]
    public void Correlation_standard_error_is_the_delta_method_on_the_components_covariance()
    {
        var fit = Sleep.Value;
        var vc = fit.Underlying.VarianceComponents;
        var v = fit.Underlying.VarianceComponentsCovariance!;
        int Row(string var1, string? var2) => vc.Select((c, i) => (c, i)).Single(x => x.c.Group == "Subject" && x.c.Var1 == var1 && x.c.Var2 == var2).i;
        int[] rows = [Row("(Intercept)", null), Row("Days", null), Row("(Intercept)", "Days")];
        double a = vc[rows[0]].Estimate, b = vc[rows[1]].Estimate, c = vc[rows[2]].Estimate, rho = c / Math.Sqrt(a * b);
        double[] g = [-rho / (2 * a), -rho / (2 * b), 1 / Math.Sqrt(a * b)];
        double variance = 0;
        for (int r = 0; r < 3; r++)
            for (int s = 0; s < 3; s++) variance += g[r] * v[rows[r], rows[s]] * g[s];
        Close(Math.Sqrt(variance), fit.Subject.InterceptDaysCorrelationStdError, 1e-12, "SE of the correlation");
        Close(rho, fit.Subject.InterceptDaysCorrelation, 1e-12, "correlation");

        // Without the components' covariance there is no SE to report.
        var bare = SleepModel.Fit(Datasets.Sleep, new FitOptions { VarianceComponentErrors = false });
        Assert.True(double.IsNaN(bare.Subject.InterceptDaysCorrelationStdError));
        Assert.True(double.IsNaN(bare.Subject.InterceptDaysCovarianceStdError));
        Assert.True(double.IsNaN(bare.Subject.DaysVarianceStdError));
    }

    [Fact]
    public void Cluster_sizes_are_keyed_by_the_classification_and_sum_to_the_rows()
    {
        var fit = Empty.Value;
        Assert.Equal(65, fit.School.Sizes.Count);
        Assert.Equal(fit.Underlying.ObservationCount, fit.School.Sizes.Values.Sum());
        foreach (var group in Datasets.Exam.GroupBy(p => p.School)) Assert.Equal(group.Count(), fit.School.Sizes[group.Key]);
        Assert.Equal(8, fit.School.Sizes[54]);

        var pastes = PastesModel.Fit(Pastes.Value);
        Assert.Equal(60, pastes.Cask.Sizes.Values.Sum());
        Assert.All(pastes.Cask.Sizes.Values, n => Assert.Equal(2, n));
        Assert.Equal(6, pastes.Batch.Sizes["A"]);
        Assert.Equal(2, pastes.Cask.Sizes[(Batch: "A", Cask: "a")]);
    }

    [Fact]
    public void Intraclass_correlation_is_emitted_only_when_every_term_is_a_random_intercept()
    {
        var fit = Empty.Value;
        Assert.Equal(fit.Underlying.IntraclassCorrelation("School"), fit.School.IntraclassCorrelation);
        Close(fit.School.Variance / (fit.School.Variance + fit.ResidualVariance), fit.School.IntraclassCorrelation, 1e-12, "ICC");

        var pastes = PastesModel.Fit(Pastes.Value);
        double total = pastes.Batch.Variance + pastes.Cask.Variance + pastes.ResidualVariance;
        Assert.Equal(pastes.Underlying.IntraclassCorrelation("Batch"), pastes.Batch.IntraclassCorrelation);
        Assert.Equal(pastes.Underlying.IntraclassCorrelation(pastes.Cask.Term.Name), pastes.Cask.IntraclassCorrelation);
        Close(pastes.Cask.Variance / total, pastes.Cask.IntraclassCorrelation, 1e-12, "ICC of cask:batch");

        // With random slopes the share of variance depends on the covariates: no ICC member.
        Assert.Null(typeof(SleepModel.Result.SubjectEffects).GetProperty("IntraclassCorrelation"));
        Assert.Null(typeof(RandomSlopeModel.Result.SchoolEffects).GetProperty("IntraclassCorrelation"));
    }

    [Fact]
    public void PredictFixed_is_x_beta_and_Predict_adds_the_cluster_effect()
    {
        var pupils = Datasets.Exam;
        var fit = SchoolGenderModel.Fit(pupils);
        var design = fit.Design;
        var beta = fit.Underlying.FixedEffects.Select(e => e.Estimate).ToArray();
        Assert.Equal(design.FixedEffectNames, fit.Underlying.FixedEffects.Select(e => e.Name));
        foreach (int i in new[] { 0, 1, 517, 2000, pupils.Length - 1 })
        {
            double xb = 0;
            for (int c = 0; c < beta.Length; c++) xb += design.FixedEffects[c * design.Rows + i] * beta[c];
            Close(xb, fit.PredictFixed(pupils[i]), 1e-12, "xβ of row " + i);
            Close(fit.Underlying.Fitted[i], fit.Predict(pupils[i]), 1e-9, "fitted value of row " + i);
            Assert.Equal(fit.PredictFixed(pupils[i]) + fit.School.Effects[pupils[i].School], fit.Predict(pupils[i]), 12);
        }
        // The cluster plays no part in the fixed part, known or not.
        Assert.Equal(fit.PredictFixed(pupils[0]), fit.PredictFixed(pupils[0] with { School = -1 }));
    }

    [Fact]
    public void Predict_and_PredictFixed_do_not_read_the_response()
    {
        var sleep = Sleep.Value;
        var third = Datasets.Sleep[3];
        Assert.Equal(sleep.Underlying.Fitted[3], sleep.Predict(third with { Reaction = double.NaN }), 9);
        Assert.Equal(sleep.Intercept.Estimate + sleep.Days.Estimate * third.Days, sleep.PredictFixed(third with { Reaction = double.NaN }), 9);

        var data = PartialSleep();
        var fit = PartialSleepModel.Fit(data);
        Close(sleep.Underlying.RemlCriterion, fit.Underlying.RemlCriterion, 1e-9, "same fit as SleepModel");
        var record = data[3] with { Reaction = null };
        Assert.Equal(fit.Underlying.Fitted[3], fit.Predict(record), 9);
        double population = fit.Intercept.Estimate + fit.Days.Estimate * record.Days!.Value;
        Assert.Equal(population, fit.PredictFixed(record with { Subject = null }), 12);
        // Predict needs the cluster; the fixed part needs the covariate.
        Assert.Throws<ModelDesignException>(() => fit.Predict(record with { Subject = null }));
        Assert.Throws<ModelDesignException>(() => fit.PredictFixed(record with { Days = null }));
    }

    [Fact]
    public void PredictFixed_reads_only_the_fixed_part_covariates()
    {
        var fit = SlopeOnlyModel.Fit(PartialSleep());
        Assert.Equal(["(Intercept)"], fit.Underlying.FixedEffects.Select(e => e.Name));
        Assert.Equal(fit.Intercept.Estimate, fit.PredictFixed(new PartialReading(null, null, null)));
        int subject = fit.Subject.Levels[0];
        var e = fit.Subject.Effects[subject];
        Assert.Equal(fit.Intercept.Estimate + e.Intercept + 3 * e.Days, fit.Predict(new PartialReading(null, 3, subject)), 12);
    }

    [Fact]
    public void A_category_used_only_as_a_random_slope_with_nullable_members_compiles_cleanly()
    {
        const string source = """
            using TypedMixed;
            namespace Sample;
            public enum Arm { Control, Active }
            public sealed record Visit(double? Score, double Time, Arm? Arm, [property: Classification] string? Clinic);
            [MixedModel<Visit>(Response = nameof(Visit.Score), Fixed = [nameof(Visit.Time)])]
            [RandomSlopes(nameof(Visit.Clinic), nameof(Visit.Arm))]
            public partial record M;
            """;
        var (output, diagnostics, run) = GeneratorHarness.Run(source);
        Assert.Empty(diagnostics);
        Assert.Contains("if (!fixedOnly)", run.GeneratedTrees.Single().ToString());
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void Prediction_rejects_an_undefined_enum_value_and_a_nested_cluster_not_fitted()
    {
        var fit = SchoolGenderModel.Fit(Datasets.Exam);
        var pupil = Datasets.Exam[0];
        var undefined = Assert.Throws<ModelDesignException>(() => fit.PredictFixed(pupil with { Sex = (Sex)5 }));
        Assert.Equal(("Sex", 0), (undefined.Member, undefined.Row));

        var pastes = PastesModel.Fit(Pastes.Value);
        var known = Pastes.Value[0];
        var newCask = known with { Cask = "z" };
        var e = Assert.Throws<ModelDesignException>(() => pastes.Predict(newCask));
        Assert.Equal("Cask", e.Member);
        Assert.Contains("'Cask' cluster 'z:" + known.Batch + "'", e.Message, StringComparison.Ordinal);
        Assert.Equal(pastes.PredictFixed(known) + pastes.Batch.Effects[known.Batch], pastes.Predict(newCask, allowNewLevels: true), 12);
    }
}
