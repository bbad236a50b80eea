namespace TypedMixed;

/// <summary>Fits linear mixed models described by a <see cref="ModelDesign"/>.</summary>
public static class LinearMixedModel
{
    /// <summary>
    /// Fits the model by REML or ML (see <paramref name="options"/>): minimises the profiled deviance over θ (a
    /// projected quasi-Newton method on its analytic gradient, or BOBYQA: <see cref="FitOptions.Optimizer"/>), then
    /// computes β̂, σ̂², the conditional modes and the inference.
    /// </summary>
    /// <exception cref="ModelDesignException">The design is malformed; the message names the member, row and fix.</exception>
    public static LinearMixedModelFit Fit(ModelDesign design, FitOptions? options = null, CancellationToken cancellationToken = default)
        => Estimation.LmmEstimator.Fit(design, options ?? FitOptions.Default, cancellationToken);

    /// <summary>
    /// Fits the model from aggregated sums (<see cref="GramBlocks"/>, e.g. computed by a database engine) instead of rows:
    /// the same objective, θ̂, β̂, σ̂², standard errors, conditional modes and SDs, logLik and AIC as from the rows. The fit
    /// has no fitted values or residuals (they need the rows) and says so in warning TMW012.
    /// </summary>
    /// <exception cref="ModelDesignException">The blocks are malformed; the message names the block and the fix.</exception>
    public static LinearMixedModelFit Fit(GramBlocks blocks, FitOptions? options = null, CancellationToken cancellationToken = default)
        => Estimation.LmmEstimator.Fit(Estimation.MixedModelProblem.Create(blocks), options ?? FitOptions.Default, cancellationToken);
}
