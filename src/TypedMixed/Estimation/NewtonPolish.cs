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
    private const double RelativeStep = 2e-2;

    /// <summary>A Newton step longer than this (relative to max(|x|, 0.1)) leaves the quadratic region: not taken.</summary>
    private const double MaxRelativeStep = 1e-3;

    /// <summary>
    /// The polished point and its objective, or null when there is nothing to polish (no free coordinate, a check without a
    /// positive-definite Hessian, a step too long to trust, or a polished value worse than <paramref name="value"/> by more
    /// than rounding).
    /// </summary>
    /// <param name="objective">The objective in the optimizer's coordinates.</param>
    /// <param name="x">The confirmed optimum.</param>
    /// <param name="value">The objective at <paramref name="x"/>.</param>
    /// <param name="lower">Lower bounds (0 for θ diagonals).</param>
    /// <param name="check">The convergence check made near <paramref name="x"/> (its Hessian over its free coordinates).</param>
    public static (double[] X, double Value)? Step(Func<double[], double> objective, double[] x, double value, double[] lower, ConvergenceCheck check)
    {
        if (!check.HessianPositiveDefinite || check.Hessian is not { } hessian || check.Free.Length == 0) return null;
        var free = check.Free;
        int m = free.Length;
        foreach (int i in free)
            if (lower[i] == 0 && x[i] <= ConvergenceCheck.BoundTolerance) return null;
        var inverse = Inference.VarianceComponentInference.SymmetricInverse(hessian);
        if (inverse is null) return null;

        // g by Richardson: (4·D(h/2) − D(h)) / 3, D the central difference; steps kept inside the bounds.
        var g = new double[m];
        var at = (double[])x.Clone();
        for (int a = 0; a < m; a++)
        {
            int i = free[a];
            double h = RelativeStep * Math.Max(Math.Abs(x[i]), 0.1);
            if (lower[i] > double.NegativeInfinity) h = Math.Min(h, 0.5 * (x[i] - lower[i]));
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
            if (Math.Abs(s) > MaxRelativeStep * Math.Max(Math.Abs(x[i]), 0.1)) return null;
            next[i] = Math.Max(lower[i], x[i] - s);
        }
        double nextValue = objective(next);
        // The step gains at most ~g'H⁻¹g ≈ 0 here; a rise beyond rounding means the model was wrong: keep x.
        if (!(nextValue <= value + 1e-10 * Math.Max(1, Math.Abs(value)))) return null;
        return (next, nextValue);
    }
}
