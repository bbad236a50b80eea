using TypedMixed.Optimization;

namespace TypedMixed;

/// <summary>How the optimum was found: starting and final θ and objective, evaluations, and why the optimizer stopped.</summary>
public sealed record OptimizerSummary
{
    /// <summary>Name of the optimizer.</summary>
    public string Optimizer { get; init; } = "BOBYQA";

    /// <summary>θ at the start.</summary>
    public required double[] InitialTheta { get; init; }

    /// <summary>Objective at the start.</summary>
    public required double InitialObjective { get; init; }

    /// <summary>θ at the optimum.</summary>
    public required double[] FinalTheta { get; init; }

    /// <summary>Objective at the optimum (deviance for ML, REML criterion for REML).</summary>
    public required double FinalObjective { get; init; }

    /// <summary>Objective evaluations, all stages included.</summary>
    public required int Evaluations { get; init; }

    /// <summary>Why the optimizer stopped.</summary>
    public required StopReason Reason { get; init; }

    /// <summary>The optimizer's own message.</summary>
    public string Message { get; init; } = "";

    /// <summary>
    /// ½ g'H⁻¹g at the optimum from finite-difference derivatives over the θ not on a bound: the objective decrease a
    /// Newton step would still buy (NaN when the check was not run).
    /// </summary>
    public double NewtonDecrement { get; init; } = double.NaN;

    /// <summary>Largest absolute gradient component over the θ not on a bound (NaN when the check was not run).</summary>
    public double MaxAbsGradient { get; init; } = double.NaN;

    /// <summary>
    /// Smallest over largest eigenvalue of the objective's curvature over the scaled θ not on a bound (NaN when the
    /// check was not run); near 0 means the data leave a direction of the variance parameters undetermined.
    /// </summary>
    public double EigenvalueRatio { get; init; } = double.NaN;

    /// <summary>True when the derivative check confirmed the optimum, false when it did not, null when not run.</summary>
    public bool? ConvergenceConfirmed { get; init; }
}

/// <summary>A warning about a fit, with a stable code (TMW…) and advice.</summary>
public sealed record FitWarning(string Code, string Message);
