using System.Globalization;
using System.Text;
using System.Text.Json;
using TypedMixed.Cli.Data;
using TypedMixed.Cli.Design;
using TypedMixed.Presentation;

namespace TypedMixed.Cli;

/// <summary>
/// The verbs besides <c>fit</c>: <c>anova</c> (lme4's <c>anova</c> of several fits), <c>ranef</c> (lme4's
/// <c>as.data.frame(ranef(fit, condVar = TRUE))</c>) and <c>confint</c> (Wald intervals for β).
/// </summary>
internal static partial class Verbs
{
    private static readonly JsonWriterOptions JsonOptions = new() { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Fits every formula to the same data and compares the fits as lme4's <c>anova(m1, m2, …)</c>: REML fits are
    /// refitted by ML (their designs go with them), rows are sorted by the number of parameters, each tested against
    /// the one before it. Models are named m1, m2, … in the order given.
    /// </summary>
    public static int Anova(CliArguments a, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var table = CliApp.LoadData(a);
        var models = new List<ComparedModel>();
        for (int i = 0; i < a.Formulas.Count; i++)
        {
            string name = "m" + (i + 1).ToString(CultureInfo.InvariantCulture);
            var prepared = CliApp.Prepare(a, a.Formulas[i], stderr, table);
            if (!a.Quiet) stderr.WriteLine($"typedmixed: {name}: {a.Formulas[i]}");
            var fit = CliApp.FitModel(a, prepared.Built.Design, stderr, cancellationToken);
            models.Add(fit is LinearMixedModelFit linear
                ? new ComparedModel(name, linear, prepared.Built.Design) { Description = a.Formulas[i] }
                : new ComparedModel(name, fit) { Description = a.Formulas[i] });
        }
        ModelComparisonResult result;
        try { result = ModelComparison.Compare([.. models]); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // ArgumentException appends " (Parameter 'models')": the user passed formulas, not a parameter.
            string message = e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;
            throw new CliException("anova: " + message);
        }
        string json = AnovaJson(result);
        stdout.Write(a.Format switch
        {
            OutputFormat.Markdown => result.ToMarkdown(),
            OutputFormat.Json => json,
            _ => result.ToString(),
        });
        if (a.JsonPath is not null) File.WriteAllText(a.JsonPath, json);
        return 0;
    }

    /// <summary>The comparison as JSON: the rows in lme4's order with the columns of its table.</summary>
    internal static string AnovaJson(ModelComparisonResult result)
    {
        return Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("method", result.Method == EstimationMethod.Reml ? "REML" : "ML");
            w.WriteStartArray("refitted_by_ML");
            foreach (var name in result.RefittedByMaximumLikelihood) w.WriteStringValue(name);
            w.WriteEndArray();
            w.WriteNumber("nobs", result.ObservationCount);
            w.WriteStartArray("models");
            foreach (var r in result.Rows)
            {
                w.WriteStartObject();
                w.WriteString("name", r.Name);
                w.WriteString("formula", r.Description);
                w.WriteNumber("npar", r.ParameterCount);
                Number(w, "AIC", r.Aic);
                Number(w, "BIC", r.Bic);
                Number(w, "logLik", r.LogLikelihood);
                Number(w, "deviance", r.Deviance);
                Number(w, "Chisq", r.ChiSquare);
                if (r.DegreesOfFreedom is { } df) w.WriteNumber("Df", df); else w.WriteNull("Df");
                Number(w, "p", r.PValue);
                Number(w, "p_boundary", r.BoundaryPValue);
                if (r.Note is not null) w.WriteString("note", r.Note);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    /// <summary>
    /// The conditional modes and conditional SDs of every level of every term, as lme4's
    /// <c>as.data.frame(ranef(fit, condVar = TRUE))</c> (grpvar, term, grp, condval, condsd; by term, then effect, then
    /// level) or as JSON (<c>ranef</c>: per term its effects, levels, cond_mode and cond_sd).
    /// </summary>
    public static int Ranef(CliArguments a, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var prepared = CliApp.Prepare(a, a.Formula, stderr);
        var fit = CliApp.FitModel(a, prepared.Built.Design, stderr, cancellationToken);
        if (a.Format == OutputFormat.Json)
        {
            stdout.Write(Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("formula", a.Formula);
                FitJson.WriteConditionalModes(w, fit);
                w.WriteEndObject();
            }));
            return 0;
        }
        stdout.Write(RanefCsv(fit));
        return 0;
    }

    /// <summary>lme4's <c>as.data.frame(ranef(fit, condVar = TRUE))</c> as CSV, numbers round-trip exact.</summary>
    internal static string RanefCsv(MixedModelFit fit)
    {
        var sb = new StringBuilder("grpvar,term,grp,condval,condsd\n");
        foreach (var term in fit.RandomEffects)
            for (int k = 0; k < term.ColumnNames.Count; k++)
                for (int l = 0; l < term.LevelCount; l++)
                    sb.Append(Csv(term.Name)).Append(',').Append(Csv(term.ColumnNames[k])).Append(',').Append(Csv(term.LevelKeys[l])).Append(',')
                        .Append(Round(term.ConditionalModes[l, k])).Append(',').Append(Round(term.ConditionalStdDev(l, k))).Append('\n');
        return sb.ToString();
    }

    /// <summary>
    /// lme4's <c>predict(fit, newdata, re.form, allow.new.levels, type)</c> for the rows of <c>--newdata</c> (or the
    /// fitted rows): CSV <c>row,prediction</c> (row numbers of the file, NA where a needed value is missing) or JSON.
    /// </summary>
    public static int Predict(CliArguments a, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var table = CliApp.LoadData(a);
        var prepared = CliApp.Prepare(a, a.Formula, stderr, table);
        var newData = a.NewDataPath is null ? table : CsvTable.Load(a.NewDataPath, separator: a.Separator);
        var fit = CliApp.FitModel(a, prepared.Built.Design, stderr, cancellationToken);
        if (fit is OrdinalMixedModelFit ordinal && a.ResponseScale)
            return PredictCategories(a, prepared, ordinal, newData, stdout);
        var predictions = PredictionDesign.Predict(prepared.Formula, prepared.Built, fit, newData, new PredictionOptions
        {
            PopulationLevel = a.PopulationLevel,
            AllowNewLevels = a.AllowNewLevels,
            ResponseScale = a.ResponseScale,
        });
        string type = a.ResponseScale ? "response" : "link";
        if (a.Format == OutputFormat.Json)
        {
            stdout.Write(Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("formula", a.Formula);
                w.WriteString("re_form", a.PopulationLevel ? "NA" : "NULL");
                w.WriteBoolean("allow_new_levels", a.AllowNewLevels);
                w.WriteString("type", type);
                w.WriteStartArray("prediction");
                foreach (var p in predictions) { if (double.IsFinite(p)) w.WriteNumberValue(p); else w.WriteNullValue(); }
                w.WriteEndArray();
                w.WriteEndObject();
            }));
            return 0;
        }
        var sb = new StringBuilder("row,prediction\n");
        for (int r = 0; r < predictions.Length; r++)
            sb.Append((r + 1).ToString(CultureInfo.InvariantCulture)).Append(',').Append(Round(predictions[r])).Append('\n');
        stdout.Write(sb.ToString());
        return 0;
    }

    /// <summary>
    /// Wald intervals for the fixed effects, β̂ ± z₁₋α/₂ SE (lme4's <c>confint(fit, method = "Wald")</c>, whose rows for
    /// the variance parameters are NA); <c>--method profile</c> and <c>--method boot</c> are in Verbs.Inference.cs.
    /// </summary>
    public static int Confint(CliArguments a, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (a.ConfintMethod != ConfintMethod.Wald) return ConfintProfileOrBoot(a, stdout, stderr, cancellationToken);
        var prepared = CliApp.Prepare(a, a.Formula, stderr);
        var fit = CliApp.FitModel(a, prepared.Built.Design, stderr, cancellationToken);
        double z = Distributions.NormalQuantile(1 - (1 - a.Level) / 2);
        string lowerName = Percent((1 - a.Level) / 2), upperName = Percent(1 - (1 - a.Level) / 2);
        var rows = fit.FixedEffects.Select(f => (f.Name, f.Estimate, f.StdError, Lower: f.Estimate - z * f.StdError, Upper: f.Estimate + z * f.StdError)).ToList();
        string note = $"Wald intervals at level {a.Level.ToString("R", CultureInfo.InvariantCulture)}: estimate ± {z.ToString("F4", CultureInfo.InvariantCulture)} × SE"
            + (fit is GeneralizedLinearMixedModelFit ? " (on the link scale)" : "")
            + ". lme4's confint(fit, method = \"Wald\") gives the same; its rows for the variance parameters are NA. Profile-likelihood (lme4's default) and bootstrap intervals: --method profile, --method boot.";
        if (a.Format == OutputFormat.Json)
        {
            stdout.Write(Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("method", "Wald");
                w.WriteNumber("level", a.Level);
                w.WriteStartArray("fixed_effects");
                foreach (var r in rows)
                {
                    w.WriteStartObject();
                    w.WriteString("name", r.Name);
                    Number(w, "estimate", r.Estimate);
                    Number(w, "std_error", r.StdError);
                    Number(w, "lower", r.Lower);
                    Number(w, "upper", r.Upper);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }));
            return 0;
        }
        var headers = new[] { "", "Estimate", lowerName, upperName };
        var sb = new StringBuilder();
        if (a.Format == OutputFormat.Markdown)
        {
            sb.Append("| ").Append(string.Join(" | ", headers)).Append(" |\n|:--|--:|--:|--:|\n");
            foreach (var r in rows) sb.Append("| ").Append(r.Name.Replace("|", "\\|", StringComparison.Ordinal)).Append(" | ").Append(Sig(r.Estimate)).Append(" | ").Append(Sig(r.Lower)).Append(" | ").Append(Sig(r.Upper)).Append(" |\n");
            sb.Append('\n').Append(note).Append('\n');
        }
        else
        {
            var cells = rows.Select(r => new[] { r.Name, Sig(r.Estimate), Sig(r.Lower), Sig(r.Upper) }).ToList();
            var widths = Enumerable.Range(0, 4).Select(c => Math.Max(headers[c].Length, cells.Count == 0 ? 0 : cells.Max(x => x[c].Length))).ToArray();
            sb.Append(Line(headers, widths));
            foreach (var c in cells) sb.Append(Line(c, widths));
            sb.Append(note).Append('\n');
        }
        stdout.Write(sb.ToString());
        return 0;

        static string Line(string[] cells, int[] widths) =>
            (cells[0].PadRight(widths[0]) + string.Concat(cells.Skip(1).Select((c, i) => "  " + c.PadLeft(widths[i + 1])))).TrimEnd() + "\n";
    }

    /// <summary>R's label of a quantile column: <c>2.5 %</c>, <c>97.5 %</c>.</summary>
    internal static string Percent(double p) => (100 * p).ToString("0.###", CultureInfo.InvariantCulture) + " %";

    internal static string Sig(double x) => double.IsFinite(x) ? x.ToString("G7", CultureInfo.InvariantCulture) : "NA";

    private static string Round(double x) => double.IsFinite(x) ? x.ToString("R", CultureInfo.InvariantCulture) : "NA";

    private static string Csv(string s) =>
        s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;

    /// <summary>What <paramref name="write"/> writes, as indented JSON text ending in a newline.</summary>
    internal static string Json(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, JsonOptions)) write(w);
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    internal static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, value); else w.WriteNull(name);
    }
}
