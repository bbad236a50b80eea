using MathNet.Numerics;

namespace TypedMixed.Families;

/// <summary>
/// One response family with its link: the variance function, the log-density of a row with every constant as R's
/// <c>dbinom</c>/<c>dpois</c>/<c>dnbinom</c> (so log-likelihoods, AIC and likelihood-ratio tests agree with glmer and glm),
/// the unit deviance, the IRLS weight and the observed information. A binomial row is held as the proportion
/// y = successes / trials with prior weight trials × weight, as R's <c>glm</c> does.
/// </summary>
internal sealed class GlmFamily
{
    public GlmFamily(ResponseFamily family, LinkFunction link)
    {
        if (family == ResponseFamily.Gaussian)
            throw new ArgumentException("The Gaussian family is a linear mixed model: fit it with LinearMixedModel.Fit.", nameof(family));
        Family = family;
        Link = Links.Resolve(family, link);
        if (!Valid(family, Link))
            throw new ModelDesignException($"The {Name(family)} family does not take the {Links.Name(Link)} link. Use {string.Join(", ", ValidLinks(family).Select(Links.Name))}.", "Link");
    }

    public ResponseFamily Family { get; }
    public LinkFunction Link { get; }

    /// <summary>The negative binomial's shape k (Var = μ + μ²/k); unused by the other families.</summary>
    public double Shape { get; set; } = double.NaN;

    public bool IsCanonical => Links.IsCanonical(Family, Link);

    /// <summary>Links a family accepts (R's families accept these too).</summary>
    public static LinkFunction[] ValidLinks(ResponseFamily family) => family switch
    {
        ResponseFamily.Binomial => [LinkFunction.Logit, LinkFunction.Probit, LinkFunction.Cloglog, LinkFunction.Log],
        ResponseFamily.Poisson or ResponseFamily.NegativeBinomial => [LinkFunction.Log, LinkFunction.Identity, LinkFunction.Sqrt],
        _ => [LinkFunction.Identity],
    };

    public static bool Valid(ResponseFamily family, LinkFunction link) => ValidLinks(family).Contains(Links.Resolve(family, link));

    /// <summary>R's name of the family.</summary>
    public static string Name(ResponseFamily family) => family switch
    {
        ResponseFamily.Binomial => "binomial",
        ResponseFamily.Poisson => "poisson",
        ResponseFamily.NegativeBinomial => "negative binomial",
        _ => "gaussian",
    };

    /// <summary>V(μ).</summary>
    public double Variance(double mu) => Family switch
    {
        ResponseFamily.Binomial => mu * (1 - mu),
        ResponseFamily.Poisson => mu,
        _ => mu + mu * mu / Shape,
    };

    /// <summary>V'(μ).</summary>
    public double VarianceDerivative(double mu) => Family switch
    {
        ResponseFamily.Binomial => 1 - 2 * mu,
        ResponseFamily.Poisson => 1,
        _ => 1 + 2 * mu / Shape,
    };

    /// <summary>
    /// log p(y | μ) of one row with prior weight <paramref name="weight"/> (for binomial: y the proportion,
    /// <paramref name="trials"/> the trials, <paramref name="weight"/> the user's weight, not multiplied by trials):
    /// <see cref="LogDensityConstant"/> + <see cref="LogDensityKernel"/>.
    /// </summary>
    public double LogDensity(double y, double mu, double trials, double weight) =>
        LogDensityConstant(y, trials, weight) + LogDensityKernel(y, mu, trials, weight);

    /// <summary>The part of log p(y | μ) that does not depend on μ or on the shape (log C(m, s), −log y!), computed once per row.</summary>
    public double LogDensityConstant(double y, double trials, double weight) => Family switch
    {
        ResponseFamily.Binomial => weight * LogChoose(trials, Math.Round(trials * y)),
        _ => -weight * LogFactorial(y),
    };

    /// <summary>The part of log p(y | μ) that depends on μ (and on the negative binomial's shape).</summary>
    public double LogDensityKernel(double y, double mu, double trials, double weight)
    {
        switch (Family)
        {
            case ResponseFamily.Binomial:
            {
                double m = trials, s = Math.Round(m * y), f = m - s, ll = 0;
                if (s > 0) ll += s * Math.Log(mu);
                if (f > 0) ll += f * Log1p(-mu);
                return weight * ll;
            }
            case ResponseFamily.Poisson:
                return weight * ((y > 0 ? y * Math.Log(mu) : 0) - mu);
            default:
            {
                double k = Shape;
                double ll = (y > 0 ? SpecialFunctions.GammaLn(y + k) - SpecialFunctions.GammaLn(k) + y * Math.Log(mu / (k + mu)) : 0)
                            + k * Math.Log(k / (k + mu));
                return weight * ll;
            }
        }
    }

    /// <summary>The unit deviance of a row times its prior weight (binomial: prior weight = trials × weight).</summary>
    public double Deviance(double y, double mu, double priorWeight)
    {
        switch (Family)
        {
            case ResponseFamily.Binomial:
                return 2 * priorWeight * (XLogXOverY(y, mu) + XLogXOverY(1 - y, 1 - mu));
            case ResponseFamily.Poisson:
                return 2 * priorWeight * (XLogXOverY(y, mu) - (y - mu));
            default:
            {
                double k = Shape;
                return 2 * priorWeight * (XLogXOverY(y, mu) - (y + k) * Math.Log((y + k) / (mu + k)));
            }
        }
    }

    /// <summary>The IRLS (expected-information) weight w·μ'(η)²/V(μ).</summary>
    public double IrlsWeight(double mu, double muEta, double priorWeight) => priorWeight * muEta * muEta / Variance(mu);

    /// <summary>
    /// The observed information −∂² log p/∂η² of a row: w[μ'²/V − (y − μ)(μ''/V − μ'²V'/V²)]. Equal to the IRLS weight
    /// for canonical links.
    /// </summary>
    public double ObservedWeight(double y, double eta, double mu, double muEta, double priorWeight)
    {
        if (IsCanonical) return IrlsWeight(mu, muEta, priorWeight);
        double v = Variance(mu);
        double second = Links.SecondDerivative(Link, eta);
        return priorWeight * (muEta * muEta / v - (y - mu) * (second / v - muEta * muEta * VarianceDerivative(mu) / (v * v)));
    }

    /// <summary>A valid starting μ for a response (R's <c>mustart</c>).</summary>
    public double StartingMean(double y, double priorWeight) => Family switch
    {
        ResponseFamily.Binomial => (priorWeight * y + 0.5) / (priorWeight + 1),
        _ => y + 0.1,
    };

    /// <summary>log(1 + x), accurate for small x (Goldberg's correction of the rounded 1 + x).</summary>
    public static double Log1p(double x)
    {
        double u = 1 + x;
        return u == 1 ? x : Math.Log(u) * (x / (u - 1));
    }

    private static double XLogXOverY(double x, double y) => x > 0 ? x * Math.Log(x / y) : 0;

    /// <summary>log n! for a non-negative count (exact table for integers, log Γ otherwise).</summary>
    public static double LogFactorial(double y) =>
        y == Math.Floor(y) && y <= int.MaxValue ? SpecialFunctions.FactorialLn((int)y) : SpecialFunctions.GammaLn(y + 1);

    /// <summary>log C(m, s).</summary>
    public static double LogChoose(double m, double s) =>
        m == Math.Floor(m) && s == Math.Floor(s) && m <= int.MaxValue
            ? SpecialFunctions.BinomialLn((int)m, (int)s)
            : SpecialFunctions.GammaLn(m + 1) - SpecialFunctions.GammaLn(s + 1) - SpecialFunctions.GammaLn(m - s + 1);
}
