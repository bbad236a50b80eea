using System.Linq;

namespace TypedMixed.Generators;

/// <summary>
/// The typed result members of a model with residual structures: the estimated correlation, the estimated variance
/// function, and for a varIdent function on a bool, enum or string member, the variance and SD ratio of a stratum keyed
/// by the member's own type (mapped to the level text the encoder gave the stratum: <c>FALSE</c>/<c>TRUE</c>, the enum
/// member's name, the string itself).
/// </summary>
internal static partial class Emitter
{
    private static void EmitResidualResultMembers(SourceWriter w, ModelSpec spec)
    {
        if (spec.Correlation is { } c)
        {
            string structure = c.Structure == "Ar1" ? "AR(1)" : "continuous-time AR(1)";
            w.Line();
            w.Line("/// <summary>");
            w.Line("/// The estimated " + structure + " correlation of the level-1 residuals within <c>" + c.ClusterName + "</c> over <c>" + c.Time.Name + "</c>:");
            w.Line("/// ρ (<c>Parameter</c>, nlme's <c>Phi</c>) with its standard error and 95 % interval, and <c>Correlation(lag)</c> = ρ^|lag|.");
            w.Line("/// </summary>");
            w.Line("public " + Tm + "ResidualCorrelationFit ResidualCorrelation => Underlying.ResidualCorrelation!;");
        }
        if (spec.Variance is not { } v) return;
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// The estimated level-1 variance function (" + v.Kind + " in " + string.Join(", ", v.Members.Select(m => "<c>" + m + "</c>")) + "): its parameters by name with standard errors");
        w.Line("/// and 95 % intervals, and the residual variance it implies. <c>ResidualVariance</c> is σ², the " + (v.Kind switch
        {
            "Ident" => "reference stratum's variance.",
            "Power" => "variance where the covariate is ±1.",
            _ => "variance where the covariates are 0.",
        }));
        w.Line("/// </summary>");
        w.Line("public " + Tm + "ResidualVarianceFunctionFit ResidualVarianceFunction => Underlying.ResidualVarianceFunction!;");
        if (v.Kind != "Ident") return;

        var stratum = spec.Covariates.First(x => x.Member.Name == v.Members[0]);
        string type = stratum.Member.Type;
        w.Line();
        w.Line("/// <summary>The level-1 residual variance of the <c>" + stratum.Member.Name + "</c> stratum <paramref name=\"stratum\"/>, σ² δₛ² (δ = 1 for the reference stratum, the first of <c>ResidualVarianceFunction.StratumKeys</c>).</summary>");
        w.Line("/// <exception cref=\"" + Scg + "KeyNotFoundException\">No fitted row had this " + stratum.Member.Name + ".</exception>");
        w.Line("public double ResidualVarianceIn(" + type + " stratum) => ResidualVarianceFunction.VarianceInStratum(" + v.Members[0] + "StratumKey(stratum));");
        w.Line();
        w.Line("/// <summary>The residual SD ratio δₛ of the <c>" + stratum.Member.Name + "</c> stratum <paramref name=\"stratum\"/> to the reference stratum (nlme's varIdent parameter; 1 for the reference).</summary>");
        w.Line("/// <exception cref=\"" + Scg + "KeyNotFoundException\">No fitted row had this " + stratum.Member.Name + ".</exception>");
        w.Line("public double ResidualSdRatio(" + type + " stratum) => ResidualVarianceFunction.SdRatioInStratum(" + v.Members[0] + "StratumKey(stratum));");
        w.Line();
        w.Line("/// <summary>The stratum's level text, as the encoder names the levels of <c>" + stratum.Member.Name + "</c>.</summary>");
        switch (stratum.Kind)
        {
            case CovariateKind.Bool:
                w.Line("private static string " + v.Members[0] + "StratumKey(bool stratum) => stratum ? \"TRUE\" : \"FALSE\";");
                break;
            case CovariateKind.Enum:
                w.Open("private static string " + v.Members[0] + "StratumKey(" + type + " stratum) => stratum switch");
                foreach (var level in stratum.Levels)
                    w.Line(type + "." + Parser.Escape(level) + " => " + Literal(level) + ",");
                w.Line("_ => throw new global::System.ArgumentOutOfRangeException(nameof(stratum), stratum, " + Literal("Not a defined " + stratum.Member.Name + " value.") + "),");
                w.Close(";");
                break;
            default:
                w.Line("private static string " + v.Members[0] + "StratumKey(string stratum) => stratum ?? throw new global::System.ArgumentNullException(nameof(stratum));");
                break;
        }
    }
}
