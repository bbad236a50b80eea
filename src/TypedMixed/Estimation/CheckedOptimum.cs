using TypedMixed.Optimization;

namespace TypedMixed.Estimation;

/// <summary>
/// The last steps of the Laplace-objective fits (GLMM stage 2, ordinal models), in coordinates scaled to standard-error
/// units: a finite-difference convergence check at the optimizer's point with steps of about 1e-3 SE (coordinates handed
/// to it divided by <see cref="CheckScale"/>, well above the rounding noise of a deviance summed over many rows), the
/// Newton step it proposes as a polish, and one restart of BOBYQA from the point when the check does not confirm it.
/// </summary>
internal static class CheckedOptimum
{
    /// <summary>Coordinates are divided by this before the convergence check.</summary>
    public const double CheckScale = 100;

    /// <summary>The confirmed (or restarted) optimum, the check there, and the optimizer's reason and message.</summary>
    public sealed record Result(double[] X, double Value, StopReason Reason, string Message, ConvergenceCheck Check);

    public static Result Confirm(Objective f, OptimizationResult optimum, double[] lower, double[] upper, int maxEvaluations,
        CancellationToken cancellationToken)
    {
        var x = optimum.X;
        double value = optimum.Value;
        var reason = optimum.Reason;
        string message = optimum.Message;
        ConvergenceCheck Check(double[] at)
        {
            var c = ConvergenceCheck.At(t => f(Scaled(t, CheckScale)), Scaled(at, 1 / CheckScale), Scaled(lower, 1 / CheckScale));
            return c.NewtonPoint is { } np ? c with { NewtonPoint = Scaled(np, CheckScale) } : c;
        }
        var check = Check(x);
        if (check.HessianPositiveDefinite && check.NewtonPoint is { } newton)
        {
            double nv = f(newton);
            double gained = value - nv;
            if (gained > 0) { x = newton; value = nv; }
            check = check.AfterNewtonStep(gained);
        }
        if (!check.Confirmed)
        {
            var restart = Bobyqa.Minimize(f, x, lower, upper,
                new BobyqaOptions { InitialTrustRadius = 1e-3, FinalTrustRadius = 1e-8, MaxEvaluations = maxEvaluations },
                cancellationToken);
            if (restart.Value < value)
            {
                x = restart.X;
                value = restart.Value;
                reason = restart.Reason;
                message = "restarted from the first optimum: " + restart.Message;
            }
            check = Check(x);
        }
        return new Result(x, value, reason, message, check);
    }

    public static double[] Scaled(double[] x, double factor) => x.Select(v => v * factor).ToArray();
}
