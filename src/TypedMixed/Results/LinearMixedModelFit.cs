namespace TypedMixed;

/// <summary>
/// A fitted linear mixed model: fixed effects with inference, variance components with standard errors,
/// predicted random effects, fit statistics and a record of how the optimum was found.
/// </summary>
public sealed class LinearMixedModelFit : MixedModelFit
{
    internal LinearMixedModelFit() { }

    /// <summary>REML or ML.</summary>
    public required EstimationMethod Method { get; init; }

    /// <summary>Residual (level-1) variance σ̂².</summary>
    public required double ResidualVariance { get; init; }

    /// <summary>Residual standard deviation σ̂.</summary>
    public double Sigma => Math.Sqrt(ResidualVariance);

    /// <summary>−2 × the ML log-likelihood. For a REML fit, the ML deviance at the REML estimates.</summary>
    public required double Deviance { get; init; }

    /// <summary>The REML criterion (−2 × REML log-likelihood) for REML fits; NaN for ML fits.</summary>
    public required double RemlCriterion { get; init; }

    /// <summary>The prior weights of the design (residual variance σ²/wᵢ of row i); null when the design has none.</summary>
    public double[]? PriorWeights { get; init; }

    /// <summary>
    /// lme4's scaled Pearson residuals, <c>residuals(fit, "pearson", scaled = TRUE)</c>: (yᵢ − fittedᵢ)·√wᵢ / σ̂, with
    /// wᵢ = 1 without prior weights; with a variance function (yᵢ − fittedᵢ) / (σ̂ sᵢ), sᵢ the row's SD factor (nlme's
    /// standardized within-group residuals). The summary prints their quantiles.
    /// </summary>
    public double[] ScaledResiduals()
    {
        var r = new double[Residuals.Length];
        double sigma = Sigma;
        for (int i = 0; i < r.Length; i++)
            r[i] = RowSdFactor is { } sd ? Residuals[i] / (sd[i] * sigma)
                : Residuals[i] * (PriorWeights is null ? 1 : Math.Sqrt(PriorWeights[i])) / sigma;
        return r;
    }

    /// <summary>The estimated AR(1)/CAR(1) correlation of the level-1 residuals; null when the design has none.</summary>
    public ResidualCorrelationFit? ResidualCorrelation { get; init; }

    /// <summary>The estimated level-1 variance function; null when the design has none.</summary>
    public ResidualVarianceFunctionFit? ResidualVarianceFunction { get; init; }

    internal Func<IReadOnlyList<int>, double[,]>? MarginalCovarianceOf { get; init; }

    /// <summary>The residual structure's optimizer coordinates η at the optimum (null without a residual structure).</summary>
    internal double[]? ResidualParameters { get; init; }

    /// <summary>With a variance function: each row's residual SD over σ (prior weights included); null otherwise.</summary>
    internal double[]? RowSdFactor { get; init; }

    /// <summary>
    /// The model-implied covariance of the response over the given rows of the design (e.g. the occasions of one
    /// subject): Σₜ Zₜ Ĝₜ Zₜ' over rows sharing a level, plus σ̂² R̂ (the variance function, prior weights and the
    /// AR(1)/CAR(1) correlation within a residual cluster). Its diagonal is the implied variance at each occasion.
    /// </summary>
    public double[,] MarginalCovariance(IReadOnlyList<int> rows) =>
        (MarginalCovarianceOf ?? throw new InvalidOperationException("This fit was not assembled with its design."))(rows);

    /// <summary>The model-implied correlation of the response over the given rows (<see cref="MarginalCovariance"/> scaled to unit diagonal).</summary>
    public double[,] MarginalCorrelation(IReadOnlyList<int> rows)
    {
        var v = MarginalCovariance(rows);
        int m = rows.Count;
        var c = new double[m, m];
        for (int a = 0; a < m; a++)
            for (int b = 0; b < m; b++) c[a, b] = v[a, b] / Math.Sqrt(v[a, a] * v[b, b]);
        return c;
    }

    /// <summary>The optimized objective: <see cref="Deviance"/> for ML, <see cref="RemlCriterion"/> for REML.</summary>
    public double Objective => Method == EstimationMethod.Reml ? RemlCriterion : Deviance;

    /// <summary>
    /// Intraclass correlation (variance partition coefficient) of each random-intercept-only term:
    /// σ²_term / (Σ σ²_intercepts + σ²). Null when the model has random slopes or a residual variance function.
    /// </summary>
    public double? IntraclassCorrelation(string term)
    {
        if (RandomEffects.Any(t => t.ColumnNames.Count != 1 || t.ColumnNames[0] != "(Intercept)")) return null;
        // With a variance function the residual variance differs between rows: no single partition exists.
        if (ResidualVarianceFunction is not null) return null;
        var target = RandomEffects.FirstOrDefault(t => t.Name == term);
        if (target is null) return null;
        double total = ResidualVariance + RandomEffects.Sum(t => t.Variance());
        return target.Variance() / total;
    }

    /// <summary>
    /// The weighted intraclass correlation of a multiple-membership term for a row whose weights have squared sum
    /// <paramref name="squaredWeightSum"/> (Σ ω²; default: the mean over the data's rows): Σω² σ²_u over
    /// Σω² σ²_u + the other terms' intercept variances + σ². With one membership (Σ ω² = 1) it is the ordinary ICC;
    /// two pupils who share all their schools with these weights correlate by this much. Null unless every term is
    /// intercept-only and <paramref name="term"/> names a term.
    /// </summary>
    public double? WeightedIntraclassCorrelation(string term, double? squaredWeightSum = null)
    {
        if (RandomEffects.Any(t => t.ColumnNames.Count != 1 || t.ColumnNames[0] != "(Intercept)")) return null;
        var target = RandomEffects.FirstOrDefault(t => t.Name == term);
        if (target is null) return null;
        double s = squaredWeightSum ?? target.MeanSquaredWeightSum ?? 1;
        double own = s * target.Variance();
        double others = RandomEffects.Where(t => t != target).Sum(t => (t.MeanSquaredWeightSum ?? 1) * t.Variance());
        return own / (own + others + ResidualVariance);
    }
}
