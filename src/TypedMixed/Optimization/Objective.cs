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
}

/// <summary>What an optimizer did: the best point, its value, evaluations, and why it stopped.</summary>
public sealed record OptimizationResult(double[] X, double Value, int Evaluations, StopReason Reason, string Message);
