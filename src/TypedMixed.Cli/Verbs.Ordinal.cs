using System.Globalization;
using System.Text;
using TypedMixed.Cli.Data;
using TypedMixed.Cli.Design;

namespace TypedMixed.Cli;

/// <summary><c>predict --type response</c> for ordinal fits: the category probabilities of each row.</summary>
internal static partial class Verbs
{
    /// <summary>
    /// Category probabilities P(Y = j) = F(τⱼ − η) − F(τⱼ₋₁ − η) of each row: at its levels' conditional modes; with
    /// <c>--allow-new-levels</c>, the random effects of a level the fit has not seen integrated out (over N(0, z'Σz), as
    /// for a new cluster); with <c>--re-form NA</c>, every random effect zero (a typical cluster). CSV <c>row,&lt;category&gt;,…</c>
    /// or JSON.
    /// </summary>
    private static int PredictCategories(CliArguments a, CliApp.PreparedModel prepared, OrdinalMixedModelFit fit, CsvTable newData, TextWriter stdout)
    {
        var variance = new double[newData.RowCount];
        var eta = PredictionDesign.Predict(prepared.Formula, prepared.Built, fit, newData, new PredictionOptions
        {
            PopulationLevel = a.PopulationLevel,
            AllowNewLevels = a.AllowNewLevels,
        }, variance);
        var probabilities = new double[eta.Length][];
        for (int r = 0; r < eta.Length; r++)
            probabilities[r] = double.IsFinite(eta[r]) ? fit.CategoryProbabilities(eta[r], variance[r]) : Enumerable.Repeat(double.NaN, fit.Categories.Count).ToArray();
        if (a.Format == OutputFormat.Json)
        {
            stdout.Write(Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("formula", a.Formula);
                w.WriteString("re_form", a.PopulationLevel ? "NA" : "NULL");
                w.WriteBoolean("allow_new_levels", a.AllowNewLevels);
                w.WriteString("type", "response");
                w.WriteString("new_levels", "random effects integrated out over N(0, z'Σz)");
                w.WriteStartArray("categories");
                foreach (var c in fit.Categories) w.WriteStringValue(c);
                w.WriteEndArray();
                w.WriteStartArray("prediction");
                foreach (var row in probabilities)
                {
                    if (!double.IsFinite(row[0])) { w.WriteNullValue(); continue; }
                    w.WriteStartArray();
                    foreach (double p in row) w.WriteNumberValue(p);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }));
            return 0;
        }
        var sb = new StringBuilder("row");
        foreach (var c in fit.Categories) sb.Append(',').Append(Csv(c));
        sb.Append('\n');
        for (int r = 0; r < probabilities.Length; r++)
        {
            sb.Append((r + 1).ToString(CultureInfo.InvariantCulture));
            foreach (double p in probabilities[r]) sb.Append(',').Append(Round(p));
            sb.Append('\n');
        }
        stdout.Write(sb.ToString());
        return 0;
    }
}
