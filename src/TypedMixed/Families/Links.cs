using MathNet.Numerics;
using MathNet.Numerics.Distributions;

namespace TypedMixed.Families;

/// <summary>Link functions: η = g(μ), μ = g⁻¹(η) and dμ/dη, as R's <c>make.link</c> (with its clamping of μ away from 0 and 1).</summary>
internal static class Links
{
    /// <summary>R's bound for logit and probit inverses: μ stays in [ε, 1 − ε].</summary>
    public const double Epsilon = 2.220446049250313e-16;

    /// <summary>The family's canonical link when <paramref name="link"/> is <see cref="LinkFunction.Canonical"/>.</summary>
    public static LinkFunction Resolve(ResponseFamily family, LinkFunction link) => link != LinkFunction.Canonical ? link : family switch
    {
        ResponseFamily.Binomial => LinkFunction.Logit,
        ResponseFamily.Poisson or ResponseFamily.NegativeBinomial => LinkFunction.Log,
        _ => LinkFunction.Identity,
    };

    /// <summary>Whether the link is canonical for the family (then the expected and observed information coincide).</summary>
    public static bool IsCanonical(ResponseFamily family, LinkFunction link) =>
        (family, link) is (ResponseFamily.Binomial, LinkFunction.Logit) or (ResponseFamily.Poisson, LinkFunction.Log) or (ResponseFamily.Gaussian, LinkFunction.Identity);

    /// <summary>g(μ).</summary>
    public static double Link(LinkFunction link, double mu) => link switch
    {
        LinkFunction.Identity => mu,
        LinkFunction.Logit => Math.Log(mu / (1 - mu)),
        LinkFunction.Probit => Normal.InvCDF(0, 1, mu),
        LinkFunction.Cloglog => Math.Log(-Math.Log(1 - mu)),
        LinkFunction.Log => Math.Log(mu),
        LinkFunction.Sqrt => Math.Sqrt(mu),
        _ => throw new ArgumentOutOfRangeException(nameof(link)),
    };

    /// <summary>g⁻¹(η).</summary>
    public static double Inverse(LinkFunction link, double eta)
    {
        switch (link)
        {
            case LinkFunction.Identity: return eta;
            case LinkFunction.Logit:
            {
                // R's logit inverse: e^η held within [ε, 1/ε], so μ stays strictly inside (0, 1).
                double t = eta < -30 ? Epsilon : eta > 30 ? 1 / Epsilon : Math.Exp(eta);
                return t / (1 + t);
            }
            case LinkFunction.Probit:
            {
                double threshold = -Normal.InvCDF(0, 1, Epsilon);
                double e = Math.Min(Math.Max(eta, -threshold), threshold);
                return Normal.CDF(0, 1, e);
            }
            case LinkFunction.Cloglog: return Math.Max(Math.Min(-SpecialFunctions.Expm1(-Math.Exp(eta)), 1 - Epsilon), Epsilon);
            case LinkFunction.Log: return Math.Max(Math.Exp(eta), Epsilon);
            case LinkFunction.Sqrt: return eta * eta;
            default: throw new ArgumentOutOfRangeException(nameof(link));
        }
    }

    /// <summary>dμ/dη at η.</summary>
    public static double Derivative(LinkFunction link, double eta)
    {
        switch (link)
        {
            case LinkFunction.Identity: return 1;
            case LinkFunction.Logit:
            {
                if (eta > 30 || eta < -30) return Epsilon;
                double e = Math.Exp(-Math.Abs(eta));
                return e / ((1 + e) * (1 + e));
            }
            case LinkFunction.Probit: return Math.Max(Normal.PDF(0, 1, eta), Epsilon);
            case LinkFunction.Cloglog:
            {
                double e = Math.Min(eta, 700);
                return Math.Max(Math.Exp(e) * Math.Exp(-Math.Exp(e)), Epsilon);
            }
            case LinkFunction.Log: return Math.Max(Math.Exp(eta), Epsilon);
            case LinkFunction.Sqrt: return 2 * eta;
            default: throw new ArgumentOutOfRangeException(nameof(link));
        }
    }

    /// <summary>d²μ/dη² at η (for the observed information of non-canonical links).</summary>
    public static double SecondDerivative(LinkFunction link, double eta)
    {
        switch (link)
        {
            case LinkFunction.Identity: return 0;
            case LinkFunction.Logit:
            {
                double mu = Inverse(link, eta);
                return mu * (1 - mu) * (1 - 2 * mu);
            }
            case LinkFunction.Probit: return -eta * Normal.PDF(0, 1, eta);
            case LinkFunction.Cloglog:
            {
                double e = Math.Exp(Math.Min(eta, 700));
                return e * Math.Exp(-e) * (1 - e);
            }
            case LinkFunction.Log: return Math.Exp(eta);
            case LinkFunction.Sqrt: return 2;
            default: throw new ArgumentOutOfRangeException(nameof(link));
        }
    }

    /// <summary>The R name of a link (<c>logit</c>, <c>probit</c>, ...).</summary>
    public static string Name(LinkFunction link) => link switch
    {
        LinkFunction.Identity => "identity",
        LinkFunction.Logit => "logit",
        LinkFunction.Probit => "probit",
        LinkFunction.Cloglog => "cloglog",
        LinkFunction.Log => "log",
        LinkFunction.Sqrt => "sqrt",
        _ => "canonical",
    };
}
