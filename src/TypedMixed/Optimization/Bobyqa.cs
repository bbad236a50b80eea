using System.Globalization;

namespace TypedMixed.Optimization;

/// <summary>
/// Derivative-free minimisation subject to simple bounds by Powell's BOBYQA
/// (M. J. D. Powell 2009, "The BOBYQA algorithm for bound constrained optimization without using
/// derivatives", Cambridge NA report NA2009/06): a trust-region method on a quadratic model that
/// interpolates f at <c>npt</c> points, the second derivatives being updated by the least
/// Frobenius-norm change.
/// </summary>
/// <remarks>
/// <para>
/// Bounds: an infinite bound is replaced internally by a finite bound at ±1e100, so no arithmetic
/// overflows; f is never evaluated outside [lower, upper]. A coordinate with lower == upper is fixed
/// and removed from the search. If upper − lower &lt; 2·ρ_beg for some free coordinate, ρ_beg is
/// reduced for the run to half the narrowest width (and ρ_end to at most ρ_beg). As in Powell's code,
/// x0 is first moved onto a bound when it lies outside or within ρ_beg of it, or to exactly ρ_beg
/// away from the bound otherwise.
/// </para>
/// <para>
/// The iteration follows Powell's BOBYQB step for step (the same evaluations as NLopt's port for the same ρ_beg,
/// ρ_end and objective): Δ after a trust-region step, the choice of the point to drop, when a geometry step is
/// taken and when ρ is reduced. The run ends when ρ reaches ρ_end, or earlier with
/// <see cref="BobyqaOptions.FunctionTolerance"/>.
/// </para>
/// <para>
/// One variable (n = 1, npt = 3) runs the same algorithm: its quadratic model is then fully
/// determined by the three interpolation points and the updating algebra holds unchanged.
/// </para>
/// <para>
/// Powell's RESCUE is replaced by a rebuild: when rounding errors destroy the denominator of the
/// updating formula, the interpolation set is rebuilt around the best point with spacing ρ (costing
/// npt evaluations), at most once between evaluations of new trial points; if that is not possible
/// the run stops as <see cref="StopReason.RoundoffLimited"/>.
/// </para>
/// <para>
/// A NaN or infinite value at the first point ends the run with <see cref="StopReason.InvalidObjective"/>;
/// later such values are replaced by a value larger than every finite value seen, so that step is rejected.
/// No memory is allocated per evaluation; the span passed to f is a reused buffer. Results are
/// deterministic.
/// </para>
/// </remarks>
public static class Bobyqa
{
    /// <summary>Magnitude that stands in for an infinite bound.</summary>
    internal const double InfiniteBound = 1e100;

    /// <summary>Minimises <paramref name="f"/> over the box [<paramref name="lower"/>, <paramref name="upper"/>] from <paramref name="x0"/>.</summary>
    /// <param name="f">The objective; NaN or ±∞ after the first point are treated as very large.</param>
    /// <param name="x0">Starting point (not modified); moved into the box if needed.</param>
    /// <param name="lower">Lower bounds; −∞ allowed.</param>
    /// <param name="upper">Upper bounds; +∞ allowed.</param>
    /// <param name="options">Trust-region radii, evaluation budget and number of interpolation points.</param>
    /// <param name="cancellationToken">Checked before each evaluation; cancellation throws <see cref="OperationCanceledException"/>.</param>
    /// <param name="onEvaluation">Called after each evaluation with the evaluation count and the value f returned.</param>
    /// <returns>The best point evaluated, its value, the number of evaluations and why the run stopped.</returns>
    public static OptimizationResult Minimize(Objective f, double[] x0, double[] lower, double[] upper,
        BobyqaOptions? options = null, CancellationToken cancellationToken = default,
        Action<int, double>? onEvaluation = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(x0);
        ArgumentNullException.ThrowIfNull(lower);
        ArgumentNullException.ThrowIfNull(upper);
        options ??= new BobyqaOptions();
        int fullDimension = x0.Length;
        if (fullDimension == 0)
            throw new ArgumentException("x0 must have at least one element.", nameof(x0));
        if (lower.Length != fullDimension || upper.Length != fullDimension)
            throw new ArgumentException("x0, lower and upper must have the same length.", nameof(lower));
        ValidateOptions(options);

        // Free coordinates are those with lower < upper; fixed ones stay at their bound.
        var full = new double[fullDimension];
        int freeCount = 0;
        for (int i = 0; i < fullDimension; i++)
        {
            double l = lower[i], u = upper[i], x = x0[i];
            if (double.IsNaN(l) || double.IsNaN(u) || double.IsPositiveInfinity(l) || double.IsNegativeInfinity(u))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Bounds of coordinate {i} are invalid: [{l}, {u}]."), nameof(lower));
            if (l > u)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Lower bound {l} exceeds upper bound {u} at coordinate {i}."), nameof(lower));
            if (!double.IsFinite(x))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"x0[{i}] is not finite."), nameof(x0));
            full[i] = l == u ? l : x;
            if (l < u) freeCount++;
        }

        if (freeCount == 0)
            return EvaluateFixedPoint(f, full, cancellationToken, onEvaluation);

        var freeIndex = new int[freeCount];
        var start = new double[freeCount];
        var lo = new double[freeCount];
        var hi = new double[freeCount];
        double narrowest = double.PositiveInfinity;
        for (int i = 0, m = 0; i < fullDimension; i++)
        {
            if (lower[i] == upper[i]) continue;
            freeIndex[m] = i;
            start[m] = x0[i];
            lo[m] = double.IsNegativeInfinity(lower[i]) ? -InfiniteBound : lower[i];
            hi[m] = double.IsPositiveInfinity(upper[i]) ? InfiniteBound : upper[i];
            narrowest = Math.Min(narrowest, hi[m] - lo[m]);
            m++;
        }

        int npt = options.InterpolationPoints ?? 2 * freeCount + 1;
        int maxPoints = (freeCount + 1) * (freeCount + 2) / 2;
        if (npt < freeCount + 2 || npt > maxPoints)
            throw new ArgumentOutOfRangeException(nameof(options),
                string.Create(CultureInfo.InvariantCulture, $"InterpolationPoints must lie in [{freeCount + 2}, {maxPoints}] for {freeCount} free variables; it is {npt}."));

        // ρ_beg may not exceed half the narrowest box width; ρ_end may not exceed ρ_beg.
        double rhoBegin = Math.Min(options.InitialTrustRadius, 0.5 * narrowest);
        double rhoEnd = Math.Min(options.FinalTrustRadius, rhoBegin);

        var solver = new BobyqaSolver(f, full, freeIndex, lo, hi, npt, rhoBegin, rhoEnd,
            options.MaxEvaluations, options.FunctionTolerance, cancellationToken, onEvaluation);
        return solver.Run(start);
    }

    private static void ValidateOptions(BobyqaOptions options)
    {
        if (!(options.InitialTrustRadius > 0) || !double.IsFinite(options.InitialTrustRadius))
            throw new ArgumentOutOfRangeException(nameof(options), "InitialTrustRadius must be positive and finite.");
        if (!(options.FinalTrustRadius > 0) || !double.IsFinite(options.FinalTrustRadius))
            throw new ArgumentOutOfRangeException(nameof(options), "FinalTrustRadius must be positive and finite.");
        if (options.MaxEvaluations < 1)
            throw new ArgumentOutOfRangeException(nameof(options), "MaxEvaluations must be at least 1.");
        if (!(options.FunctionTolerance >= 0) || !double.IsFinite(options.FunctionTolerance))
            throw new ArgumentOutOfRangeException(nameof(options), "FunctionTolerance must be zero (off) or positive and finite.");
    }

    /// <summary>All coordinates are fixed by their bounds: one evaluation is the whole answer.</summary>
    private static OptimizationResult EvaluateFixedPoint(Objective f, double[] x, CancellationToken cancellationToken, Action<int, double>? onEvaluation)
    {
        cancellationToken.ThrowIfCancellationRequested();
        double value = f(x);
        onEvaluation?.Invoke(1, value);
        return double.IsFinite(value)
            ? new OptimizationResult(x, value, 1, StopReason.Converged, "All variables are fixed by their bounds; evaluated once.")
            : new OptimizationResult(x, value, 1, StopReason.InvalidObjective, "The objective is not finite at the starting point.");
    }
}
