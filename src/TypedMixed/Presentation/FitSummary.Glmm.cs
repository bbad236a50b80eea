using static TypedMixed.Presentation.NumberText;

namespace TypedMixed.Presentation;

public static partial class FitSummary
{
    /// <summary>The summary of a generalized fit as aligned plain text, in the layout of glmer's <c>summary()</c>.</summary>
    public static string ToText(GeneralizedLinearMixedModelFit fit, FitReportOptions? options = null) =>
        RenderText(GlmmContent.Build(fit, options ?? FitReportOptions.Default));

    /// <summary>The summary of a generalized fit as GitHub-flavoured Markdown.</summary>
    public static string ToMarkdown(GeneralizedLinearMixedModelFit fit, FitReportOptions? options = null) =>
        RenderMarkdown(GlmmContent.Build(fit, options ?? FitReportOptions.Default));

    /// <summary>
    /// glmer's summary: the approximation in the title, family and link, information criteria with −2 logLik as
    /// "deviance", Pearson ("scaled") residual quantiles, variance components with SEs, Wald z tests, and for log and
    /// logit links the exponentiated estimates (rate, risk or odds ratios) with their Wald intervals; plus what lme4
    /// leaves implicit: where the SEs came from, the Laplace curvature for non-canonical links, Pearson dispersion for
    /// Poisson, the latent-scale ICC for logit/probit random-intercept models.
    /// </summary>
    private static class GlmmContent
    {
        public static SummaryContent Build(GeneralizedLinearMixedModelFit fit, FitReportOptions o)
        {
            int d = Math.Clamp(o.Digits, 2, 15);
            var groups = ReportedVarianceComponents.Groups(fit);

            string method = fit.QuadraturePoints > 1
                ? $"Adaptive Gauss-Hermite Quadrature, nAGQ = {Count(fit.QuadraturePoints)}"
                : "Laplace Approximation";
            var header = new List<(string, string)> { ("Family", FamilyText(fit)) };
            if (o.Formula is not null) header.Add(("Formula", o.Formula));
            else header.Add(("Response", fit.ResponseName));
            if (o.DataName is not null) header.Add(("Data", o.DataName));
            header.Add(("Obs", Count(fit.ObservationCount) + (fit.RowsDropped > 0 ? $" ({Count(fit.RowsDropped)} rows with missing values dropped)" : "")));
            header.Add(("Groups", string.Join(", ", groups.Select(g => $"{g.Name} {Count(g.Levels)}"))));

            var stats = new ReportTable(["AIC", "BIC", "logLik", "deviance", "df.resid"], [true, true, true, true, true]);
            stats.Add(Fixed(fit.Aic, 2), Fixed(fit.Bic, 2), Fixed(fit.LogLikelihood, 2), Fixed(fit.Deviance, 2), Count(fit.ResidualDf));

            var residuals = ScaledResidualsTable(fit.PearsonResiduals, d);

            var (re, rows) = SummaryContent.RandomEffectsTable(fit, d);
            var middle = new List<string>();
            var iccs = groups.Select(g => (g.Name, Icc: fit.LatentIntraclassCorrelation(g.Name))).Where(x => x.Icc is not null).ToList();
            if (iccs.Count > 0)
                middle.Add($"Latent-scale intraclass correlation (level-1 variance {(fit.Link == LinkFunction.Logit ? "π²/3" : "1")} for the {LinkName(fit.Link)} link): "
                    + string.Join("; ", iccs.Select(x => $"{x.Name} {Fixed(x.Icc!.Value, 3)}")));
            if (fit.Family == ResponseFamily.NegativeBinomial)
                middle.Add($"Negative binomial shape k = {Sig(fit.NegativeBinomialShape, d)} (SE {Sig(fit.NegativeBinomialShapeStdError, d)}): Var(y) = μ + μ²/k");
            if (fit.Family == ResponseFamily.Poisson)
                middle.Add($"Pearson dispersion (Σ Pearson residual² / df.resid): {Fixed(fit.PearsonDispersion, 3)}"
                    + (fit.PearsonDispersion > 1.5 ? " — well above 1: overdispersion; consider --family negbin or an observation-level random effect." : " (about 1 when the Poisson variance fits)."));
            var reNotes = SummaryContent.BuildRandomEffectsNotes(fit, groups, rows, d, middle);

            var fe = new ReportTable(["", "Estimate", "Std. Error", "z value", "Pr(>|z|)", "2.5 %", "97.5 %"], [false, true, true, true, true, true, true]);
            foreach (var f in fit.FixedEffects)
                fe.Add(f.Name, Sig(f.Estimate, d), Sig(f.StdError, d), Fixed(f.Z, 2), PValue(f.PValue), Sig(f.Lower95, d), Sig(f.Upper95, d));
            var feNotes = new List<string>
            {
                $"Estimates on the {LinkName(fit.Link)} (link) scale. Wald z tests; 95 % intervals are Wald (normal) intervals.",
                fit.FixedEffectsCovarianceSource == FixedEffectsCovarianceSource.Hessian
                    ? "Standard errors from the finite-difference Hessian of the deviance over (θ, β) (glmer's default)."
                    : "Standard errors from the PIRLS factor at the optimum (glmer's use.hessian = FALSE).",
            };
            if (fit.QuadraturePoints == 1 && !Families.Links.IsCanonical(fit.Family, fit.Link))
                feNotes.Add(fit.LaplaceHessian == LaplaceHessian.Expected
                    ? "Laplace log-determinant from the expected information (IRLS weights), as glmer; glmmTMB uses the observed Hessian (--laplace observed)."
                    : "Laplace log-determinant from the observed Hessian, as glmmTMB; glmer uses the expected information (--laplace expected).");
            if (fit.DroppedFixedEffects.Count > 0)
                feNotes.Add($"Dropped (linear combinations of earlier columns): {string.Join(", ", fit.DroppedFixedEffects)}");

            ReportTable? ratios = null;
            string ratiosTitle = "";
            var ratioNotes = new List<string>();
            if (RatioName(fit) is { } ratioName)
            {
                ratiosTitle = ratioName + "s";
                ratios = new ReportTable(["", ratioName, "2.5 %", "97.5 %"], [false, true, true, true]);
                foreach (var f in fit.FixedEffects)
                    ratios.Add(f.Name, Sig(Math.Exp(f.Estimate), d), Sig(Math.Exp(f.Lower95), d), Sig(Math.Exp(f.Upper95), d));
                ratioNotes.Add($"exp(Estimate) and exp of the Wald interval, conditional on the random effects; the intercept's is the baseline {(ratioName == "Odds ratio" ? "odds" : ratioName == "Risk ratio" ? "risk" : "rate")}.");
            }

            var warnings = fit.Warnings.Select(w => $"[{w.Code}] {w.Message}").ToList();
            if (fit.IsSingular && !fit.Warnings.Any(w => w.Message.Contains("singular", StringComparison.OrdinalIgnoreCase)))
                warnings.Add("Boundary (singular) fit: a variance is zero or a correlation is ±1. Simplify the random effects.");

            var opt = fit.Optimizer;
            string optimizer = $"Optimizer: {opt.Optimizer}, {Count(opt.Evaluations)} evaluations, stopped: {SummaryContent.Describe(opt.Reason)}; "
                + $"deviance {Fixed(opt.InitialObjective, 4)} at the start, {Fixed(opt.FinalObjective, 4)} at the end; "
                + $"theta = [{string.Join(", ", opt.FinalTheta.Select(t => Sig(t, d)))}]";

            var (correlation, correlationNote) = CorrelationTable(fit);
            return new SummaryContent
            {
                Correlation = correlation,
                CorrelationNote = correlationNote,
                Title = $"Generalized linear mixed model fit by maximum likelihood ({method}) [glmerMod]",
                Header = header,
                Statistics = stats,
                Residuals = residuals,
                RandomEffects = re,
                RandomEffectsNotes = reNotes,
                FixedEffects = fe,
                FixedEffectsNotes = feNotes,
                Ratios = ratios,
                RatiosTitle = ratiosTitle,
                RatiosNotes = ratioNotes,
                Warnings = warnings,
                OptimizerLine = optimizer,
            };
        }

        /// <summary>glmer's family line: <c>binomial  ( logit )</c>, <c>Negative Binomial(3.214)  ( log )</c>.</summary>
        private static string FamilyText(GeneralizedLinearMixedModelFit fit)
        {
            string family = fit.Family switch
            {
                ResponseFamily.Binomial => "binomial",
                ResponseFamily.Poisson => "poisson",
                ResponseFamily.NegativeBinomial => $"Negative Binomial({Sig(fit.NegativeBinomialShape, 4)})",
                _ => "gaussian",
            };
            return $"{family}  ( {LinkName(fit.Link)} )";
        }

        internal static string LinkName(LinkFunction link) => link.ToString().ToLowerInvariant();

        /// <summary>What exp(β) is for the link: odds ratios (logit), rate ratios (log, counts), risk ratios (log, binomial); null otherwise.</summary>
        internal static string? RatioName(GeneralizedLinearMixedModelFit fit) => (fit.Family, fit.Link) switch
        {
            (ResponseFamily.Binomial, LinkFunction.Logit) => "Odds ratio",
            (ResponseFamily.Binomial, LinkFunction.Log) => "Risk ratio",
            (ResponseFamily.Poisson or ResponseFamily.NegativeBinomial, LinkFunction.Log) => "Rate ratio",
            _ => null,
        };
    }
}
