using System.Globalization;
using System.Text.Json;
using TypedMixed.Presentation;
using TypedMixed.Tests.Glmm;

namespace TypedMixed.Tests.Presentation;

/// <summary>
/// The summary and JSON of generalized fits: glmer's layout, every printed or written number equal to the fit's
/// (JSON exactly, text as formatted), no residual variance row, and the GLMM-only notes where they apply.
/// </summary>
public class GlmmPresentationTests
{
    private static readonly Lazy<GeneralizedLinearMixedModelFit> Logit = new(() => GeneralizedLinearMixedModel.Fit(CbppReferenceTests.Design()));

    private static readonly Lazy<GeneralizedLinearMixedModelFit> Agq = new(() => GeneralizedLinearMixedModel.Fit(CbppReferenceTests.Design(), new GlmmFitOptions { QuadraturePoints = 9 }));

    private static readonly Lazy<GeneralizedLinearMixedModelFit> Probit = new(() => GeneralizedLinearMixedModel.Fit(CbppReferenceTests.Design(LinkFunction.Probit)));

    /// <summary>cbpp as counts: incidence ~ period + offset(log(size)) + (1 | herd), Poisson.</summary>
    private static readonly Lazy<GeneralizedLinearMixedModelFit> Poisson = new(() =>
    {
        var b = CbppReferenceTests.Design();
        var design = new ModelDesign
        {
            ResponseName = "incidence",
            Response = b.Response,
            FixedEffects = b.FixedEffects,
            FixedEffectNames = b.FixedEffectNames,
            Terms = b.Terms,
            Family = ResponseFamily.Poisson,
            Offset = b.Trials!.Select(s => Math.Log(s)).ToArray(),
        };
        return GeneralizedLinearMixedModel.Fit(design);
    });

    private static string Sig(double x) => NumberText.Sig(x, 4);

    private static double[] Doubles(JsonElement e) => e.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? double.NaN : v.GetDouble()).ToArray();

    [Fact]
    public void Json_has_the_glmer_reference_layout_and_the_fits_numbers()
    {
        var fit = Logit.Value;
        using var doc = JsonDocument.Parse(FitJson.Serialize(fit, new FitReportOptions { Formula = "cbind(incidence, size - incidence) ~ period + (1 | herd)" }));
        var o = doc.RootElement;
        Assert.Equal("binomial", o.GetProperty("family").GetString());
        Assert.Equal("logit", o.GetProperty("link").GetString());
        Assert.Equal("Laplace", o.GetProperty("method").GetString());
        Assert.Equal(1, o.GetProperty("nAGQ").GetInt32());
        Assert.Equal(fit.ObservationCount, o.GetProperty("nobs").GetInt32());
        Assert.Equal(15, o.GetProperty("ngroups").GetProperty("herd").GetInt32());
        Assert.Equal(fit.LogLikelihood, o.GetProperty("logLik").GetDouble());
        Assert.Equal(fit.Aic, o.GetProperty("AIC").GetDouble());
        Assert.Equal(fit.Bic, o.GetProperty("BIC").GetDouble());
        Assert.Equal(fit.Deviance, o.GetProperty("minus2logLik").GetDouble());
        Assert.Equal(fit.ConditionalDeviance, o.GetProperty("deviance_residual_sum").GetDouble());
        Assert.Equal(fit.ParameterCount, o.GetProperty("logLik_df").GetInt32());
        Assert.Equal(fit.PearsonDispersion, o.GetProperty("pearson_dispersion").GetDouble());

        var fe = o.GetProperty("fixed_effects");
        Assert.Equal(fit.FixedEffects.Select(f => f.Name), fe.GetProperty("names").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(fit.FixedEffects.Select(f => f.Estimate), Doubles(fe.GetProperty("estimate")));
        Assert.Equal(fit.FixedEffects.Select(f => f.StdError), Doubles(fe.GetProperty("std_error")));
        var vcov = fe.GetProperty("vcov").EnumerateArray().Select(Doubles).ToArray();
        var rx = o.GetProperty("fixed_effects_vcov_from_RX").GetProperty("vcov").EnumerateArray().Select(Doubles).ToArray();
        for (int i = 0; i < vcov.Length; i++)
            for (int j = 0; j < vcov.Length; j++)
            {
                Assert.Equal(fit.FixedEffectsCovariance[i, j], vcov[i][j]);
                Assert.Equal(fit.FixedEffectsCovarianceFromFactor[i, j], rx[i][j]);
            }
        Assert.Equal(fit.FixedEffectsCovarianceSource == FixedEffectsCovarianceSource.Hessian ? "hessian" : "factor", o.GetProperty("fixed_effects_vcov_source").GetString());

        // Variance components: the herd variance only (a GLMM has no residual row), with its SE beside it.
        var vc = Assert.Single(o.GetProperty("variance_components").EnumerateArray());
        Assert.Equal("herd", vc.GetProperty("group").GetString());
        Assert.Equal("(Intercept)", vc.GetProperty("var1").GetString());
        Assert.Equal(JsonValueKind.Null, vc.GetProperty("var2").ValueKind);
        Assert.Equal("variance", vc.GetProperty("kind").GetString());
        Assert.Equal(fit.RandomEffects[0].Variance(), vc.GetProperty("vcov").GetDouble());
        Assert.Equal(fit.VarianceComponents[0].SdCor, vc.GetProperty("sdcor").GetDouble());
        Assert.Equal([fit.VarianceComponents[0].StdError], Doubles(o.GetProperty("variance_components_std_error")));
        Assert.Equal(fit.Theta, Doubles(o.GetProperty("theta").GetProperty("values")));
        Assert.Equal(fit.ThetaNames, o.GetProperty("theta").GetProperty("names").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal(fit.LatentIntraclassCorrelation("herd")!.Value, o.GetProperty("latent_icc").GetProperty("herd").GetDouble());
        Assert.False(o.TryGetProperty("negative_binomial_shape", out _));
        Assert.Equal(fit.Warnings.Count, o.GetProperty("warnings").GetArrayLength());
    }

    [Fact]
    public void Json_of_quadrature_and_poisson_fits()
    {
        using var agq = JsonDocument.Parse(FitJson.Serialize(Agq.Value));
        Assert.Equal("AGQ", agq.RootElement.GetProperty("method").GetString());
        Assert.Equal(9, agq.RootElement.GetProperty("nAGQ").GetInt32());
        using var poisson = JsonDocument.Parse(FitJson.Serialize(Poisson.Value));
        Assert.Equal("poisson", poisson.RootElement.GetProperty("family").GetString());
        Assert.Equal("log", poisson.RootElement.GetProperty("link").GetString());
        Assert.Equal(JsonValueKind.Null, poisson.RootElement.GetProperty("latent_icc").GetProperty("herd").ValueKind);
    }

    [Fact]
    public void Text_summary_has_glmers_sections_and_the_fits_numbers()
    {
        var fit = Logit.Value;
        string text = FitSummary.ToText(fit, new FitReportOptions { Formula = "cbind(incidence, size - incidence) ~ period + (1 | herd)", DataName = "cbpp.csv" });
        var lines = text.Split('\n');
        Assert.Equal("Generalized linear mixed model fit by maximum likelihood (Laplace Approximation) [glmerMod]", lines[0]);
        Assert.Contains("  Family: binomial  ( logit )", lines);
        Assert.Contains(" Formula: cbind(incidence, size - incidence) ~ period + (1 | herd)", lines);
        Assert.Contains("Scaled residuals:", lines);
        Assert.Contains(fit.Deviance.ToString("F2", CultureInfo.InvariantCulture), text);
        Assert.Contains(fit.LogLikelihood.ToString("F2", CultureInfo.InvariantCulture), text);

        // Random effects: the herd row with variance, SD and SE; no Residual row.
        var herd = Assert.Single(lines, l => l.StartsWith(" herd ", StringComparison.Ordinal));
        Assert.Contains(Sig(fit.RandomEffects[0].Variance()), herd);
        Assert.Contains(Sig(fit.RandomEffects[0].StdDev()), herd);
        Assert.Contains(Sig(fit.VarianceComponents[0].StdError), herd);
        Assert.DoesNotContain(lines, l => l.StartsWith(" Residual", StringComparison.Ordinal));
        Assert.Contains($"herd {fit.LatentIntraclassCorrelation("herd")!.Value.ToString("F3", CultureInfo.InvariantCulture)}", text);

        // Fixed effects on the link scale, then odds ratios exp(β) with exp of the Wald interval.
        foreach (var f in fit.FixedEffects)
        {
            var row = lines.First(l => l.StartsWith(" " + f.Name + " ", StringComparison.Ordinal));
            Assert.Contains(Sig(f.Estimate), row);
            Assert.Contains(f.Z.ToString("F2", CultureInfo.InvariantCulture), row);
            var ratio = lines.Last(l => l.StartsWith(" " + f.Name + " ", StringComparison.Ordinal));
            Assert.Contains(Sig(Math.Exp(f.Estimate)), ratio);
            Assert.Contains(Sig(Math.Exp(f.Upper95)), ratio);
        }
        Assert.Contains("Odds ratios:", lines);
        Assert.Contains("finite-difference Hessian", text);
        // The canonical link needs no note on the Laplace curvature.
        Assert.DoesNotContain("Laplace log-determinant", text);
        Assert.DoesNotContain("Pearson dispersion", text);
    }

    [Fact]
    public void Non_canonical_link_says_which_laplace_curvature_and_has_no_ratios()
    {
        string text = FitSummary.ToText(Probit.Value);
        Assert.Contains("  Family: binomial  ( probit )", text);
        Assert.Contains("Laplace log-determinant from the expected information (IRLS weights), as glmer", text);
        Assert.DoesNotContain("Odds ratios", text);
        Assert.Contains("level-1 variance 1 for the probit link", text);
    }

    [Fact]
    public void Quadrature_title_and_markdown()
    {
        string md = FitSummary.ToMarkdown(Agq.Value, new FitReportOptions { Formula = "y ~ x" });
        Assert.StartsWith("### Generalized linear mixed model fit by maximum likelihood (Adaptive Gauss-Hermite Quadrature, nAGQ = 9) [glmerMod]\n", md);
        Assert.Contains("- **Family**: binomial  ( logit )", md);
        Assert.Contains("#### Scaled residuals", md);
        Assert.Contains("| Min | 1Q | Median | 3Q | Max |", md);
        Assert.Contains("#### Odds ratios", md);
        Assert.DoesNotContain("Laplace log-determinant", md);
    }

    [Fact]
    public void Poisson_summary_has_rate_ratios_and_pearson_dispersion()
    {
        var fit = Poisson.Value;
        string text = FitSummary.ToText(fit);
        Assert.Contains("  Family: poisson  ( log )", text);
        Assert.Contains("Rate ratios:", text);
        Assert.Contains($"Pearson dispersion (Σ Pearson residual² / df.resid): {fit.PearsonDispersion.ToString("F3", CultureInfo.InvariantCulture)}", text);
        Assert.DoesNotContain("intraclass", text);
    }

    [Fact]
    public void Scaled_residual_quantiles_are_rs_type_7_quantiles_of_the_pearson_residuals()
    {
        var fit = Logit.Value;
        var sorted = fit.PearsonResiduals.Order().ToArray();
        string text = FitSummary.ToText(fit);
        var lines = text.Split('\n');
        var values = lines[Array.IndexOf(lines, "Scaled residuals:") + 2].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Sig(sorted[0]), values[0]);
        Assert.Equal(Sig(sorted[^1]), values[4]);
        // 56 residuals: the median is the mean of the 28th and 29th.
        Assert.Equal(Sig((sorted[27] + sorted[28]) / 2), values[2]);
    }
}
