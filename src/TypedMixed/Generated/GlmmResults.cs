namespace TypedMixed.Generated;

/// <summary>
/// exp(β) of a fixed effect on a log or logit link — an odds ratio (logit), a risk ratio (binomial log) or a rate ratio
/// (count log) — with the Wald 95% interval exp(β ± 1.96·SE).
/// </summary>
/// <param name="Ratio">exp(β̂): the factor by which the odds, risk or rate change per unit of the covariate (or versus the reference category).</param>
/// <param name="Lower95">exp of the lower Wald 95% limit of β.</param>
/// <param name="Upper95">exp of the upper Wald 95% limit of β.</param>
public readonly record struct EffectRatio(double Ratio, double Lower95, double Upper95)
{
    /// <summary>The ratio of <paramref name="estimate"/>.</summary>
    public static EffectRatio Of(FixedEffectEstimate estimate) =>
        new(Math.Exp(estimate.Estimate), Math.Exp(estimate.Lower95), Math.Exp(estimate.Upper95));
}
