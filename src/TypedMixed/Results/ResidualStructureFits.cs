namespace TypedMixed;

/// <summary>
/// The estimated correlation of the level-1 residuals (nlme's <c>corAR1</c>/<c>corCAR1</c> block): ρ with its standard
/// error from the joint observed information and a 95 % Wald interval formed on the optimizer's unbounded scale
/// (atanh ρ for AR(1), logit ρ for CAR(1)) and transformed back, as nlme's <c>intervals</c> does.
/// </summary>
public sealed class ResidualCorrelationFit
{
    internal ResidualCorrelationFit() { }

    /// <summary>The structure (AR(1) or continuous-time AR(1)).</summary>
    public required ResidualCorrelationStructure Structure { get; init; }

    /// <summary>The time member's name.</summary>
    public required string TimeName { get; init; }

    /// <summary>The classification whose clusters carry the correlation.</summary>
    public required string ClusterName { get; init; }

    /// <summary>ρ̂ (nlme's <c>Phi</c>): the correlation of residuals one time unit apart.</summary>
    public required double Parameter { get; init; }

    /// <summary>Standard error of ρ̂ (delta method from the unbounded scale); NaN when not computed.</summary>
    public required double StdError { get; init; }

    /// <summary>Lower end of the 95 % confidence interval of ρ.</summary>
    public required double ConfidenceLower { get; init; }

    /// <summary>Upper end of the 95 % confidence interval of ρ.</summary>
    public required double ConfidenceUpper { get; init; }

    /// <summary>The implied correlation of two residuals of one cluster <paramref name="lag"/> time units apart, ρ^|lag|.</summary>
    public double Correlation(double lag) => Math.Pow(Parameter, Math.Abs(lag));

    /// <summary>nlme's name of the structure: <c>AR(1)</c> or <c>Continuous AR(1)</c>.</summary>
    public string StructureName => Structure == ResidualCorrelationStructure.Ar1 ? "AR(1)" : "Continuous AR(1)";
}

/// <summary>
/// The estimated level-1 variance function (nlme's <c>varIdent</c>, <c>varExp</c>, <c>varPower</c>; log-linear; MLwiN's
/// quadratic): its parameters by name with standard errors (joint observed information, delta method) and 95 % Wald
/// intervals, and the residual variance it implies for a stratum or at given covariate values.
/// </summary>
/// <remarks>
/// Parameter names: varIdent, the non-reference strata's keys (SD ratios δₛ to the first stratum); varExp <c>expon</c>;
/// varPower <c>power</c>; log-linear <c>(Intercept)</c> (γ₀ = log σ²) then one per covariate; quadratic
/// <c>sigma2_e0</c> (= σ²), then <c>sigma_e0_x</c> and <c>sigma2_e_x</c> per covariate x.
/// </remarks>
public sealed class ResidualVarianceFunctionFit
{
    internal ResidualVarianceFunctionFit() { }

    /// <summary>The form of the function.</summary>
    public required ResidualVarianceFunctionKind Kind { get; init; }

    /// <summary>Names of the covariates (none for varIdent).</summary>
    public required IReadOnlyList<string> CovariateNames { get; init; }

    /// <summary>Names of the reported parameters (see the remarks).</summary>
    public required IReadOnlyList<string> ParameterNames { get; init; }

    /// <summary>The parameter estimates, in the order of <see cref="ParameterNames"/>.</summary>
    public required IReadOnlyList<double> Parameters { get; init; }

    /// <summary>Their standard errors (NaN when not computed).</summary>
    public required IReadOnlyList<double> StdErrors { get; init; }

    /// <summary>Lower ends of the 95 % intervals (for varIdent formed on log δ, as nlme).</summary>
    public required IReadOnlyList<double> ConfidenceLower { get; init; }

    /// <summary>Upper ends of the 95 % intervals.</summary>
    public required IReadOnlyList<double> ConfidenceUpper { get; init; }

    /// <summary>varIdent: the stratifying factor's name; null otherwise.</summary>
    public string? StratumName { get; init; }

    /// <summary>varIdent: the strata's keys, the reference (ratio 1) first; null otherwise.</summary>
    public IReadOnlyList<string>? StratumKeys { get; init; }

    /// <summary>varIdent: the residual variance of each stratum, σ̂² δₛ² (in <see cref="StratumKeys"/> order); null otherwise.</summary>
    public IReadOnlyList<double>? VarianceByStratum { get; init; }

    /// <summary>varIdent: the SD ratio of every stratum to the reference, the reference's 1 included (nlme prints these); null otherwise.</summary>
    public IReadOnlyList<double>? StratumRatios { get; init; }

    internal Func<double[], double> VarianceFunction { get; init; } = _ => double.NaN;

    /// <summary>A parameter by name.</summary>
    public double Parameter(string name)
    {
        int i = ParameterNames.ToList().IndexOf(name);
        if (i < 0) throw new KeyNotFoundException($"No variance-function parameter named '{name}'. It has: {string.Join(", ", ParameterNames)}.");
        return Parameters[i];
    }

    /// <summary>varIdent: the residual variance of a stratum by key.</summary>
    public double VarianceInStratum(string key)
    {
        if (StratumKeys is null || VarianceByStratum is null) throw new InvalidOperationException("Only a varIdent variance function has strata; use VarianceAt for a covariate function.");
        int i = StratumKeys.ToList().IndexOf(key);
        if (i < 0) throw new KeyNotFoundException($"No stratum '{key}'. The strata are: {string.Join(", ", StratumKeys)}.");
        return VarianceByStratum[i];
    }

    /// <summary>varIdent: the SD ratio δₛ of a stratum to the reference stratum (1 for the reference), by key.</summary>
    public double SdRatioInStratum(string key)
    {
        if (StratumKeys is null || StratumRatios is null) throw new InvalidOperationException("Only a varIdent variance function has strata; use VarianceAt for a covariate function.");
        int i = StratumKeys.ToList().IndexOf(key);
        if (i < 0) throw new KeyNotFoundException($"No stratum '{key}'. The strata are: {string.Join(", ", StratumKeys)}.");
        return StratumRatios[i];
    }

    /// <summary>
    /// The residual variance at the given covariate values (one per <see cref="CovariateNames"/>), σ̂² g(x); without
    /// prior weights. NaN where the function is not positive (a quadratic outside its valid range).
    /// </summary>
    public double VarianceAt(params double[] covariates)
    {
        if (Kind == ResidualVarianceFunctionKind.Ident) throw new InvalidOperationException("A varIdent function has strata, not covariates: use VarianceInStratum.");
        if (covariates.Length != CovariateNames.Count) throw new ArgumentException($"Give {CovariateNames.Count} value(s), for {string.Join(", ", CovariateNames)}.", nameof(covariates));
        double v = VarianceFunction(covariates);
        return v > 0 ? v : double.NaN;
    }

    /// <summary>nlme's description of the structure, e.g. "Different standard deviations per stratum".</summary>
    public string StructureName => Kind switch
    {
        ResidualVarianceFunctionKind.Ident => "Different standard deviations per stratum",
        ResidualVarianceFunctionKind.Exponential => "Exponential of variance covariate",
        ResidualVarianceFunctionKind.Power => "Power of variance covariate",
        ResidualVarianceFunctionKind.LogLinear => "Log-linear variance",
        _ => "Quadratic variance",
    };
}
