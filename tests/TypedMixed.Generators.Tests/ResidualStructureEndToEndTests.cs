using TypedMixed.Generators.Tests.Infrastructure;
using TypedMixed.Generators.Tests.Models;

namespace TypedMixed.Generators.Tests;

/// <summary>
/// The residual-structure models declared in Models/ResidualStructures.cs, fitted through the generated code and
/// compared with nlme: the log-likelihood and the structures' parameters (φ, the SD ratio) from the fit's results.
/// </summary>
/// <remarks>
/// Reference numbers from tests/Data/reference/fits (nlme 3.1.162, R 4.2.2):
/// sleepstudy_nlme_ri_ar1_ML.json — lme(Reaction ~ Days, random = ~1|Subject, correlation = corAR1(form = ~Days|Subject),
/// method = 'ML'): logLik −872.4150448429699, Phi 0.6414239926238023;
/// exam_varident_sex_ML.json — lme(normexam ~ standLRT + sex, random = ~1|school, weights = varIdent(form = ~1|sex),
/// method = 'ML'): logLik −4662.595196856757, SD ratio of M to F 1.0512999459414587 (our reference stratum is Boy = M,
/// so our Girl-to-Boy ratio is its reciprocal).
/// </remarks>
public class ResidualStructureEndToEndTests
{
    [Fact]
    public void Sleepstudy_AR1_matches_nlme()
    {
        var visits = Datasets.Sleep.Select(r => new SleepVisit(r.Reaction, (int)r.Days, r.Subject)).ToArray();
        var fit = SleepAr1Model.Fit(visits);
        Assert.Equal(-872.4150448429699, fit.Underlying.LogLikelihood, 1e-4);
        var phi = fit.Underlying.ResidualCorrelation!;
        Assert.Equal(ResidualCorrelationStructure.Ar1, phi.Structure);
        Assert.True(Math.Abs(phi.Parameter / 0.6414239926238023 - 1) < 1e-3, $"phi {phi.Parameter}");
    }

    [Fact]
    public void Sleepstudy_AR1_typed_correlation_is_nlmes_phi()
    {
        var visits = Datasets.Sleep.Select(r => new SleepVisit(r.Reaction, (int)r.Days, r.Subject)).ToArray();
        var rho = SleepAr1Model.Fit(visits).ResidualCorrelation;
        Assert.Equal("Days", rho.TimeName);
        Assert.Equal("Subject", rho.ClusterName);
        Assert.True(Math.Abs(rho.Parameter / 0.6414239926238023 - 1) < 1e-3, $"phi {rho.Parameter}");
        Assert.True(rho.ConfidenceLower < rho.Parameter && rho.Parameter < rho.ConfidenceUpper);
        Assert.Equal(rho.Parameter * rho.Parameter, rho.Correlation(2), 12);
    }

    [Fact]
    public void Exam_varIdent_by_sex_matches_nlme()
    {
        var fit = ExamVarIdentModel.Fit(Datasets.Exam);
        Assert.Equal(-4662.595196856757, fit.Underlying.LogLikelihood, 1e-4);
        var variance = fit.Underlying.ResidualVarianceFunction!;
        Assert.Equal(ResidualVarianceFunctionKind.Ident, variance.Kind);
        // Strata in our order (the reference first): the other stratum's SD over the reference's.
        double ratio = variance.StratumRatios![1];
        Assert.True(Math.Abs(ratio * 1.0512999459414587 - 1) < 1e-3, $"ratio {ratio} ({string.Join(", ", variance.StratumKeys!)})");
    }

    [Fact]
    public void Exam_varIdent_typed_stratum_variances_match_nlme()
    {
        // nlme's residual variance per sex (F: girls, M: boys), σ² δₛ² from exam_varident_sex_ML.json.
        var fit = ExamVarIdentModel.Fit(Datasets.Exam);
        Assert.Same(fit.Underlying.ResidualVarianceFunction, fit.ResidualVarianceFunction);
        double girls = fit.ResidualVarianceIn(Sex.Girl), boys = fit.ResidualVarianceIn(Sex.Boy);
        Assert.True(Math.Abs(girls / 0.5395548540569947 - 1) < 1e-3, $"girls {girls}");
        Assert.True(Math.Abs(boys / 0.5963330618694299 - 1) < 1e-3, $"boys {boys}");
        // Boy is the reference stratum: ratio 1, and its variance is the fit's σ².
        Assert.Equal(1.0, fit.ResidualSdRatio(Sex.Boy));
        Assert.Equal(fit.ResidualVariance, boys, 12);
        Assert.Equal(Math.Sqrt(girls / boys), fit.ResidualSdRatio(Sex.Girl), 10);
        Assert.Throws<ArgumentOutOfRangeException>(() => fit.ResidualVarianceIn((Sex)7));
    }

    private static ExamPupil[] ExamPupils() => Datasets.Exam.Select(p => new ExamPupil(
        p.NormExam, p.StandLrt, p.Sex == Sex.Girl ? "F" : "M", p.Sex == Sex.Girl, p.School)).ToArray();

    [Fact]
    public void Exam_varIdent_by_a_string_stratum_is_keyed_by_the_string_with_nlmes_reference()
    {
        var fit = ExamVarIdentByCodeModel.Fit(ExamPupils());
        Assert.Equal(["F", "M"], fit.ResidualVarianceFunction.StratumKeys!);
        Assert.True(Math.Abs(fit.ResidualVarianceIn("F") / 0.5395548540569947 - 1) < 1e-3, $"F {fit.ResidualVarianceIn("F")}");
        Assert.True(Math.Abs(fit.ResidualVarianceIn("M") / 0.5963330618694299 - 1) < 1e-3, $"M {fit.ResidualVarianceIn("M")}");
        // F is the reference here as in nlme, so the ratio is nlme's varIdent parameter itself.
        Assert.Equal(1.0, fit.ResidualSdRatio("F"));
        Assert.True(Math.Abs(fit.ResidualSdRatio("M") / 1.0512999459414587 - 1) < 1e-3, $"M ratio {fit.ResidualSdRatio("M")}");
        Assert.Throws<KeyNotFoundException>(() => fit.ResidualVarianceIn("X"));
    }

    [Fact]
    public void Exam_varIdent_by_a_bool_stratum_is_keyed_by_the_bool()
    {
        var fit = ExamVarIdentByFlagModel.Fit(ExamPupils());
        Assert.Equal(["FALSE", "TRUE"], fit.ResidualVarianceFunction.StratumKeys!);
        Assert.True(Math.Abs(fit.ResidualVarianceIn(true) / 0.5395548540569947 - 1) < 1e-3, $"girls {fit.ResidualVarianceIn(true)}");
        Assert.True(Math.Abs(fit.ResidualVarianceIn(false) / 0.5963330618694299 - 1) < 1e-3, $"boys {fit.ResidualVarianceIn(false)}");
        Assert.Equal(1.0, fit.ResidualSdRatio(false));
        Assert.True(Math.Abs(fit.ResidualSdRatio(true) * 1.0512999459414587 - 1) < 1e-3, $"girls ratio {fit.ResidualSdRatio(true)}");
    }
}
