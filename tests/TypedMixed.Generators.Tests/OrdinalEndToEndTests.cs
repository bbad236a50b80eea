using System.Text.Json;
using TypedMixed.Generators.Tests.Infrastructure;
using TypedMixed.Generators.Tests.Models;

namespace TypedMixed.Generators.Tests;

/// <summary>
/// Ordinal models declared in Models/Ordinal.cs, fitted through the generated code: wine against ordinal::clmm
/// (Laplace, 10-point quadrature, probit, equidistant thresholds), the typed members, predictions keyed by the enum, and
/// the run-time errors of the generated encoder. Tolerances: logLik 1e-6 relative (or higher), thresholds and β 1e-3 of
/// their SE, the judge variance 1e-3 relative, SEs 1e-2 relative.
/// </summary>
public class OrdinalEndToEndTests
{
    private static readonly Lazy<WineTasting[]> WineRows = new(() => ReferenceData.Csv("wine.csv").Select(r => new WineTasting(
        Rating: r["rating"] switch
        {
            "1" => WineRating.One, "2" => WineRating.Two, "3" => WineRating.Three, "4" => WineRating.Four, "5" => WineRating.Five,
            var v => throw new FormatException(v),
        },
        Temp: r["temp"] == "warm" ? CrushTemperature.Warm : CrushTemperature.Cold,
        Contact: r["contact"] == "yes" ? SkinContact.Yes : SkinContact.No,
        Bottle: int.Parse(r["bottle"]),
        Judge: int.Parse(r["judge"]))).ToArray());

    private static WineTasting[] Wine => WineRows.Value;

    private static void Relative(double expected, double actual, double tolerance, string what) =>
        Assert.True(Math.Abs(actual - expected) <= tolerance * Math.Abs(expected),
            $"{what}: expected {expected:R}, got {actual:R} (relative error {Math.Abs(actual - expected) / Math.Abs(expected):E2}, tolerance {tolerance:E0}).");

    private static void WithinSe(double expected, double actual, double se, string what) =>
        Assert.True(Math.Abs(actual - expected) <= 1e-3 * se, $"{what}: expected {expected:R}, got {actual:R} ({Math.Abs(actual - expected) / se:E2} SE, tolerance 1e-3 SE).");

    /// <summary>The fit against clmm's thresholds, β and judge SD, with the reference's SEs for the scale of the tolerance.</summary>
    private static void AssertAgrees(OrdinalMixedModelFit fit, JsonElement reference, double[] tau, double[] beta, double sd, double logLik)
    {
        Assert.True(fit.LogLikelihood >= logLik - 1e-6 * Math.Abs(logLik), $"logLik {fit.LogLikelihood:R} is below {logLik:R} by more than 1e-6 relative");
        Assert.True(fit.LogLikelihood - logLik < 1e-5 * Math.Abs(logLik), $"logLik {fit.LogLikelihood:R} is far above {logLik:R}");
        var tauSe = ReferenceData.Doubles(reference.GetProperty("thresholds").GetProperty("std_error"));
        for (int j = 0; j < tau.Length; j++)
        {
            WithinSe(tau[j], fit.Thresholds[j].Estimate, tauSe[j], "τ " + fit.Thresholds[j].Name);
            Relative(tauSe[j], fit.Thresholds[j].StdError, 1e-2, "SE τ " + fit.Thresholds[j].Name);
        }
        var betaSe = ReferenceData.Doubles(reference.GetProperty("fixed_effects").GetProperty("std_error"));
        for (int c = 0; c < beta.Length; c++)
        {
            WithinSe(beta[c], fit.FixedEffects[c].Estimate, betaSe[c], "β " + fit.FixedEffects[c].Name);
            Relative(betaSe[c], fit.FixedEffects[c].StdError, 1e-2, "SE β " + fit.FixedEffects[c].Name);
        }
        Relative(sd * sd, fit.RandomEffects[0].Variance(), 1e-3, "judge variance");
    }

    [Fact]
    public void Laplace_fit_through_the_generated_code_matches_clmm()
    {
        var reference = ReferenceData.Fit("wine_clmm_Laplace");
        var fit = WineModel.Fit(Wine);
        var u = fit.Underlying;
        Assert.Equal(1, u.QuadraturePoints);
        Assert.Equal(LinkFunction.Logit, u.Link);
        Assert.Equal(72, u.ObservationCount);
        Assert.Equal(["One", "Two", "Three", "Four", "Five"], u.Categories);
        Assert.Equal(["One|Two", "Two|Three", "Three|Four", "Four|Five"], u.Thresholds.Select(t => t.Name));
        Assert.Equal(["TempWarm", "ContactYes"], u.FixedEffects.Select(f => f.Name));

        // clmm's own logLik at its default optimum is inexact (its inner loop stops early); the reference's independent
        // Laplace maximum (base R, exact modes) is the target; clmm's printed estimates are within 1e-3 SE of it too.
        var max = reference.GetProperty("laplace_check").GetProperty("laplace_max");
        AssertAgrees(u, reference, ReferenceData.Doubles(max.GetProperty("thresholds")), ReferenceData.Doubles(max.GetProperty("beta")),
            ReferenceData.Doubles(max.GetProperty("sd_judge"))[0], max.GetProperty("logLik").GetDouble());
        AssertAgrees(u, reference, ReferenceData.Doubles(reference.GetProperty("thresholds").GetProperty("estimate")),
            ReferenceData.Doubles(reference.GetProperty("fixed_effects").GetProperty("estimate")),
            reference.GetProperty("variance_components")[0].GetProperty("sdcor").GetDouble(), reference.GetProperty("logLik").GetDouble());

        // The typed members are the underlying numbers, thresholds named after the enum's members.
        Assert.Equal(u.Thresholds[0], fit.Thresholds.One_Two);
        Assert.Equal(u.Thresholds[3], fit.Thresholds.Four_Five);
        Assert.Equal(u.Thresholds[2], fit.Thresholds.Above(WineRating.Three));
        Assert.Throws<ArgumentOutOfRangeException>(() => fit.Thresholds.Above(WineRating.Five));
        Assert.Equal(u.FixedEffects[0], fit.TempWarm);
        Assert.Equal(u.FixedEffects[1], fit.ContactYes);
        Assert.Equal(Math.Exp(fit.ContactYes.Estimate), fit.ContactYesOddsRatio.Ratio, 15);
        Assert.Equal(u.RandomEffects[0].Variance(), fit.Judge.Variance);
        Assert.Equal(fit.Judge.Variance / (fit.Judge.Variance + Math.PI * Math.PI / 3), fit.Judge.LatentVariancePartition, 14);
        Assert.Equal([WineRating.One, WineRating.Two, WineRating.Three, WineRating.Four, WineRating.Five], fit.Categories);

        // Judges keyed by their int id, with clmm's conditional modes and conditional SDs.
        var re = reference.GetProperty("random_effects_first_levels").GetProperty("judge");
        var modes = ReferenceData.Doubles(re.GetProperty("cond_mode"));
        var condSe = ReferenceData.Doubles(re.GetProperty("cond_se"));
        for (int judge = 1; judge <= 9; judge++)
        {
            Assert.True(Math.Abs(fit.Judge.Effects[judge] - modes[judge - 1]) < 1e-3 * condSe[judge - 1], $"judge {judge} mode {fit.Judge.Effects[judge]:R} vs {modes[judge - 1]:R}");
            Relative(condSe[judge - 1], fit.Judge.ConditionalStdDev(judge), 1e-3, $"judge {judge} conditional SD");
            Assert.Equal(8, fit.Judge.Sizes[judge]);
        }
        Assert.Contains("One|Two", fit.Summary(), StringComparison.Ordinal);
        Assert.Contains(WineModel.Formula, fit.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public void Declared_quadrature_matches_clmm_nAGQ10()
    {
        var reference = ReferenceData.Fit("wine_clmm_AGQ10");
        var fit = WineQuadratureModel.Fit(Wine);
        Assert.Equal(10, WineQuadratureModel.DeclaredQuadraturePoints);
        Assert.Equal(10, fit.Underlying.QuadraturePoints);
        AssertAgrees(fit.Underlying, reference, ReferenceData.Doubles(reference.GetProperty("thresholds").GetProperty("estimate")),
            ReferenceData.Doubles(reference.GetProperty("fixed_effects").GetProperty("estimate")),
            reference.GetProperty("variance_components")[0].GetProperty("sdcor").GetDouble(), reference.GetProperty("logLik").GetDouble());
        // Options passed to Fit override the declaration: Laplace again.
        var laplace = WineQuadratureModel.Fit(Wine, new OrdinalFitOptions { QuadraturePoints = 1 });
        Assert.Equal(1, laplace.Underlying.QuadraturePoints);
        Relative(-81.56541277649568, laplace.Underlying.LogLikelihood, 1e-9, "Laplace logLik of the overridden fit");
    }

    /// <summary>
    /// clmm(rating ~ temp + contact + (1 | judge), link = "probit") and (threshold = "equidistant"), ordinal 2022.11-16,
    /// control gradTol = 1e-8 (script tests/Data/reference/scripts/ordinal_wine.R; the same numbers as the runtime's
    /// OrdinalBehaviourTests): logLik, the threshold parameters (equidistant: first threshold and spacing) and β with SEs.
    /// </summary>
    [Fact]
    public void Probit_and_equidistant_declarations_match_clmm()
    {
        var probit = WineProbitModel.Fit(Wine).Underlying;
        Assert.Equal(LinkFunction.Probit, probit.Link);
        Assert.True(probit.LogLikelihood >= -80.9306071535611 - 1e-6 * 80.93, $"probit logLik {probit.LogLikelihood:R}");
        double[] probitCoef = [-0.926479713566, 0.889437810494, 2.467592781117, 3.536662227767, 1.800014446241, 1.048205485907];
        double[] probitSe = [0.38815164, 0.34847696, 0.44687303, 0.52561666, 0.32694028, 0.28554546];
        var probitEstimates = probit.Thresholds.Concat(probit.FixedEffects).ToArray();
        for (int j = 0; j < probitCoef.Length; j++)
        {
            WithinSe(probitCoef[j], probitEstimates[j].Estimate, probitSe[j], "probit " + probitEstimates[j].Name);
            Relative(probitSe[j], probitEstimates[j].StdError, 1e-2, "probit SE " + probitEstimates[j].Name);
        }
        Relative(0.663153240242 * 0.663153240242, probit.RandomEffects[0].Variance(), 1e-3, "probit judge variance");

        var equidistant = WineEquidistantModel.Fit(Wine);
        var e = equidistant.Underlying;
        Assert.Equal(ThresholdStructure.Equidistant, WineEquidistantModel.DeclaredThresholds);
        Assert.Equal(ThresholdStructure.Equidistant, e.ThresholdStructure);
        Assert.True(e.LogLikelihood >= -83.0549627656701 - 1e-6 * 83.05, $"equidistant logLik {e.LogLikelihood:R}");
        var tau = e.Thresholds.Select(t => t.Estimate).ToArray();
        Assert.Equal(4, tau.Length);
        for (int j = 2; j < 4; j++) Assert.Equal(tau[1] - tau[0], tau[j] - tau[j - 1], 10);
        WithinSe(-1.21456345562, tau[0], 0.56414566, "equidistant first threshold");
        WithinSe(2.55926225115, tau[1] - tau[0], 0.32358564, "equidistant spacing");
        WithinSe(3.00207791605, equidistant.TempWarm.Estimate, 0.57900121, "equidistant TempWarm");
        WithinSe(1.79165858241, equidistant.ContactYes.Estimate, 0.50215226, "equidistant ContactYes");
        Relative(1.10712040738 * 1.10712040738, equidistant.Judge.Variance, 1e-3, "equidistant judge variance");
        Assert.Equal(e.Thresholds[1], equidistant.Thresholds.Two_Three);
    }

    [Fact]
    public void Generated_design_is_the_hand_built_one()
    {
        var design = WineModel.BuildDesign(Wine);
        Assert.Equal(ResponseFamily.Ordinal, design.Family);
        Assert.Equal(LinkFunction.Logit, design.Link);
        Assert.Equal(["One", "Two", "Three", "Four", "Five"], design.Ordinal!.Categories);
        Assert.Equal(ThresholdStructure.Flexible, design.Ordinal.Thresholds);
        var rows = ReferenceData.Csv("wine.csv").ToArray();
        Assert.Equal(rows.Select(r => ReferenceData.Number(r["rating"]) - 1), design.Response);
        Assert.Equal(["(Intercept)", "TempWarm", "ContactYes"], design.FixedEffectNames);
        int n = rows.Length;
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(1.0, design.FixedEffects[i]);
            Assert.Equal(rows[i]["temp"] == "warm" ? 1.0 : 0.0, design.FixedEffects[n + i]);
            Assert.Equal(rows[i]["contact"] == "yes" ? 1.0 : 0.0, design.FixedEffects[2 * n + i]);
            Assert.Equal(rows[i]["judge"], design.Terms[0].LevelKeys[design.Terms[0].LevelIndex[i]]);
        }
    }

    [Fact]
    public void Category_probabilities_are_keyed_by_the_enum_for_existing_and_new_judges()
    {
        var fit = WineModel.Fit(Wine);
        var u = fit.Underlying;
        var warmContact = new WineTasting(WineRating.One, CrushTemperature.Warm, SkinContact.Yes, Bottle: 0, Judge: 3);
        double xb = fit.TempWarm.Estimate + fit.ContactYes.Estimate;

        // An existing judge: at its conditional mode, exactly the runtime's probabilities at η = xβ + b.
        var p = fit.Predict(warmContact);
        var expected = u.CategoryProbabilities(xb + fit.Judge.Effects[3]);
        Assert.Equal(5, p.Count);
        for (int j = 0; j < 5; j++) Assert.Equal(expected[j], p[fit.Categories[j]], 14);
        Assert.Equal(1.0, p.Values.Sum(), 12);
        Assert.Equal(expected[0] + expected[1], p.AtMost(WineRating.Two), 14);
        Assert.Equal(xb + fit.Judge.Effects[3], fit.PredictLink(warmContact), 12);
        Assert.Equal(fit.Categories[Array.IndexOf(expected, expected.Max())], p.MostLikely);
        // The response member is not read when predicting: any value gives the same probabilities.
        Assert.Equal(p.Values, fit.Predict(warmContact with { Rating = (WineRating)42 }).Values);

        // A new judge: an error naming the classification, unless allowed; then the judge effect is integrated out, which
        // is the runtime's population-averaged prediction for a new cluster.
        var newJudge = warmContact with { Judge = 99 };
        var error = Assert.Throws<ModelDesignException>(() => fit.Predict(newJudge));
        Assert.Contains("'Judge' cluster '99'", error.Message, StringComparison.Ordinal);
        var integrated = fit.Predict(newJudge, allowNewLevels: true);
        var runtime = u.PredictNewCluster([1.0, 1.0]);
        for (int j = 0; j < 5; j++) Assert.Equal(runtime[j], integrated[fit.Categories[j]], 13);
        // Population averaged: the same for every judge, fitted or not.
        var averaged = fit.PredictPopulationAveraged(warmContact);
        for (int j = 0; j < 5; j++) Assert.Equal(runtime[j], averaged[fit.Categories[j]], 13);
        // A typical judge (b = 0) is sharper than the average over judges: the extreme categories are less likely.
        var typical = fit.PredictFixed(warmContact with { Judge = 99 });
        var atZero = u.CategoryProbabilities(xb);
        for (int j = 0; j < 5; j++) Assert.Equal(atZero[j], typical[fit.Categories[j]], 14);
        Assert.True(typical[WineRating.One] < averaged[WineRating.One] && typical[WineRating.Five] < averaged[WineRating.Five]);

        // Many records in one pass, in order.
        var many = fit.Predict(Wine.Take(8)).ToArray();
        Assert.Equal(8, many.Length);
        for (int i = 0; i < 8; i++)
        {
            var fitted = u.FittedProbabilities(i);
            for (int j = 0; j < 5; j++) Assert.Equal(fitted[j], many[i][fit.Categories[j]], 12);
        }
    }

    [Fact]
    public void New_judges_with_random_slopes_integrate_over_their_effects_variance()
    {
        var fit = WineSlopeModel.Fit(Wine);
        var sigma = fit.Judge.Term.Covariance;
        Assert.Equal(2, sigma.GetLength(0));
        Assert.Equal(fit.Judge.InterceptVariance, sigma[0, 0]);
        foreach (var temp in new[] { CrushTemperature.Cold, CrushTemperature.Warm })
        {
            var record = new WineTasting(WineRating.One, temp, SkinContact.Yes, Bottle: 0, Judge: 42);
            double eta = fit.ContactYes.Estimate + (temp == CrushTemperature.Warm ? fit.TempWarm.Estimate : 0);
            double z1 = temp == CrushTemperature.Warm ? 1 : 0;
            double variance = sigma[0, 0] + 2 * z1 * sigma[0, 1] + z1 * z1 * sigma[1, 1];
            // ∫ P(Y = j | η + e) N(e; 0, z'Σz) de by the trapezoid rule on ±12 SD, 20,001 points, cumulative logit.
            double sd = Math.Sqrt(variance);
            var tau = fit.Underlying.Thresholds.Select(t => t.Estimate).ToArray();
            var integral = new double[5];
            const int points = 20_001;
            double h = 24 * sd / (points - 1);
            for (int k = 0; k < points; k++)
            {
                double e = -12 * sd + k * h;
                double w = (k == 0 || k == points - 1 ? 0.5 : 1) * h * Math.Exp(-0.5 * e * e / variance) / (sd * Math.Sqrt(2 * Math.PI));
                double below = 0;
                for (int j = 0; j < 5; j++)
                {
                    double cumulative = j < 4 ? 1 / (1 + Math.Exp(-(tau[j] - eta - e))) : 1;
                    integral[j] += w * (cumulative - below);
                    below = cumulative;
                }
            }
            var predicted = fit.Predict(record, allowNewLevels: true);
            var averaged = fit.PredictPopulationAveraged(record with { Judge = 1 });
            for (int j = 0; j < 5; j++)
            {
                Assert.True(Math.Abs(integral[j] - predicted[fit.Categories[j]]) < 1e-9, $"{temp}, category {j}: {predicted[fit.Categories[j]]:R} vs integral {integral[j]:R}");
                Assert.Equal(predicted[fit.Categories[j]], averaged[fit.Categories[j]], 14);
            }
        }
        // A fitted judge: at its two conditional modes.
        var known = new WineTasting(WineRating.One, CrushTemperature.Warm, SkinContact.No, Bottle: 0, Judge: 5);
        var modes = fit.Judge.Effects[5];
        var expected = fit.Underlying.CategoryProbabilities(fit.TempWarm.Estimate + modes.Intercept + modes.TempWarm);
        var p = fit.Predict(known);
        for (int j = 0; j < 5; j++) Assert.Equal(expected[j], p[fit.Categories[j]], 14);
    }

    [Fact]
    public void Likelihood_ratio_test_of_contact_between_two_generated_fits()
    {
        var full = WineModel.Fit(Wine).Underlying;
        var temperatureOnly = WineTemperatureModel.Fit(Wine).Underlying;
        var lrt = OrdinalLikelihoodRatioTest.Compare(temperatureOnly, full);
        Assert.Equal(1, lrt.DegreesOfFreedom);
        Assert.Equal(2 * (full.LogLikelihood - temperatureOnly.LogLikelihood), lrt.ChiSquare, 12);
        Assert.True(lrt.PValue < 1e-3, $"contact matters in the wine data (p = {lrt.PValue:E2})");
    }

    [Fact]
    public void Undefined_response_value_names_the_member_and_row()
    {
        var rows = Wine.ToArray();
        rows[3] = rows[3] with { Rating = (WineRating)7 };
        var e = Assert.Throws<ModelDesignException>(() => WineModel.BuildDesign(rows));
        Assert.Contains("'Rating' has the value 7 at row 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("One, Two, Three, Four, Five", e.Message, StringComparison.Ordinal);
        Assert.Equal("Rating", e.Member);
        Assert.Equal(3, e.Row);
    }

    [Fact]
    public void Empty_category_is_a_clear_error_naming_it()
    {
        var withoutFive = Wine.Where(r => r.Rating != WineRating.Five).ToArray();
        var e = Assert.Throws<ModelDesignException>(() => WineModel.Fit(withoutFive));
        Assert.Contains("Category 'Five' of response 'Rating' has no rows", e.Message, StringComparison.Ordinal);
    }
}
