using System.Collections.Generic;
using System.Linq;

namespace TypedMixed.Generators;

/// <summary>
/// The parts of a generalized linear mixed model's code that differ from a linear one: <c>Fit</c> over
/// <c>GlmmFitOptions</c>, the family's columns of the design (trials, offset, weights) and the typed result over
/// <c>GeneralizedLinearMixedModelFit</c>, with ratios of the fixed effects and predictions on both scales.
/// </summary>
internal static partial class Emitter
{
    /// <summary>The family's per-row arrays (design member in camel case) and the members they are read from.</summary>
    private static IEnumerable<(string Role, MemberSpec Member)> GlmmMembers(ModelSpec spec)
    {
        if (spec.Glmm is not { } g) yield break;
        if (g.Trials is { } trials) yield return ("trials", trials);
        if (g.Offset is { } offset) yield return ("offset", offset);
        if (g.Weights is { } weights) yield return ("weights", weights);
    }

    /// <summary>The response as a double: bool as 1/0, counts checked non-negative.</summary>
    private static string ResponseValue(ModelSpec spec)
    {
        var response = spec.Response;
        if (spec.Glmm is not { } g) return NumericValue(response);
        if (g.BernoulliResponse) return "(v_" + response.Name + " ? 1.0 : 0.0)";
        if (g.Family is "Poisson" or "NegativeBinomial") return Gen + "GlmmChecks.Count(" + NumericValue(response) + ", " + Literal(response.Name) + ", i)";
        return NumericValue(response); // binomial successes: checked against the trials
    }

    /// <summary>The value stored for one family member: trials and weights only when fitting, the offset always (it enters predictions).</summary>
    private static string GlmmValue(ModelSpec spec, string role, MemberSpec member) => role switch
    {
        "trials" => "fitted is null ? " + Gen + "GlmmChecks.Trials(response[n], " + NumericValue(member) + ", " + Literal(spec.Response.Name) + ", " + Literal(member.Name) + ", i) : 0.0",
        "weights" => "fitted is null ? " + Gen + "GlmmChecks.Weight(" + NumericValue(member) + ", " + Literal(member.Name) + ", i) : 0.0",
        _ => NumericValue(member),
    };

    private static void EmitGlmmEntryPoints(SourceWriter w, ModelSpec spec, FamilySpec glmm)
    {
        string data = Enumerable(spec);
        string points = Index(glmm.QuadraturePoints);
        w.Line("/// <summary>The quadrature points per random effect declared on the model (1: Laplace); <c>Fit</c> uses them when no options are passed.</summary>");
        w.Line("public static int DeclaredQuadraturePoints => " + points + ";");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Builds the model's design from <paramref name=\"data\"/>, walking the records once: " + glmm.Family + " response <c>" + spec.Response.Name + "</c>" + ResponseNote(spec, glmm) + ", link " + glmm.Link + ",");
        w.Line("/// fixed effects " + string.Join(", ", FixedTermNames(spec).Select(n => "<c>" + n + "</c>")) + ", random-effects terms " + string.Join(", ", spec.Terms.Select(t => "<c>" + t.Name + "</c>")) + FamilyMembersNote(glmm) + ".");
        w.Line("/// Rows with a null in a member the model uses are dropped and counted in <see cref=\"" + Tm + "ModelDesign.RowsDropped\"/>.");
        w.Line("/// </summary>");
        w.Line("/// <exception cref=\"" + Tm + "ModelDesignException\">A value is NaN or infinite, a count or weight is negative, successes exceed the trials, an enum value is undefined, or a covariate declared measured on a classification varies within one of its clusters.</exception>");
        w.Line("public static " + Tm + "ModelDesign BuildDesign(" + data + " data) => Encode(data, null).Design;");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Fits the model to <paramref name=\"data\"/> by maximum likelihood with <paramref name=\"options\"/> as given; without options, with the");
        w.Line("/// defaults and <see cref=\"DeclaredQuadraturePoints\"/> (" + (glmm.QuadraturePoints == 1 ? "the Laplace approximation" : points + "-point adaptive Gauss–Hermite quadrature") + ").");
        w.Line("/// </summary>");
        w.Open("public static Result Fit(" + data + " data, " + Tm + "GlmmFitOptions? options = null, global::System.Threading.CancellationToken cancellationToken = default)");
        w.Line("var encoding = Encode(data, null);");
        w.Line("options ??= new " + Tm + "GlmmFitOptions { QuadraturePoints = DeclaredQuadraturePoints };");
        w.Line("return new Result(" + Tm + "GeneralizedLinearMixedModel.Fit(encoding.Design, options, cancellationToken), encoding);");
        w.Close();
    }

    private static string ResponseNote(ModelSpec spec, FamilySpec glmm) =>
        glmm.BernoulliResponse ? " (true = 1, false = 0)"
        : glmm.Trials is { } t ? " (successes out of <c>" + t.Name + "</c> trials)"
        : "";

    private static string FamilyMembersNote(FamilySpec glmm)
    {
        var parts = new List<string>();
        if (glmm.Offset is { } o) parts.Add("offset <c>" + o.Name + "</c>");
        if (glmm.Weights is { } w) parts.Add("prior weights <c>" + w.Name + "</c>");
        return parts.Count == 0 ? "" : ", " + string.Join(", ", parts);
    }

    /// <summary>Writes the typed result of a GLMM: fixed effects and their ratios, the terms, predictions on the link and response scales.</summary>
    private static void EmitGlmmResult(SourceWriter w, ModelSpec spec, FamilySpec glmm)
    {
        w.Line("/// <summary>");
        w.Line("/// The fit of <see cref=\"" + spec.TypeName + "\"/>: a member per fixed-effect column (link scale)" + (glmm.RatioName is null ? "" : " and its " + RatioText(glmm) + ",") + " a member per");
        w.Line("/// random-effects term, named after the declaration, over the underlying <see cref=\"" + Tm + "GeneralizedLinearMixedModelFit\"/>.");
        w.Line("/// </summary>");
        w.Open("public sealed class Result");
        EmitResultConstructor(w, spec, "GeneralizedLinearMixedModelFit");
        w.Line();
        w.Line("/// <summary>The fit as the runtime reports it: all estimates, variance components, likelihood, deviance and the optimizer's record.</summary>");
        w.Line("public " + Tm + "GeneralizedLinearMixedModelFit Underlying { get; }");
        w.Line();
        w.Line("/// <summary>The design that was fitted.</summary>");
        w.Line("public " + Tm + "ModelDesign Design => _encoding.Design;");
        EmitFixedAndTermMembers(w, spec);
        foreach (var ratio in glmm.Ratios)
        {
            w.Line();
            w.Line("/// <summary>The " + RatioText(glmm) + " of <c>" + ratio.Name + "</c>, exp(β), with its Wald 95% interval.</summary>");
            w.Line("public " + Gen + "EffectRatio " + Parser.Escape(ratio.MemberName) + " => " + Gen + "EffectRatio.Of(Underlying.FixedEffect(" + Literal(ratio.Name) + "));");
        }
        w.Line();
        EmitGlmmPredict(w, spec, glmm);
        foreach (var term in spec.Terms)
        {
            w.Line();
            EmitTermClass(w, spec, term);
        }
        w.Close();
    }

    private static string RatioText(FamilySpec glmm) => glmm.RatioName switch
    {
        "OddsRatio" => "odds ratio",
        "RiskRatio" => "risk ratio",
        _ => "rate ratio",
    };

    private static void EmitGlmmPredict(SourceWriter w, ModelSpec spec, FamilySpec glmm)
    {
        string response = "<c>" + spec.Response.Name + "</c>";
        string offset = glmm.Offset is { } o ? " plus the offset <c>" + o.Name + "</c>" : "";
        string mean = glmm.Family == "Binomial" ? "the probability of success" : "the expected count";
        var unread = new List<string> { "the response " + response };
        if (glmm.Trials is { } tr) unread.Add("the trials <c>" + tr.Name + "</c>");
        if (glmm.Weights is { } wt) unread.Add("the weights <c>" + wt.Name + "</c>");
        string notRead = unread.Count == 1 ? unread[0] : string.Join(", ", unread.Take(unread.Count - 1)) + " and " + unread[unread.Count - 1];
        notRead = "T" + notRead.Substring(1) + (unread.Count == 1 ? " is" : " are");
        w.Line("/// <summary>");
        w.Line("/// Predicts the linear predictor η of <paramref name=\"record\"/>: fixed part" + offset + " plus the predicted random effects");
        w.Line("/// of its clusters; a cluster not in the fitted data contributes zero. " + notRead + " not read.");
        w.Line("/// </summary>");
        w.Line("/// <exception cref=\"" + Tm + "ModelDesignException\">A member the prediction uses is null, not finite, or a category not seen in the fitted data.</exception>");
        w.Open("public double PredictLink(" + spec.DataType + " record)");
        w.Line("var encoded = Encode(new[] { record }, _encoding);");
        w.Line("if (encoded.Design.Rows == 0)");
        w.Line("    throw new " + Tm + "ModelDesignException(\"The record has a null in a member the model uses, so it cannot be predicted.\");");
        w.Line("double eta = FixedPart(encoded.Design);");
        for (int t = 0; t < spec.Terms.Count; t++)
        {
            var term = spec.Terms[t];
            w.Line("eta += " + Parser.Escape(term.MemberName) + ".Contribution(encoded." + term.Classification + "Keys[0], encoded.Design.Terms[" + Index(t) + "].Columns);");
        }
        w.Line("return eta;");
        w.Close();
        w.Line();
        w.Line("/// <summary>Predicts " + mean + " of <paramref name=\"record\"/>, g⁻¹ of <see cref=\"PredictLink\"/> (its clusters' effects included).</summary>");
        w.Line("public double Predict(" + spec.DataType + " record) => Underlying.InverseLink(PredictLink(record));");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Predicts the population-level linear predictor of <paramref name=\"record\"/>, xβ̂" + (glmm.Offset is null ? "" : " plus the offset") + " (no random effects). Only the");
        w.Line("/// fixed effects' covariates" + (glmm.Offset is null ? "" : " and the offset") + " are read: the response and the classifications may be anything, or null.");
        w.Line("/// </summary>");
        w.Line("/// <exception cref=\"" + Tm + "ModelDesignException\">A fixed-effect covariate" + (glmm.Offset is null ? "" : " or the offset") + " is null, not finite, or a category not seen in the fitted data.</exception>");
        w.Open("public double PredictFixedLink(" + spec.DataType + " record)");
        w.Line("var encoded = Encode(new[] { record }, _encoding, fixedOnly: true);");
        w.Line("if (encoded.Design.Rows == 0)");
        w.Line("    throw new " + Tm + "ModelDesignException(\"The record has a null in a fixed-effect covariate" + (glmm.Offset is null ? "" : " or the offset") + ", so it cannot be predicted.\");");
        w.Line("return FixedPart(encoded.Design);");
        w.Close();
        w.Line();
        w.Line("/// <summary>Predicts the population-level " + (glmm.Family == "Binomial" ? "probability" : "expected count") + " of <paramref name=\"record\"/>, g⁻¹ of <see cref=\"PredictFixedLink\"/>.</summary>");
        w.Line("public double PredictFixed(" + spec.DataType + " record) => Underlying.InverseLink(PredictFixedLink(record));");
        w.Line();
        w.Line("/// <summary>xβ̂" + (glmm.Offset is null ? "" : " + offset") + " for the one row of <paramref name=\"design\"/> (an aliased column's coefficient is zero).</summary>");
        w.Open("private double FixedPart(" + Tm + "ModelDesign design)");
        w.Line("double sum = " + (glmm.Offset is null ? "0.0" : "design.Offset![0]") + ";");
        w.Line("for (int c = 0; c < _beta.Length; c++) sum += _beta[c] * design.FixedEffects[c];");
        w.Line("return sum;");
        w.Close();
    }

    /// <summary>The latent ICC's formula for the doc comment: σ²_herd / (σ²_herd + π²/3) for logit, + 1 for probit.</summary>
    private static string LatentIccFormula(ModelSpec spec, FamilySpec glmm, RandomTermSpec term) =>
        "σ²_" + term.Name + " / (" + string.Join(" + ", spec.Terms.Select(t => "σ²_" + t.Name)) + (glmm.Link == "Logit" ? " + π²/3)" : " + 1)");
}
