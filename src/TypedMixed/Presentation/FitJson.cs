using System.Text;
using System.Text.Json;

namespace TypedMixed.Presentation;

/// <summary>
/// Writes a fit as JSON in the layout of the project's lme4 reference fits. For a <see cref="LinearMixedModelFit"/>
/// (<c>fixed_effects</c>, <c>variance_components</c> as lme4's <c>as.data.frame(VarCorr)</c>, <c>theta</c>,
/// <c>logLik</c>, <c>AIC</c>, <c>BIC</c>, <c>deviance</c> / <c>REML_criterion</c>, <c>ngroups</c>, …), plus
/// <c>variance_components_std_error</c>, <c>icc</c>, <c>satterthwaite</c> and <c>warnings</c>. NaN and infinite
/// values are written as <c>null</c>. A <see cref="GeneralizedLinearMixedModelFit"/> is written as the glmer references
/// (see the overloads).
/// </summary>
public static partial class FitJson
{
    /// <summary>The fit (linear or generalized) as an indented JSON document.</summary>
    public static string Serialize(MixedModelFit fit, FitReportOptions? options = null)
        => ToText(stream => Write(stream, fit, options));

    /// <summary>What <paramref name="write"/> puts in a stream, as UTF-8 text.</summary>
    private static string ToText(Action<Stream> write)
    {
        using var stream = new MemoryStream();
        write(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The writer every document uses: indented, non-ASCII text unescaped.</summary>
    private static Utf8JsonWriter IndentedWriter(Stream stream)
        => new(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    /// <summary>Writes the fit (linear or generalized) as an indented UTF-8 JSON document to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, MixedModelFit fit, FitReportOptions? options = null)
    {
        using var w = IndentedWriter(stream);
        switch (fit)
        {
            case LinearMixedModelFit linear: Write(w, linear, options ?? FitReportOptions.Default); break;
            case GeneralizedLinearMixedModelFit generalized: Write(w, generalized, options ?? FitReportOptions.Default); break;
            case OrdinalMixedModelFit ordinal: Write(w, ordinal, options ?? FitReportOptions.Default); break;
            default: throw new ArgumentException($"Unknown fit type {fit?.GetType().Name}.", nameof(fit));
        }
    }

    /// <summary>Writes the fit as one JSON object to <paramref name="w"/>.</summary>
    public static void Write(Utf8JsonWriter w, LinearMixedModelFit fit, FitReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(fit);
        bool reml = fit.Method == EstimationMethod.Reml;
        w.WriteStartObject();
        if (options.Formula is not null) w.WriteString("formula", options.Formula);
        if (options.DataName is not null) w.WriteString("data", options.DataName);
        w.WriteString("response", fit.ResponseName);
        w.WriteString("family", "gaussian");
        w.WriteString("method", reml ? "REML" : "ML");
        w.WriteNumber("nobs", fit.ObservationCount);
        w.WriteNumber("rows_dropped", fit.RowsDropped);

        WriteGroups(w, fit);
        var fe = fit.FixedEffects;
        WriteFixedEffects(w, fit);
        WriteVarianceComponents(w, fit);
        Number(w, "sigma", fit.Sigma);
        WriteTheta(w, fit);
        WriteResidualStructures(w, fit);

        Number(w, "logLik", fit.LogLikelihood);
        w.WriteNumber("logLik_df", fit.ParameterCount);
        Number(w, "AIC", fit.Aic);
        Number(w, "BIC", fit.Bic);
        if (reml)
        {
            Number(w, "REML_criterion", fit.RemlCriterion);
            Number(w, "ML_deviance_at_REML_estimates", fit.Deviance);
        }
        Number(w, "deviance", fit.Deviance);
        w.WriteBoolean("is_singular", fit.IsSingular);
        WriteOptimizer(w, fit);

        WriteIccs(w, "icc", fit, fit.IntraclassCorrelation);
        if (fit.RandomEffects.Any(t => t.IsMultipleMembership))
        {
            // Per multiple-membership term: its mean Σ w² over rows and the ICC at that value.
            w.WriteStartObject("multiple_membership");
            foreach (var t in fit.RandomEffects.Where(t => t.IsMultipleMembership))
            {
                w.WriteStartObject(t.Name);
                Number(w, "mean_sum_squared_weights", t.MeanSquaredWeightSum!.Value);
                var icc = fit.WeightedIntraclassCorrelation(t.Name);
                if (icc is null) w.WriteNull("weighted_icc"); else Number(w, "weighted_icc", icc.Value);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }

        if (fe.Count > 0 && fe.Any(f => !double.IsNaN(f.SatterthwaiteDf)))
        {
            w.WriteStartObject("satterthwaite");
            Strings(w, "names", fe.Select(f => f.Name));
            Numbers(w, "df", fe.Select(f => f.SatterthwaiteDf));
            Numbers(w, "t_value", fe.Select(f => f.Z));
            Numbers(w, "p_value", fe.Select(f => f.SatterthwaitePValue));
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("satterthwaite");
        }

        if (options.IncludeConditionalModes) WriteConditionalModes(w, fit);
        WriteWarnings(w, fit);
        w.WriteEndObject();
        w.Flush();
    }

    /// <summary><c>ngroups</c>: levels per distinct term name.</summary>
    private static void WriteGroups(Utf8JsonWriter w, MixedModelFit fit)
    {
        w.WriteStartObject("ngroups");
        foreach (var (name, levels) in ReportedVarianceComponents.Groups(fit)) w.WriteNumber(name, levels);
        w.WriteEndObject();
    }

    /// <summary><c>fixed_effects</c> {names, estimate, std_error, vcov} and <c>dropped_fixed_effects</c>.</summary>
    private static void WriteFixedEffects(Utf8JsonWriter w, MixedModelFit fit)
    {
        var fe = fit.FixedEffects;
        w.WriteStartObject("fixed_effects");
        Strings(w, "names", fe.Select(f => f.Name));
        Numbers(w, "estimate", fe.Select(f => f.Estimate));
        Numbers(w, "std_error", fe.Select(f => f.StdError));
        Matrix(w, "vcov", fit.FixedEffectsCovariance);
        w.WriteEndObject();
        Strings(w, "dropped_fixed_effects", fit.DroppedFixedEffects);
    }

    /// <summary><c>variance_components</c> as lme4's <c>as.data.frame(VarCorr)</c>, and <c>variance_components_std_error</c> beside it.</summary>
    private static void WriteVarianceComponents(Utf8JsonWriter w, MixedModelFit fit)
    {
        var rows = ReportedVarianceComponents.Rows(fit);
        w.WriteStartArray("variance_components");
        foreach (var row in rows)
        {
            var vc = row.Component;
            w.WriteStartObject();
            w.WriteString("group", row.Group);
            NullableString(w, "var1", vc.Var1);
            NullableString(w, "var2", vc.Var2);
            w.WriteString("kind", vc.Kind switch
            {
                VarianceComponentKind.Variance => "variance",
                VarianceComponentKind.Covariance => "covariance",
                _ => "residual_variance",
            });
            Number(w, "vcov", vc.Estimate);
            Number(w, "sdcor", vc.SdCor);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        Numbers(w, "variance_components_std_error", rows.Select(r => r.Component.StdError));
    }

    /// <summary><c>theta</c> {names, values, lower}.</summary>
    private static void WriteTheta(Utf8JsonWriter w, MixedModelFit fit)
    {
        w.WriteStartObject("theta");
        Strings(w, "names", fit.ThetaNames);
        Numbers(w, "values", fit.Theta);
        Numbers(w, "lower", fit.ThetaLowerBounds);
        w.WriteEndObject();
    }

    /// <summary><c>optimizer</c>: what the optimizer did.</summary>
    private static void WriteOptimizer(Utf8JsonWriter w, MixedModelFit fit)
    {
        var opt = fit.Optimizer;
        w.WriteStartObject("optimizer");
        w.WriteString("optimizer", opt.Optimizer);
        w.WriteNumber("feval", opt.Evaluations);
        w.WriteString("reason", opt.Reason.ToString());
        w.WriteString("message", opt.Message);
        Numbers(w, "initial_theta", opt.InitialTheta);
        Number(w, "initial_objective", opt.InitialObjective);
        Number(w, "final_objective", opt.FinalObjective);
        w.WriteEndObject();
    }

    /// <summary><c>warnings</c> [{code, message}].</summary>
    /// <summary>
    /// Writes <c>ranef</c>: per term, its effect names (<c>terms</c>), <c>levels</c>, and per level the conditional modes
    /// (<c>cond_mode</c>) and conditional standard deviations (<c>cond_sd</c>, lme4's condVar), one entry per effect.
    /// </summary>
    public static void WriteConditionalModes(Utf8JsonWriter w, MixedModelFit fit)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(fit);
        w.WriteStartObject("ranef");
        foreach (var term in fit.RandomEffects)
        {
            w.WriteStartObject(term.Name);
            Strings(w, "terms", term.ColumnNames);
            Strings(w, "levels", term.LevelKeys);
            w.WriteStartArray("cond_mode");
            for (int l = 0; l < term.LevelCount; l++)
            {
                w.WriteStartArray();
                for (int k = 0; k < term.ColumnNames.Count; k++) Value(w, term.ConditionalModes[l, k]);
                w.WriteEndArray();
            }
            w.WriteEndArray();
            w.WriteStartArray("cond_sd");
            for (int l = 0; l < term.LevelCount; l++)
            {
                w.WriteStartArray();
                for (int k = 0; k < term.ColumnNames.Count; k++) Value(w, term.ConditionalStdDev(l, k));
                w.WriteEndArray();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndObject();

        static void Value(Utf8JsonWriter w, double x)
        {
            if (double.IsFinite(x)) w.WriteNumberValue(x); else w.WriteNullValue();
        }
    }

    private static void WriteWarnings(Utf8JsonWriter w, MixedModelFit fit)
    {
        w.WriteStartArray("warnings");
        foreach (var warning in fit.Warnings)
        {
            w.WriteStartObject();
            w.WriteString("code", warning.Code);
            w.WriteString("message", warning.Message);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>One ICC per reported group (null where it is not defined), under <paramref name="property"/>.</summary>
    private static void WriteIccs(Utf8JsonWriter w, string property, MixedModelFit fit, Func<string, double?> icc)
    {
        w.WriteStartObject(property);
        foreach (var (name, _) in ReportedVarianceComponents.Groups(fit))
        {
            var value = icc(name);
            if (value is null) w.WriteNull(name); else Number(w, name, value.Value);
        }
        w.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, value);
        else w.WriteNull(name);
    }

    private static void Value(Utf8JsonWriter w, double value)
    {
        if (double.IsFinite(value)) w.WriteNumberValue(value);
        else w.WriteNullValue();
    }

    private static void NullableString(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null) w.WriteNull(name); else w.WriteString(name, value);
    }

    private static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    private static void Numbers(Utf8JsonWriter w, string name, IEnumerable<double> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) Value(w, v);
        w.WriteEndArray();
    }

    private static void Matrix(Utf8JsonWriter w, string name, double[,] m)
    {
        w.WriteStartArray(name);
        for (int i = 0; i < m.GetLength(0); i++)
        {
            w.WriteStartArray();
            for (int j = 0; j < m.GetLength(1); j++) Value(w, m[i, j]);
            w.WriteEndArray();
        }
        w.WriteEndArray();
    }
}
