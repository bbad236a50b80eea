using System.Text.Json;

namespace TypedMixed.Presentation;

public static partial class FitJson
{
    /// <summary>The multivariate fit as an indented JSON document (see <see cref="Write(Utf8JsonWriter, MultivariateMixedModelFit, FitReportOptions)"/>).</summary>
    public static string Serialize(MultivariateMixedModelFit fit, FitReportOptions? options = null)
        => ToText(stream => Write(stream, fit, options));

    /// <summary>Writes the multivariate fit as an indented UTF-8 JSON document to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, MultivariateMixedModelFit fit, FitReportOptions? options = null)
    {
        using var w = IndentedWriter(stream);
        Write(w, fit, options ?? FitReportOptions.Default);
    }

    /// <summary>
    /// Writes the multivariate fit as one JSON object: <c>fixed_effects</c> named <c>response:column</c>,
    /// <c>variance_components</c> in lme4's layout (<c>group</c> = classification or <c>Residual</c>, <c>var1</c>/<c>var2</c>
    /// naming responses, or <c>response:column</c> with random slopes, <c>vcov</c>, <c>sdcor</c>, and <c>std_error</c>), per level the column <c>names</c> and the covariance and correlation
    /// matrices with SEs, <c>vpc</c>, the missingness <c>patterns</c>, the log-likelihood and the test against separate
    /// univariate models.
    /// </summary>
    public static void Write(Utf8JsonWriter w, MultivariateMixedModelFit fit, FitReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(fit);
        bool reml = fit.Method == EstimationMethod.Reml;
        w.WriteStartObject();
        if (options.Formula is not null) w.WriteString("formula", options.Formula);
        if (options.DataName is not null) w.WriteString("data", options.DataName);
        Strings(w, "responses", fit.ResponseNames);
        w.WriteString("family", "gaussian");
        w.WriteString("method", reml ? "REML" : "ML");
        w.WriteNumber("nobs", fit.ObservationCount);
        w.WriteNumber("n_units", fit.UnitCount);
        w.WriteStartArray("patterns");
        foreach (var p in fit.Patterns)
        {
            w.WriteStartObject();
            Strings(w, "observed", p.Observed);
            w.WriteNumber("units", p.Units);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject("ngroups");
        for (int t = 0; t < fit.LevelKeys.Count; t++) w.WriteNumber(fit.Levels[t].Name, fit.LevelKeys[t].Count);
        w.WriteEndObject();

        w.WriteStartObject("fixed_effects");
        Strings(w, "names", fit.FixedEffects.Select(f => f.Name));
        Numbers(w, "estimate", fit.FixedEffects.Select(f => f.Estimate));
        Numbers(w, "std_error", fit.FixedEffects.Select(f => f.StdError));
        Matrix(w, "vcov", fit.FixedEffectsCovariance);
        w.WriteEndObject();
        Strings(w, "dropped_fixed_effects", fit.DroppedFixedEffects);

        w.WriteStartArray("variance_components");
        foreach (var vc in fit.VarianceComponents)
        {
            w.WriteStartObject();
            w.WriteString("group", vc.Group);
            NullableString(w, "var1", vc.Var1);
            NullableString(w, "var2", vc.Var2);
            Number(w, "vcov", vc.Estimate);
            Number(w, "sdcor", vc.SdCor);
            Number(w, "std_error", vc.StdError);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartObject("levels");
        foreach (var level in fit.Levels)
        {
            w.WriteStartObject(level.Name);
            Strings(w, "names", level.ColumnNames);
            Matrix(w, "cov", level.Covariance);
            Matrix(w, "cov_std_error", level.CovarianceStdErrors);
            Matrix(w, "corr", level.Correlation);
            Matrix(w, "corr_std_error", level.CorrelationStdErrors);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteStartObject("vpc");
        Strings(w, "levels", fit.Levels.Select(l => l.Name));
        for (int k = 0; k < fit.ResponseNames.Count; k++)
        {
            w.WriteStartObject(fit.ResponseNames[k]);
            Numbers(w, "estimate", fit.Levels.Select((_, l) => fit.VariancePartition[k, l]));
            Numbers(w, "std_error", fit.Levels.Select((_, l) => fit.VariancePartitionStdErrors[k, l]));
            w.WriteEndObject();
        }
        w.WriteEndObject();

        Number(w, "logLik", fit.LogLikelihood);
        w.WriteNumber("logLik_df", fit.ParameterCount);
        Number(w, "AIC", fit.Aic);
        Number(w, "BIC", fit.Bic);
        if (reml) Number(w, "REML_criterion", fit.RemlCriterion);
        Number(w, "deviance", fit.Deviance);
        w.WriteBoolean("is_singular", fit.IsSingular);
        if (fit.SeparateModelsTest is { } test)
        {
            w.WriteStartObject("separate_models_test");
            Number(w, "separate_logLik", fit.SeparateModelsLogLikelihood);
            Number(w, "chisq", test.ChiSquare);
            w.WriteNumber("df", test.DegreesOfFreedom);
            Number(w, "p_value", test.PValue);
            w.WriteEndObject();
        }
        Numbers(w, "response_scales", fit.ResponseScales);
        w.WriteStartObject("optimizer");
        w.WriteString("optimizer", fit.Optimizer.Optimizer);
        w.WriteNumber("evaluations", fit.Optimizer.Evaluations);
        w.WriteString("message", fit.Optimizer.Message);
        w.WriteEndObject();
        w.WriteStartArray("warnings");
        foreach (var warning in fit.Warnings)
        {
            w.WriteStartObject();
            w.WriteString("code", warning.Code);
            w.WriteString("message", warning.Message);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
