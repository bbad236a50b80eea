using System.Text;
using static TypedMixed.Presentation.NumberText;

namespace TypedMixed.Presentation;

public static partial class FitSummary
{
    /// <summary>
    /// The multivariate summary as plain text: the fit statistics and missingness patterns, each level's covariance
    /// (standard deviations and correlations with their SEs), each response's VPC, the fixed effects per response and the
    /// test against separate univariate models.
    /// </summary>
    public static string ToText(MultivariateMixedModelFit fit, FitReportOptions? options = null) => RenderMultivariate(fit, options ?? FitReportOptions.Default, markdown: false);

    /// <summary>The multivariate summary as GitHub-flavoured Markdown.</summary>
    public static string ToMarkdown(MultivariateMixedModelFit fit, FitReportOptions? options = null) => RenderMultivariate(fit, options ?? FitReportOptions.Default, markdown: true);

    private static string RenderMultivariate(MultivariateMixedModelFit fit, FitReportOptions options, bool markdown)
    {
        ArgumentNullException.ThrowIfNull(fit);
        int d = options.Digits;
        var sb = new StringBuilder();
        string Table(ReportTable t) => markdown ? t.ToMarkdown() : t.ToText();
        void Heading(string title) => sb.Append('\n').Append(markdown ? "### " + title + "\n\n" : title + ":\n");
        string method = fit.Method == EstimationMethod.Reml ? "REML" : "maximum likelihood";
        sb.Append(markdown ? "## " : "").Append($"Multivariate linear mixed model fit by {method} ({fit.ResponseNames.Count} responses: {string.Join(", ", fit.ResponseNames)})\n");
        if (markdown) sb.Append('\n');
        string Key(string key, string value) => markdown ? $"- **{key}**: {value}\n" : $"{key.PadLeft(8)}: {value}\n";
        if (options.Formula is not null) sb.Append(Key("Formula", options.Formula));
        if (options.DataName is not null) sb.Append(Key("Data", options.DataName));
        sb.Append(Key("Units", $"{Count(fit.UnitCount)} {fit.UnitName}s, {Count(fit.ObservationCount)} observed values"));
        sb.Append('\n');
        var stats = new ReportTable(["AIC", "BIC", "logLik", fit.Method == EstimationMethod.Reml ? "REML crit." : "deviance", "df"], [true, true, true, true, true]);
        stats.Add(Fixed(fit.Aic, 1), Fixed(fit.Bic, 1), Fixed(fit.LogLikelihood, 1), Fixed(fit.Method == EstimationMethod.Reml ? fit.RemlCriterion : fit.Deviance, 1), Count(fit.ParameterCount));
        sb.Append(Table(stats));

        Heading("Responses observed per " + fit.UnitName);
        var patterns = new ReportTable(["Observed", fit.UnitName + "s"], [false, true]);
        foreach (var p in fit.Patterns) patterns.Add(string.Join(" + ", p.Observed), Count(p.Units));
        sb.Append(Table(patterns));

        Heading("Covariance across responses at each level (Std.Dev. and Corr. with SEs)");
        int r = fit.ResponseNames.Count;
        // Correlation columns: named by response for random intercepts; unnamed (lme4's VarCorr print) with slopes.
        int width = fit.Levels.Max(l => l.Covariance.GetLength(0));
        bool byResponse = width == r;
        var corrHeads = Enumerable.Range(0, width - 1).Select(b => byResponse ? "Corr " + fit.ResponseNames[b] : b == 0 ? "Corr" : "").ToArray();
        var levels = new ReportTable(["Level", byResponse ? "Response" : "Response:column", "Variance", "(SE)", "Std.Dev.", .. corrHeads, "(SE)"],
            [false, false, true, true, true, .. corrHeads.Select(_ => true), true]);
        foreach (var level in fit.Levels)
        {
            int q = level.Covariance.GetLength(0);
            var names = level.ColumnNames.Count == q ? level.ColumnNames : fit.ResponseNames;
            for (int a = 0; a < q; a++)
            {
                var cells = new List<string> { a == 0 ? level.Name : "", names[a], Sig(level.Covariance[a, a], d), Sig(level.CovarianceStdErrors[a, a], 2), Sig(Math.Sqrt(level.Covariance[a, a]), d) };
                for (int b = 0; b < width - 1; b++) cells.Add(b < a ? Fixed(level.Correlation[a, b], 3) : "");
                cells.Add(string.Join(" ", Enumerable.Range(0, a).Select(b => Fixed(level.CorrelationStdErrors[a, b], 3))));
                levels.Add([.. cells]);
            }
        }
        sb.Append(Table(levels));
        if (!byResponse) sb.Append(markdown ? "\n" : "").Append(" VPC below: at the random covariates' value 0 (each level's intercept variance).\n");

        Heading("Variance partition (VPC: share of each response's variance at each level, with SE)");
        var vpc = new ReportTable(["Response", .. fit.Levels.Select(l => l.Name)], [false, .. fit.Levels.Select(_ => true)]);
        for (int k = 0; k < r; k++)
            vpc.Add([fit.ResponseNames[k], .. fit.Levels.Select((_, l) => $"{Fixed(fit.VariancePartition[k, l], 3)} ({Fixed(fit.VariancePartitionStdErrors[k, l], 3)})")]);
        sb.Append(Table(vpc));

        Heading("Fixed effects");
        var fe = new ReportTable(["", "Estimate", "Std. Error", "z value", "Pr(>|z|)"], [false, true, true, true, true]);
        foreach (var f in fit.FixedEffects) fe.Add(f.Name, Sig(f.Estimate, d), Sig(f.StdError, d), Fixed(f.Z, 2), PValue(f.PValue));
        sb.Append(Table(fe));

        if (fit.SeparateModelsTest is { } test)
        {
            Heading("Against separate univariate models (no covariances across responses)");
            var lrt = new ReportTable(["", "logLik", "Chisq", "Df", "Pr(>Chisq)"], [false, true, true, true, true]);
            lrt.Add("separate", Fixed(fit.SeparateModelsLogLikelihood, 2), "", "", "");
            lrt.Add("joint", Fixed(fit.LogLikelihood, 2), Fixed(test.ChiSquare, 2), Count(test.DegreesOfFreedom), PValue(test.PValue));
            sb.Append(Table(lrt));
        }
        if (fit.Warnings.Count > 0)
        {
            Heading("Warnings");
            foreach (var w in fit.Warnings) sb.Append(markdown ? "- " : " ").Append(w.Code).Append(": ").Append(w.Message).Append('\n');
        }
        sb.Append('\n').Append(markdown ? "" : " ").Append($"Optimizer: {fit.Optimizer.Optimizer}, {Count(fit.Optimizer.Evaluations)} evaluations.\n");
        return sb.ToString();
    }
}
