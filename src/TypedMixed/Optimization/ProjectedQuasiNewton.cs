using System.Globalization;

namespace TypedMixed.Optimization;

/// <summary>An objective with its gradient: returns f(x) and writes ∇f(x). The spans are only valid during the call.</summary>
public delegate double ObjectiveWithGradient(ReadOnlySpan<double> x, Span<double> gradient);

/// <summary>Settings of <see cref="ProjectedQuasiNewton"/>.</summary>
public sealed class ProjectedQuasiNewtonOptions
{
    /// <summary>Largest move of any coordinate in the first step (before any curvature is known).</summary>
    public double InitialStep { get; init; } = 0.2;

    /// <summary>
    /// Stop when the predicted decrease of a full step (½ g_F'B_FF⁻¹g_F over the free coordinates, plus |gᵢ| times the
    /// distance to its bound for the held ones; in f's units) is below this times max(1, |f|).
    /// </summary>
    public double RelativeDecrementTolerance { get; init; } = 1e-14;

    /// <summary>Maximum number of evaluations of f and its gradient.</summary>
    public int MaxEvaluations { get; init; } = 10_000;

    /// <summary>
    /// A symmetric positive-definite estimate of the Hessian at the start (n × n, column-major): the BFGS matrix starts
    /// there instead of at a scaled identity, and the first step is not capped. Null (the default): the identity.
    /// </summary>
    public double[]? InitialHessian { get; init; }

    /// <summary>
    /// Lengthen a step that meets Armijo's condition while the slope along the path is still below 0.9 of the starting
    /// one (the weak Wolfe curvature condition), up to this many times by a factor of 4 each; 0 (the default) takes the
    /// first step that meets Armijo's condition. Each trial costs one evaluation of f and ∇f; the steps then give BFGS
    /// curvature pairs from where the function stops descending, not from where a short step ended.
    /// </summary>
    public int MaxExtrapolations { get; init; }

    /// <summary>
    /// Relative curvatures of the coordinates (positive, length n) for the start when no <see cref="InitialHessian"/> is
    /// given: B starts as diag(w) instead of the identity, and after the first step becomes γ·diag(w) with
    /// γ = y'diag(w)⁻¹y / s'y (Nocedal &amp; Wright's eq. 6.20 in the metric of w). For coordinates whose curvature differs
    /// by orders of magnitude and is known roughly in advance (a variance parameter's number of levels).
    /// </summary>
    public double[]? CoordinateWeights { get; init; }
}

/// <summary>
/// Bound-constrained minimisation with gradients: a projected quasi-Newton method in the manner of Bertsekas (1982)
/// and L-BFGS-B, on a dense damped-BFGS Hessian (the problems here have a few dozen variables at most).
/// </summary>
/// <remarks>
/// Each iteration splits the coordinates into those held at a bound (within ε of it with the gradient pushing out)
/// and the free ones; the step solves B_FF d_F = −g_F on the free block of the BFGS matrix B and moves each held
/// coordinate by −gᵢ/Bᵢᵢ, and the line search backtracks along the projection P(x + αd) onto the box until Armijo's
/// condition holds. B starts as the identity, is rescaled by y'y/s'y after the first step (Nocedal &amp; Wright
/// eq. 6.20), and is updated with Powell's damping so that it stays positive definite. The run ends when the
/// predicted decrease of a full step is negligible, when the line search can no longer lower f by more than rounding
/// (then also as converged if the predicted decrease is tiny), or at the evaluation budget.
/// </remarks>
public static class ProjectedQuasiNewton
{
    /// <summary>Minimises f over [lower, upper] from x0 (moved into the box).</summary>
    public static OptimizationResult Minimize(ObjectiveWithGradient f, double[] x0, double[] lower, double[] upper,
        ProjectedQuasiNewtonOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ProjectedQuasiNewtonOptions();
        int n = x0.Length;
        var x = new double[n];
        for (int i = 0; i < n; i++) x[i] = Math.Clamp(x0[i], lower[i], upper[i]);
        var g = new double[n];
        int evaluations = 0;
        double Eval(double[] at, double[] grad)
        {
            cancellationToken.ThrowIfCancellationRequested();
            evaluations++;
            return f(at, grad);
        }
        double fx = Eval(x, g);
        if (!double.IsFinite(fx) || g.Any(v => !double.IsFinite(v)))
            return new OptimizationResult(x, fx, evaluations, StopReason.InvalidObjective, "the objective or its gradient is not finite at the start");

        var b = new double[n * n];
        var w = options.CoordinateWeights is { } cw && cw.Length == n && cw.All(v => v > 0 && double.IsFinite(v)) ? cw : null;
        for (int i = 0; i < n; i++) b[i * n + i] = w?[i] ?? 1;
        bool scaled = false;
        if (options.InitialHessian is { } h0 && h0.Length == n * n)
        {
            Array.Copy(h0, b, n * n);
            scaled = true;
        }
        var d = new double[n];
        var xNew = new double[n];
        var gNew = new double[n];
        var s = new double[n];
        var y = new double[n];
        var bs = new double[n];
        var held = new bool[n];
        // Trial point and gradient of an extrapolated step, kept between iterations.
        var xTry = new double[n];
        var gTry = new double[n];
        int iterations = 0;
        while (true)
        {
            // Projected gradient and the ε-active set (ε shrinks with it, as in Bertsekas' method).
            double pgMax = 0;
            for (int i = 0; i < n; i++) pgMax = Math.Max(pgMax, Math.Abs(x[i] - Math.Clamp(x[i] - g[i], lower[i], upper[i])));
            double eps = Math.Min(1e-3, pgMax);
            for (int i = 0; i < n; i++)
                held[i] = (x[i] <= lower[i] + eps && g[i] > 0) || (x[i] >= upper[i] - eps && g[i] < 0);
            double decrement = Direction(b, g, held, d, n);
            // What moving the held coordinates onto their bounds would still gain, to first order.
            for (int i = 0; i < n; i++)
                if (held[i]) decrement += Math.Abs(g[i] * (x[i] - (g[i] > 0 ? lower[i] : upper[i])));
            double tol = options.RelativeDecrementTolerance * Math.Max(1, Math.Abs(fx));
            if (pgMax == 0 || (decrement <= tol && iterations > 0))
                return Done(StopReason.Converged, $"predicted decrease {decrement.ToString("G3", CultureInfo.InvariantCulture)} after {iterations} iterations");
            if (evaluations >= options.MaxEvaluations) return Done(StopReason.MaxEvaluations, "evaluation budget used");

            // First step: no curvature yet, so cap the largest move.
            double alpha = 1;
            if (!scaled)
            {
                double dMax = d.Max(Math.Abs);
                if (dMax > options.InitialStep) alpha = options.InitialStep / dMax;
            }
            bool accepted = false;
            double fNew = double.NaN;
            for (int tries = 0; tries < 40 && evaluations < options.MaxEvaluations; tries++)
            {
                double slope = 0;
                for (int i = 0; i < n; i++)
                {
                    xNew[i] = Math.Clamp(x[i] + alpha * d[i], lower[i], upper[i]);
                    slope += g[i] * (xNew[i] - x[i]);
                }
                if (slope >= 0) break;
                fNew = Eval(xNew, gNew);
                if (double.IsFinite(fNew) && fNew <= fx + 1e-4 * slope && gNew.All(double.IsFinite))
                {
                    accepted = true;
                    if (options.MaxExtrapolations > 0)
                        (alpha, fNew) = Extrapolate(alpha, fNew, slope);
                    break;
                }
                // Backtrack along the (projected) path to the minimiser of the cubic through f and the slopes at 0 and
                // α (the quadratic through f(0), f'(0), f(α) when the cubic has none), kept within [0.1, 0.5] of α.
                double next = double.IsFinite(fNew) ? BacktrackStep(fx, slope, fNew, PathSlope(gNew, alpha), alpha) : 0.1 * alpha;
                alpha = Math.Clamp(double.IsFinite(next) ? next : 0.1 * alpha, 0.1 * alpha, 0.5 * alpha);
            }
            if (!accepted)
            {
                if (!IsStart(b, w, n))
                {
                    // The quasi-Newton direction failed: restart from (scaled) steepest descent once before giving up.
                    Array.Clear(b);
                    for (int i = 0; i < n; i++) b[i * n + i] = w?[i] ?? 1;
                    scaled = false;
                    continue;
                }
                bool small = decrement <= 1e3 * tol;
                return Done(small ? StopReason.Converged : StopReason.RoundoffLimited,
                    $"line search could not lower f further (predicted decrease {decrement.ToString("G3", CultureInfo.InvariantCulture)}) after {iterations} iterations");
            }
            iterations++;
            double sy = 0, yy = 0;
            for (int i = 0; i < n; i++)
            {
                s[i] = xNew[i] - x[i];
                y[i] = gNew[i] - g[i];
                sy += s[i] * y[i];
                yy += y[i] * y[i];
            }
            if (!scaled && sy > 0)
            {
                // Nocedal & Wright (6.20): B₀ = (y'y / s'y) I before the first update; with weights γ·diag(w),
                // γ = y'diag(w)⁻¹y / s'y.
                double ywy = 0;
                for (int i = 0; i < n; i++) ywy += y[i] * y[i] / (w?[i] ?? 1);
                for (int i = 0; i < n; i++) b[i * n + i] = ywy / sy * (w?[i] ?? 1);
                scaled = true;
            }
            DampedBfgsUpdate(b, s, y, bs, n);
            Array.Copy(xNew, x, n);
            Array.Copy(gNew, g, n);
            fx = fNew;
        }

        OptimizationResult Done(StopReason reason, string message) => new((double[])x.Clone(), fx, evaluations, reason, message);

        // The slope of f along the projected path at step α, per unit of α: coordinates clamped there do not move.
        double PathSlope(double[] grad, double at)
        {
            double acc = 0;
            for (int i = 0; i < n; i++)
            {
                double v = x[i] + at * d[i];
                if (v > lower[i] && v < upper[i]) acc += grad[i] * d[i];
            }
            return acc;
        }

        // From an accepted step α (xNew, gNew, fNew) lengthen by 4 while Armijo's condition holds and the path slope
        // is still below 0.9 of the starting slope; the best point tried is left in xNew and gNew.
        (double Alpha, double F) Extrapolate(double alpha, double fAt, double slope0)
        {
            double unit = slope0 / alpha; // the starting slope per unit of α (α·d moved the point)
            for (int e = 0; e < options.MaxExtrapolations && evaluations < options.MaxEvaluations; e++)
            {
                if (PathSlope(gNew, alpha) >= 0.9 * unit) break;
                double longer = 4 * alpha, moved = 0;
                for (int i = 0; i < n; i++)
                {
                    xTry[i] = Math.Clamp(x[i] + longer * d[i], lower[i], upper[i]);
                    moved += Math.Abs(xTry[i] - xNew[i]);
                }
                if (moved == 0) break; // every moving coordinate is on its bound already
                double slopeTry = 0;
                for (int i = 0; i < n; i++) slopeTry += g[i] * (xTry[i] - x[i]);
                double fTry = Eval(xTry, gTry);
                if (!(double.IsFinite(fTry) && gTry.All(double.IsFinite) && fTry <= fx + 1e-4 * slopeTry && fTry < fAt)) break;
                Array.Copy(xTry, xNew, n);
                Array.Copy(gTry, gNew, n);
                alpha = longer;
                fAt = fTry;
            }
            return (alpha, fAt);
        }
    }

    /// <summary>
    /// The minimiser in (0, α) of the cubic matching f0, the slope s0 at 0, and fa, sa at α (Nocedal &amp; Wright eq. 3.59);
    /// the quadratic through f0, s0 and fa when the cubic has no minimiser there.
    /// </summary>
    private static double BacktrackStep(double f0, double s0, double fa, double sa, double alpha)
    {
        // Slopes per unit of α.
        double g0 = s0 / alpha;
        double d1 = g0 + sa - 3 * (fa - f0) / alpha;
        double disc = d1 * d1 - g0 * sa;
        if (disc >= 0)
        {
            double d2 = Math.Sqrt(disc);
            double step = alpha - alpha * (sa + d2 - d1) / (sa - g0 + 2 * d2);
            if (double.IsFinite(step) && step > 0 && step < alpha) return step;
        }
        return -s0 * alpha / (2 * (fa - f0 - s0));
    }

    /// <summary>
    /// d_F = −B_FF⁻¹ g_F on the free coordinates, dᵢ = −gᵢ/Bᵢᵢ on the held ones; returns the free part's predicted
    /// decrease ½ g_F' B_FF⁻¹ g_F (+∞ when B_FF is not positive definite, then d = −g).
    /// </summary>
    private static double Direction(double[] b, double[] g, bool[] held, double[] d, int n)
    {
        var free = Enumerable.Range(0, n).Where(i => !held[i]).ToArray();
        int m = free.Length;
        for (int i = 0; i < n; i++) d[i] = held[i] ? -g[i] / b[i * n + i] : 0;
        if (m == 0) return 0;
        var l = new double[m * m];
        for (int c = 0; c < m; c++)
            for (int r = 0; r < m; r++) l[c * m + r] = b[free[c] * n + free[r]];
        var rhs = free.Select(i => -g[i]).ToArray();
        if (!Factorization.DenseKernels.UnblockedCholesky(l, m))
        {
            for (int a = 0; a < m; a++) d[free[a]] = -g[free[a]];
            return double.PositiveInfinity;
        }
        Factorization.DenseKernels.ForwardSolve(l, m, rhs);
        Factorization.DenseKernels.BackSolveTranspose(l, m, rhs);
        double dec = 0;
        for (int a = 0; a < m; a++)
        {
            d[free[a]] = rhs[a];
            dec -= 0.5 * g[free[a]] * rhs[a];
        }
        return dec;
    }

    /// <summary>B ← B − Bss'B/s'Bs + rr'/s'r, r = y damped towards Bs when s'y &lt; 0.2 s'Bs (Powell 1978).</summary>
    private static void DampedBfgsUpdate(double[] b, double[] s, double[] y, double[] bs, int n)
    {
        double sbs = 0, sy = 0;
        for (int i = 0; i < n; i++)
        {
            double acc = 0;
            for (int j = 0; j < n; j++) acc += b[j * n + i] * s[j];
            bs[i] = acc;
            sbs += s[i] * acc;
            sy += s[i] * y[i];
        }
        if (!(sbs > 0)) return;
        double theta = sy >= 0.2 * sbs ? 1 : 0.8 * sbs / (sbs - sy);
        var r = new double[n];
        double sr = 0;
        for (int i = 0; i < n; i++)
        {
            r[i] = theta * y[i] + (1 - theta) * bs[i];
            sr += s[i] * r[i];
        }
        if (!(sr > 0)) return;
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++) b[j * n + i] += -bs[i] * bs[j] / sbs + r[i] * r[j] / sr;
    }

    /// <summary>Whether B is still the start matrix diag(w) (the identity without weights).</summary>
    private static bool IsStart(double[] b, double[]? w, int n)
    {
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++)
                if (b[j * n + i] != (i == j ? w?[i] ?? 1 : 0)) return false;
        return true;
    }
}
