using System.Text.Json;
using TypedMixed.Generators.Tests.Infrastructure;
using TypedMixed.Generators.Tests.Models;

namespace TypedMixed.Generators.Tests;

/// <summary>
/// Generalized linear mixed models declared in Models/Glmm.cs, fitted through the generated code: cbpp against lme4's
/// glmer (Laplace and 25-point quadrature), and a simulated Bernoulli model against the runtime on a hand-built design.
/// </summary>
public class GlmmEndToEndTests
{
    private static readonly Lazy<HerdExamination[]> Cbpp = new(() => ReferenceData.Csv("cbpp.csv").Select(r => new HerdExamination(
        Herd: int.Parse(r["herd"]),
        Incidence: int.Parse(r["incidence"]),
        Size: int.Parse(r["size"]),
        Period: r["period"] switch { "1" => Period.P1, "2" => Period.P2, "3" => Period.P3, "4" => Period.P4, var p => throw new FormatException(p) }))
        .ToArray());

    private static void Close(double expected, double actual, double relative, string what) =>
        Assert.True(Math.Abs(actual - expected) <= relative * Math.Abs(expected),
            $"{what}: expected {expected:R}, got {actual:R} (relative error {Math.Abs(actual - expected) / Math.Abs(expected):E2}, tolerance {relative:E0}).");

    /// <summary>
    /// β within <paramref name="betaTolerance"/> of lme4's SE, SEs (lme4's default, Hessian-based) within
    /// <paramref name="seTolerance"/> relative, herd variance within 1e-3 relative.
    /// </summary>
    private static void AssertEstimates(JsonElement reference, GeneralizedLinearMixedModelFit fit, double betaTolerance = 1e-3, double seTolerance = 1e-2)
    {
        var fixedEffects = reference.GetProperty("fixed_effects");
        var estimate = ReferenceData.Doubles(fixedEffects.GetProperty("estimate"));
        var se = ReferenceData.Doubles(fixedEffects.GetProperty("std_error"));
        Assert.Equal(estimate.Length, fit.FixedEffects.Count);
        for (int c = 0; c < estimate.Length; c++)
        {
            double error = Math.Abs(fit.FixedEffects[c].Estimate - estimate[c]);
            Assert.True(error <= betaTolerance * se[c], $"β {fit.FixedEffects[c].Name}: expected {estimate[c]:R}, got {fit.FixedEffects[c].Estimate:R} ({error / se[c]:E2} SE, tolerance {betaTolerance:E0} SE).");
            Close(se[c], fit.FixedEffects[c].StdError, seTolerance, "SE " + fit.FixedEffects[c].Name);
        }
        Close(ReferenceData.VarianceComponent(reference, "herd", "(Intercept)"), fit.RandomEffects[0].Variance(), 1e-3, "herd variance");
    }

    [Fact]
    public void Cbpp_Laplace_matches_glmer()
    {
        var reference = ReferenceData.Fit("cbpp_Laplace");
        var fit = CbppModel.Fit(Cbpp.Value);
        var u = fit.Underlying;
        Assert.Equal(ResponseFamily.Binomial, u.Family);
        Assert.Equal(LinkFunction.Logit, u.Link);
        Assert.Equal(1, u.QuadraturePoints);
        Assert.Equal(56, u.ObservationCount);

        // lme4 stops PIRLS at 1e-7 and reports a logLik up to ~4e-4 low (reference README: accurate −92.026286 vs
        // reported −92.026566): ours may be higher than lme4's by that much, never lower by more than 1e-6 relative.
        double lme4 = reference.GetProperty("logLik").GetDouble();
        Assert.True(u.LogLikelihood >= lme4 - 1e-6 * Math.Abs(lme4), $"logLik {u.LogLikelihood:R} is below lme4's {lme4:R} by more than 1e-6 relative");
        Assert.True(u.LogLikelihood <= lme4 + 1e-5 * Math.Abs(lme4), $"logLik {u.LogLikelihood:R} is above lme4's {lme4:R} by more than its PIRLS tolerance explains (1e-5 relative)");
        // glmer's default optimum is that of its inexact objective (PIRLS stopped at tolPwrss 1e-7), and its SEs are finite
        // differences of that objective. Our exact Laplace optimum lies above it: β differs by up to 1.35e-3 SE (PeriodP2)
        // and the Hessian SEs by up to 1.15 % (PeriodP2: 0.30664 vs glmer's 0.30315; glmer's own nAGQ 25 SE is 0.30677).
        // So β is held to 2e-3 SE and these SEs to 1.5e-2, as the runtime's reference test does (CbppReferenceTests);
        // the SEs from the PIRLS factor, which do not involve the difference Hessian, are held to 1e-2 below.
        AssertEstimates(reference, u, betaTolerance: 2e-3, seTolerance: 1.5e-2);
        var rx = ReferenceData.Doubles(reference.GetProperty("fixed_effects_vcov_from_RX").GetProperty("std_error"));
        for (int c = 0; c < rx.Length; c++)
            Close(rx[c], Math.Sqrt(u.FixedEffectsCovarianceFromFactor[c, c]), 1e-2, "factor SE " + u.FixedEffects[c].Name);

        // The typed members are the underlying numbers.
        Assert.Equal(u.FixedEffects[0].Estimate, fit.Intercept.Estimate);
        Assert.Equal(u.FixedEffects[1].Estimate, fit.PeriodP2.Estimate);
        Assert.Equal(u.FixedEffects[3].StdError, fit.PeriodP4.StdError);
        Assert.Equal(Math.Exp(fit.PeriodP3.Estimate), fit.PeriodP3OddsRatio.Ratio, 15);
        Assert.Equal(Math.Exp(fit.PeriodP3.Lower95), fit.PeriodP3OddsRatio.Lower95, 15);
        Assert.Equal(Math.Exp(fit.PeriodP3.Upper95), fit.PeriodP3OddsRatio.Upper95, 15);
        Assert.True(fit.PeriodP4OddsRatio.Ratio < 1 && fit.PeriodP4OddsRatio.Upper95 < 1, "period 4 lowers the odds of new cases (lme4: β = −1.58, SE 0.42)");
        Assert.Equal(u.RandomEffects[0].Variance(), fit.Herd.Variance);
        Close(fit.Herd.Variance / (fit.Herd.Variance + Math.PI * Math.PI / 3), fit.Herd.LatentIntraclassCorrelation, 1e-14, "latent ICC");

        // Herds keyed by their int id, with lme4's conditional modes and SDs for the first ten.
        Assert.Equal(15, fit.Herd.Effects.Count);
        Assert.Equal(56, fit.Herd.Sizes.Values.Sum());
        Assert.Equal(Enumerable.Range(1, 15), fit.Herd.Levels);
        var herd = reference.GetProperty("random_effects_first_levels").GetProperty("herd");
        var modes = herd.GetProperty("cond_mode").EnumerateArray().Select(m => m[0].GetDouble()).ToArray();
        var sds = herd.GetProperty("cond_se").EnumerateArray().Select(m => m[0].GetDouble()).ToArray();
        for (int l = 0; l < modes.Length; l++)
        {
            int key = l + 1;
            Assert.True(Math.Abs(fit.Herd.Effects[key] - modes[l]) <= 1e-2 * sds[l], $"herd {key} mode: expected {modes[l]:R}, got {fit.Herd.Effects[key]:R}");
            Close(sds[l], fit.Herd.ConditionalStdDev(key), 1e-2, $"herd {key} conditional SD");
        }

        // Predictions: a fitted row's η is the fit's linear predictor; a new herd gets the population-level prediction.
        var first = Cbpp.Value[0];
        Assert.Equal(u.LinearPredictor[0], fit.PredictLink(first), 10);
        Assert.Equal(fit.Intercept.Estimate + fit.Herd.Effects[first.Herd], fit.PredictLink(first), 12);
        Assert.Equal(1 / (1 + Math.Exp(-fit.PredictLink(first))), fit.Predict(first), 14);
        var newHerd = first with { Herd = 99, Period = Period.P2 };
        Assert.Equal(fit.Intercept.Estimate + fit.PeriodP2.Estimate, fit.PredictLink(newHerd, allowNewLevels: true), 12);
        Assert.Equal(fit.PredictFixedLink(newHerd), fit.PredictLink(newHerd, allowNewLevels: true), 14);
        Assert.Throws<ModelDesignException>(() => fit.PredictLink(newHerd));
        Assert.Equal(u.InverseLink(fit.PredictFixedLink(first)), fit.PredictFixed(first), 14);
        Assert.Throws<KeyNotFoundException>(() => fit.Herd.ConditionalStdDev(99));
    }

    [Fact]
    public void Cbpp_with_declared_25_point_quadrature_matches_glmer_nAGQ_25()
    {
        var reference = ReferenceData.Fit("cbpp_AGQ25");
        var fit = CbppQuadratureModel.Fit(Cbpp.Value);
        var u = fit.Underlying;
        Assert.Equal(25, u.QuadraturePoints);
        AssertEstimates(reference, u);
        // lme4's nAGQ > 1 logLik omits a constant (reference README); compare with the exact marginal likelihood at its estimates.
        Close(reference.GetProperty("exact_marginal_logLik_at_estimates").GetDouble(), u.LogLikelihood, 1e-3, "logLik vs exact marginal");

        // Options passed to Fit replace the declared quadrature points.
        var viaOptions = CbppModel.Fit(Cbpp.Value, new GlmmFitOptions { QuadraturePoints = 25 });
        Assert.Equal(25, viaOptions.Underlying.QuadraturePoints);
        Assert.Equal(u.LogLikelihood, viaOptions.Underlying.LogLikelihood);
        Assert.Equal(u.FixedEffects.Select(b => b.Estimate), viaOptions.Underlying.FixedEffects.Select(b => b.Estimate));
    }

    /// <summary>30 clinics × 24 patients; logit P(recovered) = −0.5 + 0.7·dose + 0.5·treated + b_clinic, b ~ N(0, 0.8²); seeded.</summary>
    private static Outcome[] SimulateRecoveries()
    {
        var random = new Random(20261201);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var rows = new List<Outcome>();
        for (int clinic = 1; clinic <= 30; clinic++)
        {
            double b = 0.8 * Normal();
            for (int patient = 0; patient < 24; patient++)
            {
                double dose = 2 * random.NextDouble();
                bool treated = patient % 2 == 1;
                double eta = -0.5 + 0.7 * dose + (treated ? 0.5 : 0.0) + b;
                rows.Add(new Outcome(random.NextDouble() < 1 / (1 + Math.Exp(-eta)), dose, treated, clinic));
            }
        }
        return [.. rows];
    }

    [Fact]
    public void Bernoulli_model_fits_as_the_runtime_on_a_hand_built_design()
    {
        var rows = SimulateRecoveries();
        var fit = RecoveryModel.Fit(rows);

        int n = rows.Length;
        var x = new double[3 * n];
        for (int i = 0; i < n; i++)
        {
            x[i] = 1;
            x[n + i] = rows[i].Dose;
            x[2 * n + i] = rows[i].Treated ? 1 : 0;
        }
        var design = new ModelDesign
        {
            ResponseName = "Recovered",
            Response = rows.Select(r => r.Recovered ? 1.0 : 0.0).ToArray(),
            FixedEffects = x,
            FixedEffectNames = ["(Intercept)", "Dose", "TreatedTRUE"],
            Terms = [RandomEffectsTerm.Intercept("Clinic", rows.Select(r => r.Clinic - 1).ToArray(), Enumerable.Range(1, 30).Select(k => k.ToString()).ToArray())],
            Family = ResponseFamily.Binomial,
            Link = LinkFunction.Logit,
        };
        var direct = GeneralizedLinearMixedModel.Fit(design);

        Assert.Equal(direct.LogLikelihood, fit.Underlying.LogLikelihood);
        Assert.Equal(direct.FixedEffects.Select(b => (b.Name, b.Estimate, b.StdError)), fit.Underlying.FixedEffects.Select(b => (b.Name, b.Estimate, b.StdError)));
        Assert.Equal(direct.RandomEffects[0].Variance(), fit.Clinic.Variance);
        for (int clinic = 1; clinic <= 30; clinic++)
            Assert.Equal(direct.RandomEffects[0].ConditionalModes[clinic - 1, 0], fit.Clinic.Effects[clinic]);

        // Sanity: the simulated effects are recovered within 3 SE, and predictions are probabilities.
        Assert.True(Math.Abs(fit.Dose.Estimate - 0.7) < 3 * fit.Dose.StdError, $"Dose {fit.Dose.Estimate} ± {fit.Dose.StdError}");
        Assert.True(Math.Abs(fit.TreatedTRUE.Estimate - 0.5) < 3 * fit.TreatedTRUE.StdError, $"Treated {fit.TreatedTRUE.Estimate} ± {fit.TreatedTRUE.StdError}");
        Assert.InRange(fit.Clinic.Variance, 0.64 / 4, 0.64 * 4);
        double p = fit.Predict(rows[0]);
        Assert.InRange(p, 0.0, 1.0);
        Assert.Equal(1 / (1 + Math.Exp(-fit.PredictLink(rows[0]))), p, 14);
        Assert.Equal(Math.Exp(fit.Dose.Estimate), fit.DoseOddsRatio.Ratio, 15);
    }
}
