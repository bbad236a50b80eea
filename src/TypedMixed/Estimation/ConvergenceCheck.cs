using TypedMixed.Inference;

namespace TypedMixed.Estimation;

/// <summary>
/// Confirms an optimum from derivatives: the finite-difference gradient g and Hessian H of the profiled objective
/// over the θ coordinates that are not on their bound. The Newton decrement ½ g'H⁻¹g is the objective decrease a
/// Newton step would still buy; below <see cref="DecrementTolerance"/> (in deviance units) the optimum is confirmed.
/// A coordinate on its bound must have a non-negative one-sided slope (the objective rises into the interior).
/// Unlike lme4's absolute gradient test, the decrement does not depend on how θ or the data are scaled.
/// </summary>
internal sealed record ConvergenceCheck(double NewtonDecrement, double MaxAbsGradient, bool HessianPositiveDefinite,
    bool BoundSlopesOk, double[]? NewtonPoint)
{
    /// <summary>Smallest over largest eigenvalue of the Hessian (over the free scaled θ); 1 when there is none.</summary>
    public double EigenvalueRatio { get; init; } = 1;

    /// <summary>Below this eigenvalue ratio a direction of θ is not identified by the data (the likelihood is flat along it).</summary>
    public const double IdentifiabilityTolerance = 1e-6;

    /// <summary>True when the curvature is positive definite and no direction is flat.</summary>
    public bool Identified => HessianPositiveDefinite && EigenvalueRatio >= IdentifiabilityTolerance;

    /// <summary>
    /// Set when the Newton step from this check gained what the quadratic model predicted (within a factor of 2):
    /// the model is then accurate at the optimum and the polished point is confirmed; <see cref="NewtonDecrement"/>
    /// holds the difference between prediction and gain.
    /// </summary>
    public bool PolishConfirmed { get; init; }

    /// <summary>The finite-difference Hessian over the free coordinates (null when there were none or it failed).</summary>
    public double[,]? Hessian { get; init; }

    /// <summary>The coordinates of <see cref="Hessian"/> (those not on their bound).</summary>
    public int[] Free { get; init; } = [];

    /// <summary>Deviance units a Newton step may still gain at a confirmed optimum (see <see cref="RelativeDecrementTolerance"/>).</summary>
    public const double DecrementTolerance = 1e-6;

    /// <summary>
    /// For large objectives, the decrement allowed relative to the objective's value: a deviance of 10⁸ (tens of
    /// millions of rows) carries rounding noise above 1e-6 in its differences, which would leave such fits unconfirmed.
    /// </summary>
    public const double RelativeDecrementTolerance = 1e-12;

    /// <summary>The objective at the checked point (0 when the check did not evaluate it).</summary>
    public double Value { get; init; }

    /// <summary>Below this a θ diagonal counts as on its bound (lme4's singular tolerance is 1e-4; this is tighter).</summary>
    public const double BoundTolerance = 1e-7;

    public bool Confirmed => Identified && BoundSlopesOk
        && (PolishConfirmed || NewtonDecrement <= Math.Max(DecrementTolerance, RelativeDecrementTolerance * Math.Abs(Value)));

    public static ConvergenceCheck At(Func<double[], double> objective, double[] theta, double[] lower)
    {
        var (onBound, free) = Split(theta, lower);
        double f0 = objective(theta);

        bool boundOk = BoundSlopesFromValues(objective, theta, onBound, f0);
        var x = (double[])theta.Clone();
        if (free.Length == 0) return new ConvergenceCheck(0, 0, true, boundOk, null);

        // Central differences in the free coordinates, steps scaled to each θ and kept inside the bounds.
        var step = free.Select(i =>
        {
            double h = 1e-4 * Math.Max(Math.Abs(theta[i]), 0.1);
            return lower[i] == 0 ? Math.Min(h, 0.5 * theta[i]) : h;
        }).ToArray();
        int m = free.Length;
        var g = new double[m];
        var hess = new double[m, m];
        for (int a = 0; a < m; a++)
        {
            int i = free[a];
            x[i] = theta[i] + step[a]; double fp = objective(x);
            x[i] = theta[i] - step[a]; double fm = objective(x);
            x[i] = theta[i];
            g[a] = (fp - fm) / (2 * step[a]);
            hess[a, a] = (fp - 2 * f0 + fm) / (step[a] * step[a]);
        }
        for (int a = 0; a < m; a++)
            for (int b = 0; b < a; b++)
            {
                int i = free[a], j = free[b];
                x[i] = theta[i] + step[a]; x[j] = theta[j] + step[b]; double fpp = objective(x);
                x[i] = theta[i] - step[a]; x[j] = theta[j] - step[b]; double fmm = objective(x);
                x[i] = theta[i]; x[j] = theta[j];
                hess[a, b] = hess[b, a] = (fpp + fmm - 2 * f0 - hess[a, a] * step[a] * step[a] - hess[b, b] * step[b] * step[b]) / (2 * step[a] * step[b]);
            }
        return FromDerivatives(theta, lower, free, g, hess, boundOk) with { Value = f0 };
    }

    /// <summary>
    /// The check from values with the large, Richardson-extrapolated differences of <see cref="NewtonPolish"/>: along
    /// each free coordinate central differences at h and h/2 (h = 2 % of max(|θᵢ|, 0.1), kept inside the bounds) give
    /// gᵢ and Hᵢᵢ to O(h⁴); each pair adds two values at h/2 for Hᵢⱼ. So the Newton point of this check is the polished
    /// point (its gradient is one the objective's rounding noise cannot move), and the separate polish with its own
    /// 4m + 1 values is not needed: 4m + m(m − 1) values with <paramref name="value"/> known, against the small-step
    /// check's 1 + 2m + m(m − 1) plus the polish's 4m + 1.
    /// </summary>
    /// <param name="objective">The objective in the optimizer's coordinates.</param>
    /// <param name="theta">The point to check.</param>
    /// <param name="lower">Lower bounds (0 for θ diagonals).</param>
    /// <param name="value">The objective at <paramref name="theta"/> (not evaluated again).</param>
    public static ConvergenceCheck WithLargeSteps(Func<double[], double> objective, double[] theta, double[] lower, double value)
    {
        var (onBound, free) = Split(theta, lower);
        double f0 = value;
        bool boundOk = BoundSlopesFromValues(objective, theta, onBound, f0);
        var x = (double[])theta.Clone();
        if (free.Length == 0) return new ConvergenceCheck(0, 0, true, boundOk, null) { Value = f0, LargeSteps = true };
        int m = free.Length;
        var step = free.Select(i => NewtonPolish.LargeStep(theta[i], lower[i])).ToArray();
        var g = new double[m];
        var hess = new double[m, m];
        for (int a = 0; a < m; a++)
        {
            int i = free[a];
            double h = step[a];
            x[i] = theta[i] + h; double fp = objective(x);
            x[i] = theta[i] - h; double fm = objective(x);
            x[i] = theta[i] + h / 2; double fp2 = objective(x);
            x[i] = theta[i] - h / 2; double fm2 = objective(x);
            x[i] = theta[i];
            // (4·D(h/2) − D(h)) / 3 for the central first and second differences D.
            g[a] = (4 * (fp2 - fm2) / h - (fp - fm) / (2 * h)) / 3;
            hess[a, a] = (4 * (fp2 - 2 * f0 + fm2) / (h * h / 4) - (fp - 2 * f0 + fm) / (h * h)) / 3;
        }
        for (int a = 0; a < m; a++)
            for (int b = 0; b < a; b++)
            {
                int i = free[a], j = free[b];
                double hi = step[a] / 2, hj = step[b] / 2;
                x[i] = theta[i] + hi; x[j] = theta[j] + hj; double fpp = objective(x);
                x[i] = theta[i] - hi; x[j] = theta[j] - hj; double fmm = objective(x);
                x[i] = theta[i]; x[j] = theta[j];
                hess[a, b] = hess[b, a] = (fpp + fmm - 2 * f0 - hess[a, a] * hi * hi - hess[b, b] * hj * hj) / (2 * hi * hj);
            }
        return FromDerivatives(theta, lower, free, g, hess, boundOk) with { Value = f0, LargeSteps = true };
    }

    /// <summary>
    /// True when the Newton point of this check is the polished point: a check made by <see cref="WithLargeSteps"/>,
    /// or one from a known analytic gradient (an exact gradient, which the objective's rounding noise does not move).
    /// </summary>
    public bool LargeSteps { get; init; }

    /// <summary>
    /// The same check from the analytic gradient: g exact, the bound slopes are its entries on the bound, and the
    /// Hessian over the free coordinates is the central difference of gradients (symmetrised): 1 + 2m evaluations of
    /// the objective and its gradient for m free coordinates, instead of about 2m² objective values. With
    /// <paramref name="known"/> (f and ∇f at <paramref name="theta"/>, e.g. the optimizer's last evaluation) the Hessian
    /// is the forward difference from that gradient instead: m evaluations, its O(h) error (h = 1e-4 of each
    /// coordinate's scale) harmless to a decrement test and to a Newton step whose gradient is exact; that Newton point
    /// is then the polished point (<see cref="LargeSteps"/>).
    /// </summary>
    public static ConvergenceCheck FromGradient(Func<double[], double[], double> objective, double[] theta, double[] lower,
        (double Value, double[] Gradient)? known = null)
    {
        int d = theta.Length;
        var g0 = known?.Gradient ?? new double[d];
        double f0 = known?.Value ?? objective(theta, g0);
        bool forward = known is not null;
        var (onBound, free) = Split(theta, lower);
        bool boundOk = Enumerable.Range(0, d).Where(i => onBound[i]).All(i => g0[i] >= -1e-3);
        if (free.Length == 0) return new ConvergenceCheck(0, 0, true, boundOk, null) { Value = f0, LargeSteps = forward };
        int m = free.Length;
        var g = free.Select(i => g0[i]).ToArray();
        var hess = new double[m, m];
        var x = (double[])theta.Clone();
        var gp = new double[d];
        var gm = new double[d];
        for (int a = 0; a < m; a++)
        {
            int i = free[a];
            double h = 1e-4 * Math.Max(Math.Abs(theta[i]), 0.1);
            if (forward)
            {
                x[i] = theta[i] + h; objective(x, gp);
                x[i] = theta[i];
                for (int c = 0; c < m; c++) hess[c, a] = (gp[free[c]] - g0[free[c]]) / h;
                continue;
            }
            if (lower[i] == 0) h = Math.Min(h, 0.5 * theta[i]);
            x[i] = theta[i] + h; objective(x, gp);
            x[i] = theta[i] - h; objective(x, gm);
            x[i] = theta[i];
            for (int c = 0; c < m; c++) hess[c, a] = (gp[free[c]] - gm[free[c]]) / (2 * h);
        }
        for (int a = 0; a < m; a++)
            for (int c = 0; c < a; c++) hess[a, c] = hess[c, a] = 0.5 * (hess[a, c] + hess[c, a]);
        return FromDerivatives(theta, lower, free, g, hess, boundOk) with { Value = f0, LargeSteps = forward };
    }

    /// <summary>Which coordinates sit on their zero bound (within <see cref="BoundTolerance"/>) and the free ones.</summary>
    private static (bool[] OnBound, int[] Free) Split(double[] theta, double[] lower)
    {
        var onBound = new bool[theta.Length];
        for (int i = 0; i < theta.Length; i++) onBound[i] = lower[i] == 0 && theta[i] <= BoundTolerance;
        return (onBound, Enumerable.Range(0, theta.Length).Where(i => !onBound[i]).ToArray());
    }

    /// <summary>One-sided slopes into the interior (step 1e-5) of the coordinates on their bound: none below −1e-3.</summary>
    private static bool BoundSlopesFromValues(Func<double[], double> objective, double[] theta, bool[] onBound, double f0)
    {
        bool ok = true;
        var x = (double[])theta.Clone();
        for (int i = 0; i < theta.Length; i++)
        {
            if (!onBound[i]) continue;
            const double h = 1e-5;
            x[i] = theta[i] + h;
            double slope = (objective(x) - f0) / h;
            x[i] = theta[i];
            if (slope < -1e-3) ok = false;
        }
        return ok;
    }

    /// <summary>
    /// This check after its Newton step gained <paramref name="gained"/>: when the check failed but the bound slopes are
    /// fine and the gain is within a factor of 2 of the predicted decrement, the quadratic model is accurate there and
    /// the polished point is confirmed (<see cref="PolishConfirmed"/>, the decrement becoming the prediction's error).
    /// </summary>
    public ConvergenceCheck AfterNewtonStep(double gained) =>
        !Confirmed && BoundSlopesOk && gained > 0.5 * NewtonDecrement && gained < 2 * NewtonDecrement
            ? this with { NewtonDecrement = Math.Abs(NewtonDecrement - gained), PolishConfirmed = true }
            : this;

    /// <summary>Curvature, Newton decrement and Newton point from the gradient and Hessian over the free coordinates.</summary>
    private static ConvergenceCheck FromDerivatives(double[] theta, double[] lower, int[] free, double[] g, double[,] hess, bool boundOk)
    {
        int m = free.Length;
        double maxGrad = g.Max(Math.Abs);
        var eigen = SymmetricEigenvalues(hess);
        double ratio = eigen.Max() > 0 ? Math.Max(eigen.Min(), 0) / eigen.Max() : 0;
        var inv = VarianceComponentInference.SymmetricInverse(hess);
        if (inv is null) return new ConvergenceCheck(double.PositiveInfinity, maxGrad, false, boundOk, null) { EigenvalueRatio = ratio, Hessian = hess, Free = free };
        double dec = 0;
        var newton = (double[])theta.Clone();
        for (int a = 0; a < m; a++)
        {
            double s = 0;
            for (int b = 0; b < m; b++) s += inv[a, b] * g[b];
            dec += g[a] * s;
            newton[free[a]] = Math.Max(lower[free[a]], theta[free[a]] - s);
        }
        return new ConvergenceCheck(0.5 * dec, maxGrad, true, boundOk, newton) { EigenvalueRatio = ratio, Hessian = hess, Free = free };
    }

    /// <summary>Eigenvalues of a small symmetric matrix (MathNet.Numerics' symmetric eigenvalue decomposition), ascending.</summary>
    internal static double[] SymmetricEigenvalues(double[,] matrix) =>
        MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(matrix)
            .Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric).EigenValues.Select(e => e.Real).ToArray();
}
