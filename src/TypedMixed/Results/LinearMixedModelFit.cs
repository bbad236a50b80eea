namespace TypedMixed;

/// <summary>
/// A fitted linear mixed model: fixed effects with inference, variance components with standard errors,
/// predicted random effects, fit statistics and a record of how the optimum was found.
/// </summary>
public sealed class LinearMixedModelFit
{
    internal LinearMixedModelFit() { }

    /// <summary>Name of the response.</summary>
    public required string ResponseName { get; init; }

    /// <summary>REML or ML.</summary>
    public required EstimationMethod Method { get; init; }

    /// <summary>Fixed effects, in the design's column order (aliased columns left out: see <see cref="DroppedFixedEffects"/>).</summary>
    public required IReadOnlyList<FixedEffectEstimate> FixedEffects { get; init; }

    /// <summary>Covariance matrix of the fixed-effect estimates (p × p), σ̂²(X'V⁻¹X)⁻¹.</summary>
    public required double[,] FixedEffectsCovariance { get; init; }

    /// <summary>Fixed-effect columns dropped because they are linear combinations of earlier ones (rank deficiency).</summary>
    public required IReadOnlyList<string> DroppedFixedEffects { get; init; }

    /// <summary>Per random-effects term, in the design's order: the covariance of its effects and the predicted effects.</summary>
    public required IReadOnlyList<RandomEffectsTermFit> RandomEffects { get; init; }

    /// <summary>All variance and covariance parameters, flat, residual last, with standard errors.</summary>
    public required IReadOnlyList<VarianceComponent> VarianceComponents { get; init; }

    /// <summary>
    /// Covariance matrix of the estimates in <see cref="VarianceComponents"/> (same order), the inverse observed
    /// information at the optimum; null when not computed or when a parameter is on the boundary.
    /// </summary>
    public double[,]? VarianceComponentsCovariance { get; init; }

    /// <summary>Residual (level-1) variance σ̂².</summary>
    public required double ResidualVariance { get; init; }

    /// <summary>Residual standard deviation σ̂.</summary>
    public double Sigma => Math.Sqrt(ResidualVariance);

    /// <summary>θ, the relative covariance factor's parameters (lme4's order: per term, lower triangle by columns).</summary>
    public required double[] Theta { get; init; }

    /// <summary>Names of θ's entries as lme4 writes them, e.g. <c>Subject.(Intercept)</c>, <c>Subject.Days.(Intercept)</c>.</summary>
    public required IReadOnlyList<string> ThetaNames { get; init; }

    /// <summary>Lower bounds of θ (0 on diagonals, −∞ elsewhere).</summary>
    public required double[] ThetaLowerBounds { get; init; }

    /// <summary>Log-likelihood at the optimum; for REML fits the REML log-likelihood, as lme4's <c>logLik</c>.</summary>
    public required double LogLikelihood { get; init; }

    /// <summary>−2 × the ML log-likelihood. For a REML fit, the ML deviance at the REML estimates.</summary>
    public required double Deviance { get; init; }

    /// <summary>The REML criterion (−2 × REML log-likelihood) for REML fits; NaN for ML fits.</summary>
    public required double RemlCriterion { get; init; }

    /// <summary>The optimized objective: <see cref="Deviance"/> for ML, <see cref="RemlCriterion"/> for REML.</summary>
    public double Objective => Method == EstimationMethod.Reml ? RemlCriterion : Deviance;

    /// <summary>Number of estimated parameters: fixed effects, θ, and σ.</summary>
    public required int ParameterCount { get; init; }

    /// <summary>Akaike's information criterion, −2 logLik + 2k.</summary>
    public double Aic => -2 * LogLikelihood + 2 * ParameterCount;

    /// <summary>Bayesian information criterion, −2 logLik + k log n.</summary>
    public double Bic => -2 * LogLikelihood + ParameterCount * Math.Log(ObservationCount);

    /// <summary>Number of observations used.</summary>
    public required int ObservationCount { get; init; }

    /// <summary>Rows dropped before fitting (e.g. missing values), as reported by the design builder.</summary>
    public int RowsDropped { get; init; }

    /// <summary>Fitted values Xβ̂ + Zb̂, one per row.</summary>
    public required double[] Fitted { get; init; }

    /// <summary>Residuals y − fitted, one per row.</summary>
    public required double[] Residuals { get; init; }

    /// <summary>True when a variance is zero or a correlation is ±1 at the optimum (a boundary, "singular" fit).</summary>
    public required bool IsSingular { get; init; }

    /// <summary>Warnings about the fit (singular fit, convergence), each with a stable code.</summary>
    public required IReadOnlyList<FitWarning> Warnings { get; init; }

    /// <summary>How the optimum was found.</summary>
    public required OptimizerSummary Optimizer { get; init; }

    /// <summary>
    /// Intraclass correlation (variance partition coefficient) of each random-intercept-only term:
    /// σ²_term / (Σ σ²_intercepts + σ²). Null when the model has random slopes.
    /// </summary>
    public double? IntraclassCorrelation(string term)
    {
        if (RandomEffects.Any(t => t.ColumnNames.Count != 1 || t.ColumnNames[0] != "(Intercept)")) return null;
        var target = RandomEffects.FirstOrDefault(t => t.Name == term);
        if (target is null) return null;
        double total = ResidualVariance + RandomEffects.Sum(t => t.Variance());
        return target.Variance() / total;
    }

    /// <summary>Finds a fixed effect by column name.</summary>
    public FixedEffectEstimate FixedEffect(string name) =>
        FixedEffects.FirstOrDefault(f => f.Name == name)
        ?? throw new KeyNotFoundException($"No fixed effect named '{name}'. The model has: {string.Join(", ", FixedEffects.Select(f => f.Name))}.");

    /// <summary>Finds a random-effects term by name.</summary>
    public RandomEffectsTermFit Term(string name) =>
        RandomEffects.FirstOrDefault(t => t.Name == name)
        ?? throw new KeyNotFoundException($"No random-effects term named '{name}'. The model has: {string.Join(", ", RandomEffects.Select(t => t.Name))}.");
}
