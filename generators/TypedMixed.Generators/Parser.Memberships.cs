using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace TypedMixed.Generators;

/// <summary>
/// Multiple-membership classifications: a <c>[MultipleMembership]</c> member holding a record's weighted
/// <c>Membership&lt;TKey&gt;</c> list is a classification keyed by <c>TKey</c> that only random-effects terms may name.
/// </summary>
internal sealed partial class Parser
{
    private const string MultipleMembershipAttribute = "TypedMixed.MultipleMembershipAttribute";
    private const string MembershipType = "TypedMixed.Membership<TKey>";

    /// <summary>The data type's <c>[MultipleMembership]</c> members by name; null when the declaration is in error.</summary>
    private readonly Dictionary<string, ClassificationSpec?> _memberships = new();

    /// <summary>Checks every <c>[MultipleMembership]</c> member of the data type once (TM0029, TM0030, TM0024).</summary>
    private void ValidateMemberships()
    {
        foreach (var property in _properties.Values.ToList())
        {
            if (FindAttribute(property, MultipleMembershipAttribute) is not { } attribute) continue;
            _memberships[property.Name] = ComputeMembership(property, attribute);
        }
    }

    private ClassificationSpec? ComputeMembership(IPropertySymbol property, AttributeData attribute)
    {
        if (HasErrors(attribute)) return null;
        var location = AttributeLocation(attribute);
        if (FindAttribute(property, ClassificationAttribute) is not null)
        {
            Report(_dataDiagnostics, DiagnosticDescriptors.MembershipAsClassification, location, property.Name,
                "an ordinary [Classification] as well", "remove [Classification] (or [MultipleMembership] if each record has one level)");
            return null;
        }
        var member = Member(property, out var type);
        if (ContainsError(type)) return null; // the compiler reports the unknown type
        var element = MembershipElement(type);
        string? problem =
            element is null ? "use a list or array of Membership<TKey>, e.g. IReadOnlyList<Membership<int>> or Membership<string>[]"
            : element is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } ? "the key of Membership<TKey> cannot be nullable: leave the level out of the list instead"
            : KeyKindOf(element) is null ? "its key type '" + element.ToDisplayString() + "' is not a valid classification key: use an integer, string, enum, char, Guid, bool or another IComparable<T> (not a floating-point type)"
            : null;
        if (problem is not null)
        {
            Report(_dataDiagnostics, DiagnosticDescriptors.MembershipMemberType, location, property.Name, property.Type.ToDisplayString(), problem);
            return null;
        }
        string weighting = "SumToOne";
        if (NamedArguments(attribute).TryGetValue("Weighting", out var w) && w.Type is not null)
        {
            if (EnumMemberName(w) is { } name) weighting = name;
            else
            {
                Report(_dataDiagnostics, DiagnosticDescriptors.UndefinedEnumValue, ArgumentLocation(attribute, "Weighting", 0),
                    "Weighting", ConstantText(w), w.Type.Name, string.Join(", ", DefinedMembers(w.Type)));
                return null;
            }
        }
        var key = member with { Type = element!.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(TypeFormat), IsFloatingPoint = false };
        return new ClassificationSpec(key, KeyKindOf(element)!.Value, new[] { property.Name }.ToEquatableArray(), weighting);
    }

    /// <summary>The <c>TKey</c> of a type that is, or implements, <c>IEnumerable&lt;Membership&lt;TKey&gt;&gt;</c> (never a string); otherwise null.</summary>
    private static ITypeSymbol? MembershipElement(ITypeSymbol type)
    {
        if (type.SpecialType == SpecialType.System_String) return null;
        var candidates = type is IArrayTypeSymbol { Rank: 1 } array
            ? new[] { array.ElementType }
            : (type is INamedTypeSymbol named ? new[] { named } : new INamedTypeSymbol[0]).Concat(type.AllInterfaces)
                .Where(i => i.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T)
                .Select(i => i.TypeArguments[0]).ToArray();
        foreach (var c in candidates)
            if (c is INamedTypeSymbol { TypeArguments.Length: 1 } m && m.OriginalDefinition.ToDisplayString() == MembershipType)
                return m.TypeArguments[0];
        return null;
    }

    private static bool ContainsError(ITypeSymbol type) => type switch
    {
        { TypeKind: TypeKind.Error } => true,
        IArrayTypeSymbol array => ContainsError(array.ElementType),
        INamedTypeSymbol named => named.TypeArguments.Any(ContainsError),
        _ => false,
    };

    /// <summary>True when <paramref name="property"/> is declared <c>[MultipleMembership]</c>.</summary>
    private static bool IsMembership(IPropertySymbol property) => FindAttribute(property, MultipleMembershipAttribute) is not null;

    /// <summary>
    /// TM0031 for a membership term in a model the runtime refuses it in: a generalized (non-Gaussian) model, or one with
    /// a residual correlation or variance function.
    /// </summary>
    private void CheckMembershipTerms(AttributeData attribute, string? family, List<RandomTermSpec> terms, bool residualStructure, string modelName)
    {
        foreach (var term in terms)
        {
            if (Classification(term.Classification)?.Weighting is null) continue;
            if (family == Ordinal)
            {
                Report(_modelDiagnostics, DiagnosticDescriptors.OrdinalStructureNotSupported, AttributeLocation(attribute),
                    "The multiple-membership term over '" + term.Classification + "'", modelName,
                    "ordinal models are fitted with one level per row of each classification; use an ordinary [Classification] (e.g. the main membership), or a Gaussian model of a numeric score");
                _failed = true;
            }
            else if (family is not null and not "Gaussian")
            {
                Report(_modelDiagnostics, DiagnosticDescriptors.MembershipTermNotSupported, AttributeLocation(attribute), term.Classification,
                    "the " + family + " model '" + modelName + "'", "multiple membership is fitted for Gaussian responses only: drop Family, or model the outcome with an ordinary classification");
                _failed = true;
            }
            else if (residualStructure)
            {
                Report(_modelDiagnostics, DiagnosticDescriptors.MembershipTermNotSupported, AttributeLocation(attribute), term.Classification,
                    "model '" + modelName + "', which has a residual correlation or variance function", "remove the residual structure, or the membership term");
                _failed = true;
            }
        }
    }
}
