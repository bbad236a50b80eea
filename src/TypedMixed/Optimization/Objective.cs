namespace TypedMixed.Optimization;

/// <summary>An objective to minimise. The span is only valid during the call.</summary>
public delegate double Objective(ReadOnlySpan<double> x);

/// <summary>Why an optimizer stopped.</summary>
public enum StopReason
{
    /// <summary>The trust region shrank to the requested final radius: converged.</summary>
    Converged,

    /// <summary>The evaluation budget was used up before convergence.</summary>
    MaxEvaluations,

    /// <summary>A step could not reduce the model any more (roundoff limits further progress); the best point is returned.</summary>
    RoundoffLimited,

    /// <summary>The objective returned NaN or infinity at the start.</summary>
    InvalidObjective,
}

/// <summary>Settings of <see cref="Bobyqa"/>.</summary>
public sealed class BobyqaOptions
{
    /// <summary>Initial trust-region radius ρ_beg.</summary>
    public double InitialTrustRadius { get; init; } = 0.2;

    /// <summary>Final trust-region radius ρ_end (the accuracy required of x).</summary>
    public double FinalTrustRadius { get; init; } = 1e-8;

    /// <summary>Maximum number of objective evaluations.</summary>
    public int MaxEvaluations { get; init; } = 100_000;

    /// <summary>Number of interpolation points; default 2n + 1.</summary>
    public int? InterpolationPoints { get; init; }

    /// <summary>
    /// Absolute tolerance on f for an earlier stop; 0 (the default) turns it off, so the run ends only when ρ
    /// reaches <see cref="FinalTrustRadius"/>, as in Powell's BOBYQA. When positive, the run also stops, as
    /// <see cref="StopReason.Converged"/>, after a trust-region step that lowered the best value by less than this
    /// while the model had predicted a reduction of less than this too. This is a guarded form of NLopt's
    /// <c>ftol_abs</c> (lme4 uses 1e-6): NLopt stops on any small improvement, geometry steps included.
    /// </summary>
    /// <remarks>
    /// Saves the evaluations Powell's method spends confirming x to ρ_end once f no longer changes, but leaves x
    /// less accurate (on lme4's reference fits, with 1e-6: f within 2e-9 relative of the optimum, θ within 2e-4),
    /// so a caller should polish x afterwards, e.g. by a Newton step. A tolerance relative to |f| is unsafe when
    /// |f| is large: a trust-region step can then improve f by less than 1e-7·|f| far from the optimum.
    /// </remarks>
    public double FunctionTolerance { get; init; }
}

/// <summary>What an optimizer did: the best point, its value, evaluations, and why it stopped.</summary>
public sealed record OptimizationResult(double[] X, double Value, int Evaluations, StopReason Reason, string Message);
