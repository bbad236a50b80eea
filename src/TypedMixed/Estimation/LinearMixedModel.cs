namespace TypedMixed;

/// <summary>Fits linear mixed models described by a <see cref="ModelDesign"/>.</summary>
public static class LinearMixedModel
{
    /// <summary>
    /// Fits the model by REML or ML (see <paramref name="options"/>): minimises the profiled deviance over θ with a
    /// bound-constrained BOBYQA, then computes β̂, σ̂², the conditional modes and the inference.
    /// </summary>
    /// <exception cref="ModelDesignException">The design is malformed; the message names the member, row and fix.</exception>
    public static LinearMixedModelFit Fit(ModelDesign design, FitOptions? options = null, CancellationToken cancellationToken = default)
        => Estimation.LmmEstimator.Fit(design, options ?? FitOptions.Default, cancellationToken);
}
