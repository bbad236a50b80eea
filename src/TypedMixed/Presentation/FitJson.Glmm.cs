using System.Text;
using System.Text.Json;

namespace TypedMixed.Presentation;

public static partial class FitJson
{
    /// <summary>
    /// Writes the generalized fit as one JSON object in the layout of the glmer reference fits: <c>family</c>,
    /// <c>link</c>, <c>method</c> (Laplace or AGQ), <c>nAGQ</c>, the shared members of the linear layout
    /// (<c>fixed_effects</c>, <c>variance_components</c> with <c>variance_components_std_error</c>, <c>theta</c>,
    /// <c>logLik</c>, <c>AIC</c>, <c>BIC</c>, <c>optimizer</c>, <c>warnings</c>), <c>minus2logLik</c> (what glmer prints as
    /// deviance), <c>deviance_residual_sum</c> (lme4's <c>deviance(fit)</c>), <c>fixed_effects_vcov_from_RX</c>, and
    /// what glmer leaves implicit: <c>fixed_effects_vcov_source</c>, <c>laplace_hessian</c>, <c>pearson_dispersion</c>,
    /// <c>latent_icc</c> and the negative binomial shape.
    /// </summary>
    public static void Write(Utf8JsonWriter w, GeneralizedLinearMixedModelFit fit, FitReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(fit);
        w.WriteStartObject();
        if (options.Formula is not null) w.WriteString("formula", options.Formula);
        if (options.DataName is not null) w.WriteString("data", options.DataName);
        w.WriteString("response", fit.ResponseName);
        w.WriteString("family", fit.Family switch
        {
            ResponseFamily.Binomial => "binomial",
            ResponseFamily.Poisson => "poisson",
            ResponseFamily.NegativeBinomial => "negative_binomial",
            _ => "gaussian",
        });
        w.WriteString("link", fit.Link.ToString().ToLowerInvariant());
        w.WriteString("method", fit.QuadraturePoints > 1 ? "AGQ" : "Laplace");
        w.WriteNumber("nAGQ", fit.QuadraturePoints);
        w.WriteString("laplace_hessian", fit.LaplaceHessian == LaplaceHessian.Expected ? "expected" : "observed");
        w.WriteNumber("nobs", fit.ObservationCount);
        w.WriteNumber("rows_dropped", fit.RowsDropped);
        WriteGroups(w, fit);

        WriteFixedEffects(w, fit);
        w.WriteString("fixed_effects_vcov_source", fit.FixedEffectsCovarianceSource == FixedEffectsCovarianceSource.Hessian ? "hessian" : "factor");
        var rx = fit.FixedEffectsCovarianceFromFactor;
        w.WriteStartObject("fixed_effects_vcov_from_RX");
        Numbers(w, "std_error", Enumerable.Range(0, rx.GetLength(0)).Select(i => Math.Sqrt(rx[i, i])));
        Matrix(w, "vcov", rx);
        w.WriteEndObject();

        WriteVarianceComponents(w, fit);
        w.WriteNumber("sigma", 1);
        WriteTheta(w, fit);
        if (fit.Family == ResponseFamily.NegativeBinomial)
        {
            w.WriteStartObject("negative_binomial_shape");
            Number(w, "estimate", fit.NegativeBinomialShape);
            Number(w, "std_error", fit.NegativeBinomialShapeStdError);
            w.WriteEndObject();
        }

        Number(w, "logLik", fit.LogLikelihood);
        w.WriteNumber("logLik_df", fit.ParameterCount);
        Number(w, "AIC", fit.Aic);
        Number(w, "BIC", fit.Bic);
        Number(w, "minus2logLik", fit.Deviance);
        Number(w, "deviance_residual_sum", fit.ConditionalDeviance);
        w.WriteNumber("df_resid", fit.ResidualDf);
        Number(w, "pearson_dispersion", fit.PearsonDispersion);
        w.WriteBoolean("is_singular", fit.IsSingular);
        WriteOptimizer(w, fit);

        WriteIccs(w, "latent_icc", fit, fit.LatentIntraclassCorrelation);

        if (options.IncludeConditionalModes) WriteConditionalModes(w, fit);
        WriteWarnings(w, fit);
        w.WriteEndObject();
        w.Flush();
    }
}
