using MathNet.Numerics;

namespace TypedMixed.Families;

/// <summary>
/// The latent distribution F of a cumulative link model, P(Y ≤ j) = F(τⱼ − η), and one row's log-likelihood with its
/// first two derivatives in η. Unlike <see cref="Links"/> nothing is clamped: the likelihood is exact to the tails.
/// </summary>
internal static class CumulativeLink
{
    /// <summary>Checks that the link is one a cumulative link model supports and resolves Canonical to logit.</summary>
    public static LinkFunction Resolve(LinkFunction link) => link switch
    {
        LinkFunction.Canonical or LinkFunction.Logit => LinkFunction.Logit,
        LinkFunction.Probit => LinkFunction.Probit,
        LinkFunction.Cloglog => LinkFunction.Cloglog,
        _ => throw new ModelDesignException($"An ordinal (cumulative link) model supports the logit, probit and cloglog links, not {Links.Name(link)}.", "Link"),
    };

    /// <summary>F(x).</summary>
    public static double Cdf(LinkFunction link, double x) => link switch
    {
        LinkFunction.Logit => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x)),
        LinkFunction.Probit => 0.5 * SpecialFunctions.Erfc(-x / Math.Sqrt(2)),
        _ => -SpecialFunctions.Expm1(-Math.Exp(x)),
    };

    /// <summary>1 − F(x), accurate where F(x) is near 1.</summary>
    public static double UpperTail(LinkFunction link, double x) => link switch
    {
        LinkFunction.Logit => Cdf(LinkFunction.Logit, -x),
        LinkFunction.Probit => 0.5 * SpecialFunctions.Erfc(x / Math.Sqrt(2)),
        _ => Math.Exp(-Math.Exp(x)),
    };

    /// <summary>The density f(x) = F'(x).</summary>
    public static double Density(LinkFunction link, double x)
    {
        switch (link)
        {
            case LinkFunction.Logit:
            {
                double e = Math.Exp(-Math.Abs(x));
                return e / ((1 + e) * (1 + e));
            }
            case LinkFunction.Probit: return Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI);
            default: return x > 700 ? 0 : Math.Exp(x - Math.Exp(x));
        }
    }

    /// <summary>f'(x).</summary>
    public static double DensityDerivative(LinkFunction link, double x)
    {
        switch (link)
        {
            case LinkFunction.Logit:
            {
                double f = Density(link, x);
                // 1 − 2F(x) = (e^−x − 1)/(e^−x + 1) = −tanh(x/2).
                return -f * Math.Tanh(0.5 * x);
            }
            case LinkFunction.Probit: return -x * Density(link, x);
            default: return x > 700 ? 0 : Density(link, x) * (1 - Math.Exp(x));
        }
    }

    /// <summary>F⁻¹(p), for starting values.</summary>
    public static double Quantile(LinkFunction link, double p) => link switch
    {
        LinkFunction.Logit => Math.Log(p / (1 - p)),
        LinkFunction.Probit => global::TypedMixed.Distributions.NormalQuantile(p),
        _ => Math.Log(-Math.Log(1 - p)),
    };

    /// <summary>
    /// One row in category y (0..K−1) with linear predictor η: p = F(τ_y − η) − F(τ_{y−1} − η) (τ₋₁ = −∞, τ_{K−1} = +∞),
    /// returns log p, with <paramref name="gradient"/> = ∂ log p/∂η and <paramref name="curvature"/> = −∂² log p/∂η²
    /// (positive: F is log-concave for the three links). <paramref name="tau"/> holds τ₀ … τ_{K−2}.
    /// </summary>
    public static double RowLogLikelihood(LinkFunction link, ReadOnlySpan<double> tau, int y, double eta, out double gradient, out double curvature)
    {
        RowTerms(link, tau, y, eta, out double p, out double fa, out double fb, out double fpa, out double fpb);
        double dp = fb - fa;           // ∂p/∂η
        double d2p = fpa - fpb;        // ∂²p/∂η²
        gradient = dp / p;
        curvature = gradient * gradient - d2p / p;
        return Math.Log(p);
    }

    /// <summary>log p of one row only (quadrature).</summary>
    public static double RowLogProbability(LinkFunction link, ReadOnlySpan<double> tau, int y, double eta)
    {
        int k = tau.Length + 1;
        double p;
        if (y == 0) p = Cdf(link, tau[0] - eta);
        else if (y == k - 1) p = UpperTail(link, tau[k - 2] - eta);
        else
        {
            double a = tau[y] - eta, b = tau[y - 1] - eta;
            p = b >= 0 ? UpperTail(link, b) - UpperTail(link, a) : Cdf(link, a) - Cdf(link, b);
        }
        return Math.Log(p);
    }

    /// <summary>
    /// The pieces of one row's probability: p, f and f' at a = τ_y − η (0 when a = +∞) and at b = τ_{y−1} − η (0 when
    /// b = −∞). Differences of F are taken on the side of the smaller tail.
    /// </summary>
    public static void RowTerms(LinkFunction link, ReadOnlySpan<double> tau, int y, double eta, out double p, out double fa, out double fb, out double fpa, out double fpb)
    {
        int k = tau.Length + 1;
        fa = fb = fpa = fpb = 0;
        if (link == LinkFunction.Logit)
        {
            // One exponential per threshold gives F, 1 − F, f and f' there (the separate functions take four or five).
            double lowerA = 1, upperA = 0, lowerB = 0, upperB = 1;
            if (y < k - 1) Logistic(tau[y] - eta, out lowerA, out upperA, out fa, out fpa);
            if (y > 0) Logistic(tau[y - 1] - eta, out lowerB, out upperB, out fb, out fpb);
            if (y == 0) p = lowerA;
            else if (y == k - 1) p = upperB;
            else p = tau[y - 1] - eta >= 0 ? upperB - upperA : lowerA - lowerB;
            if (!(p > 1e-300)) p = 1e-300;
            return;
        }
        if (y < k - 1)
        {
            double a = tau[y] - eta;
            fa = Density(link, a);
            fpa = DensityDerivative(link, a);
        }
        if (y > 0)
        {
            double b = tau[y - 1] - eta;
            fb = Density(link, b);
            fpb = DensityDerivative(link, b);
        }
        if (y == 0) p = Cdf(link, tau[0] - eta);
        else if (y == k - 1) p = UpperTail(link, tau[k - 2] - eta);
        else
        {
            double a = tau[y] - eta, b = tau[y - 1] - eta;
            p = b >= 0 ? UpperTail(link, b) - UpperTail(link, a) : Cdf(link, a) - Cdf(link, b);
        }
        if (!(p > 1e-300)) p = 1e-300;
    }

    /// <summary>
    /// The logistic distribution at x from e = exp(−|x|): F(x), 1 − F(x), f(x) = e/(1 + e)² and
    /// f'(x) = f(x)(1 − 2F(x)), with 1 − 2F(x) = ∓(1 − e)/(1 + e) for x ≷ 0.
    /// </summary>
    private static void Logistic(double x, out double lower, out double upper, out double density, out double derivative)
    {
        double e = Math.Exp(-Math.Abs(x)), d = 1 + e;
        double big = 1 / d, small = e / d;
        if (x >= 0) { lower = big; upper = small; }
        else { lower = small; upper = big; }
        density = small / d;
        double oneMinusTwoF = (1 - e) / d;
        derivative = x >= 0 ? -density * oneMinusTwoF : density * oneMinusTwoF;
    }

    /// <summary>
    /// The derivatives of one row's log-likelihood ℓ = log p, p = F(a) − F(b), a = τ_y − η, b = τ_{y−1} − η, that the
    /// gradient of the Laplace objective needs, up to third order (η enters as −(∂_a + ∂_b)):
    /// <see cref="RowDerivatives"/>. <paramref name="tau"/> holds τ₀ … τ_{K−2}; the upper threshold's terms are 0 for
    /// the last category and the lower one's for the first.
    /// </summary>
    public static RowDerivatives RowThirdDerivatives(LinkFunction link, ReadOnlySpan<double> tau, int y, double eta)
    {
        int k = tau.Length + 1;
        RowTerms(link, tau, y, eta, out double p, out _, out _, out _, out _);
        // With P = F(a) − F(b): ℓ_a = f(a)/p, ℓ_b = −f(b)/p; Pₐₐ/p, P_bb/p; Pₐₐₐ/p, P_bbb/p (mixed P derivatives are 0).
        double la = 0, lb = 0, qa = 0, qb = 0, ra = 0, rb = 0;
        if (y < k - 1)
        {
            DensityDerivatives(link, tau[y] - eta, out double f, out double f1, out double f2);
            la = f / p; qa = f1 / p; ra = f2 / p;
        }
        if (y > 0)
        {
            DensityDerivatives(link, tau[y - 1] - eta, out double f, out double f1, out double f2);
            lb = -f / p; qb = -f1 / p; rb = -f2 / p;
        }
        // ℓ_ij = P_ij/p − ℓ_iℓ_j; ℓ_ijk = P_ijk/p − (P_ij/p)ℓ_k − ℓ_ikℓ_j − ℓ_iℓ_jk.
        double laa = qa - la * la, lbb = qb - lb * lb, lab = -la * lb;
        double laaa = ra - qa * la - 2 * la * laa;
        double lbbb = rb - qb * lb - 2 * lb * lbb;
        double laab = -qa * lb - 2 * la * lab;
        double labb = -qb * la - 2 * lb * lab;
        return new RowDerivatives
        {
            LogP = Math.Log(p),
            Gradient = -(la + lb),
            Curvature = -(laa + 2 * lab + lbb),
            CurvatureEta = laaa + 3 * laab + 3 * labb + lbbb,
            LogPUpper = la,
            LogPLower = lb,
            GradientUpper = -(laa + lab),
            GradientLower = -(lab + lbb),
            CurvatureUpper = -(laaa + 2 * laab + labb),
            CurvatureLower = -(laab + 2 * labb + lbbb),
        };
    }

    /// <summary>f, f′ and f″ of the latent distribution at x (0 where the density underflows).</summary>
    public static void DensityDerivatives(LinkFunction link, double x, out double f, out double f1, out double f2)
    {
        switch (link)
        {
            case LinkFunction.Logit:
            {
                // f = e/(1 + e)², e = exp(−|x|); f′ = f(1 − 2F); f″ = f((1 − 2F)² − 2f).
                double e = Math.Exp(-Math.Abs(x)), d = 1 + e;
                f = e / (d * d);
                double m = (1 - e) / d, oneMinusTwoF = x >= 0 ? -m : m;
                f1 = f * oneMinusTwoF;
                f2 = f * (oneMinusTwoF * oneMinusTwoF - 2 * f);
                return;
            }
            case LinkFunction.Probit:
                f = Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI);
                f1 = -x * f;
                f2 = (x * x - 1) * f;
                return;
            default:
            {
                // Gumbel (minimum): f = exp(x − eˣ); f′ = f(1 − eˣ); f″ = f((1 − eˣ)² − eˣ).
                double ex = Math.Exp(x);
                f = x > 700 ? 0 : Math.Exp(x - ex);
                if (f == 0) { f1 = f2 = 0; return; }
                f1 = f * (1 - ex);
                f2 = f * ((1 - ex) * (1 - ex) - ex);
                return;
            }
        }
    }

    /// <summary>The K category probabilities at linear predictor η.</summary>
    public static double[] Probabilities(LinkFunction link, ReadOnlySpan<double> tau, double eta)
    {
        int k = tau.Length + 1;
        var pr = new double[k];
        for (int j = 0; j < k; j++)
            pr[j] = Math.Exp(RowLogProbability(link, tau, j, eta));
        return pr;
    }
}

/// <summary>
/// One row's log-likelihood ℓ and its derivatives in η and in the two thresholds the row's category touches (upper
/// τ_y, lower τ_{y−1}), unweighted.
/// </summary>
internal readonly record struct RowDerivatives
{
    /// <summary>log p.</summary>
    public double LogP { get; init; }
    /// <summary>g = ∂ℓ/∂η.</summary>
    public double Gradient { get; init; }
    /// <summary>h = −∂²ℓ/∂η².</summary>
    public double Curvature { get; init; }
    /// <summary>∂h/∂η = −∂³ℓ/∂η³.</summary>
    public double CurvatureEta { get; init; }
    /// <summary>∂ℓ/∂τ_y (0 for the last category).</summary>
    public double LogPUpper { get; init; }
    /// <summary>∂ℓ/∂τ_{y−1} (0 for the first category).</summary>
    public double LogPLower { get; init; }
    /// <summary>∂g/∂τ_y.</summary>
    public double GradientUpper { get; init; }
    /// <summary>∂g/∂τ_{y−1}.</summary>
    public double GradientLower { get; init; }
    /// <summary>∂h/∂τ_y.</summary>
    public double CurvatureUpper { get; init; }
    /// <summary>∂h/∂τ_{y−1}.</summary>
    public double CurvatureLower { get; init; }
}
