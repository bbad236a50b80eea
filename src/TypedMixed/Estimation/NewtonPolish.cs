namespace TypedMixed.Estimation;

/// <summary>
/// The last step of a linear mixed model's fit: one Newton step on the free θ coordinates from a confirmed optimum, with
/// the gradient from central differences at two large steps (2 % and 1 % of each coordinate's scale) combined by
/// Richardson extrapolation, and the Hessian of the convergence check.
/// </summary>
/// <remarks>
/// Why: the profiled objective is flat at its optimum and its value carries rounding noise of ~1e-14 to 1e-12 relative
/// (the last pivot, the penalized residual sum of squares, is a difference of large sums). BOBYQA and the check's small
/// difference steps (1e-4) turn that noise into θ errors of 1e-8 to 1e-6, so two Gram matrices that differ only in the
/// order of their additions (rows in memory, sums from a database) gave fits whose θ differed by up to 1e-6. Steps a
/// hundred times larger divide the noise's effect on the gradient by a hundred, and the extrapolation leaves a
/// truncation error of order h⁴ that is a smooth function of θ — the same for every Gram that equals this one up to
/// rounding — so the polished point is reproducible to about 1e-10 in θ whatever the summation order.
/// </remarks>
internal static class NewtonPolish
{
    /// <summary>The larger difference step, relative to max(|x|, 0.1).</summary>
    public const double RelativeStep = 2e-2;

    /// <summary>A Newton step longer than this (relative to max(|x|, 0.1)) leaves the quadratic region: not taken.</summary>
    private const double MaxRelativeStep = 1e-3;

    /// <summary>The coarse Richardson step at a coordinate: <see cref="RelativeStep"/> of max(|x|, 0.1), at most half the
    /// way to its lower bound.</summary>
    internal static double LargeStep(double x, double lower)
    {
        double h = RelativeStep * Math.Max(Math.Abs(x), 0.1);
        return lower > double.NegativeInfinity ? Math.Min(h, 0.5 * (x - lower)) : h;
    }

    /// <summary>
    /// The polished point and its objective, or null when there is nothing to polish (no coordinate within 1e-7 of its
    /// bound to put on it, and no free coordinate, a check without a positive-definite Hessian, a step too long to trust,
    /// or a polished value worse than <paramref name="value"/> by more than rounding).
    /// </summary>
    /// <param name="objective">The objective in the optimizer's coordinates.</param>
    /// <param name="x">The confirmed optimum.</param>
    /// <param name="value">The objective at <paramref name="x"/>.</param>
    /// <param name="lower">Lower bounds (0 for θ diagonals).</param>
    /// <param name="check">The convergence check made near <paramref name="x"/> (its Hessian over its free coordinates).</param>
    /// <param name="snapOnly">
    /// Only put the coordinates within 1e-7 of a zero bound onto it (when the point already comes from the Newton
    /// step of a <see cref="ConvergenceCheck.WithLargeSteps"/> check, which is this polish).
    /// </param>
    public static (double[] X, double Value)? Step(Func<double[], double> objective, double[] x, double value, double[] lower, ConvergenceCheck check, bool snapOnly = false)
    {
        double tolerance = 1e-10 * Math.Max(1, Math.Abs(value));
        // Coordinates within BoundTolerance of a zero bound (found so by the check, or moved there by the step after it)
        // go onto it exactly, so that one fit's 3e-8 and another's 0 agree; the others are polished.
        bool OnBound(int i) => lower[i] == 0 && x[i] <= ConvergenceCheck.BoundTolerance;
        var kept = Enumerable.Range(0, check.Free.Length).Where(a => !OnBound(check.Free[a])).ToArray();
        var free = kept.Select(a => check.Free[a]).ToArray();
        var start = (double[])x.Clone();
        bool snapped = false;
        for (int i = 0; i < x.Length; i++)
            if (OnBound(i) && x[i] > 0) { start[i] = 0; snapped = true; }
        double startValue = value;
        if (snapped && check.BoundSlopesOk)
        {
            startValue = objective(start);
            if (!(startValue <= value + tolerance)) { start = x; startValue = value; snapped = false; }
        }
        else if (snapped) { start = x; snapped = false; }
        (double[] X, double Value)? Unmoved() => snapped ? (start, startValue) : null;
        if (snapOnly || !check.HessianPositiveDefinite || check.Hessian is not { } full || free.Length == 0) return Unmoved();
        int m = free.Length;
        var hessian = new double[m, m];
        for (int a = 0; a < m; a++)
            for (int b = 0; b < m; b++) hessian[a, b] = full[kept[a], kept[b]];
        var inverse = Inference.VarianceComponentInference.SymmetricInverse(hessian);
        if (inverse is null) return Unmoved();
        x = start;
        value = startValue;

        // g by Richardson: (4·D(h/2) − D(h)) / 3, D the central difference; steps kept inside the bounds.
        var g = new double[m];
        var at = (double[])x.Clone();
        for (int a = 0; a < m; a++)
        {
            int i = free[a];
            double h = LargeStep(x[i], lower[i]);
            double Central(double step)
            {
                at[i] = x[i] + step; double fp = objective(at);
                at[i] = x[i] - step; double fm = objective(at);
                at[i] = x[i];
                return (fp - fm) / (2 * step);
            }
            double coarse = Central(h), fine = Central(h / 2);
            g[a] = (4 * fine - coarse) / 3;
        }
        var next = (double[])x.Clone();
        for (int a = 0; a < m; a++)
        {
            double s = 0;
            for (int b = 0; b < m; b++) s += inverse[a, b] * g[b];
            int i = free[a];
            if (Math.Abs(s) > MaxRelativeStep * Math.Max(Math.Abs(x[i]), 0.1)) return Unmoved();
            next[i] = Math.Max(lower[i], x[i] - s);
        }
        double nextValue = objective(next);
        // The step gains at most ~g'H⁻¹g ≈ 0 here; a rise beyond rounding means the model was wrong: keep x.
        if (!(nextValue <= value + tolerance)) return Unmoved();
        return (next, nextValue);
    }
}
