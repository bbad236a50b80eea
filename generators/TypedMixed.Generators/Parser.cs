using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace TypedMixed.Generators;

/// <summary>
/// Turns one <c>[MixedModel&lt;T&gt;]</c> declaration into a <see cref="ModelSpec"/>, checking every member reference on
/// the way. Each problem becomes a <see cref="DiagnosticInfo"/> at the offending attribute argument; a model with an error
/// gets no spec (nothing is emitted for it).
/// </summary>
internal sealed partial class Parser
{
    internal const string MixedModelAttribute = "TypedMixed.MixedModelAttribute`1";
    private const string ClassificationAttribute = "TypedMixed.ClassificationAttribute";
    private const string MeasuredOnAttribute = "TypedMixed.MeasuredOnAttribute";
    private const string RandomInterceptAttribute = "TypedMixed.RandomInterceptAttribute";
    private const string RandomSlopesAttribute = "TypedMixed.RandomSlopesAttribute";
    private const string InteractionAttribute = "TypedMixed.InteractionAttribute";
    private const string ResidualCorrelationAttribute = "TypedMixed.ResidualCorrelationAttribute";
    private const string ResidualVarianceAttribute = "TypedMixed.ResidualVarianceAttribute";

    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat;

    private readonly List<DiagnosticInfo> _modelDiagnostics = new();
    private readonly List<DiagnosticInfo> _dataDiagnostics = new();
    private readonly Dictionary<string, IPropertySymbol> _properties = new();
    private readonly Dictionary<string, ClassificationSpec?> _classifications = new();
    private readonly Dictionary<string, CovariateSpec> _covariates = new();
    private readonly HashSet<string> _resultMembers = new() { "Underlying", "Design", "Formula", "Summary", "SummaryMarkdown", "ResidualVariance", "ResidualVarianceStdError", "Predict", "PredictFixed", "FixedParts", "WithFormula", "Predictions", "Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "Finalize" };
    private string _dataName = "";
    private string _responseName = "";
    private bool _failed;

    private Parser()
    {
    }

    /// <summary>Parses one model declaration found by <c>ForAttributeWithMetadataName</c>.</summary>
    public static ModelResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var parser = new Parser();
        var spec = parser.ParseModel(context, cancellationToken);
        return new ModelResult(
            parser._failed ? null : spec,
            parser._modelDiagnostics.Distinct().ToEquatableArray(),
            parser._dataDiagnostics.Distinct().ToEquatableArray());
    }

    private ModelSpec? ParseModel(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol model || context.TargetNode is not TypeDeclarationSyntax declaration)
            return null;
        if (context.Attributes.Length == 0) return null;
        var attribute = context.Attributes[0];
        if (HasErrors(attribute)) return Fail();

        if (!CheckModelDeclaration(model, declaration)) return Fail();

        if (attribute.AttributeClass is not { TypeArguments.Length: 1 } attributeClass) return Fail();
        var dataType = attributeClass.TypeArguments[0];
        if (dataType.TypeKind == TypeKind.Error) return Fail();
        if (!CheckDataType(dataType, attribute)) return Fail();
        var data = (INamedTypeSymbol)dataType;
        _dataName = data.Name;
        CollectProperties(data);
        ValidateDataType(cancellationToken);

        var named = NamedArguments(attribute);
        string? family = ParseFamily(attribute, named);
        var responses = ParseResponses(attribute, named);
        bool bernoulli = false;
        var response = responses is null ? ParseResponse(attribute, named, family, out bernoulli) : responses.FirstOrDefault();
        _responseName = responses is not null ? response?.Name ?? "" : named.TryGetValue("Response", out var responseArgument) ? responseArgument.Value as string ?? "" : "";
        if (family is not null and not "Gaussian") ReserveGlmmMembers();
        if (family == Ordinal) ReserveOrdinalMembers();
        bool intercept = !named.TryGetValue("Intercept", out var i) || i.Value is not false;
        string method = MethodName(attribute, named);

        var declaredTerms = new List<EquatableArray<string>>();
        ParseFixed(attribute, named, declaredTerms);
        var modelAttributes = model.GetAttributes();
        foreach (var a in modelAttributes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (HasErrors(a)) return Fail();
            if (IsAttribute(a, InteractionAttribute)) ParseInteraction(a, declaredTerms, model.Name);
        }
        var fixedTerms = CodeFixedTerms(intercept, declaredTerms);
        if (!intercept && declaredTerms.Count == 0 && !_failed)
            Report(_modelDiagnostics, DiagnosticDescriptors.NoFixedPart, ArgumentLocation(attribute, "Intercept", 0), model.Name);

        var terms = new List<RandomTermSpec>();
        var columnsByClassification = new Dictionary<string, HashSet<string>>();
        foreach (var a in modelAttributes)
        {
            if (IsAttribute(a, RandomInterceptAttribute)) ParseRandomTerm(a, slopes: false, terms, columnsByClassification, model.Name);
            else if (IsAttribute(a, RandomSlopesAttribute)) ParseRandomTerm(a, slopes: true, terms, columnsByClassification, model.Name);
        }
        if (terms.Count == 0 && !_failed)
        {
            Report(_modelDiagnostics, DiagnosticDescriptors.NoRandomTerm, AttributeLocation(attribute), model.Name);
            return Fail();
        }

        if (responses is not null) CheckMultivariate(attribute, named, family, modelAttributes, terms);
        var (correlation, variance) = ParseResidualStructures(attribute, named, modelAttributes, family, terms, model.Name);
        CheckMembershipTerms(attribute, family, terms, correlation is not null || variance is not null, model.Name);

        // Classifications read by the builder: those of the terms, of MeasuredOn checks and of a residual correlation, with their ancestors.
        var measuredOn = new List<MeasuredOnSpec>();
        foreach (var covariate in _covariates.Values)
            if (covariate.MeasuredOn is { } on && Classification(on) is not null)
                measuredOn.Add(new MeasuredOnSpec(covariate.Member.Name, on));
        var needed = new List<ClassificationSpec>();
        var correlationClassification = correlation is null ? new string[0] : new[] { correlation.Classification };
        foreach (var name in terms.Select(t => t.Classification).Concat(measuredOn.Select(m => m.Classification)).Concat(correlationClassification))
            foreach (var level in Classification(name)?.Path ?? EquatableArray<string>.Empty)
                if (Classification(level) is { } c && !needed.Contains(c)) needed.Add(c);

        if (response is null || family is null) return Fail();
        // The family settings are checked even when another argument is in error, so all problems show at once.
        var fixedColumns = FixedColumns(intercept, fixedTerms).ToList();
        var glmm = ParseFamilySettings(attribute, named, family, response, bernoulli, fixedTerms, terms, fixedColumns, out var offset, out var weights);
        var ordinal = ParseOrdinalSettings(attribute, named, family, glmm, intercept);
        if (ordinal is not null) glmm = null;
        if (_failed) return Fail();
        return new ModelSpec(
            Namespace: model.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : "",
            TypeName: model.Name,
            TypeKeyword: model.IsRecord ? (model.TypeKind == TypeKind.Struct ? "record struct" : "record") : (model.TypeKind == TypeKind.Struct ? "struct" : "class"),
            DataType: data.ToDisplayString(TypeFormat),
            DataIsReferenceType: data.IsReferenceType,
            Response: response,
            Intercept: intercept,
            Method: method,
            Covariates: _covariates.Values.ToEquatableArray(),
            FixedTerms: fixedTerms.ToEquatableArray(),
            FixedColumns: fixedColumns.ToEquatableArray(),
            Classifications: needed.ToEquatableArray(),
            Terms: terms.ToEquatableArray(),
            MeasuredOn: measuredOn.ToEquatableArray(),
            Glmm: glmm,
            Offset: offset,
            Weights: weights,
            Correlation: correlation,
            Variance: variance,
            Responses: responses?.ToEquatableArray() ?? default,
            Ordinal: ordinal);
    }

    private ModelSpec? Fail()
    {
        _failed = true;
        return null;
    }

    private bool CheckModelDeclaration(INamedTypeSymbol model, TypeDeclarationSyntax declaration)
    {
        // Declarations the compiler already rejects (an interface, partial parts of different kinds) get no code.
        if (model.TypeKind is not (TypeKind.Class or TypeKind.Struct) ||
            model.DeclaringSyntaxReferences.Select(r => r.GetSyntax().Kind()).Distinct().Count() > 1 ||
            model.ContainingSymbol is INamespaceOrTypeSymbol container && container.GetTypeMembers(model.Name).Count(t => t.Arity == model.Arity) > 1)
            return false;
        var location = LocationInfo.From(declaration.Identifier.GetLocation());
        bool ok = true;
        if (model.ContainingType is not null)
        {
            Report(_modelDiagnostics, DiagnosticDescriptors.UnsupportedModelDeclaration, location, model.Name, "nested in '" + model.ContainingType.Name + "'");
            ok = false;
        }
        else if (model.IsGenericType)
        {
            Report(_modelDiagnostics, DiagnosticDescriptors.UnsupportedModelDeclaration, location, model.Name, "generic");
            ok = false;
        }
        bool partial = model.DeclaringSyntaxReferences.All(r =>
            r.GetSyntax() is TypeDeclarationSyntax t && t.Modifiers.Any(m => m.IsKind(SyntaxKind.PartialKeyword)));
        if (!partial)
        {
            Report(_modelDiagnostics, DiagnosticDescriptors.ModelNotPartial, location, model.Name);
            ok = false;
        }
        if (model.IsStatic)
        {
            Report(_modelDiagnostics, DiagnosticDescriptors.UnsupportedModelDeclaration, location, model.Name, "static");
            ok = false;
        }
        return ok;
    }

    private bool CheckDataType(ITypeSymbol dataType, AttributeData attribute)
    {
        string? reason = dataType switch
        {
            ITypeParameterSymbol => "it is a type parameter",
            IArrayTypeSymbol => "it is an array",
            INamedTypeSymbol { TypeKind: TypeKind.Interface } => "it is an interface",
            INamedTypeSymbol { TypeKind: TypeKind.Enum } => "it is an enum",
            INamedTypeSymbol { TypeKind: TypeKind.Delegate } => "it is a delegate",
            INamedTypeSymbol { IsUnboundGenericType: true } => "it is an unbound generic type",
            INamedTypeSymbol { SpecialType: not SpecialType.None } => "it is a built-in type",
            INamedTypeSymbol named when named.TypeKind is TypeKind.Class or TypeKind.Struct => null,
            _ => "it is not a class, record or struct",
        };
        if (reason is null && !IsAccessible(dataType))
            reason = "it is private or protected, so generated code cannot read it";
        if (reason is null && !ReadableProperties((INamedTypeSymbol)dataType).Any())
            reason = "it has no public readable instance properties";
        if (reason is null) return true;
        Report(_modelDiagnostics, DiagnosticDescriptors.UnsupportedDataType, TypeArgumentLocation(attribute), dataType.ToDisplayString(), reason);
        return false;
    }

    private static bool IsAccessible(ITypeSymbol type)
    {
        for (ISymbol? s = type; s is INamedTypeSymbol; s = s.ContainingType)
            if (s.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
                return false;
        return true;
    }

    private static IEnumerable<IPropertySymbol> ReadableProperties(INamedTypeSymbol type)
    {
        for (var t = type; t is not null; t = t.BaseType)
            foreach (var member in t.GetMembers())
                if (member is IPropertySymbol { IsStatic: false, IsIndexer: false, DeclaredAccessibility: Accessibility.Public, GetMethod.DeclaredAccessibility: Accessibility.Public } p)
                    yield return p;
    }

    private void CollectProperties(INamedTypeSymbol type)
    {
        foreach (var p in ReadableProperties(type))
            if (!_properties.ContainsKey(p.Name)) _properties.Add(p.Name, p);
    }

    /// <summary>
    /// The response member, checked against the family (null when that is undefined): numeric for Gaussian (a bool is
    /// never silently Gaussian), bool or a numeric count for binomial, an integer count for Poisson and negative binomial.
    /// </summary>
    private MemberSpec? ParseResponse(AttributeData attribute, Dictionary<string, TypedConstant> named, string? family, out bool bernoulli)
    {
        bernoulli = false;
        string name = named.TryGetValue("Response", out var r) ? r.Value as string ?? "" : "";
        var location = named.ContainsKey("Response") ? ArgumentLocation(attribute, "Response", 0) : AttributeLocation(attribute);
        if (!TryGetProperty(name, location, _modelDiagnostics, out var property)) return null;
        var member = Member(property, out var type);
        if (family == Ordinal) return ParseOrdinalResponse(property, type, member, location);
        bool isBool = type.SpecialType == SpecialType.System_Boolean;
        string? fix = family switch
        {
            "Gaussian" when isBool => "a bool response is a 0/1 outcome: set Family = ResponseFamily.Binomial",
            "Gaussian" when type.TypeKind == TypeKind.Enum => "an enum response is a set of ordered categories: set Family = ResponseFamily.Ordinal (a cumulative link model; its members, in declaration order, are the categories from lowest to highest)",
            "Binomial" when !isBool && !IsNumeric(type) => "use a bool for a 0/1 outcome, or a numeric count of successes with Trials",
            "Poisson" or "NegativeBinomial" when !IsInteger(type) => "the response is a count: use an integer type (int, long, short or byte, optionally nullable)",
            _ => null,
        };
        if (fix is not null)
        {
            Report(_modelDiagnostics, DiagnosticDescriptors.ResponseFamilyMismatch, location, name, property.Type.ToDisplayString(), family!, fix);
            return null;
        }
        if (!isBool && !IsNumeric(type))
        {
            Report(_modelDiagnostics, DiagnosticDescriptors.ResponseNotNumeric, location, name, property.Type.ToDisplayString());
            return null;
        }
        bernoulli = isBool;
        return member;
    }

    /// <summary>The declared estimation method; a value no member of <c>EstimationMethod</c> has is reported (TM0024).</summary>
    private string MethodName(AttributeData attribute, Dictionary<string, TypedConstant> named)
    {
        if (!named.TryGetValue("Method", out var m) || m.Type is null) return "global::TypedMixed.EstimationMethod.Reml";
        if (EnumMemberName(m) is { } name) return "global::TypedMixed.EstimationMethod." + name;
        Report(_modelDiagnostics, DiagnosticDescriptors.UndefinedEnumValue, ArgumentLocation(attribute, "Method", 0),
            "Method", ConstantText(m), m.Type.Name, string.Join(", ", DefinedMembers(m.Type)));
        return "global::TypedMixed.EstimationMethod.Reml";
    }

    private void ParseFixed(AttributeData attribute, Dictionary<string, TypedConstant> named, List<EquatableArray<string>> terms)
    {
        var main = new HashSet<string>();
        if (!named.TryGetValue("Fixed", out var list) || list.Kind != TypedConstantKind.Array || list.IsNull) return;
        for (int k = 0; k < list.Values.Length; k++)
        {
            string name = list.Values[k].Value as string ?? "";
            var location = ArgumentLocation(attribute, "Fixed", 0, k);
            if (IsResponse(name, location, "a fixed effect", "Fixed")) continue;
            if (ResolveCovariate(name, location, slope: false) is not { } covariate) continue;
            if (!main.Add(covariate.Member.Name))
            {
                Report(_modelDiagnostics, DiagnosticDescriptors.DuplicateTerm, location, "The fixed effect '" + name + "'", ModelName(attribute));
                _failed = true;
                continue;
            }
            terms.Add(new[] { covariate.Member.Name }.ToEquatableArray());
        }
    }

    private void ParseInteraction(AttributeData attribute, List<EquatableArray<string>> terms, string modelName)
    {
        var members = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0] is { Kind: TypedConstantKind.Array, IsNull: false }
            ? attribute.ConstructorArguments[0].Values.Select(v => v.Value as string ?? "").ToArray()
            : new string[0];
        if (members.Length < 2)
        {
            Report(_modelDiagnostics, DiagnosticDescriptors.MalformedTerm, AttributeLocation(attribute),
                "An interaction needs at least two members, e.g. [Interaction(nameof(T.Time), nameof(T.Treatment))]");
            _failed = true;
            return;
        }
        var components = new List<string>();
        for (int k = 0; k < members.Length; k++)
        {
            var location = ArgumentLocation(attribute, null, 0, k);
            if (IsResponse(members[k], location, "a member of an interaction", "the [Interaction]")) continue;
            if (ResolveCovariate(members[k], location, slope: false) is not { } covariate) continue;
            if (components.Contains(covariate.Member.Name))
            {
                Report(_modelDiagnostics, DiagnosticDescriptors.DuplicateTerm, location, "The member '" + members[k] + "' of this interaction", modelName);
                _failed = true;
            }
            else components.Add(covariate.Member.Name);
        }
        if (components.Count != members.Length) return;
        var key = new HashSet<string>(components);
        if (terms.Any(t => t.Count == components.Count && key.SetEquals(t)))
        {
            Report(_modelDiagnostics, DiagnosticDescriptors.DuplicateTerm, AttributeLocation(attribute), "The interaction " + string.Join(":", components), modelName);
            _failed = true;
            return;
        }
        terms.Add(components.ToEquatableArray());
    }

    private void ParseRandomTerm(AttributeData attribute, bool slopes, List<RandomTermSpec> terms, Dictionary<string, HashSet<string>> columnsByClassification, string modelName)
    {
        var args = attribute.ConstructorArguments;
        if (args.Length == 0) return;
        string name = args[0].Value as string ?? "";
        var classificationLocation = ArgumentLocation(attribute, null, 0);
        var classification = IsResponse(name, classificationLocation, "the classification of a random-effects term", "this term")
            ? null
            : ResolveClassification(name, classificationLocation);
        if (classification is not null) CheckResponseVariesWithin(classification, classificationLocation);
        var named = NamedArguments(attribute);
        bool intercept = !slopes || !named.TryGetValue("Intercept", out var i) || i.Value is not false;
        bool correlated = !named.TryGetValue("Correlated", out var c) || c.Value is not false;

        var slopeNames = new List<string>();
        var slopeValues = slopes && args.Length > 1 && args[1] is { Kind: TypedConstantKind.Array, IsNull: false } ? args[1].Values : default;
        for (int k = 0; !slopeValues.IsDefault && k < slopeValues.Length; k++)
        {
            string covariateName = slopeValues[k].Value as string ?? "";
            var location = ArgumentLocation(attribute, null, 1, k);
            if (IsResponse(covariateName, location, "a random slope", "the [RandomSlopes]")) continue;
            if (ResolveCovariate(covariateName, location, slope: true) is not { } covariate) continue;
            if (classification is not null && covariate.MeasuredOn is { } on && classification.Path.Contains(on))
            {
                Report(_modelDiagnostics, DiagnosticDescriptors.SlopeConstantWithinCluster, location, covariateName, on, classification.Member.Name);
                _failed = true;
                continue;
            }
            if (slopeNames.Contains(covariate.Member.Name))
            {
                Report(_modelDiagnostics, DiagnosticDescriptors.DuplicateTerm, location, "The random slope of '" + covariateName + "' over '" + name + "'", modelName);
                _failed = true;
                continue;
            }
            slopeNames.Add(covariate.Member.Name);
        }
        if (!intercept && slopeNames.Count == 0 && !_failed)
        {
            Report(_modelDiagnostics, DiagnosticDescriptors.MalformedTerm, AttributeLocation(attribute),
                "A random term over '" + name + "' needs an intercept or at least one slope; set Intercept = true or name a covariate");
            _failed = true;
            return;
        }
        if (classification is null) return;

        // The same column over the same classification in two terms (e.g. two random intercepts over School).
        if (!columnsByClassification.TryGetValue(name, out var used)) columnsByClassification.Add(name, used = new HashSet<string>());
        var columns = (intercept ? new[] { "(Intercept)" } : new string[0]).Concat(slopeNames).ToList();
        foreach (var column in columns)
        {
            if (used.Add(column)) continue;
            string what = column == "(Intercept)" ? "The random intercept over '" + name + "'" : "The random slope of '" + column + "' over '" + name + "'";
            Report(_modelDiagnostics, DiagnosticDescriptors.DuplicateTerm, classificationLocation, what, modelName);
            _failed = true;
            return;
        }

        var slopeAllLevels = CodeSlopes(intercept, slopeNames);
        var termColumns = new List<ColumnSpec>();
        if (intercept) termColumns.Add(new ColumnSpec("(Intercept)", "Intercept"));
        for (int k = 0; k < slopeNames.Count; k++)
            foreach (var (column, part) in CovariateColumns(_covariates[slopeNames[k]], slopeAllLevels[k]))
                termColumns.Add(new ColumnSpec(column, part));
        string memberName = UniqueMember(terms.Any(t => t.Classification == name) ? name + string.Join("", slopeNames) : name);
        terms.Add(new RandomTermSpec(name, string.Join(":", classification.Path.Reverse()), memberName, intercept,
            slopeNames.ToEquatableArray(), slopeAllLevels, correlated, termColumns.ToEquatableArray()));
    }

    private IEnumerable<ColumnSpec> FixedColumns(bool intercept, List<FixedTermSpec> terms)
    {
        if (intercept) yield return new ColumnSpec("(Intercept)", UniqueMember("Intercept"));
        foreach (var term in terms)
        {
            var factors = term.Covariates.Select(c => _covariates[c]).ToList();
            if (factors.Any(f => f.Kind == CovariateKind.String)) continue;
            var parts = factors.Select((f, j) => CovariateColumns(f, term.AllLevels[j]).ToList()).ToList();
            int total = parts.Aggregate(1, (a, p) => a * p.Count);
            for (int k = 0; k < total; k++)
            {
                // First factor varies fastest, as R's model.matrix.
                var names = new List<string>();
                var members = new List<string>();
                int rest = k;
                foreach (var p in parts)
                {
                    names.Add(p[rest % p.Count].Column);
                    members.Add(p[rest % p.Count].Member);
                    rest /= p.Count;
                }
                yield return new ColumnSpec(string.Join(":", names), UniqueMember(string.Join("By", members)));
            }
        }
    }

    private string UniqueMember(string name)
    {
        string candidate = name;
        for (int k = 2; !_resultMembers.Add(candidate); k++) candidate = name + k.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return candidate;
    }

    private string ModelName(AttributeData attribute) =>
        attribute.ApplicationSyntaxReference?.GetSyntax().FirstAncestorOrSelf<TypeDeclarationSyntax>()?.Identifier.Text ?? "";
}
