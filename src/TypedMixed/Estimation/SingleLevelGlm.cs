using TypedMixed.Factorization;
using TypedMixed.Families;

namespace TypedMixed.Estimation;

/// <summary>
/// The generalized linear model without random effects (R's <c>glm</c>) by iteratively reweighted least squares:
/// PIRLS's starting β and the single-level model of a likelihood-ratio test.
/// </summary>
internal static class SingleLevelGlm
{
    public sealed record Result(double[] Beta, double[] Eta, double LogLikelihood, bool Converged, int Iterations);

    /// <summary>Fits η = Xβ + offset on the problem's kept columns (the family's shape, if any, held fixed).</summary>
    public static Result Fit(GlmmProblem g, int maxIterations = 100)
    {
        int n = g.N, p = g.P;
        var fam = g.Family;
        var eta = new double[n];
        var mu = new double[n];
        for (int i = 0; i < n; i++)
        {
            mu[i] = fam.StartingMean(g.Y[i], g.PriorWeights[i]);
            eta[i] = Links.Link(fam.Link, mu[i]);
        }
        var beta = new double[p];
        var w = new double[n];
        var z = new double[n];
        var a = new double[p * p];
        var rhs = new double[p];
        var trialEta = new double[n];
        double dev = Deviance(g, mu);
        bool converged = false;
        int iter = 0;
        bool first = true;
        while (iter < maxIterations)
        {
            iter++;
            for (int i = 0; i < n; i++)
            {
                double me = Links.Derivative(fam.Link, eta[i]);
                w[i] = fam.IrlsWeight(mu[i], me, g.PriorWeights[i]);
                z[i] = eta[i] - g.Offset[i] + (g.Y[i] - mu[i]) / me;
            }
            Array.Clear(a);
            for (int c = 0; c < p; c++)
            {
                var xc = g.X.AsSpan(c * n, n);
                double s = 0;
                for (int i = 0; i < n; i++) s += xc[i] * w[i] * z[i];
                rhs[c] = s;
                for (int d = c; d < p; d++)
                {
                    var xd = g.X.AsSpan(d * n, n);
                    double t = 0;
                    for (int i = 0; i < n; i++) t += xc[i] * w[i] * xd[i];
                    a[c * p + d] = t;
                }
            }
            if (!DenseKernels.UnblockedCholesky(a, p)) break;
            var nb = (double[])rhs.Clone();
            DenseKernels.ForwardSolve(a, p, nb);
            DenseKernels.BackSolveTranspose(a, p, nb);
            var old = (double[])beta.Clone();
            double newDev = double.NaN;
            for (double step = 1; step > 1e-6; step /= 2)
            {
                var tb = new double[p];
                for (int c = 0; c < p; c++) tb[c] = first ? nb[c] : old[c] + step * (nb[c] - old[c]);
                g.FixedPredictor(tb, trialEta);
                var tmu = new double[n];
                for (int i = 0; i < n; i++) tmu[i] = Links.Inverse(fam.Link, trialEta[i]);
                newDev = Deviance(g, tmu);
                if (double.IsFinite(newDev) && (first || newDev <= dev * (1 + 1e-12)))
                {
                    beta = tb;
                    Array.Copy(trialEta, eta, n);
                    mu = tmu;
                    break;
                }
                if (first) break;
            }
            first = false;
            if (!double.IsFinite(newDev)) break;
            bool done = Math.Abs(newDev - dev) / (Math.Abs(newDev) + 0.1) < 1e-12;
            dev = newDev;
            if (done) { converged = true; break; }
        }
        return new Result(beta, eta, g.LogLikelihood(mu), converged, iter);
    }

    private static double Deviance(GlmmProblem g, double[] mu)
    {
        double d = 0;
        for (int i = 0; i < g.N; i++) d += g.Family.Deviance(g.Y[i], mu[i], g.PriorWeights[i]);
        return d;
    }
}
