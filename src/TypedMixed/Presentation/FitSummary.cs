using System.Text;
using static TypedMixed.Presentation.NumberText;

namespace TypedMixed.Presentation;

/// <summary>
/// Renders a fit as a summary in the layout of lme4's <c>summary()</c> (with the standard errors of the variance
/// components, Satterthwaite t tests or Wald z tests, and Wald intervals that multilevel tables report), as plain
/// text or Markdown: a <see cref="LinearMixedModelFit"/> as lmer's, a <see cref="GeneralizedLinearMixedModelFit"/> as
/// glmer's. Numbers are formatted with the invariant culture.
/// </summary>
public static partial class FitSummary
{
    /// <summary>The summary as aligned plain text.</summary>
    public static string ToText(LinearMixedModelFit fit, FitReportOptions? options = null) =>
        RenderText(SummaryContent.Build(fit, options ?? FitReportOptions.Default));

    /// <summary>The summary as GitHub-flavoured Markdown (a heading, a key list and pipe tables).</summary>
    public static string ToMarkdown(LinearMixedModelFit fit, FitReportOptions? options = null) =>
        RenderMarkdown(SummaryContent.Build(fit, options ?? FitReportOptions.Default));

    private static string RenderText(SummaryContent c)
    {
        var sb = new StringBuilder();
        sb.Append(c.Title).Append('\n');
        foreach (var (key, value) in c.Header) sb.Append(key.PadLeft(8)).Append(": ").Append(value).Append('\n');
        sb.Append('\n');
        sb.Append(c.Statistics.ToText());
        if (c.Residuals is not null) sb.Append('\n').Append(c.ResidualsTitle).Append(":\n").Append(c.Residuals.ToText());
        sb.Append('\n').Append("Random effects:\n").Append(c.RandomEffects.ToText());
        foreach (var line in c.RandomEffectsNotes) sb.Append(line).Append('\n');
        if (c.ResidualStructure.Count > 0) sb.Append('\n');
        foreach (var line in c.ResidualStructure) sb.Append(line).Append('\n');
        sb.Append('\n').Append("Fixed effects:\n").Append(c.FixedEffects.ToText());
        foreach (var line in c.FixedEffectsNotes) sb.Append(line).Append('\n');
        if (c.Correlation is not null) sb.Append('\n').Append("Correlation of Fixed Effects:\n").Append(c.Correlation.ToText());
        if (c.CorrelationNote is not null) sb.Append('\n').Append(c.CorrelationNote).Append('\n');
        if (c.Ratios is not null)
        {
            sb.Append('\n').Append(c.RatiosTitle).Append(":\n").Append(c.Ratios.ToText());
            foreach (var line in c.RatiosNotes) sb.Append(line).Append('\n');
        }
        if (c.Warnings.Count > 0)
        {
            sb.Append('\n').Append("Warnings:\n");
            foreach (var w in c.Warnings) sb.Append("  ").Append(w).Append('\n');
        }
        sb.Append('\n').Append(c.OptimizerLine).Append('\n');
        return sb.ToString();
    }

    private static string RenderMarkdown(SummaryContent c)
    {
        var sb = new StringBuilder();
        sb.Append("### ").Append(c.Title).Append("\n\n");
        foreach (var (key, value) in c.Header)
            sb.Append("- **").Append(key).Append("**: ").Append(key is "Formula" or "Data" ? "`" + value.Replace("`", "'", StringComparison.Ordinal) + "`" : value).Append('\n');
        sb.Append('\n').Append(c.Statistics.ToMarkdown());
        if (c.Residuals is not null) sb.Append("\n#### ").Append(c.ResidualsTitle).Append("\n\n").Append(c.Residuals.ToMarkdown());
        sb.Append("\n#### Random effects\n\n").Append(c.RandomEffects.ToMarkdown()).Append('\n');
        foreach (var line in c.RandomEffectsNotes) sb.Append(line.Trim()).Append("  \n");
        if (c.ResidualStructure.Count > 0)
            sb.Append("\n#### Residual structure\n\n```\n").Append(string.Join("\n", c.ResidualStructure)).Append("\n```\n");
        sb.Append("\n#### Fixed effects\n\n").Append(c.FixedEffects.ToMarkdown()).Append('\n');
        foreach (var line in c.FixedEffectsNotes) sb.Append(line.Trim()).Append("  \n");
        if (c.Correlation is not null) sb.Append("\n#### Correlation of Fixed Effects\n\n").Append(c.Correlation.ToMarkdown());
        if (c.CorrelationNote is not null) sb.Append('\n').Append(c.CorrelationNote).Append('\n');
        if (c.Ratios is not null)
        {
            sb.Append("\n#### ").Append(c.RatiosTitle).Append("\n\n").Append(c.Ratios.ToMarkdown()).Append('\n');
            foreach (var line in c.RatiosNotes) sb.Append(line.Trim()).Append("  \n");
        }
        if (c.Warnings.Count > 0)
        {
            sb.Append("\n#### Warnings\n\n");
            foreach (var w in c.Warnings) sb.Append("- ").Append(w).Append('\n');
        }
        sb.Append('\n').Append(c.OptimizerLine).Append('\n');
        return sb.ToString();
    }

    /// <summary>The parts of a summary, formatted once and rendered as text or Markdown.</summary>
    private sealed class SummaryContent
    {
        public required string Title { get; init; }
        public required List<(string Key, string Value)> Header { get; init; }
        public required ReportTable Statistics { get; init; }
        public required ReportTable RandomEffects { get; init; }
        public required List<string> RandomEffectsNotes { get; init; }
        public required ReportTable FixedEffects { get; init; }
        public required List<string> FixedEffectsNotes { get; init; }
        public required List<string> Warnings { get; init; }
        public required string OptimizerLine { get; init; }
        public ReportTable? Residuals { get; init; }
        public ReportTable? Correlation { get; init; }
        public string? CorrelationNote { get; init; }
        public string ResidualsTitle { get; init; } = "Scaled residuals";
        public ReportTable? Ratios { get; init; }
        public string RatiosTitle { get; init; } = "";
        public List<string> RatiosNotes { get; init; } = [];
        public List<string> ResidualStructure { get; init; } = [];

        public static SummaryContent Build(LinearMixedModelFit fit, FitReportOptions o)
        {
            bool reml = fit.Method == EstimationMethod.Reml;
            int d = Math.Clamp(o.Digits, 2, 15);
            var groups = ReportedVarianceComponents.Groups(fit);

            var header = new List<(string, string)>();
            AddHeader(header, fit, o, groups);

            var stats = new ReportTable(
                reml ? ["REML criterion", "AIC", "BIC", "logLik (REML)", "deviance (ML)", "df.resid"] : ["AIC", "BIC", "logLik", "deviance", "df.resid"],
                reml ? [true, true, true, true, true, true] : [true, true, true, true, true]);
            string dfResid = Count(fit.ObservationCount - fit.ParameterCount);
            if (reml) stats.Add(Fixed(fit.RemlCriterion, 2), Fixed(fit.Aic, 2), Fixed(fit.Bic, 2), Fixed(fit.LogLikelihood, 2), Fixed(fit.Deviance, 2), dfResid);
            else stats.Add(Fixed(fit.Aic, 2), Fixed(fit.Bic, 2), Fixed(fit.LogLikelihood, 2), Fixed(fit.Deviance, 2), dfResid);

            var (re, rows) = RandomEffectsTable(fit, d);
            var iccs = groups.Select(g => (g.Name, Icc: fit.IntraclassCorrelation(g.Name))).Where(x => x.Icc is not null).ToList();
            // Multiple-membership terms: the ICC at the data's mean Σ w² (a pupil split between schools shares less).
            var weighted = fit.RandomEffects.Where(t => t.IsMultipleMembership)
                .Select(t => (t.Name, Icc: fit.WeightedIntraclassCorrelation(t.Name), Sq: t.MeanSquaredWeightSum!.Value))
                .Where(x => x.Icc is not null).ToList();
            var reNotes = BuildRandomEffectsNotes(fit, groups, rows, d,
                [.. iccs.Count > 0 ? ["Intraclass correlation (VPC): " + string.Join("; ", iccs.Select(x => $"{x.Name} {Fixed(x.Icc!.Value, 3)}"))] : Array.Empty<string>(),
                 .. weighted.Select(x => $"Weighted ICC of multiple-membership term {x.Name} (mean Σw² = {Fixed(x.Sq, 3)}): {Fixed(x.Icc!.Value, 3)}")]);

            // Fixed effects: Satterthwaite t tests where computed, else Wald z; 95 % Wald intervals.
            bool satt = fit.FixedEffects.Count > 0 && fit.FixedEffects.All(f => !double.IsNaN(f.SatterthwaiteDf));
            var fe = new ReportTable(
                satt ? ["", "Estimate", "Std. Error", "df", "t value", "Pr(>|t|)", "2.5 %", "97.5 %"] : ["", "Estimate", "Std. Error", "z value", "Pr(>|z|)", "2.5 %", "97.5 %"],
                satt ? [false, true, true, true, true, true, true, true] : [false, true, true, true, true, true, true]);
            foreach (var f in fit.FixedEffects)
            {
                if (satt) fe.Add(f.Name, Sig(f.Estimate, d), Sig(f.StdError, d), Fixed(f.SatterthwaiteDf, 1), Fixed(f.Z, 2), PValue(f.SatterthwaitePValue), Sig(f.Lower95, d), Sig(f.Upper95, d));
                else fe.Add(f.Name, Sig(f.Estimate, d), Sig(f.StdError, d), Fixed(f.Z, 2), PValue(f.PValue), Sig(f.Lower95, d), Sig(f.Upper95, d));
            }
            var feNotes = new List<string>
            {
                satt ? "t tests with Satterthwaite's degrees of freedom; 95 % intervals are Wald (normal) intervals."
                     : "Wald z tests; 95 % intervals are Wald (normal) intervals.",
            };
            if (fit.DroppedFixedEffects.Count > 0)
                feNotes.Add($"Dropped (linear combinations of earlier columns): {string.Join(", ", fit.DroppedFixedEffects)}");

            var warnings = WarningLines(fit);

            string optimizer = DescribeOptimizer(fit, reml ? "REML criterion" : "deviance", d);

            var (correlation, correlationNote) = CorrelationTable(fit);
            return new SummaryContent
            {
                Residuals = fit.Residuals.Length > 0 ? ScaledResidualsTable(fit.ScaledResiduals(), d) : null, // none from aggregated blocks
                ResidualStructure = ResidualStructureLines(fit, d),
                Correlation = correlation,
                CorrelationNote = correlationNote,
                Title = reml ? "Linear mixed model fit by REML" : "Linear mixed model fit by maximum likelihood",
                Header = header,
                Statistics = stats,
                RandomEffects = re,
                RandomEffectsNotes = reNotes,
                FixedEffects = fe,
                FixedEffectsNotes = feNotes,
                Warnings = warnings,
                OptimizerLine = optimizer,
            };
        }

        /// <summary>
        /// Random effects: one line per variance (lme4 layout) with its standard error, correlations to the earlier
        /// effects of the term beside it; returns the table and the reported rows (for the covariance note).
        /// </summary>
        internal static (ReportTable Table, IReadOnlyList<ReportedComponent> Rows) RandomEffectsTable(MixedModelFit fit, int d)
        {
            var rows = ReportedVarianceComponents.Rows(fit);
            int corrColumns = Math.Max(0, fit.RandomEffects.Where(t => t.Structure == CovarianceStructure.Unstructured).Select(t => t.ColumnNames.Count - 1).DefaultIfEmpty(0).Max());
            var reHeaders = new List<string> { "Groups", "Name", "Variance", "Std.Dev." };
            var reAlign = new List<bool> { false, false, true, true };
            for (int k = 0; k < corrColumns; k++) { reHeaders.Add(k == 0 ? "Corr" : ""); reAlign.Add(true); }
            reHeaders.Add("SE(Variance)");
            reAlign.Add(true);
            var re = new ReportTable(reHeaders, reAlign);
            string? lastGroup = null;
            foreach (var row in rows.Where(r => r.Component.Kind != VarianceComponentKind.Covariance))
            {
                var vc = row.Component;
                var cells = new List<string>
                {
                    row.Group == lastGroup ? "" : row.Group,
                    vc.Var1 ?? "",
                    Sig(vc.Estimate, d),
                    Sig(vc.SdCor, d),
                };
                lastGroup = row.Group;
                var corr = new string[corrColumns];
                Array.Fill(corr, "");
                if (row.Term is { Structure: CovarianceStructure.Unstructured } term && vc.Var1 is not null)
                {
                    int j = term.ColumnNames.ToList().IndexOf(vc.Var1);
                    for (int k = 0; k < j && k < corrColumns; k++)
                    {
                        var cov = rows.FirstOrDefault(r => r.Group == row.Group && r.Component.Kind == VarianceComponentKind.Covariance
                            && ((r.Component.Var1 == term.ColumnNames[k] && r.Component.Var2 == vc.Var1) || (r.Component.Var2 == term.ColumnNames[k] && r.Component.Var1 == vc.Var1)));
                        corr[k] = cov is null ? "" : Fixed(cov.Component.SdCor, 2);
                    }
                }
                cells.AddRange(corr);
                cells.Add(Sig(vc.StdError, d));
                re.Add([.. cells]);
            }
            return (re, rows);
        }

        /// <summary>The header lines both summaries share: the formula (or response), data, observations, groups.</summary>
        internal static void AddHeader(List<(string, string)> header, MixedModelFit fit, FitReportOptions o, IReadOnlyList<(string Name, int Levels)> groups)
        {
            if (o.Formula is not null) header.Add(("Formula", o.Formula));
            else header.Add(("Response", fit.ResponseName));
            if (o.DataName is not null) header.Add(("Data", o.DataName));
            header.Add(("Obs", Count(fit.ObservationCount) + (fit.RowsDropped > 0 ? $" ({Count(fit.RowsDropped)} rows with missing values dropped)" : "")));
            header.Add(("Groups", string.Join(", ", groups.Select(g => $"{g.Name} {Count(g.Levels)}"))));
        }

        /// <summary>The fit's warnings, plus a boundary note when the fit is singular and no warning says so.</summary>
        internal static List<string> WarningLines(MixedModelFit fit)
        {
            var warnings = fit.Warnings.Select(w => $"[{w.Code}] {w.Message}").ToList();
            if (fit.IsSingular && !fit.Warnings.Any(w => w.Message.Contains("singular", StringComparison.OrdinalIgnoreCase)))
                warnings.Add("Boundary (singular) fit: a variance is zero or a correlation is ±1. Simplify the random effects.");
            return warnings;
        }

        /// <summary>The optimizer line: evaluations, why it stopped, <paramref name="objective"/> at the start and end, θ.</summary>
        internal static string DescribeOptimizer(MixedModelFit fit, string objective, int d)
        {
            var opt = fit.Optimizer;
            return $"Optimizer: {opt.Optimizer}, {Count(opt.Evaluations)} evaluations, stopped: {Describe(opt.Reason)}; "
                + $"{objective} {Fixed(opt.InitialObjective, 4)} at the start, {Fixed(opt.FinalObjective, 4)} at the end; "
                + $"theta = [{string.Join(", ", opt.FinalTheta.Select(t => Sig(t, d)))}]";
        }

        /// <summary>The notes under the random effects: observation and group counts, then <paramref name="middle"/> (e.g. ICCs), then covariances with SEs.</summary>
        internal static List<string> BuildRandomEffectsNotes(MixedModelFit fit, IReadOnlyList<(string Name, int Levels)> groups, IReadOnlyList<ReportedComponent> rows, int d, IEnumerable<string> middle)
        {
            var notes = new List<string>
            {
                $"Number of obs: {Count(fit.ObservationCount)}, groups:  {string.Join("; ", groups.Select(g => $"{g.Name}, {Count(g.Levels)}"))}",
            };
            notes.AddRange(middle);
            var covRows = rows.Where(r => r.Component.Kind == VarianceComponentKind.Covariance).ToList();
            if (covRows.Count > 0)
                notes.Add("Covariances (SE): " + string.Join("; ", covRows.Select(r => $"{r.Group} {r.Component.Var1}~{r.Component.Var2} {Sig(r.Component.Estimate, d)} ({Sig(r.Component.StdError, d)})")));
            return notes;
        }

        internal static string Describe(Optimization.StopReason reason) => reason switch
        {
            Optimization.StopReason.Converged => "converged",
            Optimization.StopReason.MaxEvaluations => "evaluation limit reached (not converged)",
            Optimization.StopReason.RoundoffLimited => "limited by rounding error",
            Optimization.StopReason.InvalidObjective => "invalid objective",
            _ => reason.ToString(),
        };
    }
}
