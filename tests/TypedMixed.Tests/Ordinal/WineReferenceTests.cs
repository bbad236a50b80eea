using System.Text.Json;
using TypedMixed.Tests.Reference;

namespace TypedMixed.Tests.Ordinal;

/// <summary>
/// wine, rating ~ temp + contact + (1 | judge), cumulative logit, against ordinal::clmm 2022.11.16 (R 4.2.2): the
/// Laplace approximation and 10-point adaptive Gauss–Hermite quadrature. Tolerances: logLik 1e-6 relative (or higher),
/// thresholds and β 1e-3 of their SE, the judge variance 1e-3 relative, SEs 1e-2 relative.
/// </summary>
public class WineReferenceTests
{
    internal static ModelDesign Design(LinkFunction link = LinkFunction.Logit)
    {
        var csv = ReferenceData.ReadCsv("wine.csv");
        var rating = ReferenceData.Numbers(csv["rating"]);
        var temp = csv["temp"].Select(v => v == "warm" ? 1.0 : 0.0).ToArray();
        var contact = csv["contact"].Select(v => v == "yes" ? 1.0 : 0.0).ToArray();
        var design = ReferenceData.Design("rating", rating.Select(r => r - 1).ToArray(), [("tempwarm", temp), ("contactyes", contact)], ReferenceData.Term("judge", csv["judge"]));
        return new ModelDesign
        {
            ResponseName = "rating",
            Response = design.Response,
            FixedEffects = design.FixedEffects,
            FixedEffectNames = design.FixedEffectNames,
            Terms = design.Terms,
            Family = ResponseFamily.Ordinal,
            Link = link,
            Ordinal = new OrdinalResponse { Categories = ["1", "2", "3", "4", "5"] },
        };
    }

    private static void AssertAgrees(OrdinalMixedModelFit fit, JsonElement reference, double[] tau, double[] beta, double sd, double logLik)
    {
        Assert.True(fit.LogLikelihood >= logLik - 1e-6 * Math.Abs(logLik), $"logLik {fit.LogLikelihood} vs {logLik}");
        Assert.True(fit.LogLikelihood - logLik < 1e-5 * Math.Abs(logLik), $"logLik {fit.LogLikelihood} far above {logLik}");
        var tauSe = reference.GetProperty("thresholds").GetProperty("std_error").Doubles();
        var names = reference.GetProperty("thresholds").GetProperty("names").EnumerateArray().Select(e => e.GetString()).ToArray();
        Assert.Equal(names, fit.Thresholds.Select(t => t.Name).ToArray());
        for (int j = 0; j < tau.Length; j++)
        {
            Assert.True(Math.Abs(fit.Thresholds[j].Estimate - tau[j]) <= 1e-3 * tauSe[j], $"τ[{j}] {fit.Thresholds[j].Estimate} vs {tau[j]} (SE {tauSe[j]})");
            ReferenceData.AssertRelative(tauSe[j], fit.Thresholds[j].StdError, 1e-2, $"SE τ[{j}]");
        }
        var betaSe = reference.GetProperty("fixed_effects").GetProperty("std_error").Doubles();
        Assert.Equal(["tempwarm", "contactyes"], fit.FixedEffects.Select(f => f.Name).ToArray());
        for (int c = 0; c < beta.Length; c++)
        {
            Assert.True(Math.Abs(fit.FixedEffects[c].Estimate - beta[c]) <= 1e-3 * betaSe[c], $"β[{c}] {fit.FixedEffects[c].Estimate} vs {beta[c]} (SE {betaSe[c]})");
            ReferenceData.AssertRelative(betaSe[c], fit.FixedEffects[c].StdError, 1e-2, $"SE β[{c}]");
        }
        ReferenceData.AssertRelative(sd * sd, fit.RandomEffects[0].Variance(), 1e-3, "judge variance");
        // clmm's sd SE (delta method from log sd) against ours on the variance scale: SE(σ²) = 2σ SE(σ).
        double sdSe = reference.GetProperty("random_effect_parameters").GetProperty("sd_std_error").Doubles()[0];
        ReferenceData.AssertRelative(2 * sd * sdSe, fit.VarianceComponents[0].StdError, 2e-2, "SE of the judge variance");
    }

    [Fact]
    public void Laplace_agrees_with_clmm()
    {
        var reference = ReferenceData.Fit("wine_clmm_Laplace");
        var fit = OrdinalMixedModel.Fit(Design());
        // clmm's own value at its default optimum is inexact (its inner loop stops early); its refit with tight
        // tolerances and the reference's independent base-R Laplace maximum agree with each other to 1e-11.
        var max = reference.GetProperty("laplace_check").GetProperty("laplace_max");
        AssertAgrees(fit, reference, max.GetProperty("thresholds").Doubles(), max.GetProperty("beta").Doubles(),
            max.GetProperty("sd_judge").Doubles()[0], max.GetProperty("logLik").GetDouble());
        // Against clmm's default estimates as printed.
        var tau = reference.GetProperty("thresholds").GetProperty("estimate").Doubles();
        var tauSe = reference.GetProperty("thresholds").GetProperty("std_error").Doubles();
        for (int j = 0; j < tau.Length; j++)
            Assert.True(Math.Abs(fit.Thresholds[j].Estimate - tau[j]) <= 1e-3 * tauSe[j], $"τ[{j}] vs clmm's default");
        ReferenceData.AssertRelative(reference.GetProperty("variance_components")[0].GetProperty("vcov").GetDouble(), fit.RandomEffects[0].Variance(), 1e-3, "variance vs clmm's default");
        Assert.True(Math.Abs(fit.LogLikelihood - reference.GetProperty("logLik").GetDouble()) <= 1e-6 * 81.6);
        // Conditional modes and SDs (clmm's ranef/condVar).
        var re = reference.GetProperty("random_effects_first_levels").GetProperty("judge");
        var modes = re.GetProperty("cond_mode").Doubles();
        var condSe = re.GetProperty("cond_se").Doubles();
        for (int l = 0; l < modes.Length; l++)
        {
            Assert.True(Math.Abs(fit.RandomEffects[0].ConditionalModes[l, 0] - modes[l]) < 1e-3 * condSe[l], $"mode {l}");
            ReferenceData.AssertRelative(condSe[l], fit.RandomEffects[0].ConditionalStdDev(l), 1e-3, $"conditional SD {l}");
        }
        Assert.Empty(fit.Warnings);
    }

    [Fact]
    public void Quadrature_agrees_with_clmm_and_the_exact_likelihood()
    {
        var reference = ReferenceData.Fit("wine_clmm_AGQ10");
        var fit = OrdinalMixedModel.Fit(Design(), new OrdinalFitOptions { QuadraturePoints = 10 });
        Assert.Equal(10, fit.QuadraturePoints);
        AssertAgrees(fit, reference, reference.GetProperty("thresholds").GetProperty("estimate").Doubles(),
            reference.GetProperty("fixed_effects").GetProperty("estimate").Doubles(),
            reference.GetProperty("variance_components")[0].GetProperty("sdcor").GetDouble(), reference.GetProperty("logLik").GetDouble());
        // 10-point AGQ is within 1e-8 of the exact marginal likelihood (stats::integrate) here.
        double exact = reference.GetProperty("exact_marginal_logLik_at_estimates").GetDouble();
        Assert.True(Math.Abs(fit.LogLikelihood - exact) < 1e-5, $"{fit.LogLikelihood} vs exact {exact}");
    }
}
