using System.Globalization;
using System.Text.Json;

namespace TypedMixed.Generators.Tests.Infrastructure;

/// <summary>Reads the shared reference data: CSV datasets and lme4's fits (Data/...).</summary>
internal static class ReferenceData
{
    private static string PathOf(string relative) => Path.Combine(AppContext.BaseDirectory, "Data", "reference", relative);

    /// <summary>Rows of a CSV file with a header line, as name → text (quotes removed).</summary>
    public static IEnumerable<Dictionary<string, string>> Csv(string file)
    {
        using var reader = new StreamReader(PathOf(file));
        var header = Split(reader.ReadLine()!);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0) continue;
            var fields = Split(line);
            yield return header.Select((h, i) => (h, fields[i])).ToDictionary(p => p.h, p => p.Item2);
        }
    }

    private static List<string> Split(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        bool quoted = false;
        foreach (char c in line)
        {
            if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted)
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else current.Append(c);
        }
        fields.Add(current.ToString());
        return fields;
    }

    public static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    public static JsonElement Fit(string name) => JsonDocument.Parse(File.ReadAllText(PathOf(Path.Combine("fits", name + ".json")))).RootElement;

    public static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    /// <summary>The variance or covariance lme4 reports for (group, var1, var2).</summary>
    public static double VarianceComponent(JsonElement fit, string group, string? var1, string? var2 = null)
    {
        foreach (var vc in fit.GetProperty("variance_components").EnumerateArray())
        {
            string? g = vc.GetProperty("group").GetString();
            string? v1 = vc.GetProperty("var1").ValueKind == JsonValueKind.Null ? null : vc.GetProperty("var1").GetString();
            string? v2 = vc.GetProperty("var2").ValueKind == JsonValueKind.Null ? null : vc.GetProperty("var2").GetString();
            if (g == group && v1 == var1 && v2 == var2) return vc.GetProperty("vcov").GetDouble();
        }
        throw new KeyNotFoundException($"No variance component {group}/{var1}/{var2}.");
    }
}
