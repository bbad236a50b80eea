using System.Text.Json;

namespace TypedMixed.Presentation;

public static partial class FitJson
{
    /// <summary>
    /// Writes a cumulative link mixed model as one JSON object in the layout of the clmm reference fits:
    /// <c>family</c> (<c>ordinal</c>), <c>link</c>, <c>method</c>, <c>nAGQ</c>, <c>categories</c>, <c>thresholds</c>
    /// (names <c>1|2</c>, <c>2|3</c>, …, estimate, std_error), the shared members (<c>fixed_effects</c>,
    /// <c>variance_components</c>, <c>theta</c>, <c>logLik</c>, <c>AIC</c>, <c>BIC</c>, <c>optimizer</c>,
    /// <c>warnings</c>), <c>vcov</c> over (thresholds, β, θ), <c>latent_vpc</c> and the likelihood-ratio test against
    /// the model without random effects.
    /// </summary>
    public static void Write(Utf8JsonWriter w, OrdinalMixedModelFit fit, FitReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(fit);
        w.WriteStartObject();
        if (options.Formula is not null) w.WriteString("formula", options.Formula);
        if (options.DataName is not null) w.WriteString("data", options.DataName);
        w.WriteString("response", fit.ResponseName);
        w.WriteString("family", "ordinal");
        w.WriteString("link", fit.Link.ToString().ToLowerInvariant());
        w.WriteString("threshold", fit.ThresholdStructure.ToString().ToLowerInvariant());
        w.WriteString("method", fit.QuadraturePoints > 1 ? "AGQ" : "Laplace");
        w.WriteNumber("nAGQ", fit.QuadraturePoints);
        w.WriteNumber("nobs", fit.ObservationCount);
        w.WriteNumber("rows_dropped", fit.RowsDropped);
        WriteGroups(w, fit);
        Strings(w, "categories", fit.Categories);

        w.WriteStartObject("thresholds");
        Strings(w, "names", fit.Thresholds.Select(t => t.Name));
        Numbers(w, "estimate", fit.Thresholds.Select(t => t.Estimate));
        Numbers(w, "std_error", fit.Thresholds.Select(t => t.StdError));
        w.WriteEndObject();
        WriteFixedEffects(w, fit);
        WriteVarianceComponents(w, fit);
        WriteTheta(w, fit);
        if (fit.ParameterCovariance is { } cov)
        {
            w.WriteStartObject("vcov");
            Strings(w, "names", fit.ParameterNames);
            Matrix(w, "matrix", cov);
            w.WriteEndObject();
        }

        Number(w, "logLik", fit.LogLikelihood);
        w.WriteNumber("logLik_df", fit.ParameterCount);
        Number(w, "AIC", fit.Aic);
        Number(w, "BIC", fit.Bic);
        Number(w, "minus2logLik", fit.Deviance);
        Number(w, "conditional_deviance", fit.ConditionalDeviance);
        var lrt = OrdinalLikelihoodRatioTest.AgainstSingleLevel(fit);
        w.WriteStartObject("lrt_no_random_effects");
        Number(w, "logLik_clm", fit.SingleLevelLogLikelihood);
        Number(w, "chisq", lrt.ChiSquare);
        w.WriteNumber("df", lrt.DegreesOfFreedom);
        Number(w, "p", lrt.PValue);
        Number(w, "p_boundary", lrt.BoundaryPValue);
        w.WriteEndObject();
        w.WriteBoolean("is_singular", fit.IsSingular);
        WriteOptimizer(w, fit);
        WriteIccs(w, "latent_vpc", fit, fit.LatentVariancePartition);
        if (options.IncludeConditionalModes) WriteConditionalModes(w, fit);
        WriteWarnings(w, fit);
        w.WriteEndObject();
        w.Flush();
    }
}
