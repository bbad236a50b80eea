using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace TypedMixed.Generators;

/// <summary>The generator's diagnostics: stable ids, a message that says how to fix the declaration, a help page each.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "TypedMixed";
    /// <summary>
    /// Where every diagnostic's help page lives (<c>docs/diagnostics/TMnnnn.md</c> in the repository). The only place
    /// the public URL is written: the repository has no published address yet (no remote, no <c>RepositoryUrl</c>), so
    /// this is the intended one; change it here when the repository is published.
    /// </summary>
    internal const string HelpLinkRoot = "https://github.com/typedmixed/typedmixed/blob/main/docs/diagnostics/";

    public static readonly DiagnosticDescriptor UnknownMember = Error("TM0001",
        "Unknown member",
        "'{0}' is not a readable public property of '{1}'{2}; name one of its properties with nameof({1}.Member)");

    public static readonly DiagnosticDescriptor ResponseNotNumeric = Error("TM0002",
        "Response is not numeric",
        "The response '{0}' has type '{1}'; a linear mixed model needs a numeric response (double, float, decimal or an integer type, optionally nullable)");

    public static readonly DiagnosticDescriptor ClassificationKeyType = Error("TM0003",
        "Classification is not a discrete key",
        "Classification '{0}' has type '{1}', which is not a discrete key; use an integer, string, enum, char, Guid, bool or IComparable<T> type (floating-point values do not identify clusters reliably)");

    public static readonly DiagnosticDescriptor NotAClassification = Error("TM0004",
        "Member is not a classification",
        "'{0}' is used as a classification but is not marked [Classification]; add [property: Classification] to '{0}' or name a classification");

    public static readonly DiagnosticDescriptor NestingCycle = Error("TM0005",
        "Nesting cycle",
        "Classification '{0}' is nested in itself through {1}; remove NestedIn from one of these classifications");

    public static readonly DiagnosticDescriptor SlopeConstantWithinCluster = Error("TM0006",
        "Random slope of a covariate constant within the clusters",
        "'{0}' is measured on '{1}', so it is constant within each '{2}' and cannot have a random slope over it; remove the slope, or use a classification below '{1}'");

    public static readonly DiagnosticDescriptor DuplicateTerm = Error("TM0007",
        "Term declared twice",
        "{0} is declared twice in model '{1}'; remove the duplicate");

    public static readonly DiagnosticDescriptor NoRandomTerm = Warning("TM0008",
        "Model has no random-effects term",
        "Model '{0}' has no [RandomIntercept] or [RandomSlopes]; add a random-effects term (no code is generated until it has one)");

    public static readonly DiagnosticDescriptor ModelNotPartial = Error("TM0009",
        "Model type is not partial",
        "Model type '{0}' must be declared partial so the generator can add Fit, BuildDesign and Result to it");

    public static readonly DiagnosticDescriptor UnsupportedDataType = Error("TM0010",
        "Unsupported data type",
        "'{0}' cannot be the data type of a model: {1}; use a record, class or struct with public readable properties");

    public static readonly DiagnosticDescriptor UnsupportedModelDeclaration = Error("TM0011",
        "Unsupported model declaration",
        "Model type '{0}' is {1}; declare the model as a non-generic top-level partial class or record");

    public static readonly DiagnosticDescriptor UnsupportedCovariateType = Error("TM0012",
        "Unsupported covariate type",
        "'{0}' has type '{1}', which cannot be {2}; use {3}");

    public static readonly DiagnosticDescriptor MalformedTerm = Error("TM0013",
        "Malformed term",
        "{0}");

    public static readonly DiagnosticDescriptor ResponseFamilyMismatch = Error("TM0014",
        "Response type does not fit the family",
        "The response '{0}' has type '{1}', which does not fit the {2} family; {3}");

    public static readonly DiagnosticDescriptor BinomialCountWithoutTrials = Error("TM0015",
        "Binomial count response without trials",
        "The binomial response '{0}' is a count of successes ('{1}'), so the model needs the number of trials per row; set Trials = nameof(...) to the member holding it, or use a bool response for a 0/1 outcome");

    public static readonly DiagnosticDescriptor FamilyMemberNotNumeric = Error("TM0016",
        "Trials, offset or weights member is not numeric",
        "The {0} member '{1}' has type '{2}'; it must be numeric (double, float, decimal or an integer type, optionally nullable)");

    public static readonly DiagnosticDescriptor SettingDoesNotFitFamily = Error("TM0017",
        "Setting does not fit the family",
        "{0} does not apply to {1}; {2}");

    public static readonly DiagnosticDescriptor QuadraturePointsNotPossible = Error("TM0018",
        "Quadrature points not possible for this model",
        "QuadraturePoints = {0} is not possible: {1}");

    public static readonly DiagnosticDescriptor MemberInTwoRoles = Error("TM0019",
        "Member used in two roles",
        "'{0}' is the {1} and also the {2}; a member plays one role in a model, so name another member (or compute a separate property)");

    public static readonly DiagnosticDescriptor ResponseUsedElsewhere = Error("TM0020",
        "Response used elsewhere in the model",
        "'{0}' is the response and cannot also be {1}: a model cannot explain a variable by itself; remove '{0}' from {2}, or name another member as the response");

    public static readonly DiagnosticDescriptor ClassificationAsNumericCovariate = Error("TM0021",
        "Classification used as a numeric covariate",
        "'{0}' is a [Classification] of type '{1}', whose values label clusters rather than measure a quantity, so it cannot be {2}; remove it, use a random intercept over it, or add a separate enum or string member for a fixed effect per cluster");

    public static readonly DiagnosticDescriptor ResponseConstantWithinClusters = Error("TM0022",
        "Response constant within the clusters of a random-effects term",
        "The response '{0}' is declared [MeasuredOn(\"{1}\")], so it is constant within each '{2}' cluster and leaves no within-cluster variation for a random effect over '{2}'; model it on data with one row per '{1}' cluster, or remove [MeasuredOn] if it varies within '{1}'");

    public static readonly DiagnosticDescriptor NoFixedPart = Warning("TM0023",
        "Model has no fixed part",
        "Model '{0}' has no intercept and no fixed-effect covariate, so every prediction is centred at zero; remove Intercept = false, or name fixed effects in Fixed");

    public static readonly DiagnosticDescriptor UndefinedEnumValue = Error("TM0024",
        "Undefined enum value in the declaration",
        "{0} = {1} is not a member of {2}; use one of {3}");

    public static readonly DiagnosticDescriptor CorrelationTimeType = Error("TM0025",
        "Residual-correlation time member of a wrong type",
        "The time member '{0}' has type '{1}', which cannot order a {2} residual correlation; {3}");

    public static readonly DiagnosticDescriptor CorrelationClassificationNotInModel = Error("TM0026",
        "Residual-correlation classification not in the model",
        "'{0}' is not a classification of a random-effects term of model '{1}' ({2}) nor declared nested in one; residuals are correlated within clusters of the model: name one of them, add a random-effects term over '{0}', or declare [Classification(NestedIn = ...)] on '{0}'");

    public static readonly DiagnosticDescriptor VarianceMemberType = Error("TM0027",
        "Variance-function member of a wrong type",
        "'{0}' has type '{1}', which cannot be a member of the {2} variance function; use {3}");

    public static readonly DiagnosticDescriptor ResidualStructureDeclaredTwice = Error("TM0028",
        "Residual structure declared twice",
        "Model '{0}' has more than one {1}; {2}");

    public static readonly DiagnosticDescriptor MembershipMemberType = Error("TM0029",
        "Multiple-membership member of a wrong type",
        "'{0}' is declared [MultipleMembership] but has type '{1}'; {2}");

    public static readonly DiagnosticDescriptor MembershipAsClassification = Error("TM0030",
        "Multiple-membership member used as an ordinary classification",
        "'{0}' is a multiple-membership member and cannot be {1}; a record belongs to several of its levels, so {2}");

    public static readonly DiagnosticDescriptor MembershipTermNotSupported = Error("TM0031",
        "Multiple-membership term in an unsupported model",
        "The multiple-membership term over '{0}' cannot be used in {1}; {2}");

    public static readonly DiagnosticDescriptor ResponseListedTwice = Error("TM0032",
        "Response listed twice",
        "'{0}' is listed twice in Responses of '{1}'; list each response once");

    public static readonly DiagnosticDescriptor MultivariateResponseNotNumeric = Error("TM0033",
        "Multivariate response is not numeric",
        "The response '{0}' in Responses has type '{1}'; every response of a multivariate model must be numeric (double, float, decimal or an integer type, optionally nullable for a missing value)");

    public static readonly DiagnosticDescriptor MultivariateNotSupported = Error("TM0034",
        "Multivariate model with an unsupported setting",
        "The multivariate model '{0}' cannot have {1}; {2}");
    public static readonly DiagnosticDescriptor OrdinalResponseNotEnum = Error("TM0035",
        "Ordinal response is not an enum",
        "The ordinal response '{0}' has type '{1}'; {2}");

    public static readonly DiagnosticDescriptor OrdinalEnumTooFewCategories = Error("TM0036",
        "Ordinal response enum has fewer than three categories",
        "The ordinal response '{0}' is the enum '{1}', which has {2}; {3}");

    public static readonly DiagnosticDescriptor OrdinalStructureNotSupported = Error("TM0037",
        "Structure not supported by ordinal models",
        "{0} cannot be used in the ordinal model '{1}': {2}");

    public static readonly DiagnosticDescriptor[] All =
    {
        UnknownMember, ResponseNotNumeric, ClassificationKeyType, NotAClassification, NestingCycle,
        SlopeConstantWithinCluster, DuplicateTerm, NoRandomTerm, ModelNotPartial, UnsupportedDataType,
        UnsupportedModelDeclaration, UnsupportedCovariateType, MalformedTerm, ResponseFamilyMismatch,
        BinomialCountWithoutTrials, FamilyMemberNotNumeric, SettingDoesNotFitFamily, QuadraturePointsNotPossible,
        MemberInTwoRoles, ResponseUsedElsewhere, ClassificationAsNumericCovariate, ResponseConstantWithinClusters, NoFixedPart,
        UndefinedEnumValue, CorrelationTimeType, CorrelationClassificationNotInModel, VarianceMemberType, ResidualStructureDeclaredTwice,
        MembershipMemberType, MembershipAsClassification, MembershipTermNotSupported,
        ResponseListedTwice, MultivariateResponseNotNumeric, MultivariateNotSupported,
        OrdinalResponseNotEnum, OrdinalEnumTooFewCategories, OrdinalStructureNotSupported,
    };

    private static readonly Dictionary<string, DiagnosticDescriptor> Index = BuildIndex();

    public static DiagnosticDescriptor ById(string id) => Index[id];

    private static Dictionary<string, DiagnosticDescriptor> BuildIndex()
    {
        var index = new Dictionary<string, DiagnosticDescriptor>();
        foreach (var d in All) index.Add(d.Id, d);
        return index;
    }

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLinkRoot + id + ".md");

    private static DiagnosticDescriptor Warning(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLinkRoot + id + ".md");
}
