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
        for (int i = 0; i < n; i++) b[i * n + i] = 1;
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
                    break;
                }
                // Backtrack by quadratic interpolation along the (projected) path, kept within [0.1, 0.5] of α.
                double next = double.IsFinite(fNew) ? -slope * alpha / (2 * (fNew - fx - slope)) : 0.1 * alpha;
                alpha = Math.Clamp(double.IsFinite(next) ? next : 0.1 * alpha, 0.1 * alpha, 0.5 * alpha);
            }
            if (!accepted)
            {
                if (!IsIdentity(b, n))
                {
                    // The quasi-Newton direction failed: restart from steepest descent once before giving up.
                    Array.Clear(b);
                    for (int i = 0; i < n; i++) b[i * n + i] = 1;
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
                // Nocedal & Wright (6.20): B₀ = (y'y / s'y) I before the first update.
                for (int i = 0; i < n; i++) b[i * n + i] = yy / sy;
                scaled = true;
            }
            DampedBfgsUpdate(b, s, y, bs, n);
            Array.Copy(xNew, x, n);
            Array.Copy(gNew, g, n);
            fx = fNew;
        }

        OptimizationResult Done(StopReason reason, string message) => new((double[])x.Clone(), fx, evaluations, reason, message);
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

    private static bool IsIdentity(double[] b, int n)
    {
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++)
                if (b[j * n + i] != (i == j ? 1 : 0)) return false;
        return true;
    }
}
