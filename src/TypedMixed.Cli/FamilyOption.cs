using System.Text.RegularExpressions;
using TypedMixed.Cli.Data;

namespace TypedMixed.Cli;

/// <summary>
/// Reads <c>--family</c> and <c>--link</c>: the short names (<c>binomial</c>, <c>poisson</c>, <c>negbin</c>,
/// <c>ordinal</c>) and R's
/// spellings (<c>binomial(link = "probit")</c>, <c>poisson("sqrt")</c>), and checks the link suits the family as
/// R's family objects do.
/// </summary>
internal static partial class FamilyOption
{
    /// <summary>The links each family accepts (first: the canonical or default one).</summary>
    private static readonly Dictionary<ResponseFamily, LinkFunction[]> Allowed = new()
    {
        [ResponseFamily.Gaussian] = [LinkFunction.Identity],
        [ResponseFamily.Binomial] = [LinkFunction.Logit, LinkFunction.Probit, LinkFunction.Cloglog, LinkFunction.Log],
        [ResponseFamily.Poisson] = [LinkFunction.Log, LinkFunction.Identity, LinkFunction.Sqrt],
        [ResponseFamily.NegativeBinomial] = [LinkFunction.Log, LinkFunction.Identity, LinkFunction.Sqrt],
        [ResponseFamily.Ordinal] = [LinkFunction.Logit, LinkFunction.Probit, LinkFunction.Cloglog],
    };

    /// <summary>Parses a <c>--family</c> value; the link is set when the R spelling names one.</summary>
    public static (ResponseFamily Family, LinkFunction? Link) ParseFamily(string value)
    {
        var m = RSpelling().Match(value);
        if (!m.Success)
            throw new CliException($"--family '{value}' is not a family. Use binomial, poisson, negbin or ordinal (or R's spelling, e.g. binomial(link = \"probit\")).");
        var family = m.Groups["family"].Value.ToLowerInvariant() switch
        {
            "binomial" => ResponseFamily.Binomial,
            "poisson" => ResponseFamily.Poisson,
            "negbin" or "nbinom2" or "negative.binomial" or "negativebinomial" => ResponseFamily.NegativeBinomial,
            "gaussian" => ResponseFamily.Gaussian,
            "ordinal" or "cumulative" or "clmm" => ResponseFamily.Ordinal,
            var other => throw new CliException($"--family '{other}' is not supported. Use binomial, poisson, negbin or ordinal (gaussian is the default: omit --family)."),
        };
        var link = m.Groups["link"].Success ? ParseLink(m.Groups["link"].Value) : (LinkFunction?)null;
        return (family, link);
    }

    /// <summary>Parses a <c>--link</c> value.</summary>
    public static LinkFunction ParseLink(string value) => value.ToLowerInvariant() switch
    {
        "logit" => LinkFunction.Logit,
        "probit" => LinkFunction.Probit,
        "cloglog" => LinkFunction.Cloglog,
        "log" => LinkFunction.Log,
        "identity" => LinkFunction.Identity,
        "sqrt" => LinkFunction.Sqrt,
        _ => throw new CliException($"--link '{value}' is not a link. Use logit, probit, cloglog, log, identity or sqrt."),
    };

    /// <summary>Throws when <paramref name="link"/> does not suit <paramref name="family"/>, listing the links that do.</summary>
    public static void CheckLink(ResponseFamily family, LinkFunction link)
    {
        if (link == LinkFunction.Canonical || Allowed[family].Contains(link)) return;
        throw new CliException($"The {Name(family)} family does not take the {Name(link)} link. Its links: {string.Join(", ", Allowed[family].Select(Name))}.");
    }

    /// <summary>The family as R names it (<c>binomial</c>, <c>poisson</c>, <c>negbin</c>).</summary>
    public static string Name(ResponseFamily family) => family switch
    {
        ResponseFamily.Binomial => "binomial",
        ResponseFamily.Poisson => "poisson",
        ResponseFamily.NegativeBinomial => "negbin",
        ResponseFamily.Ordinal => "ordinal",
        _ => "gaussian",
    };

    /// <summary>The link as R names it.</summary>
    public static string Name(LinkFunction link) => link.ToString().ToLowerInvariant();

    // binomial | binomial() | binomial(link = "probit") | binomial(link = probit) | binomial("probit") | binomial('probit')
    [GeneratedRegex("""^\s*(?<family>[A-Za-z][A-Za-z0-9.]*)\s*(\(\s*((link\s*=\s*)?["']?(?<link>[A-Za-z]+)["']?)?\s*\))?\s*$""")]
    private static partial Regex RSpelling();
}
