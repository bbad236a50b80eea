using TypedMixed.Estimation;

namespace TypedMixed.Tests.Residual;

/// <summary>Malformed residual structures are refused with a <see cref="ModelDesignException"/> that names the member and the row.</summary>
public class ResidualBadInputTests
{
    /// <summary>Two subjects (a, b) × 4 occasions, random intercept per subject.</summary>
    private static ModelDesign Design(double[]? time = null, int[]? cluster = null, string[]? clusterKeys = null,
        ResidualCorrelationStructure structure = ResidualCorrelationStructure.Ar1, ResidualVarianceFunction? variance = null,
        bool correlation = true, ResponseFamily family = ResponseFamily.Gaussian, int[]? subject = null)
    {
        double[] y = [1.2, 2.3, 2.9, 4.4, 0.7, 1.9, 3.8, 4.1];
        int n = y.Length;
        return new ModelDesign
        {
            Response = family == ResponseFamily.Poisson ? y.Select(v => Math.Round(v)).ToArray() : y,
            FixedEffects = Enumerable.Repeat(1.0, n).ToArray(),
            FixedEffectNames = ["(Intercept)"],
            Terms = [new RandomEffectsTerm { Name = "Subject", LevelIndex = subject ?? [0, 0, 0, 0, 1, 1, 1, 1], LevelKeys = ["a", "b"], ColumnNames = ["(Intercept)"], Columns = Enumerable.Repeat(1.0, n).ToArray() }],
            Family = family,
            ResidualCorrelation = correlation ? new ResidualCorrelation
            {
                Structure = structure, TimeName = "Days", Time = time ?? [0, 1, 2, 3, 0, 1, 2, 3],
                ClusterName = "Subject", ClusterIndex = cluster ?? [0, 0, 0, 0, 1, 1, 1, 1], ClusterKeys = clusterKeys ?? ["a", "b"],
            } : null,
            ResidualVariance = variance,
        };
    }

    private static ModelDesignException Refused(ModelDesign d, string member, int? row)
    {
        var e = Assert.Throws<ModelDesignException>(() => LinearMixedModel.Fit(d, FitOptions.MaximumLikelihood));
        Assert.Equal(member, e.Member);
        Assert.Equal(row, e.Row);
        if (row is { } r) Assert.Contains($"row {r}", e.Message);
        return e;
    }

    [Fact]
    public void Unsorted_times_within_a_cluster_are_refused_not_reordered()
    {
        var e = Refused(Design(time: [0, 2, 1, 3, 0, 1, 2, 3]), "ResidualCorrelation.Time", 2);
        Assert.Contains("increasing time order", e.Message);
        Assert.Contains("'a'", e.Message);
    }

    [Fact]
    public void Duplicated_times_within_a_cluster_are_refused() =>
        Assert.Contains("distinct", Refused(Design(time: [0, 1, 1, 3, 0, 1, 2, 3]), "ResidualCorrelation.Time", 2).Message);

    [Fact]
    public void Non_integer_occasions_are_refused_for_AR1_but_not_CAR1()
    {
        Assert.Contains("integer occasions", Refused(Design(time: [0, 1, 2.5, 3, 0, 1, 2, 3]), "ResidualCorrelation.Time", 2).Message);
        var fit = LinearMixedModel.Fit(Design(time: [0, 1, 2.5, 3, 0, 1, 2, 3], structure: ResidualCorrelationStructure.ContinuousAr1), FitOptions.MaximumLikelihood);
        Assert.NotNull(fit.ResidualCorrelation);
    }

    [Fact]
    public void Non_finite_times_are_refused() =>
        Refused(Design(time: [0, 1, 2, 3, 0, double.NaN, 2, 3]), "ResidualCorrelation.Time", 5);

    [Fact]
    public void Clusters_not_nested_in_a_term_are_refused()
    {
        // Cluster 0 = rows 0, 1, 4, 5 spans subjects a and b.
        var e = Refused(Design(time: [0, 1, 0, 1, 2, 3, 2, 3], cluster: [0, 0, 1, 1, 0, 0, 1, 1]), "ResidualCorrelation.ClusterIndex", 4);
        Assert.Contains("not a classification of the model nor nested in one", e.Message);
        Assert.Contains("term 'Subject'", e.Message);
    }

    [Fact]
    public void Cluster_index_out_of_range_is_refused() =>
        Refused(Design(cluster: [0, 0, 0, 0, 1, 1, 1, 2]), "ResidualCorrelation.ClusterIndex", 7);

    [Fact]
    public void Variance_covariate_of_wrong_length_is_refused() =>
        Refused(Design(correlation: false, variance: new ResidualVarianceFunction { Kind = ResidualVarianceFunctionKind.Exponential, CovariateNames = ["x"], Covariates = [1, 2, 3] }),
            "ResidualVariance.Covariates", null);

    [Fact]
    public void Non_finite_variance_covariate_is_refused()
    {
        var e = Refused(Design(correlation: false, variance: new ResidualVarianceFunction { Kind = ResidualVarianceFunctionKind.Power, CovariateNames = ["x"], Covariates = [1, 2, 3, 4, 1, 2, double.PositiveInfinity, 4] }),
            "ResidualVariance.Covariates", 6);
        Assert.Contains("'x'", e.Message);
    }

    [Fact]
    public void VarIdent_stratum_out_of_range_or_empty_is_refused()
    {
        Refused(Design(correlation: false, variance: new ResidualVarianceFunction { Kind = ResidualVarianceFunctionKind.Ident, StratumName = "g", StratumIndex = [0, 1, 0, 1, 0, 1, 0, 2], StratumKeys = ["u", "v"] }),
            "ResidualVariance.StratumIndex", 7);
        Refused(Design(correlation: false, variance: new ResidualVarianceFunction { Kind = ResidualVarianceFunctionKind.Ident, StratumName = "g", StratumIndex = [0, 1, 0, 1, 0, 1, 0, 1], StratumKeys = ["u", "v", "w"] }),
            "ResidualVariance.StratumKeys", null);
    }

    [Fact]
    public void Residual_structures_on_a_non_Gaussian_family_are_refused()
    {
        var d = Design(family: ResponseFamily.Poisson);
        var e = Assert.Throws<ModelDesignException>(() => GeneralizedLinearMixedModel.Fit(d));
        Assert.Equal("ResidualCorrelation", e.Member);
        Assert.Contains("Gaussian", e.Message);
        Assert.Throws<ModelDesignException>(() => LinearMixedModel.Fit(d));
    }

    [Fact]
    public void Power_of_a_zero_covariate_with_a_negative_exponent_gives_an_infinite_objective()
    {
        var d = Design(correlation: false, variance: new ResidualVarianceFunction { Kind = ResidualVarianceFunctionKind.Power, CovariateNames = ["x"], Covariates = [0, 1, 2, 3, 1, 2, 3, 4] });
        var problem = MixedModelProblem.Create(d);
        var objective = new ResidualStructureDeviance(problem, reml: false);
        Assert.Equal(double.PositiveInfinity, objective.Evaluate([1.0, -0.5]));
        Assert.True(double.IsFinite(objective.Evaluate([1.0, 0.0])));
        // A positive exponent gives that row variance 0: R is singular there too.
        Assert.Equal(double.PositiveInfinity, objective.Evaluate([1.0, 0.5]));
    }

    [Fact]
    public void Quadratic_variance_non_positive_at_a_row_gives_an_infinite_objective()
    {
        // Var ∝ 1 + 2c·x + d·x² with c = −1, d = 0 is negative at x = 3.
        var d = Design(correlation: false, variance: new ResidualVarianceFunction { Kind = ResidualVarianceFunctionKind.Quadratic, CovariateNames = ["x"], Covariates = [0, 1, 2, 3, 0, 1, 2, 3] });
        var objective = new ResidualStructureDeviance(MixedModelProblem.Create(d), reml: false);
        Assert.Equal(double.PositiveInfinity, objective.Evaluate([1.0, -1.0, 0.0]));
        Assert.True(double.IsFinite(objective.Evaluate([1.0, 0.1, 0.05])));
    }
}
