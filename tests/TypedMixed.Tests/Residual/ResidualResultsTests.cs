using System.Text.Json;
using TypedMixed.Presentation;
using TypedMixed.Tests.Reference;

namespace TypedMixed.Tests.Residual;

/// <summary>What a fit with residual structures reports: likelihood-ratio test against independence, AIC, summary blocks and JSON fields.</summary>
public class ResidualResultsTests
{
    private static readonly Lazy<LinearMixedModelFit> Ar1 = new(() =>
        LinearMixedModel.Fit(ResidualDesigns.Sleep(slope: false, correlation: ResidualCorrelationStructure.Ar1), FitOptions.MaximumLikelihood));

    private static readonly Lazy<LinearMixedModelFit> VarIdent = new(() => LinearMixedModel.Fit(ResidualDesigns.ExamVarIdent(), FitOptions.MaximumLikelihood));

    /// <summary>
    /// nlme's anova(lme(Reaction ~ Days, random = ~1|Subject, method = "ML"), update(·, correlation = corAR1(form = ~Days|Subject)))
    /// on R 4.2.2, nlme 3.1.162: logLik −897.039321502613 and −872.415044842970, L.Ratio 49.2485533192862, p 2.25499585513366e-12.
    /// </summary>
    [Fact]
    public void Likelihood_ratio_test_against_independent_residuals_matches_nlme_anova()
    {
        var independent = LinearMixedModel.Fit(ResidualDesigns.Sleep(slope: false), FitOptions.MaximumLikelihood);
        ReferenceData.AssertRelative(-897.039321502613, independent.LogLikelihood, 1e-8, "logLik (independent)");
        var test = LikelihoodRatioTest.Compare(independent, Ar1.Value);
        Assert.Equal(1, test.DegreesOfFreedom);
        ReferenceData.AssertRelative(49.2485533192862, test.ChiSquare, 1e-5, "L.Ratio");
        ReferenceData.AssertRelative(2.25499585513366e-12, test.PValue, 1e-3, "p");
        Assert.True(double.IsNaN(test.BoundaryPValue));
        // Either order; the AR(1) fit counts ρ as a parameter (nlme's df 5 against 4).
        Assert.Equal(test.ChiSquare, LikelihoodRatioTest.Compare(Ar1.Value, independent).ChiSquare);
        Assert.Equal(independent.ParameterCount + 1, Ar1.Value.ParameterCount);
        Assert.Equal(Ar1.Value.Aic, -2 * Ar1.Value.LogLikelihood + 2 * 5, 9);
    }

    [Fact]
    public void Summary_prints_nlme_like_correlation_block()
    {
        var text = FitSummary.ToText(Ar1.Value);
        Assert.Contains("Correlation Structure: AR(1)", text);
        Assert.Contains(" Formula: ~Days | Subject", text);
        Assert.Contains("Parameter estimate(s):", text);
        var phiLine = text.Split('\n').First(l => l.TrimStart().StartsWith("Phi", StringComparison.Ordinal));
        Assert.Contains("0.6414", phiLine);
        Assert.Contains("#### Residual structure", FitSummary.ToMarkdown(Ar1.Value));
        var html = FitSummary.ToHtml(Ar1.Value);
        Assert.Contains("<h5>Residual structure</h5>", html);
        Assert.Contains("Correlation Structure: AR(1)", html);
    }

    [Fact]
    public void Summary_prints_nlme_like_variance_function_block()
    {
        var text = FitSummary.ToText(VarIdent.Value);
        Assert.Contains("Variance function:", text);
        Assert.Contains(" Structure: Different standard deviations per stratum", text);
        Assert.Contains(" Formula: ~1 | sex", text);
        var lines = text.Split('\n');
        int header = Array.FindIndex(lines, l => l.Trim() == "F      M" || (l.Contains('F') && l.Contains('M') && l.Trim().Length <= 12));
        Assert.True(header > 0, text);
        Assert.Contains("1.000", lines[header + 1]);
        Assert.Contains("1.051", lines[header + 1]);
        Assert.Contains("Residual variance by stratum: F 0.5396", text);
    }

    [Fact]
    public void Json_has_residual_correlation_and_variance_function_fields()
    {
        var ar1 = JsonDocument.Parse(FitJson.Serialize(Ar1.Value)).RootElement;
        var rc = ar1.GetProperty("residual_correlation");
        Assert.Equal("corAR1", rc.GetProperty("structure").GetString());
        Assert.InRange(rc.GetProperty("parameter").GetDouble() - 0.6414239926238023, -1e-3, 1e-3);
        Assert.Equal(Ar1.Value.ResidualCorrelation!.StdError, rc.GetProperty("std_error").GetDouble());
        Assert.Equal(JsonValueKind.Null, ar1.GetProperty("variance_function").ValueKind);
        Assert.Equal(5, ar1.GetProperty("logLik_df").GetInt32());

        var vi = JsonDocument.Parse(FitJson.Serialize(VarIdent.Value)).RootElement;
        Assert.Equal(JsonValueKind.Null, vi.GetProperty("residual_correlation").ValueKind);
        var vf = vi.GetProperty("variance_function");
        Assert.Equal("varIdent", vf.GetProperty("structure").GetString());
        Assert.InRange(vf.GetProperty("parameters").GetProperty("M").GetDouble() - 1.0512999459414587, -1e-3, 1e-3);
        Assert.True(vf.GetProperty("std_errors").GetProperty("M").GetDouble() > 0);
        var byStratum = vf.GetProperty("residual_variance_by_stratum");
        ReferenceData.AssertRelative(0.5395548540569947, byStratum.GetProperty("F").GetDouble(), 1e-3, "σ²_F");
        ReferenceData.AssertRelative(VarIdent.Value.ResidualVarianceFunction!.VarianceInStratum("M"), byStratum.GetProperty("M").GetDouble(), 1e-12, "σ²_M");
    }

    [Fact]
    public void Variance_at_covariate_values_and_implied_correlation_between_occasions()
    {
        var fit = LinearMixedModel.Fit(ResidualDesigns.Sleep(slope: false, variance: days => new ResidualVarianceFunction { Kind = ResidualVarianceFunctionKind.Exponential, CovariateNames = ["Days"], Covariates = days }), FitOptions.MaximumLikelihood);
        var vf = fit.ResidualVarianceFunction!;
        double delta = vf.Parameter("expon");
        Assert.Equal(fit.ResidualVariance, vf.VarianceAt(0), 12);
        ReferenceData.AssertRelative(fit.ResidualVariance * Math.Exp(2 * delta * 9), vf.VarianceAt(9), 1e-12, "Var at Days 9");
        // AR(1): within a subject the residual part of the correlation decays as ρ^lag; the marginal adds τ².
        var ar1 = Ar1.Value;
        var rows = Enumerable.Range(0, 10).ToArray();
        var v = ar1.MarginalCovariance(rows);
        double tau2 = ar1.RandomEffects[0].Covariance[0, 0], rho = ar1.ResidualCorrelation!.Parameter;
        Assert.Equal(tau2 + ar1.ResidualVariance, v[0, 0], 9);
        Assert.Equal(tau2 + ar1.ResidualVariance * rho * rho * rho, v[2, 5], 9);
        Assert.Equal(Math.Pow(rho, 3), ar1.ResidualCorrelation.Correlation(3), 12);
        Assert.Equal((tau2 + ar1.ResidualVariance * rho) / (tau2 + ar1.ResidualVariance), ar1.MarginalCorrelation(rows)[0, 1], 12);
    }
}

/// <summary>
/// Variance functions that describe the same model must give the same fit: on Exam, varIdent by sex, varExp and
/// log-linear in the 0/1 column sexM are one model (SD ratio M/F = δ = exp(expon) = exp(γ/2)); checked against nlme's
/// varIdent fit (exam_varident_sex_ML.json).
/// </summary>
public class EquivalentVarianceFunctionTests
{
    private static ModelDesign WithVariance(ResidualVarianceFunction v)
    {
        var d = ResidualDesigns.ExamVarIdent();
        return new ModelDesign { ResponseName = d.ResponseName, Response = d.Response, FixedEffects = d.FixedEffects, FixedEffectNames = d.FixedEffectNames, Terms = d.Terms, ResidualVariance = v };
    }

    [Fact]
    public void VarExp_and_log_linear_in_a_dummy_equal_varIdent()
    {
        var d = ResidualDesigns.ExamVarIdent();
        var male = d.ResidualVariance!.StratumIndex!.Select(s => (double)s).ToArray();
        var exp = LinearMixedModel.Fit(WithVariance(new ResidualVarianceFunction { Kind = ResidualVarianceFunctionKind.Exponential, CovariateNames = ["sexM"], Covariates = male }), FitOptions.MaximumLikelihood);
        var loglin = LinearMixedModel.Fit(WithVariance(new ResidualVarianceFunction { Kind = ResidualVarianceFunctionKind.LogLinear, CovariateNames = ["sexM"], Covariates = male }), FitOptions.MaximumLikelihood);
        const double nlmeLogLik = -4662.595196856757, nlmeRatio = 1.0512999459414587;
        ReferenceData.AssertRelative(nlmeLogLik, exp.LogLikelihood, 1e-6, "varExp logLik");
        ReferenceData.AssertRelative(nlmeLogLik, loglin.LogLikelihood, 1e-6, "log-linear logLik");
        Assert.InRange(Math.Exp(exp.ResidualVarianceFunction!.Parameter("expon")) - nlmeRatio, -1e-3, 1e-3);
        Assert.InRange(Math.Exp(loglin.ResidualVarianceFunction!.Parameter("sexM") / 2) - nlmeRatio, -1e-3, 1e-3);
        // γ₀ = log σ² (the female variance).
        Assert.Equal(Math.Log(loglin.ResidualVariance), loglin.ResidualVarianceFunction.Parameter("(Intercept)"), 12);
        ReferenceData.AssertRelative(0.5395548540569947, loglin.ResidualVarianceFunction.VarianceAt(0), 1e-3, "σ²_F");
        ReferenceData.AssertRelative(0.5395548540569947 * nlmeRatio * nlmeRatio, loglin.ResidualVarianceFunction.VarianceAt(1), 2e-3, "σ²_M");
        // The three parametrisations have equal information: SE(log δ) = SE(expon) = SE(γ)/2.
        Assert.Equal(exp.ResidualVarianceFunction.StdErrors[0], loglin.ResidualVarianceFunction.StdErrors[1] / 2, 3);
    }

    [Fact]
    public void Quadratic_in_a_continuous_covariate_reports_MLwiN_parameters()
    {
        var t = ReferenceData.ReadCsv("Exam.csv");
        var lrt = ReferenceData.Numbers(t["standLRT"]);
        var fit = LinearMixedModel.Fit(WithVariance(new ResidualVarianceFunction { Kind = ResidualVarianceFunctionKind.Quadratic, CovariateNames = ["standLRT"], Covariates = lrt }), FitOptions.MaximumLikelihood);
        var vf = fit.ResidualVarianceFunction!;
        Assert.Equal(["sigma2_e0", "sigma_e0_standLRT", "sigma2_e_standLRT"], vf.ParameterNames);
        Assert.Equal(fit.ResidualVariance, vf.Parameter("sigma2_e0"), 12);
        // Var(x) = σ²ₑ₀ + 2σₑ₀ₕx + σ²ₑₕx², positive at every row, and the fit is no worse than with a constant variance.
        foreach (double x in new[] { -3.0, 0.0, 3.0 })
            Assert.Equal(vf.Parameter("sigma2_e0") + 2 * vf.Parameter("sigma_e0_standLRT") * x + vf.Parameter("sigma2_e_standLRT") * x * x, vf.VarianceAt(x), 10);
        Assert.True(lrt.All(x => vf.VarianceAt(x) > 0));
        var constant = LinearMixedModel.Fit(ReferenceData.Design("normexam", ResidualDesigns.ExamVarIdent().Response,
            [("standLRT", lrt), ("sexM", t["sex"].Select(s => s == "M" ? 1.0 : 0).ToArray())], ReferenceData.Term("school", t["school"])), FitOptions.MaximumLikelihood);
        Assert.True(fit.LogLikelihood >= constant.LogLikelihood);
        Assert.Equal(constant.ParameterCount + 2, fit.ParameterCount);
        Assert.All(vf.StdErrors, se => Assert.True(se > 0));
    }
}
