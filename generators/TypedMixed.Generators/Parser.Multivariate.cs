using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace TypedMixed.Generators;

/// <summary>
/// Multivariate models: <c>Responses = [nameof(T.A), nameof(T.B)]</c> on <c>[MixedModel]</c>. Each response must be a
/// numeric member listed once (TM0032, TM0033); the model is Gaussian, its random intercepts and slopes correlated
/// (each response gets every term's effects), with no residual structure, weights, offset, trials or multiple
/// membership (TM0034).
/// </summary>
internal sealed partial class Parser
{
    /// <summary>Result members a response's name would collide with.</summary>
    private static readonly HashSet<string> MultivariateReserved = new() { "Underlying", "Summary", "SummaryMarkdown", "LogLikelihood", "Levels", "Equals", "GetHashCode", "ToString", "GetType" };

    /// <summary>The declared responses, or null for a single-response model (no or an empty <c>Responses</c>).</summary>
    private List<MemberSpec>? ParseResponses(AttributeData attribute, Dictionary<string, TypedConstant> named)
    {
        if (!named.TryGetValue("Responses", out var list) || list.Kind != TypedConstantKind.Array || list.IsNull || list.Values.Length == 0) return null;
        string model = ModelName(attribute);
        var responses = new List<MemberSpec>();
        var seen = new HashSet<string>();
        for (int k = 0; k < list.Values.Length; k++)
        {
            string name = list.Values[k].Value as string ?? "";
            var location = ArgumentLocation(attribute, "Responses", 0, k);
            if (!seen.Add(name))
            {
                Report(_modelDiagnostics, DiagnosticDescriptors.ResponseListedTwice, location, name, model);
                continue;
            }
            if (!TryGetProperty(name, location, _modelDiagnostics, out var property)) continue;
            var member = Member(property, out var type);
            if (!IsNumeric(type))
            {
                Report(_modelDiagnostics, DiagnosticDescriptors.MultivariateResponseNotNumeric, location, name, property.Type.ToDisplayString());
                continue;
            }
            if (MultivariateReserved.Contains(name))
            {
                Report(_modelDiagnostics, DiagnosticDescriptors.MultivariateNotSupported, location, model, "a response named '" + name + "'",
                    "the typed result already has a member of that name; rename the property");
                continue;
            }
            responses.Add(member);
        }
        if (named.TryGetValue("Response", out var single) && single.Value is string s && s.Length > 0)
            Report(_modelDiagnostics, DiagnosticDescriptors.MultivariateNotSupported, ArgumentLocation(attribute, "Response", 0), model, "both Response and Responses",
                "list every response in Responses and leave Response unset");
        if (list.Values.Length == 1)
            Report(_modelDiagnostics, DiagnosticDescriptors.MultivariateNotSupported, ArgumentLocation(attribute, "Responses", 0), model, "a single entry in Responses",
                "a multivariate model needs at least two responses; use Response for one");
        return responses;
    }

    /// <summary>TM0034 for each setting a multivariate model does not take.</summary>
    private void CheckMultivariate(AttributeData attribute, Dictionary<string, TypedConstant> named, string? family, IEnumerable<AttributeData> modelAttributes, IReadOnlyList<RandomTermSpec> terms)
    {
        string model = ModelName(attribute);
        void Unsupported(LocationInfo? location, string what, string fix) =>
            Report(_modelDiagnostics, DiagnosticDescriptors.MultivariateNotSupported, location, model, what, fix);
        if (family is not null and not "Gaussian")
            Unsupported(ArgumentLocation(attribute, "Family", 0), "Family = ResponseFamily." + family, "multivariate models are Gaussian (linear); remove Family");
        foreach (var setting in new[] { "Trials", "Offset", "Weights", "QuadraturePoints", "Link" })
            if (named.ContainsKey(setting))
                Unsupported(ArgumentLocation(attribute, setting, 0), setting, "multivariate models are Gaussian without prior weights or offsets; remove " + setting);
        foreach (var a in modelAttributes)
        {
            if (IsAttribute(a, ResidualCorrelationAttribute) || IsAttribute(a, ResidualVarianceAttribute))
                Unsupported(AttributeLocation(a), "[" + a.AttributeClass!.Name.Replace("Attribute", "") + "]",
                    "the unit's R × R residual covariance already gives each response its own variance and correlates a record's responses; remove it");
            else if (IsAttribute(a, RandomSlopesAttribute) && a.NamedArguments.Any(n => n.Key == "Correlated" && n.Value.Value is false))
                Unsupported(AttributeLocation(a), "[RandomSlopes] with Correlated = false",
                    "a multivariate model correlates every random effect of a classification (each response's intercept and slopes); remove Correlated = false");
        }
        foreach (var term in terms)
            if (Classification(term.Classification)?.Weighting is not null)
                Unsupported(AttributeLocation(attribute), "the multiple-membership term over '" + term.Classification + "'",
                    "multivariate models take ordinary classifications only; use one school per record");
    }
}
