using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace TypedMixed.Generators;

/// <summary>
/// Ordinal (cumulative link) models: <c>Family = ResponseFamily.Ordinal</c> on an enum response whose members, in
/// declaration order, are the categories from lowest to highest (TM0035, TM0036); the threshold structure; the settings
/// an ordinal model does not take (TM0017, TM0037).
/// </summary>
internal sealed partial class Parser
{
    private const string Ordinal = "Ordinal";

    /// <summary>The response enum's categories, lowest first, once <see cref="ParseOrdinalResponse"/> accepted it.</summary>
    private List<string>? _ordinalCategories;

    /// <summary>Names an ordinal result's own members, so that no fixed-effect or term member takes them.</summary>
    private void ReserveOrdinalMembers()
    {
        foreach (var name in new[] { "Thresholds", "ThresholdEstimates", "Categories", "CategoryOrder", "PredictPopulationAveraged", "LatentResidualVariance", "LatentPredictions" })
            _resultMembers.Add(name);
    }

    /// <summary>
    /// The response of an ordinal model: an enum (TM0035 otherwise; a bool is binary) with at least three distinct
    /// members (TM0036). Aliases (members of one value) are one category, named by the first, as for enum covariates.
    /// </summary>
    private MemberSpec? ParseOrdinalResponse(IPropertySymbol property, ITypeSymbol type, MemberSpec member, LocationInfo? location)
    {
        string display = property.Type.ToDisplayString();
        if (type.TypeKind != TypeKind.Enum)
        {
            string fix = type.SpecialType == SpecialType.System_Boolean
                ? "a bool has two categories, so the response is binary: fit it with Family = ResponseFamily.Binomial (the same model with a logit or probit link)"
                : type.SpecialType == SpecialType.System_String
                    ? "a string's categories are known only at run time and have no order; declare an enum whose members are the categories from lowest to highest (e.g. enum Rating { Low, Medium, High }) and make '" + property.Name + "' of that type, or fit the data with typedmixed fit --family ordinal --levels \"low,medium,high\""
                    : "declare an enum whose members are the categories from lowest to highest (e.g. enum Rating { Low, Medium, High }) and make '" + property.Name + "' of that type; the categories are ordered as the enum declares its members";
            Report(_modelDiagnostics, DiagnosticDescriptors.OrdinalResponseNotEnum, location, property.Name, display, fix);
            return null;
        }
        var seen = new List<object?>();
        var names = new List<string>();
        foreach (var field in type.GetMembers().OfType<IFieldSymbol>())
            if (field.HasConstantValue && !seen.Contains(field.ConstantValue))
            {
                seen.Add(field.ConstantValue);
                names.Add(field.Name);
            }
        if (names.Count < 3)
        {
            string count = names.Count switch
            {
                0 => "no members",
                1 => "one category (" + names[0] + ")",
                _ => "two categories (" + names[0] + ", " + names[1] + ")",
            };
            string fix = names.Count == 2
                ? "with two categories the response is binary: make it a bool (true for " + names[1] + ") and fit Family = ResponseFamily.Binomial, the same model with a logit or probit link"
                : "an ordinal response needs at least three ordered categories: add members to '" + type.Name + "'";
            Report(_modelDiagnostics, DiagnosticDescriptors.OrdinalEnumTooFewCategories, location, property.Name, type.Name, count, fix);
            return null;
        }
        _ordinalCategories = names;
        return member;
    }

    /// <summary>
    /// The ordinal spec when <paramref name="family"/> is ordinal (from the checked family settings
    /// <paramref name="glmm"/>; null when those are in error); otherwise null, with TM0017 when <c>Thresholds</c> is set
    /// on another family. An ordinal model has no intercept to drop (TM0017 for <c>Intercept = false</c>).
    /// </summary>
    private OrdinalSpec? ParseOrdinalSettings(AttributeData attribute, Dictionary<string, TypedConstant> named, string family, FamilySpec? glmm, bool intercept)
    {
        string thresholds = "Flexible";
        if (named.TryGetValue("Thresholds", out var value) && value.Type is not null)
        {
            var location = ArgumentLocation(attribute, "Thresholds", 0);
            if (family != Ordinal)
                Report(_modelDiagnostics, DiagnosticDescriptors.SettingDoesNotFitFamily, location, "Thresholds = " + ConstantText(value),
                    family == Gaussian ? "a Gaussian (linear mixed) model" : "a " + family + " model",
                    "thresholds belong to ordinal responses: set Family = ResponseFamily.Ordinal on an enum response, or remove Thresholds");
            else if (EnumMemberName(value) is { } name) thresholds = name;
            else
                Report(_modelDiagnostics, DiagnosticDescriptors.UndefinedEnumValue, location, "Thresholds", ConstantText(value), value.Type.Name,
                    string.Join(", ", DefinedMembers(value.Type)));
        }
        if (family != Ordinal) return null;
        if (!intercept)
            Report(_modelDiagnostics, DiagnosticDescriptors.SettingDoesNotFitFamily, ArgumentLocation(attribute, "Intercept", 0), "Intercept = false",
                "an ordinal model", "its thresholds take the place of the intercept (clmm's formula has none to remove); remove Intercept = false");
        if (glmm is null || _ordinalCategories is null || _failed) return null;

        var categories = _ordinalCategories;
        var members = new List<ColumnSpec>();
        var used = new HashSet<string> { "All", "Above" };
        for (int j = 0; j + 1 < categories.Count; j++)
        {
            string member = categories[j] + "_" + categories[j + 1];
            string unique = member;
            for (int k = 2; !used.Add(unique); k++) unique = member + k.ToString(System.Globalization.CultureInfo.InvariantCulture);
            members.Add(new ColumnSpec(categories[j] + "|" + categories[j + 1], unique));
        }
        return new OrdinalSpec(glmm.Link, glmm.QuadraturePoints, thresholds, categories.ToEquatableArray(), members.ToEquatableArray(), glmm.Ratios);
    }
}
