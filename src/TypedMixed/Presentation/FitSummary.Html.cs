using System.Text;

namespace TypedMixed.Presentation;

public static partial class FitSummary
{
    /// <summary>The summary as an HTML fragment (the same content as <see cref="ToText(LinearMixedModelFit, FitReportOptions?)"/>), for notebooks and web pages.</summary>
    public static string ToHtml(LinearMixedModelFit fit, FitReportOptions? options = null) =>
        RenderHtml(SummaryContent.Build(fit, options ?? FitReportOptions.Default));

    /// <summary>The summary of a generalized fit as an HTML fragment.</summary>
    public static string ToHtml(GeneralizedLinearMixedModelFit fit, FitReportOptions? options = null) =>
        RenderHtml(GlmmContent.Build(fit, options ?? FitReportOptions.Default));

    /// <summary>The summary of any fit as an HTML fragment.</summary>
    public static string ToHtml(MixedModelFit fit, FitReportOptions? options = null) => fit switch
    {
        LinearMixedModelFit l => ToHtml(l, options),
        GeneralizedLinearMixedModelFit g => ToHtml(g, options),
        OrdinalMixedModelFit o => RenderHtml(OrdinalContent.Build(o, options ?? FitReportOptions.Default)),
        _ => throw new ArgumentException($"No summary for {fit?.GetType().Name ?? "null"}.", nameof(fit)),
    };

    /// <summary>The summary of any fit as plain text.</summary>
    public static string ToText(MixedModelFit fit, FitReportOptions? options = null) => fit switch
    {
        LinearMixedModelFit l => ToText(l, options),
        GeneralizedLinearMixedModelFit g => ToText(g, options),
        OrdinalMixedModelFit o => ToText(o, options),
        _ => throw new ArgumentException($"No summary for {fit?.GetType().Name ?? "null"}.", nameof(fit)),
    };

    private static string RenderHtml(SummaryContent c)
    {
        static string H(string s) => ReportTable.Html(s);
        var sb = new StringBuilder("<div class=\"typedmixed-fit\">\n");
        sb.Append("<h4>").Append(H(c.Title)).Append("</h4>\n<dl>\n");
        foreach (var (key, value) in c.Header)
            sb.Append("<dt>").Append(H(key)).Append("</dt><dd>").Append(key is "Formula" or "Data" ? "<code>" + H(value) + "</code>" : H(value)).Append("</dd>\n");
        sb.Append("</dl>\n").Append(c.Statistics.ToHtml());
        if (c.Residuals is not null) sb.Append("<h5>").Append(H(c.ResidualsTitle)).Append("</h5>\n").Append(c.Residuals.ToHtml());
        sb.Append("<h5>Random effects</h5>\n").Append(c.RandomEffects.ToHtml());
        Notes(sb, c.RandomEffectsNotes);
        if (c.ResidualStructure.Count > 0)
            sb.Append("<h5>Residual structure</h5>\n<pre>").Append(H(string.Join("\n", c.ResidualStructure))).Append("</pre>\n");
        sb.Append("<h5>Fixed effects</h5>\n").Append(c.FixedEffects.ToHtml());
        Notes(sb, c.FixedEffectsNotes);
        if (c.Correlation is not null) sb.Append("<h5>Correlation of Fixed Effects</h5>\n").Append(c.Correlation.ToHtml());
        if (c.CorrelationNote is not null) sb.Append("<p>").Append(H(c.CorrelationNote)).Append("</p>\n");
        if (c.Ratios is not null)
        {
            sb.Append("<h5>").Append(H(c.RatiosTitle)).Append("</h5>\n").Append(c.Ratios.ToHtml());
            Notes(sb, c.RatiosNotes);
        }
        if (c.Warnings.Count > 0)
        {
            sb.Append("<h5>Warnings</h5>\n<ul>\n");
            foreach (var w in c.Warnings) sb.Append("<li>").Append(H(w)).Append("</li>\n");
            sb.Append("</ul>\n");
        }
        sb.Append("<p>").Append(H(c.OptimizerLine)).Append("</p>\n</div>\n");
        return sb.ToString();

        static void Notes(StringBuilder sb, List<string> notes)
        {
            if (notes.Count == 0) return;
            sb.Append("<p>");
            for (int i = 0; i < notes.Count; i++) sb.Append(i > 0 ? "<br/>" : "").Append(ReportTable.Html(notes[i].Trim()));
            sb.Append("</p>\n");
        }
    }
}
