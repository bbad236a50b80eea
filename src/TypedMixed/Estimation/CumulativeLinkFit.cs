using TypedMixed.Families;
using TypedMixed.Inference;

namespace TypedMixed.Estimation;

/// <summary>
/// The cumulative link model without random effects (R's <c>ordinal::clm</c>) by Newton's method with the exact
/// gradient and Hessian over (α, β): the start and the coordinate scales of the mixed model's optimizer, and the
/// single-level model of the likelihood-ratio test that every variance is zero.
/// </summary>
internal static class CumulativeLinkFit
{
    /// <summary>The maximum-likelihood (α, β), −2 log L there and the inverse of the observed information.</summary>
    public static (double[] Alpha, double[] Beta, double Deviance, double[,]? Covariance) Fit(OrdinalProblem o)
    {
        int a = o.AlphaCount, p = o.P, dim = a + p;
        // Start: the thresholds of the marginal cumulative proportions, β = 0.
        var counts = new double[o.K];
        for (int i = 0; i < o.N; i++) counts[o.Y[i]] += o.Weights[i];
        double total = counts.Sum(), cum = 0;
        var tau0 = new double[o.K - 1];
        for (int j = 0; j < o.K - 1; j++) { cum += counts[j]; tau0[j] = CumulativeLink.Quantile(o.Link, Math.Clamp(cum / total, 1e-6, 1 - 1e-6)); }
        var x = new double[dim];
        if (o.ThresholdStructure == ThresholdStructure.Flexible) Array.Copy(tau0, x, o.K - 1);
        else { x[0] = tau0[0]; x[1] = o.K > 2 ? (tau0[^1] - tau0[0]) / (o.K - 2) : 1; if (!(x[1] > 0)) x[1] = 1; }
        double dev = Deviance(o, x, null, null);
        var grad = new double[dim];
        var hess = new double[dim, dim];
        for (int iter = 0; iter < 100; iter++)
        {
            Deviance(o, x, grad, hess);
            // Newton step on −2 log L: H δ = −g (H positive definite: the log-likelihood is concave in (τ, β)).
            var inv = VarianceComponentInference.SymmetricInverse(hess);
            if (inv is null) break;
            var step = new double[dim];
            for (int r = 0; r < dim; r++)
                for (int c = 0; c < dim; c++) step[r] -= inv[r, c] * grad[c];
            double decrement = -step.Zip(grad, (s, g) => s * g).Sum();
            double t = 1;
            bool accepted = false;
            for (int h = 0; h < 40; h++, t /= 2)
            {
                var trial = x.Select((v, r) => v + t * step[r]).ToArray();
                double d = Deviance(o, trial, null, null);
                if (d <= dev) { x = trial; dev = d; accepted = true; break; }
            }
            if (!accepted || decrement < 1e-12) break;
        }
        Deviance(o, x, grad, hess);
        var cov = VarianceComponentInference.SymmetricInverse(hess);
        if (cov is not null)
            for (int r = 0; r < dim; r++)
                for (int c = 0; c < dim; c++) cov[r, c] *= 2;
        return (x[..a], x[a..], dev, cov);
    }

    /// <summary>
    /// −2 log L at x = (α, β), u = 0; with <paramref name="gradient"/> and <paramref name="hessian"/> its exact first and
    /// second derivatives. +∞ when τ is not increasing.
    /// </summary>
    public static double Deviance(OrdinalProblem o, double[] x, double[]? gradient, double[,]? hessian)
    {
        int a = o.AlphaCount, p = o.P, m = o.K - 1, n = o.N;
        var tau = new double[m];
        o.Thresholds(x.AsSpan(0, a), tau);
        if (!OrdinalProblem.Ordered(tau)) return double.PositiveInfinity;
        var eta = new double[n];
        o.FixedPredictor(x.AsSpan(a, p), eta);
        // Derivatives over (τ, β) first, mapped to α by the threshold Jacobian at the end.
        int full = m + p;
        var g = gradient is null ? null : new double[full];
        var h = hessian is null ? null : new double[full, full];
        double ll = 0;
        for (int i = 0; i < n; i++)
        {
            int y = o.Y[i];
            double w = o.Weights[i];
            CumulativeLink.RowTerms(o.Link, tau, y, eta[i], out double pr, out double fa, out double fb, out double fpa, out double fpb);
            ll += w * Math.Log(pr);
            if (g is null) continue;
            // ∂ log p/∂τ_y = f(a)/p, ∂/∂τ_{y−1} = −f(b)/p, ∂/∂η = (f(b) − f(a))/p.
            double ge = (fb - fa) / pr;
            double hee = (fpa - fpb) / pr - ge * ge;             // ∂² log p/∂η²
            int ia = y < m ? y : -1, ib = y > 0 ? y - 1 : -1;
            double ga = fa / pr, gb = -fb / pr;
            if (ia >= 0) g[ia] += w * ga;
            if (ib >= 0) g[ib] += w * gb;
            double haa = fpa / pr - ga * ga, hbb = -fpb / pr - gb * gb, hab = fa * fb / (pr * pr);
            double hae = -fpa / pr - ga * ge, hbe = fpb / pr - gb * ge;   // ∂²/∂τ∂η
            if (ia >= 0) h![ia, ia] += w * haa;
            if (ib >= 0) h![ib, ib] += w * hbb;
            if (ia >= 0 && ib >= 0) { h![ia, ib] += w * hab; h[ib, ia] += w * hab; }
            for (int c = 0; c < p; c++)
            {
                double xc = o.X[c * n + i];
                if (xc == 0) continue;
                g[m + c] += w * ge * xc;
                if (ia >= 0) { h![ia, m + c] += w * hae * xc; h[m + c, ia] += w * hae * xc; }
                if (ib >= 0) { h![ib, m + c] += w * hbe * xc; h[m + c, ib] += w * hbe * xc; }
                for (int d = 0; d <= c; d++)
                {
                    double v = w * hee * xc * o.X[d * n + i];
                    h![m + c, m + d] += v;
                    if (d != c) h[m + d, m + c] += v;
                }
            }
        }
        if (g is not null)
        {
            // To (α, β) and to −2 log L.
            var jac = o.ThresholdJacobian();
            int dim = a + p;
            var jf = new double[full, dim];
            for (int j = 0; j < m; j++)
                for (int k = 0; k < a; k++) jf[j, k] = jac[j, k];
            for (int c = 0; c < p; c++) jf[m + c, a + c] = 1;
            for (int r = 0; r < dim; r++)
            {
                double acc = 0;
                for (int j = 0; j < full; j++) acc += jf[j, r] * g[j];
                gradient![r] = -2 * acc;
                for (int c = 0; c < dim; c++)
                {
                    double s = 0;
                    for (int j = 0; j < full; j++)
                        for (int k = 0; k < full; k++) s += jf[j, r] * h![j, k] * jf[k, c];
                    hessian![r, c] = -2 * s;
                }
            }
        }
        return -2 * ll;
    }
}
