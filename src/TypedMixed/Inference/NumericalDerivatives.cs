namespace TypedMixed.Inference;

/// <summary>
/// Central finite differences with one Richardson extrapolation (two step sizes, 4 % and 2 % of each coordinate's
/// scale), for the observed information and Satterthwaite's Jacobian. Steps this large keep rounding noise in the
/// objective (about 1e-14 relative) negligible; the extrapolation removes the truncation error.
/// </summary>
internal static class NumericalDerivatives
{
    private const int Steps = 2;

    private const double RelativeStep = 0.04;

    /// <summary>Hessian of f at x (symmetric d × d); <paramref name="scale"/> gives each coordinate's magnitude (positive).</summary>
    public static double[,] Hessian(Func<double[], double> f, double[] x, double[] scale)
    {
        int d = x.Length;
        var h = new double[d, d];
        double f0 = f(x);
        var xp = (double[])x.Clone();
        for (int i = 0; i < d; i++)
        {
            var est = new double[Steps];
            double hi = RelativeStep * scale[i];
            for (int s = 0; s < Steps; s++, hi /= 2)
            {
                xp[i] = x[i] + hi; double fp = f(xp);
                xp[i] = x[i] - hi; double fm = f(xp);
                xp[i] = x[i];
                est[s] = (fp - 2 * f0 + fm) / (hi * hi);
            }
            h[i, i] = Richardson(est);
        }
        for (int i = 0; i < d; i++)
            for (int j = 0; j < i; j++)
            {
                var est = new double[Steps];
                double hi = RelativeStep * scale[i], hj = RelativeStep * scale[j];
                for (int s = 0; s < Steps; s++, hi /= 2, hj /= 2)
                {
                    xp[i] = x[i] + hi; xp[j] = x[j] + hj; double fpp = f(xp);
                    xp[i] = x[i] - hi; xp[j] = x[j] - hj; double fmm = f(xp);
                    xp[i] = x[i]; xp[j] = x[j];
                    // f(x+hᵢ+hⱼ) + f(x−hᵢ−hⱼ) − 2f = hᵢ²fᵢᵢ + hⱼ²fⱼⱼ + 2hᵢhⱼfᵢⱼ + O(h⁴)
                    est[s] = (fpp + fmm - 2 * f0 - hi * hi * h[i, i] - hj * hj * h[j, j]) / (2 * hi * hj);
                }
                h[i, j] = h[j, i] = Richardson(est);
            }
        return h;
    }

    /// <summary>Jacobian of the vector function f at x: rows = outputs, columns = inputs.</summary>
    public static double[,] Jacobian(Func<double[], double[]> f, double[] x, double[] scale, int outputs)
    {
        int d = x.Length;
        var jac = new double[outputs, d];
        var xp = (double[])x.Clone();
        var est = new double[outputs, Steps];
        for (int i = 0; i < d; i++)
        {
            double hi = RelativeStep * scale[i];
            for (int s = 0; s < Steps; s++, hi /= 2)
            {
                xp[i] = x[i] + hi; var fp = f(xp);
                xp[i] = x[i] - hi; var fm = f(xp);
                xp[i] = x[i];
                for (int o = 0; o < outputs; o++) est[o, s] = (fp[o] - fm[o]) / (2 * hi);
            }
            var row = new double[Steps];
            for (int o = 0; o < outputs; o++)
            {
                for (int s = 0; s < Steps; s++) row[s] = est[o, s];
                jac[o, i] = Richardson(row);
            }
        }
        return jac;
    }

    /// <summary>
    /// Jacobian of the vector function f at x by plain central differences with steps <paramref name="relativeStep"/>
    /// times each coordinate's scale: 2·d evaluations. For a function computed exactly (an analytic gradient, a
    /// covariance from the factor), whose rounding noise small steps do not amplify beyond ~1e-9 relative.
    /// </summary>
    public static double[,] CentralJacobian(Func<double[], double[]> f, double[] x, double[] scale, int outputs, double relativeStep)
    {
        int d = x.Length;
        var jac = new double[outputs, d];
        var xp = (double[])x.Clone();
        for (int i = 0; i < d; i++)
        {
            double hi = relativeStep * scale[i];
            xp[i] = x[i] + hi; var fp = f(xp);
            xp[i] = x[i] - hi; var fm = f(xp);
            xp[i] = x[i];
            for (int o = 0; o < outputs; o++) jac[o, i] = (fp[o] - fm[o]) / (2 * hi);
        }
        return jac;
    }

    /// <summary>Richardson extrapolation of estimates with errors in h², h halving each step.</summary>
    private static double Richardson(double[] est)
    {
        var a = (double[])est.Clone();
        for (int m = 1; m < a.Length; m++)
        {
            double factor = Math.Pow(4, m);
            for (int s = 0; s < a.Length - m; s++) a[s] = (factor * a[s + 1] - a[s]) / (factor - 1);
        }
        return a[0];
    }
}
