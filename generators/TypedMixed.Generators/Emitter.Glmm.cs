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
    /// <summary>
    /// The per-row arrays besides the response (design member in camel case) and the members they are read from: a
    /// binomial model's trials, and the offset and prior weights of any family.
    /// </summary>
    private static IEnumerable<(string Role, MemberSpec Member)> RowMembers(ModelSpec spec)
    {
        if (spec.Glmm?.Trials is { } trials) yield return ("trials", trials);
        if (spec.Offset is { } offset) yield return ("offset", offset);
        if (spec.Weights is { } weights) yield return ("weights", weights);
    }

    /// <summary>The response as a double: bool as 1/0, counts checked non-negative.</summary>
    private static string ResponseValue(ModelSpec spec)
    {
        var response = spec.Response;
        if (spec.Ordinal is not null) return "CategoryIndex(v_" + response.Name + ", i)";
        if (spec.Glmm is not { } g) return NumericValue(response);
        if (g.BernoulliResponse) return "(v_" + response.Name + " ? 1.0 : 0.0)";
        if (g.Family is "Poisson" or "NegativeBinomial") return Gen + "GlmmChecks.Count(" + NumericValue(response) + ", " + Literal(response.Name) + ", i)";
        return NumericValue(response); // binomial successes: checked against the trials
    }

    /// <summary>
    /// The value stored for one row member: trials and weights only when fitting, the offset always (it enters
    /// predictions). A generalized model's weights may be zero (the row is left out by PIRLS); a linear model's must be
    /// positive, since the row's residual variance is σ²/w.
    /// </summary>
    private static string RowValue(ModelSpec spec, string role, MemberSpec member) => role switch
    {
        "trials" => "fitted is null ? " + Gen + "GlmmChecks.Trials(response[n], " + NumericValue(member) + ", " + Literal(spec.Response.Name) + ", " + Literal(member.Name) + ", i) : 0.0",
        "weights" => "fitted is null ? " + Gen + (spec.Glmm is null && spec.Ordinal is null ? "DesignChecks.PositiveWeight(" : "GlmmChecks.Weight(") + NumericValue(member) + ", " + Literal(member.Name) + ", i) : 0.0",
        _ => NumericValue(member),
    };

    private static void EmitGlmmEntryPoints(SourceWriter w, ModelSpec spec, FamilySpec glmm)
    {
        string data = Enumerable(spec);
        string points = Index(glmm.QuadraturePoints);
        EmitFormula(w, spec);
        w.Line("/// <summary>The quadrature points per random effect declared on the model (1: Laplace); <c>Fit</c> uses them when no options are passed.</summary>");
        w.Line("public static int DeclaredQuadraturePoints => " + points + ";");
        w.Line();
        EmitBuildDesign(w, spec, glmm.Family + " response <c>" + spec.Response.Name + "</c>" + ResponseNote(glmm) + ", link " + glmm.Link + ",",
            "a count or weight is negative, successes exceed the trials, ");
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

    private static string ResponseNote(FamilySpec glmm) =>
        glmm.BernoulliResponse ? " (true = 1, false = 0)"
        : glmm.Trials is { } t ? " (successes out of <c>" + t.Name + "</c> trials)"
        : "";

    /// <summary>", offset <c>o</c>, prior weights <c>w</c>" for the doc comment of <c>BuildDesign</c>; empty without them.</summary>
    private static string RowMembersNote(ModelSpec spec)
    {
        var parts = new List<string>();
        if (spec.Offset is { } o) parts.Add("offset <c>" + o.Name + "</c>");
        if (spec.Weights is { } w) parts.Add("prior weights <c>" + w.Name + "</c>");
        return parts.Count == 0 ? "" : ", " + string.Join(", ", parts);
    }

    /// <summary>exp(β) with its interval for each fixed-effect column the family's link gives a ratio for.</summary>
    private static void EmitRatios(SourceWriter w, FamilySpec glmm)
    {
        foreach (var ratio in glmm.Ratios)
        {
            w.Line();
            w.Line("/// <summary>The " + RatioText(glmm) + " of <c>" + ratio.Name + "</c>, exp(β), with its Wald 95% interval.</summary>");
            w.Line("public " + Gen + "EffectRatio " + Parser.Escape(ratio.MemberName) + " => " + Gen + "EffectRatio.Of(Underlying.FixedEffect(" + Literal(ratio.Name) + "));");
        }
    }

    private static string RatioText(FamilySpec glmm) => glmm.RatioName switch
    {
        "OddsRatio" => "odds ratio",
        "RiskRatio" => "risk ratio",
        _ => "rate ratio",
    };

    /// <summary>The latent ICC's formula for the doc comment: σ²_herd / (σ²_herd + π²/3) for logit, + 1 for probit.</summary>
    private static string LatentIccFormula(ModelSpec spec, FamilySpec glmm, RandomTermSpec term) =>
        "σ²_" + term.Name + " / (" + string.Join(" + ", spec.Terms.Select(t => "σ²_" + t.Name)) + (glmm.Link == "Logit" ? " + π²/3)" : " + 1)");
}
