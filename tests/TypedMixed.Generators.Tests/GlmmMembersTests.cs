using TypedMixed.Generators.Tests.Models;

namespace TypedMixed.Generators.Tests;

/// <summary>
/// The GLMM result's derived members on a simulated Poisson model with an exposure offset: the offset enters both
/// predictions, ratios are exp(β), a new site contributes nothing, and prior weights reach the fit.
/// </summary>
public class GlmmMembersTests
{
    /// <summary>25 sites × 16 periods; log rate = 0.3 − 0.4·treated + b_site, b ~ N(0, 0.5²), exposure 0.5–3; seeded.</summary>
    private static readonly Lazy<SiteCount[]> Counts = new(() =>
    {
        var random = new Random(4711);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        int Poisson(double mean)
        {
            // Knuth's product of uniforms (means here are small).
            double limit = Math.Exp(-mean), product = random.NextDouble();
            int k = 0;
            while (product > limit) { product *= random.NextDouble(); k++; }
            return k;
        }
        var rows = new List<SiteCount>();
        for (int site = 0; site < 25; site++)
        {
            double b = 0.5 * Normal();
            for (int period = 0; period < 16; period++)
            {
                double exposure = 0.5 + 2.5 * random.NextDouble();
                bool treated = period % 2 == 0;
                rows.Add(new SiteCount(Poisson(exposure * Math.Exp(0.3 - (treated ? 0.4 : 0) + b)), Math.Log(exposure), treated, "s" + site.ToString("00")));
            }
        }
        return [.. rows];
    });

    private static readonly Lazy<EventRateModel.Result> Fit = new(() => EventRateModel.Fit(Counts.Value));

    [Fact]
    public void Offset_enters_both_predictions_with_coefficient_one()
    {
        var fit = Fit.Value;
        var row = Counts.Value[5];
        var doubled = row with { LogExposure = row.LogExposure + Math.Log(2) };
        Assert.Equal(fit.PredictLink(row) + Math.Log(2), fit.PredictLink(doubled), 12);
        Assert.Equal(2 * fit.Predict(row), fit.Predict(doubled), 10);
        Assert.Equal(fit.PredictFixedLink(row) + Math.Log(2), fit.PredictFixedLink(doubled), 12);
        Assert.Equal(fit.Underlying.LinearPredictor[5], fit.PredictLink(row), 10);
        Assert.Equal(Math.Exp(fit.PredictLink(row)), fit.Predict(row), 12);
    }

    [Fact]
    public void New_site_gets_the_population_prediction_and_PredictFixed_reads_no_classification()
    {
        var fit = Fit.Value;
        var row = Counts.Value[0] with { Site = "elsewhere" };
        Assert.Equal(fit.PredictFixedLink(row), fit.PredictLink(row, allowNewLevels: true), 14);
        Assert.Equal(fit.PredictFixed(row), fit.Predict(row, allowNewLevels: true), 14);
        var error = Assert.Throws<ModelDesignException>(() => fit.Predict(row));
        Assert.Contains("'Site' cluster 'elsewhere', which is not in the fitted data (25 levels: s00, s01, s02, s03, s04, …)", error.Message, StringComparison.Ordinal);
        var batch = fit.Predict(Counts.Value);
        Assert.Equal(Counts.Value.Length, batch.Length);
        Assert.Equal(fit.Predict(Counts.Value[5]), batch[5], 12);
        Assert.Equal(fit.Underlying.InverseLink(fit.Underlying.LinearPredictor[5]), batch[5], 10);
        Assert.Equal(fit.PredictFixedLink(Counts.Value[5]), fit.PredictFixedLink(Counts.Value)[5], 12);
        var noSite = row with { Site = null!, Events = -1 };
        Assert.Equal(fit.PredictFixed(row), fit.PredictFixed(noSite));
        Assert.Throws<ModelDesignException>(() => fit.PredictLink(noSite));
        Assert.Throws<ModelDesignException>(() => fit.PredictFixed(row with { LogExposure = null }));
        var batchError = Assert.Throws<ModelDesignException>(() => fit.PredictFixed(new[] { Counts.Value[0], Counts.Value[1] with { LogExposure = null } }));
        Assert.StartsWith("1 of the 2 records have a null in a fixed-effect covariate or the offset, so they cannot be predicted", batchError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rate_ratio_is_exp_beta_and_sites_are_keyed_by_name()
    {
        var fit = Fit.Value;
        Assert.Equal(Math.Exp(fit.TreatedTRUE.Estimate), fit.TreatedTRUERateRatio.Ratio, 15);
        Assert.True(fit.TreatedTRUERateRatio.Lower95 < fit.TreatedTRUERateRatio.Ratio && fit.TreatedTRUERateRatio.Ratio < fit.TreatedTRUERateRatio.Upper95);
        Assert.True(Math.Abs(fit.TreatedTRUE.Estimate - -0.4) < 3 * fit.TreatedTRUE.StdError, $"Treated {fit.TreatedTRUE.Estimate} ± {fit.TreatedTRUE.StdError}");
        Assert.Equal(25, fit.Site.Effects.Count);
        Assert.Equal("s00", fit.Site.Levels[0]);
        Assert.Equal(fit.Site.Term.ConditionalModes[3, 0], fit.Site.Effects["s03"]);
        Assert.Equal(fit.Site.Term.ConditionalStdDev(3), fit.Site.ConditionalStdDev("s03"));
        Assert.All(fit.Site.Sizes.Values, size => Assert.Equal(16, size));
    }

    [Fact]
    public void Prior_weight_two_fits_as_the_row_twice()
    {
        var rows = Counts.Value;
        var weighted = WeightedEventRateModel.Fit(rows.Select(r => new WeightedSiteCount(r.Events, r.LogExposure, r.Treated, 2.0, r.Site)));
        var twice = WeightedEventRateModel.Fit(rows.Concat(rows).Select(r => new WeightedSiteCount(r.Events, r.LogExposure, r.Treated, 1.0, r.Site)));
        Assert.Equal(2.0, weighted.Design.Weights![0]);
        Assert.Equal(twice.Underlying.LogLikelihood, weighted.Underlying.LogLikelihood, 6);
        for (int c = 0; c < 2; c++)
            Assert.Equal(twice.Underlying.FixedEffects[c].Estimate, weighted.Underlying.FixedEffects[c].Estimate, 5);
        Assert.Equal(twice.Site.Variance, weighted.Site.Variance, 5);
        // And weight 2 is not weight 1: the likelihood doubles its data.
        Assert.NotEqual(Fit.Value.Underlying.LogLikelihood, weighted.Underlying.LogLikelihood, 3);
    }

    [Fact]
    public void Negative_weight_names_member_and_row()
    {
        var rows = new[] { new WeightedSiteCount(1, 0.0, true, 1.0, "a"), new WeightedSiteCount(1, 0.0, false, -0.5, "b") };
        var e = Assert.Throws<ModelDesignException>(() => WeightedEventRateModel.BuildDesign(rows));
        Assert.Equal("Weight", e.Member);
        Assert.Equal(1, e.Row);
    }
}
