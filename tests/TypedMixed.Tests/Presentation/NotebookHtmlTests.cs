using System.Collections;
using System.Net;
using System.Text.RegularExpressions;
using TypedMixed.Presentation;
using TypedMixed.Tests.Glmm;
using TypedMixed.Tests.Reference;

namespace TypedMixed.Tests.Presentation;

/// <summary>
/// HTML summaries, and the convention by which .NET Interactive finds them without a package reference: this test
/// performs the kernel's lookup by reflection (an attribute named TypeFormatterSourceAttribute, its
/// FormatterSourceType and PreferredMimeTypes, the source's CreateTypeFormatters(), each formatter's MimeType, Type and
/// Format(object, TextWriter)).
/// </summary>
public partial class NotebookHtmlTests
{
    private static readonly Lazy<LinearMixedModelFit> Exam = new(() => LinearMixedModel.Fit(ReferenceData.ForFit("exam_m2_ML"), FitOptions.MaximumLikelihood));

    private static Dictionary<string, Func<object, string?>> FormattersByConvention(Type type, out string[]? preferred)
    {
        var attribute = type.GetCustomAttributes(true).Single(a => a.GetType().Name == "TypeFormatterSourceAttribute");
        var sourceType = (Type)attribute.GetType().GetProperty("FormatterSourceType")!.GetValue(attribute)!;
        preferred = (string[]?)attribute.GetType().GetProperty("PreferredMimeTypes")!.GetValue(attribute);
        var source = Activator.CreateInstance(sourceType)!;
        var formatters = (IEnumerable)sourceType.GetMethod("CreateTypeFormatters")!.Invoke(source, null)!;
        var result = new Dictionary<string, Func<object, string?>>();
        foreach (var formatter in formatters)
        {
            var ft = formatter.GetType();
            var formatted = (Type)ft.GetProperty("Type")!.GetValue(formatter)!;
            if (!formatted.IsAssignableFrom(type)) continue;
            string mime = (string)ft.GetProperty("MimeType")!.GetValue(formatter)!;
            var format = ft.GetMethod("Format", [typeof(object), typeof(TextWriter)])!;
            result[mime] = o =>
            {
                var writer = new StringWriter();
                return (bool)format.Invoke(formatter, [o, writer])! ? writer.ToString() : null;
            };
        }
        return result;
    }

    [Fact]
    public void A_linear_fit_is_found_by_the_notebook_convention_and_shown_as_its_HTML_summary()
    {
        var fit = Exam.Value;
        var formatters = FormattersByConvention(fit.GetType(), out var preferred);
        Assert.Equal(["text/html"], preferred!);
        Assert.Equal(FitSummary.ToHtml(fit), formatters["text/html"](fit));
        Assert.Equal(FitSummary.ToText(fit), formatters["text/plain"](fit));
        Assert.Null(formatters["text/html"]("not a fit"));
    }

    [Fact]
    public void A_generalized_fit_and_a_model_comparison_are_found_too()
    {
        var glmm = GeneralizedLinearMixedModel.Fit(CbppReferenceTests.Design());
        Assert.Equal(FitSummary.ToHtml(glmm), FormattersByConvention(glmm.GetType(), out _)["text/html"](glmm));

        var d2 = ReferenceData.ForFit("exam_m2_ML");
        var d3 = ReferenceData.ForFit("exam_m3_ML");
        var comparison = ModelComparison.Compare(new ComparedModel("m2", LinearMixedModel.Fit(d2), d2), new ComparedModel("m3", LinearMixedModel.Fit(d3), d3));
        string html = FormattersByConvention(typeof(ModelComparisonResult), out _)["text/html"](comparison)!;
        Assert.Equal(comparison.ToHtml(), html);
        Assert.Contains("<td style=\"text-align:left\">m3</td><td style=\"text-align:right\">7</td><td style=\"text-align:right\">9339.4</td>", html);
        Assert.Contains("<th style=\"text-align:right\">Pr(&gt;Chisq)</th>", html);
    }

    [GeneratedRegex(@"<t[dh](?: [^>]*)?>(.*?)</t[dh]>")]
    private static partial Regex HtmlCell();

    [Fact]
    public void HTML_tables_hold_the_same_cells_as_the_Markdown_summary()
    {
        var fit = Exam.Value;
        string html = FitSummary.ToHtml(fit), markdown = FitSummary.ToMarkdown(fit);
        var htmlCells = HtmlCell().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();
        var markdownCells = markdown.Split('\n').Where(l => l.StartsWith('|') && !l.StartsWith("|:", StringComparison.Ordinal) && !l.StartsWith("|-", StringComparison.Ordinal))
            .SelectMany(l => l.Trim().Trim('|').Split(" | ").Select(c => Regex.Replace(c.Trim(), @"\\(.)", "$1"))).ToList();
        Assert.True(markdownCells.Count > 20, $"{markdownCells.Count} cells");
        Assert.Equal(markdownCells, htmlCells);
        Assert.Contains("standLRT", htmlCells);
        Assert.StartsWith("<div class=\"typedmixed-fit\">", html);
    }

    [Fact]
    public void Names_are_HTML_encoded()
    {
        var t = ReferenceData.ReadCsv("Dyestuff.csv");
        var design = ReferenceData.Design("yield<&>", ReferenceData.Numbers(t["Yield"]), [], ReferenceData.Term("Batch", t["Batch"]));
        string html = FitSummary.ToHtml(LinearMixedModel.Fit(design));
        Assert.Contains("yield&lt;&amp;&gt;", html);
        Assert.DoesNotContain("yield<", html);
    }
}
