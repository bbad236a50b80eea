namespace TypedMixed;

/// <summary>Which curvature the Laplace approximation's log-determinant uses for a non-canonical link.</summary>
public enum LaplaceHessian
{
    /// <summary>The expected information (the IRLS weights μ'²/V(μ)), as lme4's <c>glmer</c>. The default.</summary>
    Expected,

    /// <summary>The observed information −∂² log p(y|η)/∂η² at the conditional mode, as glmmTMB (TMB).</summary>
    Observed,
}

/// <summary>Where the reported covariance of the fixed effects comes from.</summary>
public enum FixedEffectsCovarianceSource
{
    /// <summary>
    /// The inverse of the finite-difference Hessian of the deviance over (θ, β) at the optimum, the β block (lme4's
    /// default, <c>vcov(fit, use.hessian = TRUE)</c>). Falls back to <see cref="Factor"/> when that Hessian is not
    /// positive definite.
    /// </summary>
    Hessian,

    /// <summary>(X'WX − X'WZΛ (Λ'Z'WZΛ + I)⁻¹ Λ'Z'WX)⁻¹ from the PIRLS factor at the optimum (lme4's <c>use.hessian = FALSE</c>).</summary>
    Factor,
}

/// <summary>Settings of one generalized linear mixed model fit. All members have defaults.</summary>
public sealed class GlmmFitOptions
{
    /// <summary>
    /// Number of adaptive Gauss–Hermite quadrature points per random effect (lme4's <c>nAGQ</c>): 1 (the default) is the
    /// Laplace approximation; more (up to 25 or beyond) need a single scalar random-effects term.
    /// </summary>
    public int QuadraturePoints { get; init; } = 1;

    /// <summary>Curvature used by the Laplace approximation for non-canonical links; <see cref="LaplaceHessian.Expected"/> as glmer.</summary>
    public LaplaceHessian LaplaceHessian { get; init; } = LaplaceHessian.Expected;

    /// <summary>Source of the reported fixed-effects covariance and standard errors.</summary>
    public FixedEffectsCovarianceSource FixedEffectsCovariance { get; init; } = FixedEffectsCovarianceSource.Hessian;

    /// <summary>Negative binomial only: a known shape k (no estimation); null (the default) estimates it.</summary>
    public double? NegativeBinomialShape { get; init; }

    /// <summary>Receives optimizer progress (evaluation count and current objective).</summary>
    public IProgress<FitProgress>? Progress { get; init; }

    /// <summary>Maximum number of objective evaluations of each optimizer stage.</summary>
    public int MaxEvaluations { get; init; } = 100_000;

    /// <summary>Compute standard errors of the variance components from the observed information (extra evaluations).</summary>
    public bool VarianceComponentErrors { get; init; } = true;

    /// <summary>
    /// PIRLS stops when the penalized deviance changes by less than this, relative (lme4 uses 1e-7 absolute on the
    /// penalized weighted RSS, which leaves its log-likelihoods low by up to ~4e-4).
    /// </summary>
    public double PirlsTolerance { get; init; } = 1e-12;

    /// <summary>Maximum PIRLS iterations per evaluation.</summary>
    public int MaxPirlsIterations { get; init; } = 200;

    /// <summary>The defaults: Laplace, expected information, Hessian-based fixed-effect SEs.</summary>
    public static GlmmFitOptions Default { get; } = new();
}
