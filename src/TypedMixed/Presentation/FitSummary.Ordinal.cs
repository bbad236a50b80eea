using static TypedMixed.Presentation.NumberText;

namespace TypedMixed.Presentation;

public static partial class FitSummary
{
    /// <summary>The summary of a cumulative link mixed model as aligned plain text, in the layout of clmm's <c>summary()</c>.</summary>
    public static string ToText(OrdinalMixedModelFit fit, FitReportOptions? options = null) =>
        RenderText(OrdinalContent.Build(fit, options ?? FitReportOptions.Default));

    /// <summary>The summary of a cumulative link mixed model as GitHub-flavoured Markdown.</summary>
    public static string ToMarkdown(OrdinalMixedModelFit fit, FitReportOptions? options = null) =>
        RenderMarkdown(OrdinalContent.Build(fit, options ?? FitReportOptions.Default));

    /// <summary>
    /// clmm's summary: the approximation in the title, link and threshold structure, logLik and information criteria,
    /// variance components with SEs and the latent-scale VPC, the coefficients with Wald z tests (and odds ratios for
    /// the logit link), then the threshold coefficients.
    /// </summary>
    private static class OrdinalContent
    {
        public static SummaryContent Build(OrdinalMixedModelFit fit, FitReportOptions o)
        {
            int d = Math.Clamp(o.Digits, 2, 15);
            var groups = ReportedVarianceComponents.Groups(fit);
            string method = fit.QuadraturePoints > 1
                ? $"adaptive Gauss-Hermite quadrature, nAGQ = {Count(fit.QuadraturePoints)}"
                : "the Laplace approximation";
            string link = fit.Link.ToString().ToLowerInvariant();
            var header = new List<(string, string)>
            {
                ("Family", $"cumulative  ( {link} ), {fit.ThresholdStructure.ToString().ToLowerInvariant()} thresholds, categories {string.Join(" < ", fit.Categories)}"),
            };
            SummaryContent.AddHeader(header, fit, o, groups);

            var stats = new ReportTable(["link", "threshold", "nobs", "logLik", "AIC", "BIC"], [false, false, true, true, true, true]);
            stats.Add(link, fit.ThresholdStructure.ToString().ToLowerInvariant(), Count(fit.ObservationCount), Fixed(fit.LogLikelihood, 2), Fixed(fit.Aic, 2), Fixed(fit.Bic, 2));

            var (re, rows) = SummaryContent.RandomEffectsTable(fit, d);
            var middle = new List<string>();
            var vpcs = groups.Select(g => (g.Name, Vpc: fit.LatentVariancePartition(g.Name))).Where(x => x.Vpc is not null).ToList();
            if (vpcs.Count > 0)
                middle.Add($"Latent-scale VPC (latent variance {(fit.Link switch { LinkFunction.Probit => "1", LinkFunction.Cloglog => "π²/6", _ => "π²/3" })} for the {link} link): "
                    + string.Join("; ", vpcs.Select(x => $"{x.Name} {Fixed(x.Vpc!.Value, 3)}")));
            middle.Add($"Likelihood-ratio test against the model without random effects: {LrtText(OrdinalLikelihoodRatioTest.AgainstSingleLevel(fit))}");
            var reNotes = SummaryContent.BuildRandomEffectsNotes(fit, groups, rows, d, middle);

            var fe = new ReportTable(["", "Estimate", "Std. Error", "z value", "Pr(>|z|)", "2.5 %", "97.5 %"], [false, true, true, true, true, true, true]);
            foreach (var f in fit.FixedEffects)
                fe.Add(f.Name, Sig(f.Estimate, d), Sig(f.StdError, d), Fixed(f.Z, 2), PValue(f.PValue), Sig(f.Lower95, d), Sig(f.Upper95, d));
            var feNotes = new List<string>
            {
                $"P(Y ≤ j) = F(τⱼ − x'β − z'b): a positive estimate shifts towards higher categories. Wald z tests and intervals; standard errors from the Hessian of −2 logLik over (thresholds, β, θ) by central differences (of the analytic gradient for Laplace fits, of values for quadrature).",
            };
            if (fit.Link == LinkFunction.Logit && fit.FixedEffects.Count > 0)
                feNotes.Add("Cumulative odds ratios (exp(Estimate)): " + string.Join("; ", fit.FixedEffects.Select(f => $"{f.Name} {Sig(Math.Exp(f.Estimate), d)} ({Sig(Math.Exp(f.Lower95), d)}, {Sig(Math.Exp(f.Upper95), d)})")));
            if (fit.DroppedFixedEffects.Count > 0)
                feNotes.Add($"Dropped (absorbed by the thresholds, or aliased): {string.Join(", ", fit.DroppedFixedEffects)}");

            var thresholds = new ReportTable(["", "Estimate", "Std. Error", "z value"], [false, true, true, true]);
            foreach (var t in fit.Thresholds)
                thresholds.Add(t.Name, Sig(t.Estimate, d), Sig(t.StdError, d), Fixed(t.Z, 2));

            return new SummaryContent
            {
                Title = $"Cumulative Link Mixed Model fitted with {method} [clmm]",
                Header = header,
                Statistics = stats,
                RandomEffects = re,
                RandomEffectsNotes = reNotes,
                FixedEffects = fe,
                FixedEffectsNotes = feNotes,
                Ratios = thresholds,
                RatiosTitle = "Threshold coefficients",
                Warnings = SummaryContent.WarningLines(fit),
                OptimizerLine = SummaryContent.DescribeOptimizer(fit, "−2 logLik", d),
            };
        }

        private static string LrtText(LikelihoodRatioTestResult lrt) =>
            $"χ² = {Fixed(lrt.ChiSquare, 3)} on {Count(lrt.DegreesOfFreedom)} df, p = {PValue(lrt.PValue)}"
            + (double.IsNaN(lrt.BoundaryPValue) ? "" : $" (boundary-corrected {PValue(lrt.BoundaryPValue)})");
    }
}
