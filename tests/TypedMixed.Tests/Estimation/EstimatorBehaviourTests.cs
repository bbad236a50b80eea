using TypedMixed.Estimation;
using TypedMixed.Tests.Reference;

namespace TypedMixed.Tests.Estimation;

public class EstimatorBehaviourTests
{
    [Fact]
    public void One_deviance_evaluation_allocates_nothing()
    {
        var problem = MixedModelProblem.Create(ReferenceData.ForFit("penicillin_REML"));
        var deviance = new ProfiledDeviance(problem.Factor, problem.N, problem.P, reml: true);
        double[] theta = [1.2, 3.1];
        deviance.Evaluate(theta);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++) deviance.Evaluate(theta);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        var slopes = MixedModelProblem.Create(ReferenceData.ForFit("sleepstudy_REML"));
        var d2 = new ProfiledDeviance(slopes.Factor, slopes.N, slopes.P, reml: true);
        double[] t2 = [0.9, 0.1, 0.2];
        d2.Evaluate(t2);
        before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++) d2.Evaluate(t2);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Aliased_fixed_effect_columns_are_dropped_and_named()
    {
        var design = ReferenceData.ForFit("exam_m3_ML");
        int n = design.Rows;
        // Add "mixedsch" = 1 − boysch − girlsch: aliased with the intercept and the two school-gender dummies.
        var boys = design.FixedEffects.AsSpan(3 * n, n).ToArray();
        var girls = design.FixedEffects.AsSpan(4 * n, n).ToArray();
        var mixed = boys.Zip(girls, (b, g) => 1 - b - g).ToArray();
        var aliased = new ModelDesign
        {
            ResponseName = design.ResponseName,
            Response = design.Response,
            FixedEffects = [.. design.FixedEffects, .. mixed],
            FixedEffectNames = [.. design.FixedEffectNames, "mixedsch"],
            Terms = design.Terms,
        };
        var fit = LinearMixedModel.Fit(aliased, FitOptions.MaximumLikelihood);
        var reference = LinearMixedModel.Fit(design, FitOptions.MaximumLikelihood);
        Assert.Equal(["mixedsch"], fit.DroppedFixedEffects);
        Assert.Contains(fit.Warnings, w => w.Code == "TMW003" && w.Message.Contains("mixedsch"));
        Assert.Equal(reference.FixedEffects.Select(f => f.Name), fit.FixedEffects.Select(f => f.Name));
        Assert.Equal(reference.Deviance, fit.Deviance, 8);
    }

    [Fact]
    public void Singular_fit_names_the_variance_on_the_boundary()
    {
        var fit = LinearMixedModel.Fit(ReferenceData.ForFit("dyestuff2_REML"));
        Assert.True(fit.IsSingular);
        Assert.Equal(0.0, fit.Term("Batch").Variance());
        var warning = Assert.Single(fit.Warnings, w => w.Code == "TMW001");
        Assert.Contains("'(Intercept)' over 'Batch'", warning.Message);
        Assert.Contains("estimated as zero", warning.Message);
        // The boundary variance has no standard error; the residual variance has one.
        Assert.True(double.IsNaN(fit.VarianceComponents[0].StdError));
        Assert.True(fit.VarianceComponents[^1].StdError > 0);
    }

    [Fact]
    public void Non_positive_definite_or_wrong_length_start_is_rejected_with_the_reason()
    {
        var design = ReferenceData.ForFit("sleepstudy_REML");
        var ex = Assert.Throws<ArgumentException>(() => LinearMixedModel.Fit(design, new FitOptions { InitialTheta = [-1, 0, 1] }));
        Assert.Contains("InitialTheta[0]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => LinearMixedModel.Fit(design, new FitOptions { InitialTheta = [1, 0] }));
        Assert.Contains("Subject.Days.(Intercept)", ex.Message);
    }

    [Fact]
    public void Fewer_rows_than_fixed_effects_is_rejected()
    {
        var design = new ModelDesign
        {
            Response = [1, 2, 3],
            FixedEffects = [1, 1, 1, 0, 1, 0, 0, 0, 1],
            FixedEffectNames = ["(Intercept)", "x", "z"],
            Terms = [RandomEffectsTerm.Intercept("g", [0, 1, 1], ["a", "b"])],
        };
        var ex = Assert.Throws<ModelDesignException>(() => LinearMixedModel.Fit(design));
        Assert.Contains("3 rows but 3 fixed-effect columns", ex.Message);
    }

    [Fact]
    public void Progress_reports_every_evaluation_and_the_best_objective()
    {
        var reports = new List<FitProgress>();
        var fit = LinearMixedModel.Fit(ReferenceData.ForFit("sleepstudy_REML"),
            new FitOptions { Progress = new SynchronousProgress<FitProgress>(reports.Add) });
        Assert.Equal(fit.Optimizer.Evaluations, reports.Count);
        Assert.Equal(fit.Objective, reports.Min(r => r.BestObjective), 9);
        Assert.True(reports.Zip(reports.Skip(1)).All(p => p.Second.BestObjective <= p.First.BestObjective));
    }

    [Fact]
    public void Cancellation_stops_the_fit()
    {
        using var cts = new CancellationTokenSource();
        var progress = new SynchronousProgress<FitProgress>(p => { if (p.Evaluations == 5) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() =>
            LinearMixedModel.Fit(ReferenceData.ForFit("sleepstudy_REML"), new FitOptions { Progress = progress }, cts.Token));
    }

    [Fact]
    public void Fitted_values_and_residuals_add_up_to_the_response()
    {
        var design = ReferenceData.ForFit("pastes_REML");
        var fit = LinearMixedModel.Fit(design);
        for (int i = 0; i < design.Rows; i++)
            Assert.Equal(design.Response[i], fit.Fitted[i] + fit.Residuals[i], 10);
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}

public class DegenerateResidualTests
{
    /// <summary>
    /// A response that is constant within each cluster: the cluster effects reproduce it exactly, the residual variance
    /// goes to zero (θ to infinity), and the fit says so (TMW007) instead of presenting the variances as estimates.
    /// </summary>
    [Fact]
    public void Random_effects_that_reproduce_the_response_are_flagged()
    {
        int n = 12;
        var cluster = Enumerable.Range(0, n).Select(i => i / 3).ToArray();
        double[] level = [1.5, -0.7, 2.9, 0.4];
        var design = new ModelDesign
        {
            Response = cluster.Select(c => level[c]).ToArray(),
            FixedEffects = Enumerable.Repeat(1.0, n).ToArray(),
            FixedEffectNames = ["(Intercept)"],
            Terms = [RandomEffectsTerm.Intercept("g", cluster, ["a", "b", "c", "d"])],
        };
        var fit = LinearMixedModel.Fit(design, FitOptions.MaximumLikelihood);
        var warning = Assert.Single(fit.Warnings, w => w.Code == "TMW007");
        Assert.Contains("4 of them for 12 observations", warning.Message);
    }
}
