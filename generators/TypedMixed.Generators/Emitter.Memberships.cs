using System.Linq;

namespace TypedMixed.Generators;

/// <summary>
/// Multiple-membership terms: the encoder collects each record's <c>Membership&lt;TKey&gt;</c> list in a
/// <c>MembershipBuilder</c> (which checks it, naming the record) instead of one key per row, the term is assembled with
/// <c>Memberships</c>, and the term class adds the weighted intraclass correlation.
/// </summary>
internal static partial class Emitter
{
    private static bool IsMembership(ClassificationSpec c) => c.Weighting is not null;

    private static bool IsMembershipTerm(ModelSpec spec, RandomTermSpec term) => IsMembership(Classification(spec, term.Classification));

    /// <summary>The encoder's per-row key collector of <paramref name="c"/>.</summary>
    private static string NewKeyBuilder(ModelSpec spec, ClassificationSpec c) =>
        IsMembership(c)
            ? "new " + Gen + "MembershipBuilder<" + KeyType(spec, c) + ">(count, " + Literal(c.Member.Name) + ", " + Tm + "MembershipWeighting." + c.Weighting + ")"
            : "new " + Gen + "LevelIndexBuilder<" + KeyType(spec, c) + ">(count)";

    /// <summary>The arguments of the collector's <c>Add</c> for the current row: the key, or the list and the record index.</summary>
    private static string AddArguments(ModelSpec spec, ClassificationSpec c) =>
        IsMembership(c) ? "v_" + c.Member.Name + ", i" : KeyExpression(spec, c);

    /// <summary>The membership members' run-time checks, for <c>BuildDesign</c>'s exception doc (each ending in ", ").</summary>
    private static string MembershipChecks(ModelSpec spec) =>
        string.Concat(spec.Classifications.Where(IsMembership).Select(c =>
            "a record's <c>" + c.Member.Name + "</c> is empty, lists a level twice or has a negative or non-finite weight"
            + (c.Weighting == "SumToOne" ? " or weights not summing to 1" : c.Weighting == "Normalize" ? " or weights summing to 0" : "") + ", "));

    /// <summary>The expression building term <paramref name="t"/> of the design.</summary>
    private static string TermExpression(ModelSpec spec, RandomTermSpec term, int t)
    {
        string g = term.Classification;
        string covariance = Tm + "CovarianceStructure." + (term.Correlated ? "Unstructured" : "Diagonal");
        return IsMembershipTerm(spec, term)
            ? "g_" + g + ".Term(" + Literal(term.Name) + ", l_" + g + ", z" + Index(t) + ", " + covariance + ")"
            : Gen + "EncodedDesign.Term(" + Literal(term.Name) + ", g_" + g + ", l_" + g + ", z" + Index(t) + ", " + covariance + ")";
    }

    /// <summary>The grouping part of a term in the formula: brms's <c>mm(Schools)</c> for a membership term.</summary>
    private static string FormulaGroup(ModelSpec spec, RandomTermSpec term) =>
        spec.Classifications.Any(c => c.Member.Name == term.Classification && IsMembership(c)) ? "mm(" + term.Name + ")" : term.Name;

    /// <summary>
    /// Conditional predictions with a membership term are not there yet (as in the CLI): <c>Predict</c> says so before
    /// reading the records; <c>PredictFixed</c> works.
    /// </summary>
    private static void EmitMembershipPredictionGuard(SourceWriter w, ModelSpec spec)
    {
        var term = spec.Terms.FirstOrDefault(t => IsMembershipTerm(spec, t));
        if (term is null) return;
        w.Line("if (!fixedOnly) throw new global::System.NotSupportedException(" + Literal(
            "Conditional predictions with the multiple-membership term '" + term.Name + "' are not supported yet; use PredictFixed (the population-level predictions).") + ");");
    }

    /// <summary>The membership term's weighted ICC (intercept-only Gaussian models) and the data's mean Σw².</summary>
    private static void EmitMembershipTermMembers(SourceWriter w, ModelSpec spec, RandomTermSpec term)
    {
        if (!IsMembershipTerm(spec, term)) return;
        w.Line();
        w.Line("/// <summary>The mean over the rows of Σ w² (each row's squared membership weights summed): 1 when every row has one level.</summary>");
        w.Line("public double MeanSquaredWeightSum => Term.MeanSquaredWeightSum ?? 1.0;");
        if (spec.Glmm is not null || !InterceptsOnly(spec)) return;
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Weighted intraclass correlation of <c>" + term.Name + "</c> for a row whose squared weights sum to <paramref name=\"squaredWeightSum\"/>");
        w.Line("/// (default: <see cref=\"MeanSquaredWeightSum\"/>): Σw² σ²_" + term.Name + " over Σw² σ²_" + term.Name + " + the other terms' variances + σ².");
        w.Line("/// Two rows with the same levels and weights correlate by this much; with one level (Σw² = 1) it is the ordinary ICC.");
        w.Line("/// </summary>");
        w.Line("public double WeightedIntraclassCorrelation(double? squaredWeightSum = null) => _fit.WeightedIntraclassCorrelation(" + Literal(term.Name) + ", squaredWeightSum) ?? double.NaN;");
    }

    /// <summary>The field a membership term class keeps the fit in (for <c>WeightedIntraclassCorrelation</c>).</summary>
    private static void EmitMembershipTermFields(SourceWriter w, ModelSpec spec, RandomTermSpec term, bool inConstructor)
    {
        if (!IsMembershipTerm(spec, term) || spec.Glmm is not null || !InterceptsOnly(spec)) return;
        if (inConstructor) w.Line("_fit = fit;");
        else w.Line("private readonly " + FitType(spec) + " _fit;");
    }
}
