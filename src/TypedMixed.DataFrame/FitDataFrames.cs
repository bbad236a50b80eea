using Microsoft.Data.Analysis;

namespace TypedMixed.DataFrames;

/// <summary>
/// A fit's tables as <see cref="DataFrame"/>s, one row per estimate, in the long layouts of R's <c>broom.mixed</c> and
/// <c>as.data.frame(ranef(fit))</c>: coefficients, variance components, conditional modes, and model comparisons.
/// </summary>
public static class FitDataFrames
{
    /// <summary>
    /// Fixed effects: <c>term, estimate, std_error, statistic (z), p_value, conf_low, conf_high</c> (Wald 95 %), and for
    /// linear fits with Satterthwaite degrees of freedom <c>df, p_value_satterthwaite</c>.
    /// </summary>
    public static DataFrame CoefficientsToDataFrame(this MixedModelFit fit)
    {
        ArgumentNullException.ThrowIfNull(fit);
        var f = fit.FixedEffects;
        var columns = new List<DataFrameColumn>
        {
            new StringDataFrameColumn("term", f.Select(e => e.Name)),
            new DoubleDataFrameColumn("estimate", f.Select(e => e.Estimate)),
            new DoubleDataFrameColumn("std_error", f.Select(e => e.StdError)),
            new DoubleDataFrameColumn("statistic", f.Select(e => e.Z)),
            new DoubleDataFrameColumn("p_value", f.Select(e => e.PValue)),
            new DoubleDataFrameColumn("conf_low", f.Select(e => e.Lower95)),
            new DoubleDataFrameColumn("conf_high", f.Select(e => e.Upper95)),
        };
        if (f.Any(e => !double.IsNaN(e.SatterthwaiteDf)))
        {
            columns.Add(new DoubleDataFrameColumn("df", f.Select(e => e.SatterthwaiteDf)));
            columns.Add(new DoubleDataFrameColumn("p_value_satterthwaite", f.Select(e => e.SatterthwaitePValue)));
        }
        return new DataFrame(columns);
    }

    /// <summary>
    /// Variance components: <c>group, var1, var2, kind, estimate, sdcor, std_error</c> (lme4's <c>as.data.frame(VarCorr(fit))</c>
    /// with the standard error of each estimate; var2 empty except for covariances).
    /// </summary>
    public static DataFrame VarianceComponentsToDataFrame(this MixedModelFit fit)
    {
        ArgumentNullException.ThrowIfNull(fit);
        var v = fit.VarianceComponents;
        return new DataFrame(
            new StringDataFrameColumn("group", v.Select(c => c.Group)),
            new StringDataFrameColumn("var1", v.Select(c => c.Var1 ?? "")),
            new StringDataFrameColumn("var2", v.Select(c => c.Var2 ?? "")),
            new StringDataFrameColumn("kind", v.Select(c => c.Kind.ToString())),
            new DoubleDataFrameColumn("estimate", v.Select(c => c.Estimate)),
            new DoubleDataFrameColumn("sdcor", v.Select(c => c.SdCor)),
            new DoubleDataFrameColumn("std_error", v.Select(c => c.StdError)));
    }

    /// <summary>
    /// Conditional modes (predicted random effects), long: <c>grpvar, term, grp, condval, condsd</c>, as R's
    /// <c>as.data.frame(ranef(fit, condVar = TRUE))</c>: one row per term, effect and level.
    /// </summary>
    public static DataFrame RandomEffectsToDataFrame(this MixedModelFit fit)
    {
        ArgumentNullException.ThrowIfNull(fit);
        var grpvar = new List<string>();
        var term = new List<string>();
        var grp = new List<string>();
        var condval = new List<double>();
        var condsd = new List<double>();
        foreach (var t in fit.RandomEffects)
            for (int c = 0; c < t.ColumnNames.Count; c++)
                for (int level = 0; level < t.LevelCount; level++)
                {
                    grpvar.Add(t.Name);
                    term.Add(t.ColumnNames[c]);
                    grp.Add(t.LevelKeys[level]);
                    condval.Add(t.ConditionalModes[level, c]);
                    condsd.Add(t.ConditionalStdDev(level, c));
                }
        return new DataFrame(
            new StringDataFrameColumn("grpvar", grpvar), new StringDataFrameColumn("term", term), new StringDataFrameColumn("grp", grp),
            new DoubleDataFrameColumn("condval", condval), new DoubleDataFrameColumn("condsd", condsd));
    }

    /// <summary>
    /// The comparison as lme4's <c>anova</c> data frame: <c>model, npar, AIC, BIC, logLik, deviance, Chisq, Df,
    /// Pr(&gt;Chisq), Pr(boundary)</c>; missing cells (first row, untested pairs) are null.
    /// </summary>
    public static DataFrame ToDataFrame(this ModelComparisonResult comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var rows = comparison.Rows;
        static double? Value(double x) => double.IsNaN(x) ? null : x;
        return new DataFrame(
            new StringDataFrameColumn("model", rows.Select(r => r.Name)),
            new Int32DataFrameColumn("npar", rows.Select(r => r.ParameterCount)),
            new DoubleDataFrameColumn("AIC", rows.Select(r => r.Aic)),
            new DoubleDataFrameColumn("BIC", rows.Select(r => r.Bic)),
            new DoubleDataFrameColumn("logLik", rows.Select(r => r.LogLikelihood)),
            new DoubleDataFrameColumn("deviance", rows.Select(r => r.Deviance)),
            new DoubleDataFrameColumn("Chisq", rows.Select(r => Value(r.ChiSquare))),
            new Int32DataFrameColumn("Df", rows.Select(r => r.DegreesOfFreedom)),
            new DoubleDataFrameColumn("Pr(>Chisq)", rows.Select(r => Value(r.PValue))),
            new DoubleDataFrameColumn("Pr(boundary)", rows.Select(r => Value(r.BoundaryPValue))));
    }
}
