using TypedMixed.Estimation;

namespace TypedMixed.Tests.Robustness;

/// <summary>
/// Reference computations from the dense n × n marginal covariance V = σ²(ZΛΛ'Z' + I), independent of the blocked
/// factorization: the profiled objective, the full log-likelihood at given (β, θ, σ²), and its score in β.
/// </summary>
internal static class DenseModel
{
    /// <summary>V₀ = ZΛΛ'Z' + I at θ (design order of θ, as the fit reports it).</summary>
    public static double[,] RelativeMarginalCovariance(ModelDesign d, double[] theta)
    {
        int n = d.Rows;
        var problem = MixedModelProblem.Create(d);
        var columns = new List<double[]>();
        for (int t = 0; t < d.Terms.Count; t++)
        {
            var term = d.Terms[t];
            int q = term.ColumnCount;
            var tf = new double[q * q];
            problem.Templates[t].FillFactor(theta, tf);
            for (int l = 0; l < term.LevelCount; l++)
                for (int b = 0; b < q; b++)
                {
                    var col = new double[n];
                    for (int i = 0; i < n; i++)
                    {
                        // Z's entry for (row i, level l): 1 for an ordinary term's own level, the membership weight
                        // (0 when absent) for a multiple-membership term.
                        double weight = term.Memberships is { } mm ? MembershipWeight(mm, i, l) : term.LevelIndex[i] == l ? 1 : 0;
                        if (weight == 0) continue;
                        double s = 0;
                        for (int a = b; a < q; a++) s += term.Columns[a * n + i] * tf[b * q + a];
                        col[i] = weight * s;
                    }
                    columns.Add(col);
                }
        }
        var v = new double[n, n];
        foreach (var c in columns)
        {
            var nz = Enumerable.Range(0, n).Where(i => c[i] != 0).ToArray();
            foreach (int i in nz)
                foreach (int j in nz) v[i, j] += c[i] * c[j];
        }
        for (int i = 0; i < n; i++) v[i, i] += 1;
        return v;
    }

    /// <summary>Row i's effective weight on level l (0 when the row does not list it).</summary>
    private static double MembershipWeight(Memberships mm, int i, int l)
    {
        var w = mm.EffectiveWeights();
        for (int e = mm.RowStart[i]; e < mm.RowStart[i + 1]; e++)
            if (mm.Level[e] == l) return w[e];
        return 0;
    }

    /// <summary>Columns of X that the fit kept (the fit reports them by name).</summary>
    public static double[][] Columns(ModelDesign d, IEnumerable<string> names)
    {
        int n = d.Rows;
        return names.Select(name =>
        {
            int c = d.FixedEffectNames.ToList().IndexOf(name);
            return d.FixedEffects.AsSpan(c * n, n).ToArray();
        }).ToArray();
    }

    /// <summary>Whitened quantities at θ: L⁻¹X, L⁻¹y and log|V₀| for V₀ = L L'.</summary>
    public static (double[][] Xt, double[] Yt, double LogDetV0, double[,] L) Whiten(ModelDesign d, double[][] x, double[] theta)
    {
        var l = Estimation.Dense.Cholesky(RelativeMarginalCovariance(d, theta));
        int n = d.Rows;
        double logDet = 0;
        for (int i = 0; i < n; i++) logDet += 2 * Math.Log(l[i, i]);
        return (x.Select(c => Estimation.Dense.ForwardSolve(l, c)).ToArray(), Estimation.Dense.ForwardSolve(l, d.Response), logDet, l);
    }

    /// <summary>The profiled ML deviance or REML criterion at θ (β and σ² at their conditional optima).</summary>
    public static double ProfiledObjective(ModelDesign d, IEnumerable<string> keptNames, double[] theta, bool reml)
    {
        var x = Columns(d, keptNames);
        var (xt, yt, logDetV, _) = Whiten(d, x, theta);
        int n = d.Rows, p = x.Length;
        var (xtx, xty) = NormalEquations(xt, yt);
        var lx = Estimation.Dense.Cholesky(xtx);
        double logDetX = 0;
        for (int a = 0; a < p; a++) logDetX += 2 * Math.Log(lx[a, a]);
        var z = Estimation.Dense.ForwardSolve(lx, xty);
        double r2 = yt.Sum(w => w * w) - z.Sum(w => w * w);
        int df = reml ? n - p : n;
        double dev = logDetV + df * (1 + Math.Log(2 * Math.PI * r2 / df));
        return reml ? dev + logDetX : dev;
    }

    /// <summary>−2 log L(β, θ, σ²) of the full (unprofiled) ML likelihood.</summary>
    public static double FullDeviance(ModelDesign d, IEnumerable<string> keptNames, double[] theta, double[] beta, double sigma2)
    {
        var x = Columns(d, keptNames);
        var (xt, yt, logDetV, _) = Whiten(d, x, theta);
        int n = d.Rows;
        double rss = 0;
        for (int i = 0; i < n; i++)
        {
            double r = yt[i];
            for (int c = 0; c < x.Length; c++) r -= xt[c][i] * beta[c];
            rss += r * r;
        }
        return logDetV + n * Math.Log(2 * Math.PI * sigma2) + rss / sigma2;
    }

    /// <summary>The score of the log-likelihood in β, X'V⁻¹(y − Xβ), and the scale X'V⁻¹|y| it is measured against.</summary>
    public static (double[] Score, double[] Scale) BetaScore(ModelDesign d, IEnumerable<string> keptNames, double[] theta, double[] beta, double sigma2)
    {
        var x = Columns(d, keptNames);
        var (xt, yt, _, _) = Whiten(d, x, theta);
        int n = d.Rows, p = x.Length;
        var score = new double[p];
        var scale = new double[p];
        for (int c = 0; c < p; c++)
            for (int i = 0; i < n; i++)
            {
                double r = yt[i];
                for (int e = 0; e < p; e++) r -= xt[e][i] * beta[e];
                score[c] += xt[c][i] * r / sigma2;
                scale[c] += Math.Abs(xt[c][i] * yt[i]) / sigma2;
            }
        return (score, scale);
    }

    private static (double[,], double[]) NormalEquations(double[][] xt, double[] yt)
    {
        int p = xt.Length;
        var xtx = new double[p, p];
        var xty = new double[p];
        for (int a = 0; a < p; a++)
        {
            xty[a] = Dot(xt[a], yt);
            for (int b = 0; b < p; b++) xtx[a, b] = Dot(xt[a], xt[b]);
        }
        return (xtx, xty);
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}
