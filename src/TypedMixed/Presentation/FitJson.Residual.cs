using System.Text.Json;

namespace TypedMixed.Presentation;

public static partial class FitJson
{
    /// <summary>nlme's name of a correlation structure.</summary>
    internal static string StructureKey(ResidualCorrelationStructure s) => s == ResidualCorrelationStructure.Ar1 ? "corAR1" : "corCAR1";

    /// <summary>nlme's (or the literature's) name of a variance function.</summary>
    internal static string StructureKey(ResidualVarianceFunctionKind k) => k switch
    {
        ResidualVarianceFunctionKind.Ident => "varIdent",
        ResidualVarianceFunctionKind.Exponential => "varExp",
        ResidualVarianceFunctionKind.Power => "varPower",
        ResidualVarianceFunctionKind.LogLinear => "logLinear",
        _ => "quadratic",
    };

    /// <summary>
    /// <c>residual_correlation</c> {structure, parameter, std_error, conf_int, time, cluster} and <c>variance_function</c>
    /// {structure, parameters {name: value}, std_errors {name: value}, conf_int {name: [lower, upper]},
    /// residual_variance_by_stratum {stratum: variance} (varIdent)}; null when the fit has none.
    /// </summary>
    private static void WriteResidualStructures(Utf8JsonWriter w, LinearMixedModelFit fit)
    {
        if (fit.ResidualCorrelation is { } c)
        {
            w.WriteStartObject("residual_correlation");
            w.WriteString("structure", StructureKey(c.Structure));
            Number(w, "parameter", c.Parameter);
            Number(w, "std_error", c.StdError);
            Numbers(w, "conf_int", [c.ConfidenceLower, c.ConfidenceUpper]);
            w.WriteString("time", c.TimeName);
            w.WriteString("cluster", c.ClusterName);
            w.WriteEndObject();
        }
        else w.WriteNull("residual_correlation");

        if (fit.ResidualVarianceFunction is { } v)
        {
            w.WriteStartObject("variance_function");
            w.WriteString("structure", StructureKey(v.Kind));
            if (v.StratumName is not null) w.WriteString("stratum", v.StratumName);
            if (v.CovariateNames.Count > 0) Strings(w, "covariates", v.CovariateNames);
            w.WriteStartObject("parameters");
            for (int i = 0; i < v.ParameterNames.Count; i++) Number(w, v.ParameterNames[i], v.Parameters[i]);
            w.WriteEndObject();
            w.WriteStartObject("std_errors");
            for (int i = 0; i < v.ParameterNames.Count; i++) Number(w, v.ParameterNames[i], v.StdErrors[i]);
            w.WriteEndObject();
            w.WriteStartObject("conf_int");
            for (int i = 0; i < v.ParameterNames.Count; i++) Numbers(w, v.ParameterNames[i], [v.ConfidenceLower[i], v.ConfidenceUpper[i]]);
            w.WriteEndObject();
            if (v.StratumKeys is { } keys && v.VarianceByStratum is { } byStratum)
            {
                w.WriteStartObject("residual_variance_by_stratum");
                for (int s = 0; s < keys.Count; s++) Number(w, keys[s], byStratum[s]);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        else w.WriteNull("variance_function");
    }
}
