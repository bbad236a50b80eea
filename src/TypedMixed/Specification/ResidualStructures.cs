namespace TypedMixed;

/// <summary>How level-1 residuals are correlated within a cluster, ordered by a time member.</summary>
public enum ResidualCorrelationStructure
{
    /// <summary>
    /// AR(1) over integer occasions: corr(eⱼ, eₖ) = ρ^|tⱼ − tₖ|, −1 &lt; ρ &lt; 1. Equals nlme's <c>corAR1</c> when the
    /// occasions of a cluster are consecutive; gaps are allowed (the power follows the occasion difference).
    /// </summary>
    Ar1,

    /// <summary>Continuous-time AR(1) over real times: corr(eⱼ, eₖ) = ρ^|tⱼ − tₖ|, 0 ≤ ρ &lt; 1 (nlme's <c>corCAR1</c>).</summary>
    ContinuousAr1,
}

/// <summary>
/// Correlation of the level-1 residuals within the clusters of a classification, ordered by a time member
/// (nlme's <c>correlation = corAR1(~ time | cluster)</c>). Rows of different clusters are independent. Within a
/// cluster the times must be strictly increasing in row order (the estimator never reorders rows silently).
/// </summary>
public sealed class ResidualCorrelation
{
    /// <summary>The structure (AR(1) over occasions or continuous-time AR(1)).</summary>
    public required ResidualCorrelationStructure Structure { get; init; }

    /// <summary>Name of the time member or column, for reporting and error messages (e.g. <c>Days</c>).</summary>
    public required string TimeName { get; init; }

    /// <summary>The time of each row (an integer occasion for <see cref="ResidualCorrelationStructure.Ar1"/>).</summary>
    public required double[] Time { get; init; }

    /// <summary>
    /// Name of the classification whose clusters carry the correlation (e.g. <c>Subject</c>). It must be one of the
    /// design's random-effects terms or nested in one (every cluster inside a single level of that term).
    /// </summary>
    public required string ClusterName { get; init; }

    /// <summary>For each row, the index of its cluster, in 0 .. <see cref="ClusterKeys"/>.Count − 1.</summary>
    public required int[] ClusterIndex { get; init; }

    /// <summary>The clusters' keys as text, for reporting; index <c>c</c> names cluster <c>c</c>.</summary>
    public required IReadOnlyList<string> ClusterKeys { get; init; }
}

/// <summary>The form of a level-1 variance function: Var(eᵢ) = σ² g(vᵢ; φ), with σ² profiled out.</summary>
public enum ResidualVarianceFunctionKind
{
    /// <summary>
    /// One variance per stratum of a factor (nlme's <c>varIdent(~ 1 | sex)</c>): the first stratum has σ², stratum s has
    /// σ² δₛ²; the parameters reported are the standard-deviation ratios δₛ, as nlme reports them.
    /// </summary>
    Ident,

    /// <summary>Exponential in one covariate (nlme's <c>varExp(~ x)</c>): SD σ exp(δ x).</summary>
    Exponential,

    /// <summary>Power of one covariate's absolute value (nlme's <c>varPower(~ x)</c>): SD σ |x|^δ.</summary>
    Power,

    /// <summary>
    /// Log-linear in any covariates: log Var(eᵢ) = γ₀ + Σₕ γₕ zₕᵢ (factors enter as their contrast columns);
    /// γ₀ = log σ².
    /// </summary>
    LogLinear,

    /// <summary>
    /// MLwiN's quadratic: Var(eᵢ) = σ²ₑ₀ + 2 Σₕ σₑ₀ₕ xₕᵢ + Σₕ σ²ₑₕ xₕᵢ² over one or more covariates; it must be positive
    /// at every observed row (else the objective is +∞).
    /// </summary>
    Quadratic,
}

/// <summary>
/// A level-1 variance function (nlme's <c>weights = varIdent(…)</c>, <c>varExp</c>, <c>varPower</c>; the multilevel
/// literature's log-linear and MLwiN's quadratic variance). Residuals stay independent unless a
/// <see cref="ResidualCorrelation"/> is given too.
/// </summary>
public sealed class ResidualVarianceFunction
{
    /// <summary>The form of the function.</summary>
    public required ResidualVarianceFunctionKind Kind { get; init; }

    /// <summary>
    /// Names of the covariate columns (for <see cref="ResidualVarianceFunctionKind.Exponential"/> and
    /// <see cref="ResidualVarianceFunctionKind.Power"/> exactly one; for <see cref="ResidualVarianceFunctionKind.Ident"/>
    /// none). As R prints them, e.g. <c>standLRT</c>, <c>sexM</c>, <c>Days + 1</c>.
    /// </summary>
    public IReadOnlyList<string> CovariateNames { get; init; } = [];

    /// <summary>The covariates, column-major (rows × <see cref="CovariateNames"/>.Count).</summary>
    public double[] Covariates { get; init; } = [];

    /// <summary><see cref="ResidualVarianceFunctionKind.Ident"/> only: the factor's name (e.g. <c>sex</c>).</summary>
    public string? StratumName { get; init; }

    /// <summary>
    /// <see cref="ResidualVarianceFunctionKind.Ident"/> only: each row's stratum, in 0 .. <see cref="StratumKeys"/>.Count − 1;
    /// stratum 0 is the reference (variance σ²).
    /// </summary>
    public int[]? StratumIndex { get; init; }

    /// <summary><see cref="ResidualVarianceFunctionKind.Ident"/> only: the strata's keys, e.g. <c>F</c>, <c>M</c>.</summary>
    public IReadOnlyList<string>? StratumKeys { get; init; }
}
