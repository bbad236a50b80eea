namespace TypedMixed;

/// <summary>The conditional distribution of the response given the random effects.</summary>
public enum ResponseFamily
{
    /// <summary>Normal residuals: a linear mixed model (fit with <see cref="LinearMixedModel"/>).</summary>
    Gaussian,

    /// <summary>
    /// Binomial: successes out of <see cref="ModelDesign.Trials"/> trials per row, or a 0/1 (Bernoulli) response when no
    /// trials are given. The default link is logit.
    /// </summary>
    Binomial,

    /// <summary>Poisson counts (non-negative integers); the default link is log. Use an offset for exposure.</summary>
    Poisson,

    /// <summary>
    /// Negative binomial counts, NB2: Var(y) = μ + μ²/k with the shape k estimated (glmer.nb, glmmTMB nbinom2).
    /// The default link is log.
    /// </summary>
    NegativeBinomial,

    /// <summary>
    /// Ordered categories by a cumulative link model, P(Y ≤ j) = F(τⱼ − η) (R's <c>ordinal::clmm</c>): the response
    /// holds each row's category index 0..K−1 in the order of <see cref="ModelDesign.Ordinal"/>; the link (logit by
    /// default, probit or cloglog) names F. Fitted by <see cref="OrdinalMixedModel"/>.
    /// </summary>
    Ordinal,
}

/// <summary>The link g with g(μ) = η = Xβ + Zb + offset.</summary>
public enum LinkFunction
{
    /// <summary>The family's canonical link: identity (Gaussian), logit (binomial), log (Poisson, negative binomial).</summary>
    Canonical,

    /// <summary>η = μ.</summary>
    Identity,

    /// <summary>η = log(μ / (1 − μ)).</summary>
    Logit,

    /// <summary>η = Φ⁻¹(μ), the standard normal quantile.</summary>
    Probit,

    /// <summary>η = log(−log(1 − μ)), complementary log-log.</summary>
    Cloglog,

    /// <summary>η = log μ.</summary>
    Log,

    /// <summary>η = √μ.</summary>
    Sqrt,
}
