using TypedMixed.Cli.Data;

namespace TypedMixed.Cli.Tests;

/// <summary><c>--family</c> and <c>--link</c>: short names, R's spellings, and the links each family takes.</summary>
public class FamilyOptionTests
{
    [Theory]
    [InlineData("binomial", ResponseFamily.Binomial, null)]
    [InlineData("Binomial", ResponseFamily.Binomial, null)]
    [InlineData("binomial()", ResponseFamily.Binomial, null)]
    [InlineData("binomial(link = \"probit\")", ResponseFamily.Binomial, LinkFunction.Probit)]
    [InlineData("binomial(link='cloglog')", ResponseFamily.Binomial, LinkFunction.Cloglog)]
    [InlineData("binomial(link = logit)", ResponseFamily.Binomial, LinkFunction.Logit)]
    [InlineData("poisson(\"sqrt\")", ResponseFamily.Poisson, LinkFunction.Sqrt)]
    [InlineData(" poisson ", ResponseFamily.Poisson, null)]
    [InlineData("negbin", ResponseFamily.NegativeBinomial, null)]
    [InlineData("nbinom2", ResponseFamily.NegativeBinomial, null)]
    [InlineData("negative.binomial", ResponseFamily.NegativeBinomial, null)]
    [InlineData("gaussian", ResponseFamily.Gaussian, null)]
    public void Parses_short_names_and_r_spellings(string value, ResponseFamily family, LinkFunction? link)
    {
        var parsed = FamilyOption.ParseFamily(value);
        Assert.Equal(family, parsed.Family);
        Assert.Equal(link, parsed.Link);
    }

    [Theory]
    [InlineData("binomial(link = )")]
    [InlineData("binomial(link = \"probit\"")]
    [InlineData("2binomial")]
    public void Rejects_what_is_not_a_family(string value) =>
        Assert.Contains("is not a family", Assert.Throws<CliException>(() => FamilyOption.ParseFamily(value)).Message);

    [Theory]
    [InlineData(ResponseFamily.Binomial, LinkFunction.Logit, true)]
    [InlineData(ResponseFamily.Binomial, LinkFunction.Probit, true)]
    [InlineData(ResponseFamily.Binomial, LinkFunction.Cloglog, true)]
    [InlineData(ResponseFamily.Binomial, LinkFunction.Sqrt, false)]
    [InlineData(ResponseFamily.Poisson, LinkFunction.Log, true)]
    [InlineData(ResponseFamily.Poisson, LinkFunction.Identity, true)]
    [InlineData(ResponseFamily.Poisson, LinkFunction.Logit, false)]
    [InlineData(ResponseFamily.NegativeBinomial, LinkFunction.Sqrt, true)]
    [InlineData(ResponseFamily.NegativeBinomial, LinkFunction.Probit, false)]
    public void Links_each_family_takes(ResponseFamily family, LinkFunction link, bool allowed)
    {
        if (allowed) FamilyOption.CheckLink(family, link);
        else Assert.Contains("does not take the", Assert.Throws<CliException>(() => FamilyOption.CheckLink(family, link)).Message);
    }
}
