using System.Globalization;
using TypedMixed.Presentation;
using TypedMixed.Tests.Glmm;
using TypedMixed.Tests.Reference;

namespace TypedMixed.Tests.Inference;

/// <summary>
/// <see cref="ModelComparison"/> against lme4's <c>anova</c> (tests/Data/anova/exam_anova.csv, written by
/// tests/Data/r/anova.R; provenance on its first line): REML fits refitted by ML, sorting, REML comparisons without
/// refit, glmer fits; and the refusals that keep a wrong p-value from being printed.
/// </summary>
public class ModelComparisonTests
{
    private sealed record AnovaLine(string Model, int Npar, double Aic, double Bic, double LogLik, double Deviance, double Chisq, int? Df, double P);

    private static AnovaLine[] Reference(string set)
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Data", "anova", "exam_anova.csv"));
        Assert.StartsWith("# computed with R", lines[0]);
        static double D(string s) => s == "NA" ? double.NaN : double.Parse(s, CultureInfo.InvariantCulture);
        return lines.Skip(2).Select(l => l.Split(',')).Where(c => c[0] == set)
            .Select(c => new AnovaLine(c[1], int.Parse(c[2], CultureInfo.InvariantCulture), D(c[3]), D(c[4]), D(c[5]), D(c[6]), D(c[7]),
                c[8] == "NA" ? null : int.Parse(c[8], CultureInfo.InvariantCulture), D(c[9])))
            .ToArray();
    }

    private static ModelDesign Exam(string model) => ReferenceData.ForFit(model);

    private static ComparedModel Reml(string name, string design)
    {
        var d = Exam(design);
        return new ComparedModel(name, LinearMixedModel.Fit(d), d);
    }

    private static void AssertMatches(AnovaLine[] expected, ModelComparisonResult actual, double chiTolerance = 1e-5, double likTolerance = 1e-8)
    {
        Assert.Equal(expected.Select(e => e.Model), actual.Rows.Select(r => r.Name));
        for (int i = 0; i < expected.Length; i++)
        {
            var (e, a) = (expected[i], actual.Rows[i]);
            Assert.Equal(e.Npar, a.ParameterCount);
            ReferenceData.AssertRelative(e.LogLik, a.LogLikelihood, likTolerance, $"{e.Model} logLik");
            ReferenceData.AssertRelative(e.Deviance, a.Deviance, likTolerance, $"{e.Model} deviance");
            ReferenceData.AssertRelative(e.Aic, a.Aic, likTolerance, $"{e.Model} AIC");
            ReferenceData.AssertRelative(e.Bic, a.Bic, likTolerance, $"{e.Model} BIC");
            Assert.Equal(e.Df, a.DegreesOfFreedom);
            if (e.Df is null) { Assert.True(double.IsNaN(a.ChiSquare)); Assert.True(double.IsNaN(a.PValue)); continue; }
            ReferenceData.AssertRelative(e.Chisq, a.ChiSquare, chiTolerance, $"{e.Model} Chisq");
            if (e.P == 0) Assert.True(a.PValue < 1e-300, $"{e.Model} p {a.PValue} (R underflows to 0)");
            else ReferenceData.AssertRelative(e.P, a.PValue, 20 * chiTolerance, $"{e.Model} p");
        }
    }

    [Fact]
    public void Exam_models_2_and_3_fitted_by_REML_reproduce_lme4_anova_by_refitting_with_ML()
    {
        var result = ModelComparison.Compare(Reml("m3", "exam_m3_ML"), Reml("m2", "exam_m2_ML"));
        AssertMatches(Reference("m2_m3"), result);
        Assert.Equal(EstimationMethod.MaximumLikelihood, result.Method);
        Assert.Equal(["m3", "m2"], result.RefittedByMaximumLikelihood);
        Assert.All(result.Rows, r => Assert.Equal(EstimationMethod.MaximumLikelihood, ((LinearMixedModelFit)r.Fit).Method));
        Assert.True(double.IsNaN(result["m3"].BoundaryPValue)); // fixed effects added: no boundary
    }

    [Fact]
    public void Three_models_are_sorted_by_number_of_parameters_and_tested_pairwise()
    {
        var result = ModelComparison.Compare(Reml("m3", "exam_m3_ML"), Reml("m1", "exam_m1_ML"), Reml("m2", "exam_m2_ML"));
        AssertMatches(Reference("m3_m1_m2"), result);
    }

    [Fact]
    public void REML_fits_with_the_same_fixed_effects_compare_without_refit_as_lme4_refit_false()
    {
        var m2 = Exam("exam_m2_ML");
        var slope = Exam("exam_m2_randslope_ML");
        var result = ModelComparison.Compare(new ModelComparisonOptions { Refit = false },
            new ComparedModel("m2", LinearMixedModel.Fit(m2)), new ComparedModel("m2s", LinearMixedModel.Fit(slope)));
        AssertMatches(Reference("m2_m2s_refit_false"), result, chiTolerance: 1e-4, likTolerance: 1e-7);
        Assert.Equal(EstimationMethod.Reml, result.Method);
        Assert.Empty(result.RefittedByMaximumLikelihood);
        Assert.True(double.IsNaN(result["m2s"].BoundaryPValue)); // a variance and a covariance added: not the one-variance case
    }

    [Fact]
    public void Generalized_fits_reproduce_lme4_anova_of_glmer_fits()
    {
        var design = CbppReferenceTests.Design();
        var reduced = new ModelDesign
        {
            ResponseName = design.ResponseName, Response = design.Response, Trials = design.Trials, Family = ResponseFamily.Binomial,
            Terms = design.Terms, FixedEffects = Enumerable.Repeat(1.0, design.Rows).ToArray(), FixedEffectNames = ["(Intercept)"],
        };
        var result = ModelComparison.Compare(
            new ComparedModel("g1", GeneralizedLinearMixedModel.Fit(design)), new ComparedModel("g0", GeneralizedLinearMixedModel.Fit(reduced)));
        // glmer stops its inner iterations earlier than we do (see CbppReferenceTests): log-likelihoods agree to ~1e-6.
        AssertMatches(Reference("cbpp_g1_g0"), result, chiTolerance: 1e-3, likTolerance: 1e-5);
        var pair = GeneralizedLikelihoodRatioTest.Compare(result.Rows[0].Fit as GeneralizedLinearMixedModelFit ?? throw new InvalidOperationException(),
            (GeneralizedLinearMixedModelFit)result.Rows[1].Fit);
        Assert.Equal(pair.PValue, result.Rows[1].PValue);
    }

    [Fact]
    public void REML_fits_without_a_design_are_refused_with_the_reason()
    {
        var m2 = new ComparedModel("m2", LinearMixedModel.Fit(Exam("exam_m2_ML")));
        var m3 = new ComparedModel("m3", LinearMixedModel.Fit(Exam("exam_m3_ML")));
        var ex = Assert.Throws<InvalidOperationException>(() => ModelComparison.Compare(m2, m3));
        Assert.Contains("'m2', 'm3' are REML fits", ex.Message);
        Assert.Contains("design", ex.Message);
        // Refit = false cannot rescue them: their fixed effects differ.
        var ex2 = Assert.Throws<ArgumentException>(() => ModelComparison.Compare(new ModelComparisonOptions { Refit = false }, m2, m3));
        Assert.Contains("different fixed effects", ex2.Message);
    }

    [Fact]
    public void Mixed_REML_and_ML_fits_without_refit_and_linear_with_generalized_fits_are_refused()
    {
        var d = Exam("exam_m2_ML");
        var reml = new ComparedModel("reml", LinearMixedModel.Fit(d));
        var ml = new ComparedModel("ml", LinearMixedModel.Fit(Exam("exam_m3_ML"), FitOptions.MaximumLikelihood));
        Assert.Contains("REML and ML likelihoods are not comparable",
            Assert.Throws<ArgumentException>(() => ModelComparison.Compare(new ModelComparisonOptions { Refit = false }, reml, ml)).Message);
        var glmm = new ComparedModel("g", GeneralizedLinearMixedModel.Fit(CbppReferenceTests.Design()));
        Assert.Throws<ArgumentException>(() => ModelComparison.Compare(ml, glmm));
        Assert.Throws<ArgumentException>(() => ModelComparison.Compare(ml));
    }

    [Fact]
    public void Fits_to_different_responses_of_the_same_length_are_refused()
    {
        var d = Exam("exam_m2_ML");
        var shifted = new ModelDesign
        {
            ResponseName = d.ResponseName, Response = d.Response.Select((y, i) => i == 17 ? y + 1 : y).ToArray(),
            FixedEffects = d.FixedEffects, FixedEffectNames = d.FixedEffectNames, Terms = d.Terms,
        };
        var ex = Assert.Throws<ArgumentException>(() => ModelComparison.Compare(
            new ComparedModel("a", LinearMixedModel.Fit(d, FitOptions.MaximumLikelihood)), new ComparedModel("b", LinearMixedModel.Fit(shifted, FitOptions.MaximumLikelihood))));
        Assert.Contains("row 17", ex.Message);
    }

    [Fact]
    public void A_design_that_is_not_the_fitted_model_is_refused()
    {
        var m2 = LinearMixedModel.Fit(Exam("exam_m2_ML"));
        var wrong = new ComparedModel("m2", m2, Exam("exam_m3_ML"));
        var ex = Assert.Throws<InvalidOperationException>(() => ModelComparison.Compare(wrong, Reml("m3", "exam_m3_ML")));
        Assert.Contains("not the same model", ex.Message);
    }

    [Fact]
    public void Pair_test_of_REML_fits_with_different_fixed_effects_refuses_instead_of_a_wrong_p()
    {
        var m2 = LinearMixedModel.Fit(Exam("exam_m2_ML"));
        var m3 = LinearMixedModel.Fit(Exam("exam_m3_ML"));
        var ex = Assert.Throws<ArgumentException>(() => LikelihoodRatioTest.Compare(m2, m3));
        Assert.Contains("maximum likelihood", ex.Message);
    }

    [Fact]
    public void One_added_variance_gets_the_boundary_corrected_p_value()
    {
        var t = ReferenceData.ReadCsv("Penicillin.csv");
        var y = ReferenceData.Numbers(t["diameter"]);
        var plate = ReferenceData.Design("diameter", y, [], ReferenceData.Term("plate", t["plate"]));
        var both = ReferenceData.Design("diameter", y, [], ReferenceData.Term("plate", t["plate"]), ReferenceData.Term("sample", t["sample"]));
        var result = ModelComparison.Compare(new ComparedModel("plate", LinearMixedModel.Fit(plate), plate), new ComparedModel("both", LinearMixedModel.Fit(both), both));
        var row = result["both"];
        Assert.Equal(1, row.DegreesOfFreedom);
        Assert.Equal(Distributions.ChiSquareUpperTail(row.ChiSquare, 1), row.PValue);
        Assert.Equal(row.PValue / 2, row.BoundaryPValue);
        Assert.Contains("Pr(boundary)", result.ToString());
        Assert.Contains("½χ²₀ + ½χ²₁", result.ToString());
    }

    [Fact]
    public void Models_not_nested_by_term_names_get_no_p_value()
    {
        var t = ReferenceData.ReadCsv("Exam.csv");
        var y = ReferenceData.Numbers(t["normexam"]);
        var girl = t["sex"].Select(s => s == "F" ? 1.0 : 0).ToArray();
        var boysch = t["schgend"].Select(s => s == "boys" ? 1.0 : 0).ToArray();
        var other = ReferenceData.Design("normexam", y, [("girl", girl), ("boysch", boysch)], ReferenceData.Term("school", t["school"]));
        var result = ModelComparison.Compare(new ComparedModel("lrt", LinearMixedModel.Fit(Exam("exam_m2_ML"), FitOptions.MaximumLikelihood)),
            new ComparedModel("sex", LinearMixedModel.Fit(other, FitOptions.MaximumLikelihood)));
        var row = result["sex"];
        Assert.Equal(1, row.DegreesOfFreedom);
        Assert.True(double.IsNaN(row.PValue));
        Assert.Contains("not nested", row.Note);
        Assert.Contains("sex: not nested", result.ToString());
    }

    [Fact]
    public void Printed_table_has_lme4s_columns_and_values()
    {
        var result = ModelComparison.Compare(Reml("m2", "exam_m2_ML"), Reml("m3", "exam_m3_ML"));
        var text = result.ToString();
        var lines = text.Split('\n');
        Assert.Equal("Models (refitted by ML instead of REML: m2, m3), 4059 observations:", lines[0]);
        Assert.Equal("m2: normexam ~ standLRT + (1 | school)", lines[1]);
        Assert.Equal("m3: normexam ~ standLRT + girl + boysch + girlsch + (1 | school)", lines[2]);
        Assert.Equal(["npar", "AIC", "BIC", "logLik", "deviance", "Chisq", "Df", "Pr(>Chisq)"], lines[3].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        // The cells are R's numbers at lme4's printed precision (5 significant digits, p to 3).
        var r3 = Reference("m2_m3")[1];
        Assert.Equal(["m3", "7", NumberText.Sig(r3.Aic, 5), NumberText.Sig(r3.Bic, 5), NumberText.Sig(r3.LogLik, 5), NumberText.Sig(r3.Deviance, 5),
                      NumberText.Sig(r3.Chisq, 5), "3", ModelComparisonText.PValue(r3.P)], lines[5].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("m3 7 9339.4 9383.6 -4662.7 9325.4 31.816 3 5.723e-07", string.Join(' ', lines[5].Split(' ', StringSplitOptions.RemoveEmptyEntries)));

        var md = result.ToMarkdown();
        Assert.Contains("- m3: `normexam ~ standLRT + girl + boysch + girlsch + (1 | school)`", md);
        Assert.Contains("|  | npar | AIC | BIC | logLik | deviance | Chisq | Df | Pr(\\>Chisq) |", md);
        Assert.Contains("| m3 | 7 | 9339.4 | 9383.6 | -4662.7 | 9325.4 | 31.816 | 3 | 5.723e-07 |", md);
        Assert.Throws<KeyNotFoundException>(() => result["m9"]);
    }
}
