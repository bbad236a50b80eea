using System.Text;

namespace TypedMixed.Presentation;

/// <summary>Prints a <see cref="ModelComparisonResult"/> as lme4's <c>anova</c> does, or as Markdown.</summary>
internal static class ModelComparisonText
{
    public static string ToText(ModelComparisonResult result)
    {
        var sb = new StringBuilder();
        sb.Append(Heading(result)).Append('\n');
        foreach (var r in result.Rows) sb.Append(r.Name).Append(": ").Append(r.Description).Append('\n');
        sb.Append(Table(result, markdown: false).ToText(indent: ""));
        AppendNotes(sb, result, markdown: false);
        return sb.ToString();
    }

    public static string ToMarkdown(ModelComparisonResult result)
    {
        var sb = new StringBuilder();
        sb.Append(ReportTable.Escape(Heading(result))).Append("\n\n");
        foreach (var r in result.Rows) sb.Append("- ").Append(ReportTable.Escape(r.Name)).Append(": `").Append(r.Description).Append("`\n");
        sb.Append('\n').Append(Table(result, markdown: true).ToMarkdown());
        AppendNotes(sb, result, markdown: true);
        return sb.ToString();
    }

    public static string ToHtml(ModelComparisonResult result)
    {
        var sb = new StringBuilder("<div class=\"typedmixed-comparison\">\n<p>").Append(ReportTable.Html(Heading(result))).Append("</p>\n<ul>\n");
        foreach (var r in result.Rows)
            sb.Append("<li>").Append(ReportTable.Html(r.Name)).Append(": <code>").Append(ReportTable.Html(r.Description)).Append("</code></li>\n");
        sb.Append("</ul>\n").Append(Table(result, markdown: false).ToHtml());
        var notes = new StringBuilder();
        AppendNotes(notes, result, markdown: false);
        foreach (var line in notes.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
            sb.Append("<p>").Append(ReportTable.Html(line)).Append("</p>\n");
        return sb.Append("</div>\n").ToString();
    }

    private static string Heading(ModelComparisonResult result) =>
        (result.Method == EstimationMethod.Reml
            ? "Models (REML likelihoods: every model has the same fixed effects)"
            : result.RefittedByMaximumLikelihood.Count > 0
                ? $"Models (refitted by ML instead of REML: {string.Join(", ", result.RefittedByMaximumLikelihood)})"
                : "Models") + $", {NumberText.Count(result.ObservationCount)} observations:";

    private static ReportTable Table(ModelComparisonResult result, bool markdown)
    {
        bool boundary = result.Rows.Any(r => !double.IsNaN(r.BoundaryPValue));
        var headers = new List<string> { "", "npar", "AIC", "BIC", "logLik", "deviance", "Chisq", "Df", "Pr(>Chisq)" };
        if (boundary) headers.Add("Pr(boundary)");
        var table = new ReportTable(headers, headers.Select((_, c) => c > 0).ToArray());
        foreach (var r in result.Rows)
        {
            bool first = r.DegreesOfFreedom is null;
            var cells = new List<string>
            {
                r.Name, NumberText.Count(r.ParameterCount), NumberText.Sig(r.Aic, 5), NumberText.Sig(r.Bic, 5),
                NumberText.Sig(r.LogLikelihood, 5), NumberText.Sig(r.Deviance, 5),
                first ? "" : NumberText.Sig(r.ChiSquare, 5), first ? "" : NumberText.Count(r.DegreesOfFreedom!.Value),
                first || double.IsNaN(r.PValue) ? "" : PValue(r.PValue),
            };
            if (boundary) cells.Add(double.IsNaN(r.BoundaryPValue) ? "" : PValue(r.BoundaryPValue));
            table.Add(cells.ToArray());
        }
        return table;
    }

    /// <summary>A p-value as lme4's <c>anova</c> prints it (printCoefmat, 4 significant digits; <c>&lt; 2.2e-16</c> below machine precision).</summary>
    public static string PValue(double p) => p < 2.2e-16 ? "< 2.2e-16" : NumberText.Sig(p, 4);

    private static void AppendNotes(StringBuilder sb, ModelComparisonResult result, bool markdown)
    {
        var notes = result.Rows.Where(r => r.Note is not null).Select(r => $"{r.Name}: {r.Note}").ToList();
        if (result.Rows.Any(r => !double.IsNaN(r.BoundaryPValue)))
            notes.Add("Pr(boundary): one added variance tested at its boundary 0, p from the mixture ½χ²₀ + ½χ²₁ (half the χ²₁ p-value).");
        if (notes.Count == 0) return;
        if (markdown) sb.Append('\n');
        foreach (var n in notes) sb.Append(markdown ? "- " + ReportTable.Escape(n) : n).Append('\n');
    }
}
