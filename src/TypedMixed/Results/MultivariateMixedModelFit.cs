namespace TypedMixed;

/// <summary>
/// The covariance of one level: a classification's random effects (R × R for random intercepts; q × q, q = R(1 + s),
/// with s random slopes per response), or the unit-level residuals (R × R).
/// </summary>
public sealed class MultivariateLevelFit
{
    /// <summary>The classification's name, or <c>Residual</c> for the unit level.</summary>
    public required string Name { get; init; }

    /// <summary>Whether this is the unit-level residual covariance.</summary>
    public bool IsResidual { get; init; }

    /// <summary>
    /// Names of the matrices' rows and columns: the responses for random intercepts and the residual; with random slopes
    /// <c>response:(Intercept)</c>, <c>response:x</c>, … response by response.
    /// </summary>
    public IReadOnlyList<string> ColumnNames { get; init; } = [];

    /// <summary>The covariance matrix, rows and columns as <see cref="ColumnNames"/>.</summary>
    public required double[,] Covariance { get; init; }

    /// <summary>Standard errors of <see cref="Covariance"/>'s entries (observed information); NaN where not available.</summary>
    public required double[,] CovarianceStdErrors { get; init; }

    /// <summary>The correlation matrix, rows and columns as <see cref="ColumnNames"/>.</summary>
    public required double[,] Correlation { get; init; }

    /// <summary>Standard errors of the correlations (delta method); NaN on the diagonal and where not available.</summary>
    public required double[,] CorrelationStdErrors { get; init; }
}

/// <summary>How many units have one combination of observed responses.</summary>
/// <param name="Observed">The responses the units have.</param>
/// <param name="Units">The number of units with exactly these responses.</param>
public sealed record MissingnessPattern(IReadOnlyList<string> Observed, int Units);

/// <summary>
/// A multivariate linear mixed model fit: fixed effects per response, the covariance and correlation matrices across
/// responses at every level with standard errors, each response's variance partition (VPC), and the likelihood-ratio
/// test against separate univariate models.
/// </summary>
public sealed class MultivariateMixedModelFit
{
    internal MultivariateMixedModelFit() { }

    /// <summary>The responses, in order.</summary>
    public required IReadOnlyList<string> ResponseNames { get; init; }

    /// <summary>Name of the unit level.</summary>
    public required string UnitName { get; init; }

    /// <summary>ML or REML.</summary>
    public required EstimationMethod Method { get; init; }

    /// <summary>Fixed effects, named <c>response:column</c> (e.g. <c>written:female</c>), response by response.</summary>
    public required IReadOnlyList<FixedEffectEstimate> FixedEffects { get; init; }

    /// <summary>Covariance of the fixed-effect estimates, in <see cref="FixedEffects"/> order.</summary>
    public required double[,] FixedEffectsCovariance { get; init; }

    /// <summary>Fixed-effect columns dropped as aliased, named <c>response:column</c>.</summary>
    public required IReadOnlyList<string> DroppedFixedEffects { get; init; }

    /// <summary>The levels: each classification in design order, then <c>Residual</c>.</summary>
    public required IReadOnlyList<MultivariateLevelFit> Levels { get; init; }

    /// <summary>Variances and covariances flat, lme4's <c>as.data.frame(VarCorr(fit))</c> layout; var1/var2 name the level's columns (<see cref="MultivariateLevelFit.ColumnNames"/>).</summary>
    public required IReadOnlyList<VarianceComponent> VarianceComponents { get; init; }

    /// <summary>
    /// VPC: per response (rows) and level (columns, as <see cref="Levels"/>), the share of the response's variance at that
    /// level. With random slopes the variance depends on the covariates; the VPC is taken where they are 0 (the levels'
    /// intercept variances), as MLwiN reports the level-2 variance at x = 0.
    /// </summary>
    public required double[,] VariancePartition { get; init; }

    /// <summary>Standard errors of <see cref="VariancePartition"/> (delta method).</summary>
    public required double[,] VariancePartitionStdErrors { get; init; }

    /// <summary>Per classification, the conditional modes (levels × the level's <see cref="MultivariateLevelFit.ColumnNames"/>).</summary>
    public required IReadOnlyList<double[,]> ConditionalModes { get; init; }

    /// <summary>Per classification, its levels' keys.</summary>
    public required IReadOnlyList<IReadOnlyList<string>> LevelKeys { get; init; }

    /// <summary>Missingness patterns, most frequent first.</summary>
    public required IReadOnlyList<MissingnessPattern> Patterns { get; init; }

    /// <summary>Number of units.</summary>
    public required int UnitCount { get; init; }

    /// <summary>Number of observed values (units × responses they have): the stacked rows.</summary>
    public required int ObservationCount { get; init; }

    /// <summary>Log-likelihood (REML log-likelihood for a REML fit).</summary>
    public required double LogLikelihood { get; init; }

    /// <summary>−2 × the ML log-likelihood at the estimates.</summary>
    public required double Deviance { get; init; }

    /// <summary>The REML criterion (NaN for ML fits).</summary>
    public required double RemlCriterion { get; init; }

    /// <summary>Number of parameters: fixed effects, every classification's q(q + 1)/2 and the residual's R(R + 1)/2 entries.</summary>
    public required int ParameterCount { get; init; }

    /// <summary>Akaike's information criterion.</summary>
    public double Aic => -2 * LogLikelihood + 2 * ParameterCount;

    /// <summary>Schwarz's criterion, n = <see cref="ObservationCount"/> (as nlme counts the stacked rows).</summary>
    public double Bic => -2 * LogLikelihood + ParameterCount * Math.Log(ObservationCount);

    /// <summary>The summed log-likelihood of separate univariate fits of each response (same fixed effects, classifications and random slopes; same method).</summary>
    public double SeparateModelsLogLikelihood { get; internal set; } = double.NaN;

    /// <summary>Likelihood-ratio test of the separate univariate models against this joint model (df: the cross-response covariances); null when not computed.</summary>
    public LikelihoodRatioTestResult? SeparateModelsTest { get; internal set; }

    /// <summary>The SD by which each response was divided internally before fitting (results are on the original scale).</summary>
    public required IReadOnlyList<double> ResponseScales { get; init; }

    /// <summary>What the optimizer did (θ and objective on the internal scale).</summary>
    public required OptimizerSummary Optimizer { get; init; }

    /// <summary>Warnings about the fit.</summary>
    public required IReadOnlyList<FitWarning> Warnings { get; init; }

    /// <summary>Whether a classification's covariance is singular (on the boundary).</summary>
    public required bool IsSingular { get; init; }

    /// <summary>The fixed effect of one response's column, e.g. <c>FixedEffect("written", "female")</c>.</summary>
    public FixedEffectEstimate FixedEffect(string response, string column) =>
        FixedEffects.FirstOrDefault(f => f.Name == response + ":" + column)
        ?? throw new KeyNotFoundException($"No fixed effect '{response}:{column}'. Available: {string.Join(", ", FixedEffects.Select(f => f.Name))}.");

    /// <summary>The level named <paramref name="name"/> (a classification or <c>Residual</c>).</summary>
    public MultivariateLevelFit Level(string name) =>
        Levels.FirstOrDefault(l => l.Name == name)
        ?? throw new KeyNotFoundException($"No level '{name}'. Available: {string.Join(", ", Levels.Select(l => l.Name))}.");
}
