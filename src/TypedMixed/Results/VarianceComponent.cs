namespace TypedMixed;

/// <summary>What a <see cref="VarianceComponent"/> is.</summary>
public enum VarianceComponentKind
{
    /// <summary>The variance of one random effect.</summary>
    Variance,

    /// <summary>The covariance of two random effects of the same term.</summary>
    Covariance,

    /// <summary>The level-1 (residual) variance σ².</summary>
    ResidualVariance,
}

/// <summary>
/// One variance or covariance parameter, flat as lme4's <c>as.data.frame(VarCorr(fit))</c>, with its standard error from
/// the observed information of the log-likelihood at the optimum.
/// </summary>
public sealed record VarianceComponent
{
    /// <summary>The classification (term name), or <c>Residual</c>.</summary>
    public required string Group { get; init; }

    /// <summary>First effect's column name (null for the residual).</summary>
    public string? Var1 { get; init; }

    /// <summary>Second effect's column name for a covariance, else null.</summary>
    public string? Var2 { get; init; }

    /// <summary>Variance, covariance or residual variance.</summary>
    public required VarianceComponentKind Kind { get; init; }

    /// <summary>The variance or covariance.</summary>
    public required double Estimate { get; init; }

    /// <summary>The standard deviation, or for a covariance the correlation.</summary>
    public required double SdCor { get; init; }

    /// <summary>Standard error of <see cref="Estimate"/> from the observed information; NaN when on the boundary or not computed.</summary>
    public double StdError { get; init; } = double.NaN;
}
