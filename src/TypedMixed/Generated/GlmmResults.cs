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

/// <summary>Variance-component helpers of the generated GLMM term classes (the LMM ones are in <see cref="TermComponents"/>).</summary>
public static class GlmmTermComponents
{
    /// <summary>
    /// Standard error of the correlation of effects <paramref name="a"/> and <paramref name="b"/> of a GLMM term, by the
    /// delta method from <see cref="MixedModelFit.VarianceComponentsCovariance"/> (as
    /// <see cref="TermComponents.CorrelationStdError"/> for a linear mixed model). NaN when that matrix was not computed.
    /// </summary>
    public static double CorrelationStdError(MixedModelFit fit, RandomEffectsTermFit term, int a, int b)
    {
        if (fit.VarianceComponentsCovariance is not { } v) return double.NaN;
        string first = term.ColumnNames[a], second = term.ColumnNames[b];
        VarianceComponent? va = null, vb = null, vab = null;
        foreach (var c in term.Components)
        {
            if (c.Kind == VarianceComponentKind.Variance && c.Var1 == first) va = c;
            else if (c.Kind == VarianceComponentKind.Variance && c.Var1 == second) vb = c;
            else if (c.Kind == VarianceComponentKind.Covariance && c.Var1 == first && c.Var2 == second) vab = c;
        }
        if (va is null || vb is null || vab is null) return double.NaN;
        int[] index = [IndexIn(fit, va), IndexIn(fit, vb), IndexIn(fit, vab)];
        if (index.Any(i => i < 0)) return double.NaN;
        double saa = va.Estimate, sbb = vb.Estimate, rho = vab.Estimate / Math.Sqrt(saa * sbb);
        // ∂ρ/∂(σ_aa, σ_bb, σ_ab) = (−ρ/2σ_aa, −ρ/2σ_bb, 1/√(σ_aa σ_bb)); Var(ρ̂) ≈ g' V g.
        double[] gradient = [-rho / (2 * saa), -rho / (2 * sbb), 1 / Math.Sqrt(saa * sbb)];
        double variance = 0;
        for (int r = 0; r < 3; r++)
            for (int s = 0; s < 3; s++) variance += gradient[r] * v[index[r], index[s]] * gradient[s];
        return Math.Sqrt(variance);
    }

    private static int IndexIn(MixedModelFit fit, VarianceComponent component)
    {
        for (int i = 0; i < fit.VarianceComponents.Count; i++)
            if (ReferenceEquals(fit.VarianceComponents[i], component)) return i;
        return -1;
    }
}
