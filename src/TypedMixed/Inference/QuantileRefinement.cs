namespace TypedMixed;

/// <summary>
/// Polishes a quantile from MathNet.Numerics by safeguarded Newton steps on the log of the smaller tail, so that the
/// result is as accurate as the tail function itself (1e-12 relative against R) even far in the tails.
/// </summary>
internal static class QuantileRefinement
{
    /// <summary>
    /// Solves tail(x) = target, where the tail is P(X ≤ x) for p ≤ ½ (target p) and P(X &gt; x) otherwise (target 1 − p,
    /// exact in floating point for p ≥ ½), starting from <paramref name="start"/>; <paramref name="lowerBound"/> is the
    /// support's lower end (−∞ or 0).
    /// </summary>
    public static double Refine(double start, double p, double lowerBound, Func<double, double> lowerTail, Func<double, double> upperTail, Func<double, double> logDensity)
    {
        bool lowerSide = p <= 0.5;
        double logTarget = Math.Log(lowerSide ? p : 1 - p);
        Func<double, double> tail = lowerSide ? lowerTail : upperTail;
        double lo = lowerBound, hi = double.PositiveInfinity;
        double x = double.IsFinite(start) && start > lowerBound ? start : (lowerBound == 0 ? 1 : 0);
        for (int iteration = 0; iteration < 200; iteration++)
        {
            // g(x) = ±(ln tail(x) − ln target) increases with x; g' = f(x)/tail(x).
            double logTail = Math.Log(tail(x));
            double g = lowerSide ? logTail - logTarget : logTarget - logTail;
            if (g == 0) return x;
            if (g > 0) hi = x; else lo = x;
            double next = x - g / Math.Exp(logDensity(x) - logTail);
            if (!(next > lo && next < hi) || !double.IsFinite(next))
            {
                // Outside the bracket: bisect it, or step out of an unbounded side.
                if (double.IsFinite(lo) && double.IsFinite(hi)) next = 0.5 * (lo + hi);
                else if (double.IsPositiveInfinity(hi)) next = Math.Max(2 * x, x + 1);
                else next = Math.Min(2 * x, x - 1);
            }
            if (Math.Abs(next - x) <= 2e-16 * Math.Abs(x)) return next;
            x = next;
        }
        return x;
    }
}
