namespace TypedMixed;

/// <summary>Settings of one cumulative link mixed model fit. All members have defaults.</summary>
public sealed class OrdinalFitOptions
{
    /// <summary>
    /// Adaptive Gauss–Hermite quadrature points per random effect (clmm's <c>nAGQ</c>): 1 (the default) is the Laplace
    /// approximation; more need a single scalar random-effects term.
    /// </summary>
    public int QuadraturePoints { get; init; } = 1;

    /// <summary>Maximum objective evaluations of the optimizer.</summary>
    public int MaxEvaluations { get; init; } = 100_000;

    /// <summary>Maximum Newton iterations of the inner problem (the conditional modes) per evaluation.</summary>
    public int MaxNewtonIterations { get; init; } = 200;

    /// <summary>Receives optimizer progress (evaluation count and current objective).</summary>
    public IProgress<FitProgress>? Progress { get; init; }

    /// <summary>
    /// The optimizer of (thresholds, β, θ). Null (the default): the projected quasi-Newton method on the analytic
    /// gradient of the Laplace objective, BOBYQA for adaptive quadrature (which has no gradient). Bobyqa forces the
    /// derivative-free path; QuasiNewton with quadrature is refused.
    /// </summary>
    public FitOptimizer? Optimizer { get; init; }

    /// <summary>The defaults: Laplace approximation.</summary>
    public static OrdinalFitOptions Default { get; } = new();
}

/// <summary>
/// Fits cumulative link mixed models (ordinal responses; R's <c>ordinal::clmm</c>) described by a
/// <see cref="ModelDesign"/> with <see cref="ResponseFamily.Ordinal"/>.
/// </summary>
public static class OrdinalMixedModel
{
    /// <summary>
    /// Fits P(Y ≤ j | b) = F(τⱼ − x'β − z'b) by maximum likelihood with the Laplace approximation (or adaptive
    /// Gauss–Hermite quadrature for a single scalar term). The conditional modes come from Newton's method with the
    /// exact Hessian of the multinomial log-likelihood; thresholds, β and θ are optimized together from the fit without
    /// random effects — by a quasi-Newton method on the analytic gradient for the Laplace approximation, by BOBYQA for
    /// quadrature — then checked and polished by a Newton step whose Hessian (differences of gradients, or of values
    /// for quadrature) gives the standard errors. A constant column of X (the intercept) is absorbed by the thresholds.
    /// </summary>
    /// <exception cref="ModelDesignException">The design is malformed: fewer than three categories, an empty category, a link other than logit, probit or cloglog; the message names the member and the fix.</exception>
    public static OrdinalMixedModelFit Fit(ModelDesign design, OrdinalFitOptions? options = null, CancellationToken cancellationToken = default)
        => Estimation.OrdinalEstimator.Fit(design, options ?? OrdinalFitOptions.Default, cancellationToken);
}
