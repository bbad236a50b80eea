using System.Text.Json;
using TypedMixed.Presentation;
using TypedMixed.Tests.Reference;

namespace TypedMixed.Tests.Presentation;

/// <summary>The JSON rendering parses, has the reference layout, and its numbers equal the fit's exactly.</summary>
public class FitJsonTests
{
    private static readonly Dictionary<string, LinearMixedModelFit> Fits = [];

    internal static LinearMixedModelFit FitOf(string name)
    {
        lock (Fits)
        {
            if (!Fits.TryGetValue(name, out var fit))
            {
                var method = name.EndsWith("_REML", StringComparison.Ordinal) ? EstimationMethod.Reml : EstimationMethod.MaximumLikelihood;
                fit = LinearMixedModel.Fit(ReferenceData.ForFit(name), new FitOptions { Method = method });
                Fits[name] = fit;
            }
            return fit;
        }
    }

    private static double[] Doubles(JsonElement e) => e.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? double.NaN : v.GetDouble()).ToArray();

    [Theory]
    [InlineData("sleepstudy_ML")]
    [InlineData("sleepstudy_REML")]
    [InlineData("sleepstudy_uncorr_REML")]
    [InlineData("pastes_REML")]
    [InlineData("dyestuff2_ML")]
    public void Round_trip_numbers_equal_the_fit(string name)
    {
        var fit = FitOf(name);
        using var doc = JsonDocument.Parse(FitJson.Serialize(fit, new FitReportOptions { Formula = "y ~ x" }));
        var o = doc.RootElement;
        Assert.Equal("y ~ x", o.GetProperty("formula").GetString());
        Assert.Equal(fit.Method == EstimationMethod.Reml ? "REML" : "ML", o.GetProperty("method").GetString());
        Assert.Equal(fit.ObservationCount, o.GetProperty("nobs").GetInt32());

        var fe = o.GetProperty("fixed_effects");
        Assert.Equal(fit.FixedEffects.Select(f => f.Name), fe.GetProperty("names").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(fit.FixedEffects.Select(f => f.Estimate), Doubles(fe.GetProperty("estimate")));
        Assert.Equal(fit.FixedEffects.Select(f => f.StdError), Doubles(fe.GetProperty("std_error")));
        var vcov = fe.GetProperty("vcov").EnumerateArray().Select(Doubles).ToArray();
        for (int i = 0; i < vcov.Length; i++)
            for (int j = 0; j < vcov.Length; j++)
                Assert.Equal(fit.FixedEffectsCovariance[i, j], vcov[i][j]);

        var vc = o.GetProperty("variance_components").EnumerateArray().ToList();
        var ses = Doubles(o.GetProperty("variance_components_std_error"));
        Assert.Equal(vc.Count, ses.Length);
        foreach (var (row, se) in vc.Zip(ses))
        {
            var match = fit.VarianceComponents.Single(v =>
                v.Var1 == row.GetProperty("var1").GetString() && v.Var2 == row.GetProperty("var2").GetString()
                && (v.Kind == VarianceComponentKind.ResidualVariance) == (row.GetProperty("kind").GetString() == "residual_variance")
                && v.Estimate == row.GetProperty("vcov").GetDouble());
            Assert.Equal(match.SdCor, row.GetProperty("sdcor").GetDouble());
            Assert.Equal(match.StdError, se);
        }
        Assert.Equal("Residual", vc[^1].GetProperty("group").GetString());
        Assert.Equal(fit.Sigma, o.GetProperty("sigma").GetDouble());
        Assert.Equal(fit.Theta, Doubles(o.GetProperty("theta").GetProperty("values")));
        Assert.Equal(fit.ThetaNames, o.GetProperty("theta").GetProperty("names").EnumerateArray().Select(e => e.GetString()!));
        var lower = o.GetProperty("theta").GetProperty("lower").EnumerateArray().ToList();
        for (int i = 0; i < lower.Count; i++)
        {
            if (double.IsNegativeInfinity(fit.ThetaLowerBounds[i])) Assert.Equal(JsonValueKind.Null, lower[i].ValueKind);
            else Assert.Equal(fit.ThetaLowerBounds[i], lower[i].GetDouble());
        }
        Assert.Equal(fit.LogLikelihood, o.GetProperty("logLik").GetDouble());
        Assert.Equal(fit.Aic, o.GetProperty("AIC").GetDouble());
        Assert.Equal(fit.Bic, o.GetProperty("BIC").GetDouble());
        Assert.Equal(fit.Deviance, o.GetProperty("deviance").GetDouble());
        if (fit.Method == EstimationMethod.Reml) Assert.Equal(fit.RemlCriterion, o.GetProperty("REML_criterion").GetDouble());
        else Assert.False(o.TryGetProperty("REML_criterion", out _));
        Assert.Equal(fit.IsSingular, o.GetProperty("is_singular").GetBoolean());
        Assert.Equal(fit.Optimizer.Evaluations, o.GetProperty("optimizer").GetProperty("feval").GetInt32());
        Assert.Equal(fit.Optimizer.Reason.ToString(), o.GetProperty("optimizer").GetProperty("reason").GetString());
        foreach (var g in o.GetProperty("ngroups").EnumerateObject())
            Assert.Equal(fit.Term(g.Name).LevelCount, g.Value.GetInt32());
        var satt = o.GetProperty("satterthwaite");
        if (fit.FixedEffects.All(f => double.IsNaN(f.SatterthwaiteDf)))
        {
            Assert.Equal(JsonValueKind.Null, satt.ValueKind); // not computed (e.g. at a boundary)
        }
        else
        {
            Assert.Equal(fit.FixedEffects.Select(f => f.SatterthwaiteDf), Doubles(satt.GetProperty("df")));
            Assert.Equal(fit.FixedEffects.Select(f => f.SatterthwaitePValue), Doubles(satt.GetProperty("p_value")));
        }
        Assert.Equal(fit.Warnings.Count, o.GetProperty("warnings").GetArrayLength());
    }

    [Fact]
    public void Uncorrelated_term_is_reported_as_lme4_rows()
    {
        using var doc = JsonDocument.Parse(FitJson.Serialize(FitOf("sleepstudy_uncorr_REML")));
        var rows = doc.RootElement.GetProperty("variance_components").EnumerateArray()
            .Select(e => (e.GetProperty("group").GetString(), e.GetProperty("var1").GetString(), e.GetProperty("kind").GetString())).ToList();
        Assert.Equal([("Subject", "(Intercept)", "variance"), ("Subject.1", "Days", "variance"), ("Residual", null, "residual_variance")], rows);
        Assert.Equal(18, doc.RootElement.GetProperty("ngroups").GetProperty("Subject").GetInt32());
    }

    [Fact]
    public void Icc_for_intercept_only_models_and_null_with_slopes()
    {
        using var pastes = JsonDocument.Parse(FitJson.Serialize(FitOf("pastes_REML")));
        var fit = FitOf("pastes_REML");
        Assert.Equal(fit.IntraclassCorrelation("batch")!.Value, pastes.RootElement.GetProperty("icc").GetProperty("batch").GetDouble());
        using var sleep = JsonDocument.Parse(FitJson.Serialize(FitOf("sleepstudy_ML")));
        Assert.Equal(JsonValueKind.Null, sleep.RootElement.GetProperty("icc").GetProperty("Subject").ValueKind);
    }

    [Fact]
    public void Singular_fit_carries_its_warning()
    {
        var fit = FitOf("dyestuff2_REML");
        Assert.True(fit.IsSingular);
        using var doc = JsonDocument.Parse(FitJson.Serialize(fit));
        Assert.True(doc.RootElement.GetProperty("is_singular").GetBoolean());
        Assert.Equal(fit.Warnings.Select(w => w.Code), doc.RootElement.GetProperty("warnings").EnumerateArray().Select(w => w.GetProperty("code").GetString()!));
    }
}
