using TypedMixed.Optimization;

namespace TypedMixed.Estimation;

internal static partial class OrdinalEstimator
{
    /// <summary>
    /// The quasi-Newton run stops when a full step would gain less than this times |−2 log L| (about 2e-10 deviance
    /// units on wine): the Newton polish after the convergence check takes the rest.
    /// </summary>
    private const double QuasiNewtonTolerance = 1e-12;

    /// <summary>
    /// <see cref="CheckedOptimum.Confirm"/> from the analytic gradient: the convergence check from central differences
    /// of gradients in coordinates divided by <see cref="CheckedOptimum.CheckScale"/>, its Newton step as a polish, and
    /// one restart of the quasi-Newton run when the check does not confirm the point.
    /// </summary>
    private static CheckedOptimum.Result ConfirmWithGradient(ObjectiveWithGradient f, OptimizationResult optimum, double[] lower, double[] upper,
        int maxEvaluations, CancellationToken cancellationToken)
    {
        const double scale = CheckedOptimum.CheckScale;
        var x = optimum.X;
        double value = optimum.Value;
        var reason = optimum.Reason;
        string message = optimum.Message;
        ConvergenceCheck Check(double[] at)
        {
            var c = ConvergenceCheck.FromGradient((t, g) =>
            {
                double v = f(CheckedOptimum.Scaled(t, scale), g);
                for (int i = 0; i < g.Length; i++) g[i] *= scale;
                return v;
            }, CheckedOptimum.Scaled(at, 1 / scale), CheckedOptimum.Scaled(lower, 1 / scale));
            return c.NewtonPoint is { } np ? c with { NewtonPoint = CheckedOptimum.Scaled(np, scale) } : c;
        }
        var check = Check(x);
        if (check.HessianPositiveDefinite && check.NewtonPoint is { } newton)
        {
            double nv = f(newton, new double[x.Length]);
            double gained = value - nv;
            if (gained > 0) { x = newton; value = nv; }
            check = check.AfterNewtonStep(gained);
        }
        if (!check.Confirmed)
        {
            var restart = ProjectedQuasiNewton.Minimize(f, x, lower, upper,
                new ProjectedQuasiNewtonOptions { InitialStep = 1e-2, MaxEvaluations = maxEvaluations }, cancellationToken);
            if (restart.Value < value)
            {
                x = restart.X;
                value = restart.Value;
                reason = restart.Reason;
                message = "restarted from the first optimum: " + restart.Message;
            }
            check = Check(x);
        }
        return new CheckedOptimum.Result(x, value, reason, message, check);
    }

    /// <summary>
    /// The start's Hessian of −2 log L in the optimizer's coordinates, for the quasi-Newton matrix: over (α, β) twice the
    /// inverse covariance of the fit without random effects, divided by the attenuation² (conditional effects and their
    /// SEs are larger by about that factor), which carries the strong correlations of thresholds and β (e.g. with an
    /// uncentred 0/1 covariate); the θ columns by forward differences of the gradient (one evaluation each). Null when
    /// that covariance is missing or the result cannot be made positive definite (the optimizer then starts from the
    /// identity).
    /// </summary>
    private static double[]? InitialHessian(ObjectiveWithGradient f, double[] x0, double[,]? covariance, double[] unit, double attenuation, int fixedCount)
    {
        int dim = x0.Length;
        if (covariance is null || Inference.VarianceComponentInference.SymmetricInverse(covariance) is not { } information) return null;
        var h = new double[dim * dim];
        for (int j = 0; j < fixedCount; j++)
            for (int i = 0; i < fixedCount; i++)
                h[j * dim + i] = 2 * unit[i] * unit[j] * information[i, j] / (attenuation * attenuation);
        var g0 = new double[dim];
        if (!double.IsFinite(f(x0, g0))) return null;
        var x = (double[])x0.Clone();
        var g = new double[dim];
        var column = new double[dim * dim];
        for (int k = fixedCount; k < dim; k++)
        {
            double step = 1e-3 * Math.Max(1, Math.Abs(x0[k]));
            x[k] = x0[k] + step;
            double v = f(x, g);
            x[k] = x0[k];
            if (!double.IsFinite(v)) return null;
            for (int i = 0; i < dim; i++) column[k * dim + i] = (g[i] - g0[i]) / step;
        }
        for (int k = fixedCount; k < dim; k++)
            for (int i = 0; i < dim; i++)
            {
                // θ rows and columns from the differences, symmetrised within the θ block.
                double value = i >= fixedCount ? 0.5 * (column[k * dim + i] + column[i * dim + k]) : column[k * dim + i];
                h[k * dim + i] = h[i * dim + k] = value;
            }
        // Where −2 log L is not convex along a θ at the start (it can be, far from the optimum), that θ keeps only its
        // curvature's magnitude, uncoupled; then, if need be, every θ is uncoupled.
        for (int k = fixedCount; k < dim; k++)
        {
            double c = h[k * dim + k];
            if (c > 0) continue;
            for (int i = 0; i < dim; i++) h[k * dim + i] = h[i * dim + k] = 0;
            h[k * dim + k] = Math.Max(Math.Abs(c), 1);
        }
        if (Factorization.DenseKernels.UnblockedCholesky((double[])h.Clone(), dim)) return h;
        for (int k = fixedCount; k < dim; k++)
            for (int i = 0; i < dim; i++)
                if (i != k) h[k * dim + i] = h[i * dim + k] = 0;
        return Factorization.DenseKernels.UnblockedCholesky((double[])h.Clone(), dim) ? h : null;
    }
}
