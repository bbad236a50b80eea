using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace TypedMixed.Generators;

/// <summary>Member resolution, type classification, the data type's own checks and argument locations.</summary>
internal sealed partial class Parser
{
    /// <summary>Checks every [Classification] and [MeasuredOn] of the data type, once, whether or not the model uses it.</summary>
    private void ValidateDataType(System.Threading.CancellationToken cancellationToken)
    {
        foreach (var property in _properties.Values.ToList())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (FindAttribute(property, ClassificationAttribute) is not null && !IsMembership(property))
                ComputeClassification(property.Name, new List<string>());
        }
        ValidateMemberships();
        foreach (var property in _properties.Values.ToList())
        {
            if (FindAttribute(property, MeasuredOnAttribute) is not { } measuredOn || HasErrors(measuredOn)) continue;
            string target = measuredOn.ConstructorArguments.Length == 1 ? measuredOn.ConstructorArguments[0].Value as string ?? "" : "";
            var location = ArgumentLocation(measuredOn, null, 0);
            if (!TryGetProperty(target, location, _dataDiagnostics, out var targetProperty)) continue;
            if (IsMembership(targetProperty))
            {
                Report(_dataDiagnostics, DiagnosticDescriptors.MembershipAsClassification, location, target,
                    "named in [MeasuredOn]", "no covariate is constant within one level per record: declare it measured on an ordinary classification");
                _failed = true;
            }
            else if (!_classifications.ContainsKey(target))
                Report(_dataDiagnostics, DiagnosticDescriptors.NotAClassification, location, target);
        }
    }

    private ClassificationSpec? ComputeClassification(string name, List<string> chain)
    {
        if (_classifications.TryGetValue(name, out var done)) return done;
        var property = _properties[name];
        var attribute = FindAttribute(property, ClassificationAttribute)!;
        var member = Member(property, out var keyType);
        bool ok = !HasErrors(attribute);
        var kind = KeyKindOf(keyType);
        if (kind is null)
        {
            Report(_dataDiagnostics, DiagnosticDescriptors.ClassificationKeyType, AttributeLocation(attribute), name, property.Type.ToDisplayString());
            ok = false;
        }

        var path = new List<string>();
        chain.Add(name);
        if (ok && NamedArguments(attribute).TryGetValue("NestedIn", out var nestedIn) && !nestedIn.IsNull)
        {
            string parent = nestedIn.Value as string ?? "";
            var location = ArgumentLocation(attribute, "NestedIn", 0);
            if (!TryGetProperty(parent, location, _dataDiagnostics, out var parentProperty))
                ok = false;
            else if (IsMembership(parentProperty))
            {
                Report(_dataDiagnostics, DiagnosticDescriptors.MembershipAsClassification, location, parent,
                    "the classification another is nested in", "nest in an ordinary classification");
                ok = false;
            }
            else if (FindAttribute(parentProperty, ClassificationAttribute) is null)
            {
                Report(_dataDiagnostics, DiagnosticDescriptors.NotAClassification, location, parent);
                ok = false;
            }
            else if (chain.Contains(parent))
            {
                var cycle = chain.Skip(chain.IndexOf(parent)).Concat(new[] { parent });
                Report(_dataDiagnostics, DiagnosticDescriptors.NestingCycle, location, parent, string.Join(" → ", cycle));
                ok = false;
            }
            else if (ComputeClassification(parent, chain) is { } parentSpec)
                path.AddRange(parentSpec.Path);
            else
                ok = false;
        }
        chain.RemoveAt(chain.Count - 1);
        path.Add(name);
        var spec = ok ? new ClassificationSpec(member, kind!.Value, path.ToEquatableArray()) : null;
        _classifications[name] = spec;
        return spec;
    }

    private static KeyKind? KeyKindOf(ITypeSymbol type)
    {
        switch (type.SpecialType)
        {
            case SpecialType.System_String:
                return KeyKind.String;
            case SpecialType.System_Double:
            case SpecialType.System_Single:
                return null;
            case SpecialType.System_Boolean:
            case SpecialType.System_Char:
            case SpecialType.System_SByte:
            case SpecialType.System_Byte:
            case SpecialType.System_Int16:
            case SpecialType.System_UInt16:
            case SpecialType.System_Int32:
            case SpecialType.System_UInt32:
            case SpecialType.System_Int64:
            case SpecialType.System_UInt64:
            case SpecialType.System_Decimal:
                return KeyKind.Comparable;
        }
        if (type.TypeKind == TypeKind.Enum) return KeyKind.Comparable;
        bool comparable = type.AllInterfaces.Any(i =>
            i.Name == "IComparable" && i.ContainingNamespace?.ToDisplayString() == "System" &&
            i.TypeArguments.Length == 1 && SymbolEqualityComparer.Default.Equals(i.TypeArguments[0], type));
        return comparable ? KeyKind.Comparable : null;
    }

    /// <summary>A classification named by a model argument, or null (with a diagnostic) when it is not one.</summary>
    private ClassificationSpec? ResolveClassification(string name, LocationInfo? location)
    {
        if (!TryGetProperty(name, location, _modelDiagnostics, out _)) return null;
        if (!_classifications.TryGetValue(name, out var spec) && !_memberships.TryGetValue(name, out spec))
        {
            Report(_modelDiagnostics, DiagnosticDescriptors.NotAClassification, location, name);
            return null;
        }
        if (spec is null) _failed = true; // its own attribute is in error (reported once, on the data type)
        return spec;
    }

    private ClassificationSpec? Classification(string name) =>
        _classifications.TryGetValue(name, out var spec) || _memberships.TryGetValue(name, out spec) ? spec : null;

    /// <summary>A covariate named by a model argument, or null (with a diagnostic) when it is unknown or of an unsupported type.</summary>
    private CovariateSpec? ResolveCovariate(string name, LocationInfo? location, bool slope)
    {
        if (!TryGetProperty(name, location, _modelDiagnostics, out var property)) return null;
        var member = Member(property, out var type);
        bool emptyEnum = type.TypeKind == TypeKind.Enum && !type.GetMembers().OfType<IFieldSymbol>().Any(f => f.HasConstantValue);
        CovariateKind? kind = IsNumeric(type) ? CovariateKind.Numeric
            : type.SpecialType == SpecialType.System_Boolean ? CovariateKind.Bool
            : type.TypeKind == TypeKind.Enum && !emptyEnum ? CovariateKind.Enum
            : type.SpecialType == SpecialType.System_String && !slope ? CovariateKind.String
            : null;
        if (kind == CovariateKind.Numeric && FindAttribute(property, ClassificationAttribute) is not null)
        {
            Report(_modelDiagnostics, DiagnosticDescriptors.ClassificationAsNumericCovariate, location, name, property.Type.ToDisplayString(),
                slope ? "a random slope" : "a fixed effect");
            return null;
        }
        if (kind is null)
        {
            Report(_modelDiagnostics, DiagnosticDescriptors.UnsupportedCovariateType, location, name, property.Type.ToDisplayString(),
                slope ? "a random slope" : "a fixed effect",
                emptyEnum ? "an enum with at least one member (the first is the reference category)"
                : slope ? "a numeric, bool or enum member (a string category has no compile-time columns to vary)" : "a numeric, bool, enum or string member");
            return null;
        }
        if (_covariates.TryGetValue(member.Name, out var known)) return known;

        var levels = EquatableArray<string>.Empty;
        if (kind == CovariateKind.Enum)
        {
            // Declaration order, first member the reference; aliases (same value) are one level.
            var seen = new List<object?>();
            var names = new List<string>();
            foreach (var field in type.GetMembers().OfType<IFieldSymbol>())
                if (field.HasConstantValue && !seen.Contains(field.ConstantValue))
                {
                    seen.Add(field.ConstantValue);
                    names.Add(field.Name);
                }
            levels = names.ToEquatableArray();
        }
        string? measuredOn = null;
        if (FindAttribute(property, MeasuredOnAttribute) is { ConstructorArguments.Length: 1 } m && m.ConstructorArguments[0].Value is string on && Classification(on) is not null)
            measuredOn = on;
        var spec = new CovariateSpec(member, kind.Value, levels, measuredOn);
        _covariates.Add(member.Name, spec);
        return spec;
    }

    private bool TryGetProperty(string name, LocationInfo? location, List<DiagnosticInfo> diagnostics, out IPropertySymbol property)
    {
        if (_properties.TryGetValue(name, out property!)) return true;
        string? closest = MemberNames.Closest(name, _properties.Keys);
        Report(diagnostics, DiagnosticDescriptors.UnknownMember, location, name.Length == 0 ? "(empty)" : name, _dataName,
            closest is null ? "" : " (did you mean '" + closest + "'?)");
        return false;
    }

    /// <summary>
    /// True (with TM0020) when <paramref name="name"/> is the model's response: a response that also explains itself, as
    /// <paramref name="role"/>, compiles but leaves nothing to estimate (the optimizer fails at run time).
    /// </summary>
    private bool IsResponse(string name, LocationInfo? location, string role, string where)
    {
        if (name.Length == 0 || name != _responseName || !_properties.ContainsKey(name)) return false;
        Report(_modelDiagnostics, DiagnosticDescriptors.ResponseUsedElsewhere, location, name, role, where);
        return true;
    }

    /// <summary>
    /// TM0022 when the response is declared [MeasuredOn] the classification of a random-effects term or one it is nested
    /// in: the response is then constant within each cluster of the term and has no within-cluster variation.
    /// </summary>
    private void CheckResponseVariesWithin(ClassificationSpec classification, LocationInfo? location)
    {
        if (!_properties.TryGetValue(_responseName, out var response)) return;
        if (FindAttribute(response, MeasuredOnAttribute) is not { ConstructorArguments.Length: 1 } m || m.ConstructorArguments[0].Value is not string on) return;
        if (!classification.Path.Contains(on)) return;
        Report(_modelDiagnostics, DiagnosticDescriptors.ResponseConstantWithinClusters, location, _responseName, on, classification.Member.Name);
    }

    /// <summary>The names of an enum's members, in declaration order.</summary>
    private static IEnumerable<string> DefinedMembers(ITypeSymbol enumType) =>
        enumType.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue).Select(f => f.Name);

    private static MemberSpec Member(IPropertySymbol property, out ITypeSymbol type)
    {
        type = property.Type;
        bool missing = type.IsReferenceType;
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
            missing = true;
        }
        bool floating = type.SpecialType is SpecialType.System_Double or SpecialType.System_Single;
        return new MemberSpec(property.Name, Escape(property.Name), type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(TypeFormat), missing, floating);
    }

    internal static string Escape(string identifier) =>
        SyntaxFacts.GetKeywordKind(identifier) != SyntaxKind.None ? "@" + identifier : identifier;

    private static bool IsNumeric(ITypeSymbol type) => type.SpecialType switch
    {
        SpecialType.System_SByte or SpecialType.System_Byte or SpecialType.System_Int16 or SpecialType.System_UInt16 or
        SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 or SpecialType.System_UInt64 or
        SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Decimal => true,
        _ => false,
    };

    private static AttributeData? FindAttribute(ISymbol symbol, string name) =>
        symbol.GetAttributes().FirstOrDefault(a => IsAttribute(a, name));

    private static bool IsAttribute(AttributeData attribute, string name) =>
        attribute.AttributeClass is { } c && c.ToDisplayString() == name;

    private static Dictionary<string, TypedConstant> NamedArguments(AttributeData attribute)
    {
        var named = new Dictionary<string, TypedConstant>();
        foreach (var pair in attribute.NamedArguments) named[pair.Key] = pair.Value;
        return named;
    }

    /// <summary>True when the attribute or an argument did not bind; the compiler reports that, so the generator stays quiet.</summary>
    private static bool HasErrors(AttributeData attribute)
    {
        if (attribute.AttributeClass is null or IErrorTypeSymbol) return true;
        return attribute.ConstructorArguments.Any(IsError) || attribute.NamedArguments.Any(p => IsError(p.Value));

        static bool IsError(TypedConstant c) => c.Kind == TypedConstantKind.Error || (c.Kind == TypedConstantKind.Array && !c.IsNull && c.Values.Any(IsError));
    }

    private void Report(List<DiagnosticInfo> diagnostics, DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments)
    {
        diagnostics.Add(new DiagnosticInfo(descriptor.Id, location, arguments.ToEquatableArray()));
        if (descriptor.DefaultSeverity == DiagnosticSeverity.Error) _failed = true;
    }

    private static LocationInfo? AttributeLocation(AttributeData attribute) =>
        LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation());

    private static LocationInfo? TypeArgumentLocation(AttributeData attribute)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax() is AttributeSyntax syntax &&
            syntax.Name.DescendantNodesAndSelf().OfType<GenericNameSyntax>().FirstOrDefault() is { TypeArgumentList.Arguments.Count: > 0 } generic)
            return LocationInfo.From(generic.TypeArgumentList.Arguments[0].GetLocation());
        return AttributeLocation(attribute);
    }

    /// <summary>
    /// The location of an attribute argument: a named one (<paramref name="named"/>), or the positional one at
    /// <paramref name="position"/>; with <paramref name="element"/>, the element of an array argument (written as a
    /// collection expression, an array creation, or expanded <c>params</c>).
    /// </summary>
    private static LocationInfo? ArgumentLocation(AttributeData attribute, string? named, int position, int element = -1)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax() is not AttributeSyntax syntax) return null;
        var arguments = syntax.ArgumentList?.Arguments ?? default;
        ExpressionSyntax? expression = null;
        if (named is not null)
            expression = arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.Text == named)?.Expression;
        else
        {
            var positional = arguments.Where(a => a.NameEquals is null).ToList();
            if (position < positional.Count)
            {
                var candidate = positional[position].Expression;
                if (element < 0 || Elements(candidate) is not null) expression = candidate;
                else if (position + element < positional.Count) return LocationInfo.From(positional[position + element].Expression.GetLocation());
            }
        }
        if (expression is not null && element >= 0 && Elements(expression) is { } elements && element < elements.Count)
            expression = elements[element];
        return LocationInfo.From((expression ?? (SyntaxNode)syntax).GetLocation());
    }

    private static IReadOnlyList<ExpressionSyntax>? Elements(ExpressionSyntax expression) => expression switch
    {
        CollectionExpressionSyntax c => c.Elements.OfType<ExpressionElementSyntax>().Select(e => e.Expression).ToList(),
        ArrayCreationExpressionSyntax { Initializer: { } i } => i.Expressions,
        ImplicitArrayCreationExpressionSyntax i => i.Initializer.Expressions,
        _ => null,
    };
}
