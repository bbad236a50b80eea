namespace TypedMixed;

/// <summary>What a profiled parameter is.</summary>
public enum ProfileParameterKind
{
    /// <summary>The standard deviation of one random effect.</summary>
    StandardDeviation,

    /// <summary>The correlation of two random effects of one term.</summary>
    Correlation,

    /// <summary>The residual standard deviation σ.</summary>
    ResidualStandardDeviation,

    /// <summary>A fixed effect β.</summary>
    FixedEffect,
}

/// <summary>Settings of a likelihood profile (lme4's <c>profile</c> arguments of the same names). All have defaults.</summary>
public sealed class ProfileOptions
{
    /// <summary>
    /// The profile extends until ζ² exceeds the 1 − <c>AlphaMax</c> quantile of χ² with as many degrees of freedom as
    /// parameters (lme4's <c>alphamax</c>, 0.01), far enough for 95% and 99% intervals.
    /// </summary>
    public double AlphaMax { get; init; } = 0.01;

    /// <summary>At most this many points on each side of the estimate (lme4's <c>maxpts</c>, 100).</summary>
    public int MaxPoints { get; init; } = 100;

    /// <summary>The step in ζ between points as a fraction of the cutoff (lme4's <c>delta.cutoff</c>, 1/8).</summary>
    public double DeltaCutoff { get; init; } = 1.0 / 8;

    /// <summary>Names of the parameters to profile (as <see cref="LikelihoodProfile.ParameterNames"/>); null: all.</summary>
    public IReadOnlyList<string>? Parameters { get; init; }

    /// <summary>Parameters are profiled in parallel on up to this many threads; −1 (default): all cores. The result does not depend on it.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>Receives a report as each parameter's profile is finished.</summary>
    public IProgress<ProfileProgress>? Progress { get; init; }
}

/// <summary>Progress of a profile: the parameter just finished, and how many of how many are done.</summary>
public readonly record struct ProfileProgress(string Parameter, int Completed, int Total);

/// <summary>A confidence interval of one parameter, with its estimate.</summary>
/// <param name="Name">The parameter, as lme4 names it (<c>sd_(Intercept)|Subject</c>, <c>sigma</c>, <c>Days</c>).</param>
/// <param name="Kind">What the parameter is.</param>
/// <param name="Estimate">The estimate (for variance parameters, of the ML fit that was profiled).</param>
/// <param name="Lower">Lower end; a bound (0, −1) when the profile does not reach the level below the estimate, NaN when unknown.</param>
/// <param name="Upper">Upper end; a bound (1, +∞) when the profile does not reach the level above the estimate, NaN when unknown.</param>
public sealed record ConfidenceInterval(string Name, ProfileParameterKind Kind, double Estimate, double Lower, double Upper);

/// <summary>
/// The profile of one parameter: the signed square root of the deviance increase, ζ(x) = sign(x − x̂)·√(d(x) − d(x̂)),
/// at the points visited, every other parameter re-optimized at each; and the splines through them.
/// </summary>
public sealed class ParameterProfile
{
    private readonly Inference.ProfileSpline? _spline;

    internal ParameterProfile(string name, ProfileParameterKind kind, double estimate, double lowerBound, double upperBound,
        double[] values, double[] zeta, double[][] parameters)
    {
        Name = name;
        Kind = kind;
        Estimate = estimate;
        LowerBound = lowerBound;
        UpperBound = upperBound;
        Values = values;
        Zeta = zeta;
        Parameters = parameters;
        if (values.Length >= 2) _spline = new Inference.ProfileSpline(values, zeta);
    }

    /// <summary>The parameter's name (lme4's row name in <c>confint</c>).</summary>
    public string Name { get; }

    /// <summary>What the parameter is.</summary>
    public ProfileParameterKind Kind { get; }

    /// <summary>Its maximum-likelihood estimate.</summary>
    public double Estimate { get; }

    /// <summary>Its lower bound (0 for SDs, −1 for correlations, −∞ for fixed effects).</summary>
    public double LowerBound { get; }

    /// <summary>Its upper bound (1 for correlations, +∞ otherwise).</summary>
    public double UpperBound { get; }

    /// <summary>The parameter values visited, increasing (the estimate among them).</summary>
    public IReadOnlyList<double> Values { get; }

    /// <summary>ζ at each of <see cref="Values"/> (0 at the estimate, increasing).</summary>
    public IReadOnlyList<double> Zeta { get; }

    /// <summary>At each of <see cref="Values"/>, every parameter (in <see cref="LikelihoodProfile.ParameterNames"/> order) with the others re-optimized.</summary>
    public IReadOnlyList<double[]> Parameters { get; }

    /// <summary>Whether ζ increases strictly along the trace (so the interpolating splines are invertible).</summary>
    public bool IsMonotone => _spline?.IsMonotone ?? false;

    /// <summary>ζ interpolated at <paramref name="value"/> (natural cubic spline through the trace); NaN outside it.</summary>
    public double ZetaAt(double value) => _spline?.ZetaAt(value) ?? double.NaN;

    /// <summary>The parameter value where the interpolated profile reaches <paramref name="zeta"/>; NaN outside the trace.</summary>
    public double ValueAt(double zeta) => _spline?.ParameterAt(zeta) ?? double.NaN;

    /// <summary>
    /// The profile-likelihood interval at <paramref name="level"/>: the values where ζ = ∓z₁₋α/₂ (lme4's
    /// <c>confint(profile)</c>); an end the trace does not reach is the parameter's bound.
    /// </summary>
    public ConfidenceInterval Interval(double level = 0.95)
    {
        if (!(level > 0 && level < 1)) throw new ArgumentOutOfRangeException(nameof(level), level, "The level must lie strictly between 0 and 1, e.g. 0.95.");
        double z = Distributions.NormalQuantile(1 - (1 - level) / 2);
        double lo = ValueAt(-z), hi = ValueAt(z);
        // lme4 replaces an end outside the trace by the bound of a variance parameter (NA for fixed effects).
        if (double.IsNaN(lo) && Kind != ProfileParameterKind.FixedEffect && _spline is not null) lo = LowerBound;
        if (double.IsNaN(hi) && Kind != ProfileParameterKind.FixedEffect && _spline is not null) hi = UpperBound;
        return new ConfidenceInterval(Name, Kind, Estimate, lo, hi);
    }
}
