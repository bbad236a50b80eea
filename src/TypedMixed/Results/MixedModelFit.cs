namespace TypedMixed;

/// <summary>
/// What every fitted mixed model reports, linear or generalized: fixed effects with inference, variance components,
/// predicted random effects, the log-likelihood and information criteria, and a record of how the optimum was found.
/// </summary>
/// <remarks>Notebooks (.NET Interactive) display a fit as its HTML summary, found by convention (<see cref="Presentation.Notebooks.NotebookFormatterSource"/>).</remarks>
[Presentation.Notebooks.TypeFormatterSource(typeof(Presentation.Notebooks.NotebookFormatterSource), PreferredMimeTypes = ["text/html"])]
public abstract class MixedModelFit
{
    private protected MixedModelFit() { }

    /// <summary>Name of the response.</summary>
    public required string ResponseName { get; init; }

    /// <summary>Fixed effects, in the design's column order (aliased columns left out: see <see cref="DroppedFixedEffects"/>).</summary>
    public required IReadOnlyList<FixedEffectEstimate> FixedEffects { get; init; }

    /// <summary>Covariance matrix of the fixed-effect estimates (p × p).</summary>
    public required double[,] FixedEffectsCovariance { get; init; }

    /// <summary>Fixed-effect columns dropped because they are linear combinations of earlier ones (rank deficiency).</summary>
    public required IReadOnlyList<string> DroppedFixedEffects { get; init; }

    /// <summary>Per random-effects term, in the design's order: the covariance of its effects and the predicted effects.</summary>
    public required IReadOnlyList<RandomEffectsTermFit> RandomEffects { get; init; }

    /// <summary>All variance and covariance parameters, flat (for linear models the residual last), with standard errors.</summary>
    public required IReadOnlyList<VarianceComponent> VarianceComponents { get; init; }

    /// <summary>
    /// Covariance matrix of the estimates in <see cref="VarianceComponents"/> (same order), the inverse observed
    /// information at the optimum; null when not computed or when a parameter is on the boundary.
    /// </summary>
    public double[,]? VarianceComponentsCovariance { get; init; }

    /// <summary>θ, the relative covariance factor's parameters (lme4's order: per term, lower triangle by columns).</summary>
    public required double[] Theta { get; init; }

    /// <summary>Names of θ's entries as lme4 writes them, e.g. <c>Subject.(Intercept)</c>, <c>Subject.Days.(Intercept)</c>.</summary>
    public required IReadOnlyList<string> ThetaNames { get; init; }

    /// <summary>Lower bounds of θ (0 on diagonals, −∞ elsewhere).</summary>
    public required double[] ThetaLowerBounds { get; init; }

    /// <summary>Log-likelihood at the optimum (for REML fits the REML log-likelihood, as lme4's <c>logLik</c>).</summary>
    public required double LogLikelihood { get; init; }

    /// <summary>Number of estimated parameters (lme4's <c>df</c> of <c>logLik</c>).</summary>
    public required int ParameterCount { get; init; }

    /// <summary>Akaike's information criterion, −2 logLik + 2k.</summary>
    public double Aic => -2 * LogLikelihood + 2 * ParameterCount;

    /// <summary>Bayesian information criterion, −2 logLik + k log n.</summary>
    public double Bic => -2 * LogLikelihood + ParameterCount * Math.Log(ObservationCount);

    /// <summary>Number of observations used.</summary>
    public required int ObservationCount { get; init; }

    /// <summary>Rows dropped before fitting (e.g. missing values), as reported by the design builder.</summary>
    public int RowsDropped { get; init; }

    /// <summary>Fitted values on the response scale (for linear models Xβ̂ + Zb̂), one per row.</summary>
    public required double[] Fitted { get; init; }

    /// <summary>Residuals, one per row: y − fitted for linear models; deviance residuals for generalized models.</summary>
    public required double[] Residuals { get; init; }

    /// <summary>True when a variance is zero or a correlation is ±1 at the optimum (a boundary, "singular" fit).</summary>
    public required bool IsSingular { get; init; }

    /// <summary>Warnings about the fit (singular fit, convergence, separation, ...), each with a stable code.</summary>
    public required IReadOnlyList<FitWarning> Warnings { get; init; }

    /// <summary>How the optimum was found.</summary>
    public required OptimizerSummary Optimizer { get; init; }

    /// <summary>Finds a fixed effect by column name.</summary>
    public FixedEffectEstimate FixedEffect(string name) =>
        FixedEffects.FirstOrDefault(f => f.Name == name)
        ?? throw new KeyNotFoundException($"No fixed effect named '{name}'. The model has: {string.Join(", ", FixedEffects.Select(f => f.Name))}.");

    /// <summary>Finds a random-effects term by name.</summary>
    public RandomEffectsTermFit Term(string name) =>
        RandomEffects.FirstOrDefault(t => t.Name == name)
        ?? throw new KeyNotFoundException($"No random-effects term named '{name}'. The model has: {string.Join(", ", RandomEffects.Select(t => t.Name))}.");
}
