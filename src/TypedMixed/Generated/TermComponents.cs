namespace TypedMixed.Generated;

/// <summary>
/// Variance-component rows and standard errors for the generated term classes: a covariance's row among
/// <see cref="RandomEffectsTermFit.Components"/>, and a correlation's standard error by the delta method.
/// </summary>
public static class TermComponents
{
    /// <summary>The covariance row of effects <paramref name="a"/> and <paramref name="b"/> (column indices, a &lt; b).</summary>
    /// <exception cref="KeyNotFoundException">The term has no such covariance (uncorrelated effects).</exception>
    public static VarianceComponent Covariance(RandomEffectsTermFit term, int a, int b)
    {
        string first = term.ColumnNames[a], second = term.ColumnNames[b];
        foreach (var c in term.Components)
            if (c.Kind == VarianceComponentKind.Covariance && c.Var1 == first && c.Var2 == second) return c;
        throw new KeyNotFoundException($"Term '{term.Name}' has no covariance of '{first}' and '{second}'.");
    }

    /// <summary>
    /// Standard error of the correlation ρ = σ_ab / √(σ_aa σ_bb) of effects <paramref name="a"/> and <paramref name="b"/>,
    /// by the delta method from <see cref="MixedModelFit.VarianceComponentsCovariance"/>: the gradient of ρ with
    /// respect to (σ_aa, σ_bb, σ_ab) is (−ρ/2σ_aa, −ρ/2σ_bb, 1/√(σ_aa σ_bb)). NaN when that covariance matrix was not
    /// computed or a parameter is on the boundary.
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
        double saa = va.Estimate, sbb = vb.Estimate, rho = vab.Estimate / Math.Sqrt(saa * sbb);
        double[] gradient = [-rho / (2 * saa), -rho / (2 * sbb), 1 / Math.Sqrt(saa * sbb)];
        // Var(ρ̂) ≈ g' V g over the three parameters' rows and columns of V.
        double variance = 0;
        for (int r = 0; r < 3; r++)
            for (int s = 0; s < 3; s++) variance += gradient[r] * v[index[r], index[s]] * gradient[s];
        return Math.Sqrt(variance);
    }

    /// <summary>The row of <paramref name="component"/> in the fit's flat list (the term's rows are the same objects).</summary>
    private static int IndexIn(MixedModelFit fit, VarianceComponent component)
    {
        for (int i = 0; i < fit.VarianceComponents.Count; i++)
            if (ReferenceEquals(fit.VarianceComponents[i], component)) return i;
        throw new InvalidOperationException($"The component {component.Group} {component.Var1} {component.Var2} is not among the fit's variance components.");
    }
}
