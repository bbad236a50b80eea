using System.Linq;

namespace TypedMixed.Generators;

internal static partial class Emitter
{
    /// <summary>Whether the spec declares several responses (<c>Responses = [...]</c>).</summary>
    private static bool IsMultivariate(ModelSpec spec) => spec.Responses.Count > 0;

    /// <summary>
    /// A multivariate model's entry points: <c>BuildDesign</c> returns the wide <c>MultivariateDesign</c> (the encoder walks
    /// the records once, reading every response with NaN for a missing one, and keeps each record's index as the stacked
    /// design's response), <c>Fit</c> fits it with <c>MultivariateMixedModel</c>.
    /// </summary>
    private static void EmitMultivariateEntryPoints(SourceWriter w, ModelSpec spec)
    {
        string data = Enumerable(spec);
        EmitFormula(w, spec);
        w.Line("/// <summary>The estimation method declared on the model; <c>Fit</c> uses it when no method is passed.</summary>");
        w.Line("public static " + Tm + "EstimationMethod DeclaredMethod => " + spec.Method + ";");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Builds the model's wide design from <paramref name=\"data\"/>, walking the records once: responses " + string.Join(", ", spec.Responses.Select(r => "<c>" + r.Name + "</c>")) + " (a null or NaN is a missing response),");
        w.Line("/// fixed effects " + string.Join(", ", FixedTermNames(spec).Select(n => "<c>" + n + "</c>")) + " for each response, classifications " + string.Join(", ", spec.Terms.Select(t => "<c>" + t.Name + "</c>")) + ".");
        w.Line("/// Records with a null in a covariate or classification are dropped and counted in <see cref=\"" + Tm + "MultivariateDesign.RowsDropped\"/>.");
        w.Line("/// </summary>");
        w.Line("/// <exception cref=\"" + Tm + "ModelDesignException\">A covariate is NaN or infinite, an enum value is undefined, or a record has no response.</exception>");
        w.Line("public static " + Tm + "MultivariateDesign BuildDesign(" + data + " data) => ToMultivariate(Encode(data, null));");
        w.Line();
        w.Line("/// <summary>Fits the model to <paramref name=\"data\"/> by <paramref name=\"method\"/> (default: <see cref=\"DeclaredMethod\"/>).</summary>");
        w.Line("public static Result Fit(" + data + " data, " + Tm + "EstimationMethod? method = null, global::System.IProgress<" + Tm + "FitProgress>? progress = null, global::System.Threading.CancellationToken cancellationToken = default)");
        w.Indent();
        w.Line("=> Fit(data, new " + Tm + "FitOptions { Method = method ?? DeclaredMethod, Progress = progress }, cancellationToken);");
        w.Unindent();
        w.Line();
        w.Line("/// <summary>Fits the model to <paramref name=\"data\"/> with <paramref name=\"options\"/> as given (its <c>Method</c> overrides <see cref=\"DeclaredMethod\"/>).</summary>");
        w.Open("public static Result Fit(" + data + " data, " + Tm + "FitOptions options, global::System.Threading.CancellationToken cancellationToken = default)");
        w.Line("if (options is null) throw new global::System.ArgumentNullException(nameof(options));");
        w.Line("return new Result(" + Tm + "MultivariateMixedModel.Fit(ToMultivariate(Encode(data, null)), options, cancellationToken: cancellationToken));");
        w.Close();
        w.Line();
        w.Line("/// <summary>The wide design from an encoding whose response holds each kept record's index.</summary>");
        w.Open("private static " + Tm + "MultivariateDesign ToMultivariate(DesignEncoding encoding)");
        w.Line("var d = encoding.Design;");
        w.Line("var record = d.Response;");
        w.Line("var classifications = new " + Tm + "MultivariateClassification[d.Terms.Count];");
        w.Line("for (int t = 0; t < classifications.Length; t++)");
        w.Indent();
        w.Line("classifications[t] = " + Tm + "MultivariateClassification.FromTerm(d.Terms[t]);");
        w.Unindent();
        w.Open("return new " + Tm + "MultivariateDesign");
        w.Line("ResponseNames = new[] { " + string.Join(", ", spec.Responses.Select(r => Literal(r.Name))) + " },");
        w.Line("Responses = encoding.Responses,");
        w.Line("FixedEffects = d.FixedEffects,");
        w.Line("FixedEffectNames = d.FixedEffectNames,");
        w.Line("Classifications = classifications,");
        w.Line("UnitName = \"record\",");
        w.Line("DescribeUnit = u => \"record \" + ((int)record[u]).ToString(global::System.Globalization.CultureInfo.InvariantCulture),");
        w.Line("RowsDropped = d.RowsDropped,");
        w.Close(";");
        w.Close();
    }

    /// <summary>The value of response <paramref name="r"/> of record <c>r</c> in the encoder: NaN when null.</summary>
    private static string MultivariateResponseValue(MemberSpec r) =>
        r.CanBeMissing ? "r." + r.Identifier + " is { } y_" + r.Name + " ? (double)y_" + r.Name + " : double.NaN" : "(double)r." + r.Identifier;

    /// <summary>
    /// The typed result of a multivariate model: per response a member (named after it) with a member per fixed-effect
    /// column, e.g. <c>result.Written.Female</c>, over the underlying <c>MultivariateMixedModelFit</c>.
    /// </summary>
    private static void EmitMultivariateResult(SourceWriter w, ModelSpec spec)
    {
        w.Line("/// <summary>");
        w.Line("/// The fit of <see cref=\"" + spec.TypeName + "\"/>: per response a member with its fixed effects, named after the declaration,");
        w.Line("/// over the underlying <see cref=\"" + Tm + "MultivariateMixedModelFit\"/> (covariances at each level, VPCs, the test against separate models).");
        w.Line("/// </summary>");
        w.Open("public sealed class Result");
        w.Open("internal Result(" + Tm + "MultivariateMixedModelFit fit)");
        w.Line("Underlying = fit;");
        foreach (var r in spec.Responses)
            w.Line(r.Identifier + " = new " + r.Name + "Effects(fit);");
        w.Close();
        w.Line();
        w.Line("/// <summary>The underlying fit.</summary>");
        w.Line("public " + Tm + "MultivariateMixedModelFit Underlying { get; }");
        w.Line();
        w.Line("/// <summary>The log-likelihood (REML log-likelihood for a REML fit).</summary>");
        w.Line("public double LogLikelihood => Underlying.LogLikelihood;");
        w.Line();
        w.Line("/// <summary>The levels' covariances: each classification (rows and columns <c>response</c>, or <c>response:column</c> with random slopes), then <c>Residual</c>.</summary>");
        w.Line("public global::System.Collections.Generic.IReadOnlyList<" + Tm + "MultivariateLevelFit> Levels => Underlying.Levels;");
        w.Line();
        w.Line("/// <summary>The summary as plain text.</summary>");
        w.Line("public string Summary => " + Tm + "Presentation.FitSummary.ToText(Underlying, new " + Tm + "Presentation.FitReportOptions { Formula = Formula });");
        w.Line();
        w.Line("/// <summary>The summary as GitHub-flavoured Markdown.</summary>");
        w.Line("public string SummaryMarkdown => " + Tm + "Presentation.FitSummary.ToMarkdown(Underlying, new " + Tm + "Presentation.FitReportOptions { Formula = Formula });");
        foreach (var r in spec.Responses)
        {
            w.Line();
            w.Line("/// <summary>The fixed effects of response <c>" + r.Name + "</c>.</summary>");
            w.Line("public " + r.Name + "Effects " + r.Identifier + " { get; }");
        }
        foreach (var r in spec.Responses)
        {
            w.Line();
            w.Line("/// <summary>The fixed effects of response <c>" + r.Name + "</c>, one member per column.</summary>");
            w.Open("public sealed class " + r.Name + "Effects");
            w.Line("private readonly " + Tm + "MultivariateMixedModelFit _fit;");
            w.Line();
            w.Line("internal " + r.Name + "Effects(" + Tm + "MultivariateMixedModelFit fit) => _fit = fit;");
            foreach (var c in spec.FixedColumns)
            {
                w.Line();
                w.Line("/// <summary>The coefficient of column <c>" + c.Name.Replace("<", "&lt;").Replace(">", "&gt;") + "</c> for <c>" + r.Name + "</c>.</summary>");
                w.Line("public " + Tm + "FixedEffectEstimate " + c.MemberName + " => _fit.FixedEffect(" + Literal(r.Name) + ", " + Literal(c.Name) + ");");
            }
            w.Close();
        }
        w.Close();
    }
}
