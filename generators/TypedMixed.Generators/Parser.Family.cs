using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace TypedMixed.Generators;

/// <summary>
/// The family settings of <c>[MixedModel]</c> (Family, Link, Trials, Offset, Weights, QuadraturePoints): each checked
/// against the family and the rest of the declaration, and for a non-Gaussian model turned into a <see cref="FamilySpec"/>.
/// A Gaussian model gets no family spec, so its code is what it was before GLMMs; its offset and prior weights, like a
/// generalized model's, go on the <see cref="ModelSpec"/> itself.
/// </summary>
internal sealed partial class Parser
{
    private const string Gaussian = "Gaussian";

    /// <summary>The links each family takes (R's <c>okLinks</c>; a Gaussian model is a linear mixed model).</summary>
    private static readonly Dictionary<string, string[]> LinksOf = new()
    {
        [Gaussian] = new[] { "Identity" },
        ["Binomial"] = new[] { "Logit", "Probit", "Cloglog", "Log" },
        ["Poisson"] = new[] { "Log", "Identity", "Sqrt" },
        ["NegativeBinomial"] = new[] { "Log", "Identity", "Sqrt" },
        [Ordinal] = new[] { "Logit", "Probit", "Cloglog" },
    };

    /// <summary>The declared family's member name; null (with a diagnostic) when the value is not a defined member.</summary>
    private string? ParseFamily(AttributeData attribute, Dictionary<string, TypedConstant> named)
    {
        if (!named.TryGetValue("Family", out var value)) return Gaussian;
        if (EnumMemberName(value) is { } name && LinksOf.ContainsKey(name)) return name;
        Report(_modelDiagnostics, DiagnosticDescriptors.SettingDoesNotFitFamily, ArgumentLocation(attribute, "Family", 0),
            "Family = " + ConstantText(value), "any model", "use a member of ResponseFamily: " + string.Join(", ", LinksOf.Keys));
        return null;
    }

    /// <summary>Names a GLMM result's own members, so that no fixed-effect or term member takes them.</summary>
    private void ReserveGlmmMembers()
    {
        _resultMembers.Add("PredictLink");
        _resultMembers.Add("PredictFixedLink");
    }

    /// <summary>
    /// Checks the settings against the family and the rest of the model; returns the family spec of a non-Gaussian
    /// model, null for a Gaussian one (or with a diagnostic). The offset and prior-weights members, which any family
    /// takes, come back in <paramref name="offset"/> and <paramref name="weights"/>.
    /// </summary>
    private FamilySpec? ParseFamilySettings(
        AttributeData attribute, Dictionary<string, TypedConstant> named, string family, MemberSpec response, bool bernoulli,
        List<FixedTermSpec> fixedTerms, List<RandomTermSpec> terms, List<ColumnSpec> fixedColumns,
        out MemberSpec? offset, out MemberSpec? weights)
    {
        bool gaussian = family == Gaussian;
        string model = gaussian ? "a Gaussian (linear mixed) model" : "a " + family + " model";

        // Link: one the family takes, or Canonical.
        string link = Canonical(family);
        if (named.TryGetValue("Link", out var linkValue))
        {
            string? name = EnumMemberName(linkValue);
            if (name != "Canonical")
            {
                if (name is not null && LinksOf[family].Contains(name)) link = name;
                else
                    Report(_modelDiagnostics, DiagnosticDescriptors.SettingDoesNotFitFamily, ArgumentLocation(attribute, "Link", 0),
                        "Link = " + ConstantText(linkValue), model,
                        "use " + string.Join(", ", LinksOf[family]) + " or leave it Canonical (" + Canonical(family) + ")");
            }
        }

        // Method: REML or ML of a linear mixed model; a GLMM is always fitted by maximum likelihood.
        if (!gaussian && named.TryGetValue("Method", out var method))
            Report(_modelDiagnostics, DiagnosticDescriptors.SettingDoesNotFitFamily, ArgumentLocation(attribute, "Method", 0),
                "Method = " + ConstantText(method), model,
                "remove it: a generalized linear mixed model is fitted by maximum likelihood (Laplace, or quadrature with QuadraturePoints)");

        // Who plays which role: a member may be the response, a covariate, trials, offset or weights, not two of them.
        var roles = new Dictionary<string, string> { [response.Name] = "response" };
        foreach (var term in fixedTerms)
            foreach (var covariate in term.Covariates)
                if (!roles.ContainsKey(covariate)) roles[covariate] = "fixed-effect covariate";
        foreach (var term in terms)
            foreach (var slope in term.Slopes)
                if (!roles.ContainsKey(slope)) roles[slope] = "random-slope covariate";

        var trials = ParseRoleMember(attribute, named, "Trials", "trials", roles);
        offset = ParseRoleMember(attribute, named, "Offset", "offset", roles);
        weights = ParseRoleMember(attribute, named, "Weights", "weights", roles);

        if (trials is not null && family != "Binomial")
            Report(_modelDiagnostics, DiagnosticDescriptors.SettingDoesNotFitFamily, ArgumentLocation(attribute, "Trials", 0),
                "Trials", model, "only a binomial response has trials: set Family = ResponseFamily.Binomial, or remove Trials");
        else if (trials is not null && bernoulli)
            Report(_modelDiagnostics, DiagnosticDescriptors.SettingDoesNotFitFamily, ArgumentLocation(attribute, "Trials", 0),
                "Trials", "a bool (0/1) response, which is one trial per row", "remove Trials, or make the response the count of successes");
        bool trialsDeclared = named.TryGetValue("Trials", out var trialsValue) && !trialsValue.IsNull;
        if (family == "Binomial" && !bernoulli && !trialsDeclared)
            Report(_modelDiagnostics, DiagnosticDescriptors.BinomialCountWithoutTrials, ArgumentLocation(attribute, "Family", 0),
                response.Name, response.Type);

        int points = 1;
        if (named.TryGetValue("QuadraturePoints", out var pointsValue) && pointsValue.Value is int declared)
        {
            points = declared;
            var location = ArgumentLocation(attribute, "QuadraturePoints", 0);
            string text = Emitter.Index(declared);
            var vector = terms.FirstOrDefault(t => t.Columns.Count > 1);
            if (gaussian && declared != 1)
                Report(_modelDiagnostics, DiagnosticDescriptors.SettingDoesNotFitFamily, location,
                    "QuadraturePoints = " + text, model, "its likelihood is exact; set a non-Gaussian Family, or remove it");
            else if (declared < 1)
                Report(_modelDiagnostics, DiagnosticDescriptors.QuadraturePointsNotPossible, location, text,
                    "use 1 (the Laplace approximation) or more (adaptive Gauss–Hermite quadrature)");
            else if (declared > 1 && terms.Count > 1)
                Report(_modelDiagnostics, DiagnosticDescriptors.QuadraturePointsNotPossible, location, text,
                    "adaptive quadrature needs a single random-effects term, and this model has " + Emitter.Index(terms.Count) + "; use 1 (the Laplace approximation)");
            else if (declared > 1 && vector is not null)
                Report(_modelDiagnostics, DiagnosticDescriptors.QuadraturePointsNotPossible, location, text,
                    "adaptive quadrature needs a scalar random-effects term, and '" + vector.Name + "' has " + Emitter.Index(vector.Columns.Count) +
                    " effects per cluster (random slopes); use 1 (the Laplace approximation), or drop the slopes");
        }

        if (gaussian || _failed) return null;

        // exp(β) of a non-intercept coefficient is a ratio on the log and logit links.
        string? ratio = (family, link) switch
        {
            ("Binomial", "Logit") => "OddsRatio",
            ("Binomial", "Log") => "RiskRatio",
            (Ordinal, "Logit") => "OddsRatio",
            (_, "Log") => "RateRatio",
            _ => null,
        };
        var ratios = ratio is null
            ? new List<ColumnSpec>()
            : fixedColumns.Where(c => c.Name != "(Intercept)").Select(c => new ColumnSpec(c.Name, UniqueMember(c.MemberName + ratio))).ToList();
        bool latentIcc = family == "Binomial" && link is "Logit" or "Probit" && terms.All(t => t.Intercept && t.Slopes.Count == 0);
        return new FamilySpec(family, link, bernoulli, trials, points, ratio, ratios.ToEquatableArray(), latentIcc);
    }

    /// <summary>
    /// A Trials, Offset or Weights member: known (TM0001), numeric (TM0016) and in no other role (TM0019); null when
    /// not declared or in error.
    /// </summary>
    private MemberSpec? ParseRoleMember(AttributeData attribute, Dictionary<string, TypedConstant> named, string argument, string role, Dictionary<string, string> roles)
    {
        if (!named.TryGetValue(argument, out var value) || value.IsNull) return null;
        string name = value.Value as string ?? "";
        var location = ArgumentLocation(attribute, argument, 0);
        if (!TryGetProperty(name, location, _modelDiagnostics, out var property)) return null;
        var member = Member(property, out var type);
        if (!IsNumeric(type))
        {
            Report(_modelDiagnostics, DiagnosticDescriptors.FamilyMemberNotNumeric, location, role, name, property.Type.ToDisplayString());
            return null;
        }
        if (roles.TryGetValue(member.Name, out var other))
        {
            Report(_modelDiagnostics, DiagnosticDescriptors.MemberInTwoRoles, location, name, other, role);
            return null;
        }
        roles.Add(member.Name, role);
        return member;
    }

    private static string Canonical(string family) => family switch
    {
        "Binomial" => "Logit",
        "Poisson" or "NegativeBinomial" => "Log",
        Ordinal => "Logit",
        _ => "Identity",
    };

    /// <summary>The name of the enum member an attribute argument holds, or null for a value no member has.</summary>
    private static string? EnumMemberName(TypedConstant value)
    {
        if (value.Type is null || value.Value is null) return null;
        foreach (var field in value.Type.GetMembers().OfType<IFieldSymbol>())
            if (field.HasConstantValue && Equals(field.ConstantValue, value.Value))
                return field.Name;
        return null;
    }

    private static string ConstantText(TypedConstant value) =>
        EnumMemberName(value) is { } name && value.Type is { } type
            ? type.Name + "." + name
            : System.Convert.ToString(value.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "null";

    private static bool IsInteger(ITypeSymbol type) => type.SpecialType is
        SpecialType.System_SByte or SpecialType.System_Byte or SpecialType.System_Int16 or SpecialType.System_UInt16 or
        SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 or SpecialType.System_UInt64;
}
