using TypedMixed.Tests.Reference;

namespace TypedMixed.Tests.Robustness;

/// <summary>
/// Faults in the data that reach the runtime through a <see cref="ModelDesign"/>: non-finite values, empty or
/// degenerate classifications, singleton clusters, duplicated rows. Each is either a clear
/// <see cref="ModelDesignException"/> naming the member, the row and the fix, or a fit whose numbers are right.
/// </summary>
public class DataFaultTests
{
    public static TheoryData<double> NonFinite() => new(double.NaN, double.PositiveInfinity, double.NegativeInfinity);

    /// <summary>Sleepstudy: y = Reaction, X = [1, Days], (1 + Days | Subject); 180 rows.</summary>
    private static ModelDesign Sleep() => ReferenceData.ForFit("sleepstudy_REML");

    private static double[] With(double[] values, int index, double value)
    {
        var copy = (double[])values.Clone();
        copy[index] = value;
        return copy;
    }

    private static void AssertNamesRowAndFix(ModelDesignException ex, string member, int row, string valueText)
    {
        Assert.Equal(member, ex.Member);
        Assert.Equal(row, ex.Row);
        Assert.Contains($"row {row}", ex.Message);
        Assert.Contains($"'{member}'", ex.Message);
        Assert.Contains(valueText, ex.Message);
        Assert.Contains("Remove the row or replace the value", ex.Message);
    }

    private static string Text(double v) => double.IsNaN(v) ? "NaN" : v > 0 ? "+∞" : "−∞";

    [Theory]
    [MemberData(nameof(NonFinite))]
    public void Non_finite_response_is_rejected_by_the_fit_naming_row_and_response(double value)
    {
        var d = Sleep();
        var bad = Designs.WithResponse(d, With(d.Response, 57, value));
        var ex = Assert.Throws<ModelDesignException>(() => LinearMixedModel.Fit(bad));
        AssertNamesRowAndFix(ex, "Reaction", 57, Text(value));
    }

    [Theory]
    [MemberData(nameof(NonFinite))]
    public void Non_finite_fixed_effect_is_rejected_by_the_fit_naming_row_and_column(double value)
    {
        var d = Sleep();
        int n = d.Rows;
        var bad = new ModelDesign
        {
            ResponseName = d.ResponseName,
            Response = d.Response,
            FixedEffects = With(d.FixedEffects, n + 101, value), // column "Days", row 101
            FixedEffectNames = d.FixedEffectNames,
            Terms = d.Terms,
        };
        var ex = Assert.Throws<ModelDesignException>(() => LinearMixedModel.Fit(bad));
        AssertNamesRowAndFix(ex, "Days", 101, Text(value));
    }

    [Theory]
    [MemberData(nameof(NonFinite))]
    public void Non_finite_random_effects_column_is_rejected_by_the_fit_naming_row_column_and_term(double value)
    {
        var d = Sleep();
        int n = d.Rows;
        var t = d.Terms[0];
        var bad = new ModelDesign
        {
            ResponseName = d.ResponseName,
            Response = d.Response,
            FixedEffects = d.FixedEffects,
            FixedEffectNames = d.FixedEffectNames,
            Terms = [new RandomEffectsTerm { Name = t.Name, LevelIndex = t.LevelIndex, LevelKeys = t.LevelKeys, ColumnNames = t.ColumnNames, Columns = With(t.Columns, n + 179, value) }],
        };
        var ex = Assert.Throws<ModelDesignException>(() => LinearMixedModel.Fit(bad));
        AssertNamesRowAndFix(ex, "Days", 179, Text(value));
        Assert.Contains("term 'Subject'", ex.Message);
    }

    [Fact]
    public void Empty_design_is_rejected_by_the_fit()
    {
        var empty = new ModelDesign
        {
            Response = [],
            FixedEffects = [],
            FixedEffectNames = ["(Intercept)"],
            Terms = [RandomEffectsTerm.Intercept("g", [], [])],
        };
        var ex = Assert.Throws<ModelDesignException>(() => LinearMixedModel.Fit(empty));
        Assert.Contains("no rows", ex.Message);
        Assert.Contains("at least one observation", ex.Message);
    }

    [Fact]
    public void Single_cluster_is_rejected_naming_the_term_and_its_level()
    {
        var d = Sleep();
        var one = new ModelDesign
        {
            ResponseName = d.ResponseName,
            Response = d.Response,
            FixedEffects = d.FixedEffects,
            FixedEffectNames = d.FixedEffectNames,
            Terms = [RandomEffectsTerm.Intercept("Lab", new int[d.Rows], ["Walter Reed"])],
        };
        var ex = Assert.Throws<ModelDesignException>(() => LinearMixedModel.Fit(one));
        Assert.Equal("Lab", ex.Member);
        Assert.Contains("single level ('Walter Reed')", ex.Message);
        Assert.Contains("at least two clusters", ex.Message);
    }

    [Fact]
    public void Level_that_never_occurs_is_rejected_naming_the_level_and_term()
    {
        var d = Sleep();
        var t = d.Terms[0];
        var extra = new RandomEffectsTerm
        {
            Name = t.Name,
            LevelIndex = t.LevelIndex,
            LevelKeys = [.. t.LevelKeys.Take(7), "999", .. t.LevelKeys.Skip(7)], // "999" has no rows
            ColumnNames = t.ColumnNames,
            Columns = t.Columns,
        };
        // Shift indices ≥ 7 up by one so every original level keeps its rows.
        var shifted = new RandomEffectsTerm
        {
            Name = extra.Name,
            LevelIndex = t.LevelIndex.Select(l => l >= 7 ? l + 1 : l).ToArray(),
            LevelKeys = extra.LevelKeys,
            ColumnNames = extra.ColumnNames,
            Columns = extra.Columns,
        };
        var bad = new ModelDesign { ResponseName = d.ResponseName, Response = d.Response, FixedEffects = d.FixedEffects, FixedEffectNames = d.FixedEffectNames, Terms = [shifted] };
        var ex = Assert.Throws<ModelDesignException>(() => LinearMixedModel.Fit(bad));
        Assert.Equal("Subject", ex.Member);
        Assert.Contains("Level '999' of term 'Subject' has no rows", ex.Message);
        Assert.Contains("Drop unused levels", ex.Message);
    }

    /// <summary>
    /// Random intercept over 30 clusters of which 12 are singletons (the others 2–6 rows), plus a covariate: the fit
    /// is valid, its objective equals the dense −2 log-likelihood at θ̂, and θ̂ is a minimum of that dense objective.
    /// </summary>
    [Theory]
    [InlineData(EstimationMethod.MaximumLikelihood)]
    [InlineData(EstimationMethod.Reml)]
    public void Some_singleton_clusters_give_the_brute_force_optimum(EstimationMethod method)
    {
        var rng = new Random(11);
        var index = new List<int>();
        for (int l = 0; l < 30; l++)
        {
            int size = l < 12 ? 1 : rng.Next(2, 7);
            for (int r = 0; r < size; r++) index.Add(l);
        }
        int n = index.Count;
        var x = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2).ToArray();
        var structure = new ModelDesign
        {
            Response = new double[n],
            FixedEffects = [.. Enumerable.Repeat(1.0, n), .. x],
            FixedEffectNames = ["(Intercept)", "x"],
            Terms = [RandomEffectsTerm.Intercept("g", index.ToArray(), Enumerable.Range(0, 30).Select(Designs.Key).ToArray())],
        };
        var d = Designs.WithResponse(structure, Designs.Simulate(structure, rng, 1.5, 1.0));
        var fit = LinearMixedModel.Fit(d, Designs.Fast(method));
        bool reml = method == EstimationMethod.Reml;
        Assert.False(fit.IsSingular);
        Assert.Empty(fit.Warnings);
        double dense = DenseModel.ProfiledObjective(d, fit.FixedEffects.Select(f => f.Name), fit.Theta, reml);
        ReferenceData.AssertRelative(dense, fit.Objective, 1e-10, "objective vs dense");
        foreach (double h in new[] { -1e-3, 1e-3 })
            Assert.True(DenseModel.ProfiledObjective(d, fit.FixedEffects.Select(f => f.Name), [fit.Theta[0] + h], reml) > fit.Objective,
                $"θ̂ = {fit.Theta[0]} is not a minimum of the dense objective (step {h})");
    }

    /// <summary>
    /// Every cluster a singleton: a cluster effect and the residual cannot be told apart, so the design is rejected
    /// (as lme4 rejects it) with the term named, instead of returning an arbitrary split of the variance.
    /// </summary>
    [Theory]
    [InlineData(EstimationMethod.MaximumLikelihood)]
    [InlineData(EstimationMethod.Reml)]
    public void All_singleton_clusters_are_rejected_with_the_term_named(EstimationMethod method)
    {
        var rng = new Random(5);
        int n = 40;
        var y = Enumerable.Range(0, n).Select(_ => 3 + 2 * Designs.Normal(rng)).ToArray();
        var d = new ModelDesign
        {
            Response = y,
            FixedEffects = Enumerable.Repeat(1.0, n).ToArray(),
            FixedEffectNames = ["(Intercept)"],
            Terms = [RandomEffectsTerm.Intercept("g", Enumerable.Range(0, n).ToArray(), Enumerable.Range(0, n).Select(Designs.Key).ToArray())],
        };
        var ex = Assert.Throws<ModelDesignException>(() => LinearMixedModel.Fit(d, Designs.Fast(method)));
        Assert.Equal("g", ex.Member);
        Assert.Contains("40 random effects for 40 observations", ex.Message);
    }

    /// <summary>
    /// Every row of sleepstudy twice: a valid fit whose objective equals the dense −2 log-likelihood at θ̂ (the
    /// duplicates are independent observations to the model; nothing is singular).
    /// </summary>
    [Theory]
    [InlineData(EstimationMethod.MaximumLikelihood)]
    [InlineData(EstimationMethod.Reml)]
    public void Duplicated_rows_give_a_valid_fit_equal_to_the_brute_force_deviance(EstimationMethod method)
    {
        var d = Designs.RepeatRows(Sleep(), 2);
        var fit = LinearMixedModel.Fit(d, Designs.Fast(method));
        Assert.Equal(360, fit.ObservationCount);
        Assert.False(fit.IsSingular);
        Assert.Empty(fit.Warnings);
        bool reml = method == EstimationMethod.Reml;
        var names = fit.FixedEffects.Select(f => f.Name).ToArray();
        ReferenceData.AssertRelative(DenseModel.ProfiledObjective(d, names, fit.Theta, reml), fit.Objective, 1e-10, "objective vs dense");
        // Doubling the rows halves the within-subject sampling variance: σ̂² stays near the original, β̂ is unchanged
        // (the design is balanced, so β̂ is the OLS estimate either way).
        var single = LinearMixedModel.Fit(Sleep(), Designs.Fast(method));
        for (int c = 0; c < names.Length; c++)
            ReferenceData.AssertRelative(single.FixedEffects[c].Estimate, fit.FixedEffects[c].Estimate, 1e-8, names[c]);
    }

    /// <summary>
    /// (1 + z | Subject) with z constant within each subject and taking five values: the intercept and slope of a
    /// subject are not separately identified. The fit must say so: singular, with a TMW001 warning naming 'z'.
    /// </summary>
    [Fact]
    public void Random_slope_on_a_cluster_level_covariate_is_reported_singular()
    {
        var d = SlopeOnClusterLevelCovariate(l => l % 5);
        var fit = LinearMixedModel.Fit(d);
        Assert.True(fit.IsSingular);
        var w = Assert.Single(fit.Warnings, w => w.Code == "TMW001");
        Assert.Contains("'z' over 'Subject'", w.Message);
        // With five distinct values Var(b₀ + z b₁) = s₀₀ + 2z s₀₁ + z² s₁₁ identifies all three parameters (weakly).
        Assert.DoesNotContain(fit.Warnings, w => w.Code == "TMW006");
    }

    /// <summary>
    /// (1 + z | Subject) with z a 0/1 subject-level covariate: Var(b₀ + z b₁) takes only two values, s₀₀ (z = 0) and
    /// s₀₀ + 2s₀₁ + s₁₁ (z = 1), so the identified model is a random intercept with one variance per z group — the
    /// term (1 − z, z ‖ Subject). The fit must reach that model's likelihood and fitted values, and its two identified
    /// variances; s₁₁ and s₀₁ separately are not identified, which TMW006 says.
    /// </summary>
    [Fact]
    public void Random_slope_on_a_binary_cluster_level_covariate_gets_the_identified_variances_right()
    {
        var d = SlopeOnClusterLevelCovariate(l => l % 2);
        var fit = LinearMixedModel.Fit(d, Designs.Fast(EstimationMethod.Reml));
        var s = d.Terms[0];
        int n = d.Rows;
        var z = s.Columns.AsSpan(n, n).ToArray();
        var groups = new ModelDesign
        {
            ResponseName = d.ResponseName,
            Response = d.Response,
            FixedEffects = d.FixedEffects,
            FixedEffectNames = d.FixedEffectNames,
            Terms = [new RandomEffectsTerm { Name = "Subject", LevelIndex = s.LevelIndex, LevelKeys = s.LevelKeys, ColumnNames = ["z0", "z1"], Columns = [.. z.Select(v => 1 - v), .. z], Covariance = CovarianceStructure.Diagonal }],
        };
        var identified = LinearMixedModel.Fit(groups, Designs.Fast(EstimationMethod.Reml));
        ReferenceData.AssertRelative(identified.Objective, fit.Objective, 1e-9, "REML criterion");
        var cov = fit.Term("Subject").Covariance;
        ReferenceData.AssertRelative(identified.Term("Subject").Variance(0), cov[0, 0], 1e-4, "Var(b₀) for z = 0");
        ReferenceData.AssertRelative(identified.Term("Subject").Variance(1), cov[0, 0] + 2 * cov[0, 1] + cov[1, 1], 1e-4, "Var(b₀ + b₁) for z = 1");
        for (int i = 0; i < n; i++)
            ReferenceData.AssertClose(identified.Fitted[i], fit.Fitted[i], 1e-5, 1e-5, $"fitted[{i}]");
        Assert.Contains(fit.Warnings, w => w.Code == "TMW006");
        Assert.DoesNotContain(identified.Warnings, w => w.Code == "TMW006");
    }

    private static ModelDesign SlopeOnClusterLevelCovariate(Func<int, int> value)
    {
        var s = Sleep();
        var subject = s.Terms[0].LevelIndex;
        var z = subject.Select(l => (double)value(l)).ToArray();
        return new ModelDesign
        {
            ResponseName = s.ResponseName,
            Response = s.Response,
            FixedEffects = [.. s.FixedEffects, .. z],
            FixedEffectNames = [.. s.FixedEffectNames, "z"],
            Terms = [new RandomEffectsTerm { Name = "Subject", LevelIndex = subject, LevelKeys = s.Terms[0].LevelKeys, ColumnNames = ["(Intercept)", "z"], Columns = [.. Enumerable.Repeat(1.0, s.Rows), .. z] }],
        };
    }
}
