namespace TypedMixed;

/// <summary>
/// The regularized incomplete beta I_x(a, b), kept where MathNet.Numerics 5.0 loses accuracy (measured against R):
/// <list type="bullet">
/// <item>MathNet's <c>BetaRegularized</c> takes only x, so a caller whose 1 − x is known exactly (Student's t: x = ν/(ν+t²),
/// 1 − x = t²/(ν+t²)) loses it, and a ln x for large a amplifies the rounding of x: pt(3, 1e6) came out 2.2e-10 off;</item>
/// <item>its log-beta <c>BetaLn</c> is a difference of log-gammas, 2e-10 off at (5e5, ½).</item>
/// </list>
/// Here: Lentz's continued fraction (up to 10 000 terms) with the prefactor from ln x and ln(1 − x) as given, and
/// ln B(a, b) from Stirling's series for the large argument.
/// </summary>
internal static class IncompleteBetaFraction
{
    /// <summary>I_x(a, b) with <paramref name="y"/> = 1 − x passed exactly.</summary>
    public static double Regularized(double x, double y, double a, double b)
    {
        if (x <= 0) return 0;
        if (y <= 0) return 1;
        // The fraction converges fast below the mean (a+1)/(a+b+2); above it use I_x(a, b) = 1 − I_y(b, a).
        if (x > (a + 1) / (a + b + 2)) return 1 - Regularized(y, x, b, a);
        double lnFront = a * LogOf(x, y) + b * LogOf(y, x) - LogBeta(a, b);
        const double tiny = 1e-300;
        double c = 1, d = 1 - (a + b) * x / (a + 1);
        if (Math.Abs(d) < tiny) d = tiny;
        d = 1 / d;
        double f = d;
        for (int m = 1; m < 10_000; m++)
        {
            // Even step d_{2m} = m (b − m) x / ((a + 2m − 1)(a + 2m)); odd step d_{2m+1} = −(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)).
            double num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
            d = 1 + num * d; if (Math.Abs(d) < tiny) d = tiny; d = 1 / d;
            c = 1 + num / c; if (Math.Abs(c) < tiny) c = tiny;
            f *= c * d;
            num = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
            d = 1 + num * d; if (Math.Abs(d) < tiny) d = tiny; d = 1 / d;
            c = 1 + num / c; if (Math.Abs(c) < tiny) c = tiny;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-16) break;
        }
        return Math.Exp(lnFront) * f / a;
    }

    /// <summary>ln v, from its complement w = 1 − v when v is near 1.</summary>
    private static double LogOf(double v, double w) => v < 0.5 ? Math.Log(v) : Log1P(-w);

    /// <summary>ln B(a, b): MathNet's BetaLn for small arguments; with a = max ≥ 15, lgamma(b) − b ln a − (a+b−½) ln(1+b/a) + b + s(a) − s(a+b), s Stirling's error.</summary>
    internal static double LogBeta(double a, double b)
    {
        if (a < b) (a, b) = (b, a);
        if (a < 15) return MathNet.Numerics.SpecialFunctions.BetaLn(a, b);
        return MathNet.Numerics.SpecialFunctions.GammaLn(b) - b * Math.Log(a) - (a + b - 0.5) * Log1P(b / a) + b + StirlingError(a) - StirlingError(a + b);
    }

    /// <summary>s(z) = ln Γ(z) − (z − ½) ln z + z − ½ ln 2π for z ≥ 15 (series to z⁻⁷; next term below 2e-14).</summary>
    private static double StirlingError(double z)
    {
        double r = 1 / z, r2 = r * r;
        return r * (1.0 / 12 - r2 * (1.0 / 360 - r2 * (1.0 / 1260 - r2 / 1680)));
    }

    /// <summary>ln(1 + v) without cancellation (Goldberg's correction: ln u − ((u − 1) − v)/u with u = 1 + v).</summary>
    internal static double Log1P(double v)
    {
        double u = 1 + v;
        return u == 1 ? v : Math.Log(u) - ((u - 1) - v) / u;
    }
}
