using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace TypedMixed.Generators;

/// <summary>
/// The residual structures of a Gaussian model: <c>[ResidualCorrelation]</c> (structure, time member, classification) and
/// <c>[ResidualVariance]</c> (function, members). Each is checked against the data type and the rest of the declaration:
/// the time's type against the structure (TM0025), the classification against the model's terms (TM0026), each
/// variance member's type against the function (TM0027), one of each per model (TM0028), Gaussian only (TM0017).
/// </summary>
internal sealed partial class Parser
{
    /// <summary>The member kinds each variance function takes, as the diagnostic's fix says them.</summary>
    private static string VarianceMemberKinds(string kind) => kind switch
    {
        "Ident" => "a bool, enum or string member (one variance per level; the first is the reference)",
        "LogLinear" => "a numeric, bool, enum or string member (a category enters as its contrast columns)",
        _ => "a numeric member (double, float, decimal or an integer type, optionally nullable)",
    };

    private (ResidualCorrelationSpec? Correlation, ResidualVarianceSpec? Variance) ParseResidualStructures(
        AttributeData model, Dictionary<string, TypedConstant> named, System.Collections.Immutable.ImmutableArray<AttributeData> attributes,
        string? family, List<RandomTermSpec> terms, string modelName)
    {
        ResidualCorrelationSpec? correlation = null;
        ResidualVarianceSpec? variance = null;
        bool correlationSeen = false, varianceSeen = false;
        foreach (var a in attributes)
        {
            bool isCorrelation = IsAttribute(a, ResidualCorrelationAttribute);
            if (!isCorrelation && !IsAttribute(a, ResidualVarianceAttribute)) continue;
            // An attribute the compiler could not bind (no matching constructor, a wrong argument type) is reported by the
            // compiler; the model gets no code rather than code without the structure.
            if (a.AttributeConstructor is null || HasErrors(a))
            {
                _failed = true;
                continue;
            }
            string what = isCorrelation ? "[ResidualCorrelation]" : "[ResidualVariance]";
            if (isCorrelation ? correlationSeen : varianceSeen)
            {
                Report(_modelDiagnostics, DiagnosticDescriptors.ResidualStructureDeclaredTwice, AttributeLocation(a), modelName, what,
                    isCorrelation ? "a model has one residual correlation structure" : "a model has one variance function; list several covariates in one LogLinear or Quadratic [ResidualVariance]");
                continue;
            }
            if (isCorrelation) correlationSeen = true; else varianceSeen = true;
            if (family == Ordinal)
            {
                Report(_modelDiagnostics, DiagnosticDescriptors.OrdinalStructureNotSupported, AttributeLocation(a), what, modelName,
                    "a cumulative link model has no level-1 residual to correlate or to give a variance function (its latent residual has the link's fixed distribution); remove it");
                continue;
            }
            if (family is not null && family != Gaussian)
            {
                Report(_modelDiagnostics, DiagnosticDescriptors.SettingDoesNotFitFamily, AttributeLocation(a), what, "a " + family + " model",
                    "residual structures belong to linear mixed models (Gaussian level-1 residuals, as nlme's lme); remove it, or the Family");
                continue;
            }
            if (!isCorrelation && named.TryGetValue("Weights", out var weights) && !weights.IsNull)
            {
                Report(_modelDiagnostics, DiagnosticDescriptors.SettingDoesNotFitFamily, AttributeLocation(a), what, "a model with prior Weights",
                    "both set the level-1 variance (nlme's weights = is the variance function); give one of them");
                continue;
            }
            if (isCorrelation) correlation = ParseResidualCorrelation(a, terms, modelName);
            else variance = ParseResidualVariance(a, modelName);
        }
        return (correlation, variance);
    }

    private ResidualCorrelationSpec? ParseResidualCorrelation(AttributeData attribute, List<RandomTermSpec> terms, string modelName)
    {
        var args = attribute.ConstructorArguments;
        if (args.Length != 3) return Failed<ResidualCorrelationSpec>();
        string? structure = EnumMemberName(args[0]);
        if (structure is null && args[0].Type is { } structureType)
            Report(_modelDiagnostics, DiagnosticDescriptors.UndefinedEnumValue, ArgumentLocation(attribute, null, 0),
                "Structure", ConstantText(args[0]), structureType.Name, string.Join(", ", DefinedMembers(structureType)));

        string timeName = args[1].Value as string ?? "";
        var timeLocation = ArgumentLocation(attribute, null, 1);
        MemberSpec? time = null;
        if (!IsResponse(timeName, timeLocation, "the time of a residual correlation", "the [ResidualCorrelation]") &&
            TryGetProperty(timeName, timeLocation, _modelDiagnostics, out var property))
        {
            var member = Member(property, out var type);
            if (structure == "Ar1" && !IsInteger(type))
                Report(_modelDiagnostics, DiagnosticDescriptors.CorrelationTimeType, timeLocation, timeName, property.Type.ToDisplayString(), "AR(1)",
                    "AR(1) needs whole-number occasions: use an integer member (int, long, short or byte, optionally nullable), or ResidualCorrelationStructure.ContinuousAr1 for real-valued times");
            else if (structure is not null && !IsNumeric(type))
                Report(_modelDiagnostics, DiagnosticDescriptors.CorrelationTimeType, timeLocation, timeName, property.Type.ToDisplayString(), "continuous-time AR(1)",
                    "use a numeric member (double, float, decimal or an integer type, optionally nullable), e.g. the time in days");
            else time = member;
        }

        string name = args[2].Value as string ?? "";
        var location = ArgumentLocation(attribute, null, 2);
        var classification = IsResponse(name, location, "the classification of a residual correlation", "the [ResidualCorrelation]")
            ? null
            : ResolveClassification(name, location);
        if (classification is not null && terms.Count > 0 && !classification.Path.Any(p => terms.Any(t => t.Classification == p)))
        {
            Report(_modelDiagnostics, DiagnosticDescriptors.CorrelationClassificationNotInModel, location, name, modelName,
                string.Join(", ", terms.Select(t => t.Classification).Distinct()));
            return null;
        }
        if (structure is null || time is null || classification is null) return Failed<ResidualCorrelationSpec>();
        return new ResidualCorrelationSpec(structure, time, name, string.Join(":", classification.Path.Reverse()));
    }

    private ResidualVarianceSpec? ParseResidualVariance(AttributeData attribute, string modelName)
    {
        var args = attribute.ConstructorArguments;
        if (args.Length == 0) return Failed<ResidualVarianceSpec>();
        string? kind = EnumMemberName(args[0]);
        if (kind is null && args[0].Type is { } kindType)
            Report(_modelDiagnostics, DiagnosticDescriptors.UndefinedEnumValue, ArgumentLocation(attribute, null, 0),
                "Kind", ConstantText(args[0]), kindType.Name, string.Join(", ", DefinedMembers(kindType)));
        var values = args.Length > 1 && args[1] is { Kind: TypedConstantKind.Array, IsNull: false } array ? array.Values : System.Collections.Immutable.ImmutableArray<TypedConstant>.Empty;
        if (kind is null) return Failed<ResidualVarianceSpec>();

        string? countProblem = kind switch
        {
            "Ident" when values.Length != 1 => "A varIdent variance function takes one member, the bool, enum or string whose levels get their own variance, e.g. [ResidualVariance(ResidualVarianceFunctionKind.Ident, nameof(Pupil.Sex))]",
            "Exponential" or "Power" when values.Length != 1 => "An " + (kind == "Power" ? "power" : "exponential") + " variance function takes exactly one numeric member, e.g. [ResidualVariance(ResidualVarianceFunctionKind." + kind + ", nameof(Pupil.StandLrt))]; for several covariates use LogLinear",
            "LogLinear" or "Quadratic" when values.Length == 0 => "A " + (kind == "LogLinear" ? "log-linear" : "quadratic") + " variance function needs at least one member, e.g. [ResidualVariance(ResidualVarianceFunctionKind." + kind + ", nameof(Pupil.StandLrt))]",
            _ => null,
        };
        if (countProblem is not null)
        {
            Report(_modelDiagnostics, DiagnosticDescriptors.MalformedTerm, AttributeLocation(attribute), countProblem);
            return null;
        }

        var members = new List<string>();
        bool ok = true;
        for (int k = 0; k < values.Length; k++)
        {
            string name = values[k].Value as string ?? "";
            var location = ArgumentLocation(attribute, null, 1, k);
            if (IsResponse(name, location, "a member of the variance function", "the [ResidualVariance]") ||
                !TryGetProperty(name, location, _modelDiagnostics, out var property))
            {
                ok = false;
                continue;
            }
            Member(property, out var type);
            bool emptyEnum = type.TypeKind == TypeKind.Enum && !type.GetMembers().OfType<IFieldSymbol>().Any(f => f.HasConstantValue);
            bool category = type.SpecialType is SpecialType.System_Boolean or SpecialType.System_String || (type.TypeKind == TypeKind.Enum && !emptyEnum);
            bool fits = kind switch
            {
                "Ident" => category,
                "LogLinear" => category || IsNumeric(type),
                _ => IsNumeric(type),
            };
            if (!fits)
            {
                Report(_modelDiagnostics, DiagnosticDescriptors.VarianceMemberType, location, name, property.Type.ToDisplayString(), kind, VarianceMemberKinds(kind));
                ok = false;
                continue;
            }
            if (members.Contains(name))
            {
                Report(_modelDiagnostics, DiagnosticDescriptors.DuplicateTerm, location, "The member '" + name + "' of the variance function", modelName);
                ok = false;
                continue;
            }
            // Registered as a covariate, so the encoder codes it as the fixed part would (contrasts, enum levels).
            if (ResolveCovariate(name, location, slope: false) is null) { ok = false; continue; }
            members.Add(name);
        }
        return ok ? new ResidualVarianceSpec(kind, members.ToEquatableArray()) : Failed<ResidualVarianceSpec>();
    }

    /// <summary>No spec for a declared structure: the model must get no code (a diagnostic says why, or the compiler does).</summary>
    private T? Failed<T>() where T : class
    {
        _failed = true;
        return null;
    }
}
