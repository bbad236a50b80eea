using System.Collections.Generic;
using System.Linq;

namespace TypedMixed.Generators;

/// <summary>
/// The residual structures of a generated design: the classification of a <c>[ResidualCorrelation]</c> is encoded like a
/// term's, its time and the <c>[ResidualVariance]</c> members are read for fitting only (never for predictions), and the
/// runtime's <c>ResidualDesign</c> assembles and checks them.
/// </summary>
internal static partial class Emitter
{
    /// <summary>The classifications the encoder keys rows by: those of the terms, then a residual correlation's.</summary>
    internal static IEnumerable<ClassificationSpec> EncodedClassifications(ModelSpec spec) =>
        spec.Classifications.Where(c => IsTermClassification(spec, c) || c.Member.Name == spec.Correlation?.Classification);

    private static bool IsTermClassification(ModelSpec spec, ClassificationSpec c) =>
        spec.Terms.Any(t => t.Classification == c.Member.Name);

    /// <summary>
    /// True when only a residual structure reads <paramref name="member"/> (its time, its classification's keys, a
    /// variance-function member): then a null drops the row when fitting, and predictions never read it.
    /// </summary>
    private static bool ResidualOnly(ModelSpec spec, string member)
    {
        bool residual = spec.Correlation is { } c && (c.Time.Name == member || Classification(spec, c.Classification).Path.Contains(member))
            || spec.Variance is { } v && v.Members.Contains(member);
        return residual && !spec.Terms.Any(t => t.Slopes.Contains(member) || Classification(spec, t.Classification).Path.Contains(member));
    }

    /// <summary>The run-time checks of the residual structures, for <c>BuildDesign</c>'s exception doc (each ending in ", ").</summary>
    private static string ResidualChecks(ModelSpec spec) =>
        (spec.Correlation is { } c ? "the times of a <c>" + c.ClusterName + "</c> cluster are not strictly increasing in input order, " : "")
        + (spec.Variance?.Kind == "Power" ? "the power variance function's covariate is 0, " : "");

    /// <summary>
    /// Builds <c>residualCorrelation</c> and <c>residualVariance</c> when fitting (<c>fitted is null</c>); a design built
    /// for predictions has neither.
    /// </summary>
    private static void EmitResidualStructures(SourceWriter w, ModelSpec spec)
    {
        if (spec.Correlation is null && spec.Variance is null) return;
        w.Line();
        if (spec.Correlation is not null) w.Line(Tm + "ResidualCorrelation? residualCorrelation = null;");
        if (spec.Variance is not null) w.Line(Tm + "ResidualVarianceFunction? residualVariance = null;");
        w.Open("if (fitted is null)");
        if (spec.Correlation is { } c)
        {
            string g = c.Classification;
            w.Line("residualCorrelation = " + Gen + "ResidualDesign.Correlation(" + Tm + "ResidualCorrelationStructure." + c.Structure + ", "
                + Literal(c.Time.Name) + ", rt, " + Literal(c.ClusterName) + ", g_" + g + ", l_" + g + ", n, recordOf);");
        }
        if (spec.Variance is { } v)
        {
            if (v.Kind == "Ident")
                w.Line("residualVariance = " + Gen + "ResidualDesign.Ident(f_" + v.Members[0] + ", n);");
            else
            {
                w.Line("var vz = new " + Gen + "ModelMatrixBuilder(n);");
                foreach (var m in v.Members) w.Line("vz.Add(f_" + m + ");");
                w.Line("residualVariance = " + Gen + "ResidualDesign.Covariates(" + Tm + "ResidualVarianceFunctionKind." + v.Kind + ", vz, n, recordOf);");
            }
        }
        w.Close();
    }
}
