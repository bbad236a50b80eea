using System.Globalization;
using System.Text.Json;

namespace TypedMixed.Tests.Reference;

/// <summary>Reads the reference datasets (tests/Data/reference, copied from shared/reference with provenance) and builds their designs by hand.</summary>
internal static class ReferenceData
{
    public static string DataDir => Path.Combine(AppContext.BaseDirectory, "Data", "reference");

    /// <summary>A CSV table: header → column of raw strings (quotes removed).</summary>
    public static Dictionary<string, string[]> ReadCsv(string file)
    {
        var lines = File.ReadAllLines(Path.Combine(DataDir, file)).Where(l => l.Length > 0).ToArray();
        var header = Split(lines[0]);
        var rows = lines.Skip(1).Select(Split).ToArray();
        return header.Select((h, c) => (h, col: rows.Select(r => r[c]).ToArray())).ToDictionary(x => x.h, x => x.col);
    }

    private static string[] Split(string line) => line.Split(',').Select(f => f.Trim('"')).ToArray();

    public static double[] Numbers(string[] column) => column.Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();

    /// <summary>Level indices in order of first appearance, with the levels (the reference data list levels in R's order this way).</summary>
    public static (int[] index, string[] levels) Factor(string[] column)
    {
        var levels = new List<string>();
        var map = new Dictionary<string, int>();
        var index = new int[column.Length];
        for (int i = 0; i < column.Length; i++)
        {
            if (!map.TryGetValue(column[i], out int l)) { l = levels.Count; levels.Add(column[i]); map[column[i]] = l; }
            index[i] = l;
        }
        return (index, levels.ToArray());
    }

    public static RandomEffectsTerm Term(string name, string[] groups, params (string name, double[] values)[] slopes) =>
        Term(name, groups, CovarianceStructure.Unstructured, slopes);

    public static RandomEffectsTerm Term(string name, string[] groups, CovarianceStructure structure, params (string name, double[] values)[] slopes)
    {
        var (index, levels) = Factor(groups);
        int n = groups.Length;
        var names = new List<string> { "(Intercept)" };
        var cols = new List<double>(Enumerable.Repeat(1.0, n));
        foreach (var (sn, v) in slopes) { names.Add(sn); cols.AddRange(v); }
        return new RandomEffectsTerm { Name = name, LevelIndex = index, LevelKeys = levels, ColumnNames = names, Columns = cols.ToArray(), Covariance = structure };
    }

    public static ModelDesign Design(string responseName, double[] y, (string name, double[] values)[] fixedColumns, params RandomEffectsTerm[] terms)
    {
        int n = y.Length;
        var names = new List<string> { "(Intercept)" };
        var x = new List<double>(Enumerable.Repeat(1.0, n));
        foreach (var (name, v) in fixedColumns) { names.Add(name); x.AddRange(v); }
        return new ModelDesign { ResponseName = responseName, Response = y, FixedEffects = x.ToArray(), FixedEffectNames = names, Terms = terms };
    }

    /// <summary>The design of each LMM reference fit, by the fit's file name (without .json).</summary>
    public static ModelDesign ForFit(string fit)
    {
        string dataset = fit.Split('_')[0];
        switch (dataset)
        {
            case "exam":
            {
                var t = ReadCsv("Exam.csv");
                var y = Numbers(t["normexam"]);
                var lrt = Numbers(t["standLRT"]);
                var girl = t["sex"].Select(s => s == "F" ? 1.0 : 0).ToArray();
                var boysch = t["schgend"].Select(s => s == "boys" ? 1.0 : 0).ToArray();
                var girlsch = t["schgend"].Select(s => s == "girls" ? 1.0 : 0).ToArray();
                return fit switch
                {
                    "exam_m1_ML" => Design("normexam", y, [], Term("school", t["school"])),
                    "exam_m2_ML" or "exam_m2_REML" => Design("normexam", y, [("standLRT", lrt)], Term("school", t["school"])),
                    "exam_m3_ML" => Design("normexam", y, [("standLRT", lrt), ("girl", girl), ("boysch", boysch), ("girlsch", girlsch)], Term("school", t["school"])),
                    "exam_m2_randslope_ML" => Design("normexam", y, [("standLRT", lrt)], Term("school", t["school"], ("standLRT", lrt))),
                    _ => throw new ArgumentException(fit),
                };
            }
            case "sleepstudy":
            {
                var t = ReadCsv("sleepstudy.csv");
                var days = Numbers(t["Days"]);
                var structure = fit.Contains("uncorr") ? CovarianceStructure.Diagonal : CovarianceStructure.Unstructured;
                return Design("Reaction", Numbers(t["Reaction"]), [("Days", days)], Term("Subject", t["Subject"], structure, ("Days", days)));
            }
            case "dyestuff":
            case "dyestuff2":
            {
                var t = ReadCsv(dataset == "dyestuff" ? "Dyestuff.csv" : "Dyestuff2.csv");
                return Design("Yield", Numbers(t["Yield"]), [], Term("Batch", t["Batch"]));
            }
            case "penicillin":
            {
                var t = ReadCsv("Penicillin.csv");
                return Design("diameter", Numbers(t["diameter"]), [], Term("plate", t["plate"]), Term("sample", t["sample"]));
            }
            case "pastes":
            {
                var t = ReadCsv("Pastes.csv");
                var caskInBatch = t["cask"].Zip(t["batch"], (c, b) => c + ":" + b).ToArray();
                return Design("strength", Numbers(t["strength"]), [], Term("cask:batch", caskInBatch), Term("batch", t["batch"]));
            }
            default: throw new ArgumentException(fit);
        }
    }

    public static JsonElement Fit(string name) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(DataDir, "fits", name + ".json"))).RootElement;

    public static double[] Doubles(this JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    /// <summary>Every linear-mixed-model reference fit.</summary>
    public static TheoryData<string> LinearFits() => new(
        "exam_m1_ML", "exam_m2_ML", "exam_m2_REML", "exam_m3_ML", "exam_m2_randslope_ML",
        "sleepstudy_ML", "sleepstudy_REML", "sleepstudy_uncorr_ML", "sleepstudy_uncorr_REML",
        "dyestuff_ML", "dyestuff_REML", "dyestuff2_ML", "dyestuff2_REML", "penicillin_REML", "pastes_REML");

    public static void AssertRelative(double expected, double actual, double tolerance, string what)
    {
        double err = Math.Abs(actual - expected) / Math.Max(Math.Abs(expected), 1e-300);
        Assert.True(err <= tolerance, $"{what}: expected {expected:R}, got {actual:R} (relative error {err:E2} > {tolerance:E0})");
    }

    /// <summary>Relative tolerance, or an absolute one for values near zero.</summary>
    public static void AssertClose(double expected, double actual, double relative, double absolute, string what)
    {
        double diff = Math.Abs(actual - expected);
        Assert.True(diff <= absolute || diff <= relative * Math.Abs(expected),
            $"{what}: expected {expected:R}, got {actual:R} (difference {diff:E2}; tolerance {relative:E0} relative or {absolute:E0} absolute)");
    }
}
