using TypedMixed.DataFrames;
using TypedMixed.Tests.Reference;

namespace TypedMixed.Tests.Presentation;

/// <summary>The optional TypedMixed.DataFrame tables carry the fit's numbers cell for cell.</summary>
public class DataFrameTests
{
    private static readonly Lazy<LinearMixedModelFit> Sleep = new(() => LinearMixedModel.Fit(ReferenceData.ForFit("sleepstudy_REML")));

    [Fact]
    public void Coefficients_table_has_one_row_per_fixed_effect_with_Wald_and_Satterthwaite_columns()
    {
        var fit = Sleep.Value;
        var df = fit.CoefficientsToDataFrame();
        Assert.Equal(["term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high", "df", "p_value_satterthwaite"],
            df.Columns.Select(c => c.Name));
        Assert.Equal(fit.FixedEffects.Count, df.Rows.Count);
        for (int i = 0; i < fit.FixedEffects.Count; i++)
        {
            var e = fit.FixedEffects[i];
            Assert.Equal(e.Name, df["term"][i]);
            Assert.Equal(e.Estimate, (double)df["estimate"][i]!);
            Assert.Equal(e.StdError, (double)df["std_error"][i]!);
            Assert.Equal(e.PValue, (double)df["p_value"][i]!);
            Assert.Equal(e.Lower95, (double)df["conf_low"][i]!);
            Assert.Equal(e.SatterthwaiteDf, (double)df["df"][i]!);
        }
        // lmerTest's Satterthwaite df for Days in sleepstudy (REML), from the reference fit.
        var reference = ReferenceData.Fit("sleepstudy_REML").GetProperty("satterthwaite").GetProperty("df").Doubles();
        ReferenceData.AssertRelative(reference[1], (double)df["df"][1]!, 1e-3, "Satterthwaite df of Days");
    }

    [Fact]
    public void Random_effects_table_is_long_one_row_per_term_effect_and_level()
    {
        var fit = Sleep.Value;
        var df = fit.RandomEffectsToDataFrame();
        var term = fit.RandomEffects[0];
        Assert.Equal(["grpvar", "term", "grp", "condval", "condsd"], df.Columns.Select(c => c.Name));
        Assert.Equal(term.LevelCount * 2, df.Rows.Count);
        int row = term.LevelCount + 3; // the Days effect of the fourth subject
        Assert.Equal("Subject", df["grpvar"][row]);
        Assert.Equal("Days", df["term"][row]);
        Assert.Equal(term.LevelKeys[3], df["grp"][row]);
        Assert.Equal(term.ConditionalModes[3, 1], (double)df["condval"][row]!);
        Assert.Equal(term.ConditionalStdDev(3, 1), (double)df["condsd"][row]!);
    }

    [Fact]
    public void Variance_components_and_model_comparison_tables()
    {
        var fit = Sleep.Value;
        var vc = fit.VarianceComponentsToDataFrame();
        Assert.Equal(fit.VarianceComponents.Count, vc.Rows.Count);
        Assert.Equal(fit.ResidualVariance, (double)vc["estimate"][vc.Rows.Count - 1]!, 1e-12);
        Assert.Equal("Residual", vc["group"][vc.Rows.Count - 1]);

        var d2 = ReferenceData.ForFit("exam_m2_ML");
        var d3 = ReferenceData.ForFit("exam_m3_ML");
        var comparison = ModelComparison.Compare(new ComparedModel("m2", LinearMixedModel.Fit(d2), d2), new ComparedModel("m3", LinearMixedModel.Fit(d3), d3));
        var table = comparison.ToDataFrame();
        Assert.Equal(["model", "npar", "AIC", "BIC", "logLik", "deviance", "Chisq", "Df", "Pr(>Chisq)", "Pr(boundary)"], table.Columns.Select(c => c.Name));
        Assert.Null(table["Chisq"][0]);
        Assert.Null(table["Df"][0]);
        Assert.Equal("m3", table["model"][1]);
        Assert.Equal(comparison["m3"].ChiSquare, (double)table["Chisq"][1]!);
        Assert.Equal(3, (int)table["Df"][1]!);
        Assert.Equal(comparison["m3"].PValue, (double)table["Pr(>Chisq)"][1]!);
        Assert.Null(table["Pr(boundary)"][1]);
    }
}
