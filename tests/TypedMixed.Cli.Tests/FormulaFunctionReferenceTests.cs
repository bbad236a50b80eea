using System.Globalization;
using System.Text.Json;
using TypedMixed.Cli.Data;
using TypedMixed.Cli.Design;
using TypedMixed.Cli.Formulas;

namespace TypedMixed.Cli.Tests;

/// <summary>
/// Model-matrix columns and responses of formulas with functions, compared with lme4's <c>lFormula</c>
/// (<c>Data/reference/modelmatrix/formula_functions.json</c>, written by <c>scripts/formula_functions.R</c>):
/// <c>poly(age, 2)</c> and <c>poly(age, 3, raw = TRUE)</c> on Oxboys, <c>scale(standLRT)</c> (and its
/// <c>center</c>/<c>scale</c> variants), <c>relevel</c> and <c>poly(standLRT, 2) * sex</c> on Exam, <c>log(Reaction)</c>
/// and friends on sleepstudy. Each column: the names, the stored rows (every row, or every k-th for Exam) to 1e-12
/// relative, and the sum and sum of squares over all rows to 1e-10 relative.
/// </summary>
public class FormulaFunctionReferenceTests
{
    private static readonly Lazy<JsonDocument> Reference = new(() =>
        JsonDocument.Parse(File.ReadAllText(CliRunner.DataPath("modelmatrix", "formula_functions.json"))));

    public static TheoryData<string> Formulas() =>
        new(Reference.Value.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("formula").GetString()!));

    [Theory]
    [MemberData(nameof(Formulas))]
    public void Columns_match_lme4(string formula)
    {
        var r = Reference.Value.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("formula").GetString() == formula);
        var table = CsvTable.Load(CliRunner.DataPath(r.GetProperty("dataset").GetString() + ".csv"));
        var design = DesignBuilder.Build(FormulaParser.Parse(formula), table).Design;
        int n = design.Rows;
        Assert.Equal(r.GetProperty("nobs").GetInt32(), n);
        var rows = r.GetProperty("rows").EnumerateArray().Select(e => e.GetInt32()).ToArray();

        var response = r.GetProperty("response");
        Assert.Equal(response.GetProperty("name").GetString(), design.ResponseName);
        Compare("response", response, design.Response, rows);

        var columns = r.GetProperty("columns").EnumerateArray().ToList();
        Assert.Equal(columns.Select(c => c.GetProperty("name").GetString()), design.FixedEffectNames);
        for (int j = 0; j < columns.Count; j++)
            Compare(design.FixedEffectNames[j], columns[j], design.FixedEffects.AsSpan(j * n, n).ToArray(), rows);
    }

    [Fact]
    public void Orthogonal_polynomial_columns_are_orthonormal_and_centred()
    {
        var table = CsvTable.Load(CliRunner.DataPath("Oxboys.csv"));
        var design = DesignBuilder.Build(FormulaParser.Parse("height ~ poly(age, 3) + (1 | Subject)"), table).Design;
        int n = design.Rows;
        for (int a = 0; a <= 3; a++)
            for (int b = 0; b <= 3; b++)
            {
                double dot = 0;
                for (int i = 0; i < n; i++) dot += design.FixedEffects[a * n + i] * design.FixedEffects[b * n + i];
                double expected = a == b ? (a == 0 ? n : 1) : 0;
                Assert.True(Math.Abs(dot - expected) < 1e-12 * n, $"column {a} · column {b} = {dot.ToString("R", CultureInfo.InvariantCulture)}, expected {expected}");
            }
    }

    private static void Compare(string what, JsonElement reference, double[] ours, int[] rows)
    {
        var expected = reference.GetProperty("rows").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(rows.Length, expected.Length);
        double scale = Math.Sqrt(reference.GetProperty("sum_of_squares").GetDouble() / ours.Length);
        for (int k = 0; k < rows.Length; k++)
            Within($"{what} row {rows[k]}", expected[k], ours[rows[k]], 1e-12, 1e-13 * scale);
        Within($"{what} sum", reference.GetProperty("sum").GetDouble(), ours.Sum(), 1e-10, 1e-11 * scale * ours.Length);
        Within($"{what} sum of squares", reference.GetProperty("sum_of_squares").GetDouble(), ours.Sum(v => v * v), 1e-10, 0);
    }

    private static void Within(string what, double expected, double actual, double rel, double abs) =>
        Assert.True(Math.Abs(actual - expected) <= rel * Math.Abs(expected) + abs,
            string.Create(CultureInfo.InvariantCulture, $"{what}: expected {expected:R}, got {actual:R}"));
}
