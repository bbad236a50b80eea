namespace TypedMixed;

/// <summary>Fits generalized linear mixed models (binomial, Poisson, negative binomial) described by a <see cref="ModelDesign"/>.</summary>
public static class GeneralizedLinearMixedModel
{
    /// <summary>
    /// Fits the model by maximum likelihood with the Laplace approximation (or adaptive Gauss–Hermite quadrature for a
    /// single scalar term): a first stage optimises θ with β inside PIRLS, a second optimises θ and β together; then the
    /// conditional modes, the inference and the warnings.
    /// </summary>
    /// <exception cref="ModelDesignException">The design is malformed or the response does not fit the family; the message names the member, row and fix.</exception>
    public static GeneralizedLinearMixedModelFit Fit(ModelDesign design, GlmmFitOptions? options = null, CancellationToken cancellationToken = default)
        => Estimation.GlmmEstimator.Fit(design, options ?? GlmmFitOptions.Default, cancellationToken);
}
