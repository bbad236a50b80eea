using System.Text.Json;
using TypedMixed.Cli.Data;
using TypedMixed.Cli.Design;
using TypedMixed.Cli.Formulas;

namespace TypedMixed.Cli.Tests;

/// <summary>
/// The formula corpus (<c>Data/corpus/formulas.txt</c>) on Exam: every valid formula gives lme4's response name,
/// fixed-effect columns and random-effects terms (from <c>lFormula</c>, stored in
/// <c>formula_corpus_expected.json</c>); every invalid one fails with its expected message, never a stack trace or a
/// tokenizer message about a function.
/// </summary>
public class FormulaCorpusTests
{
    private static string CorpusPath(string file) => Path.Combine(AppContext.BaseDirectory, "Data", "corpus", file);

    private static readonly Lazy<CsvTable> Exam = new(() => CsvTable.Load(CliRunner.DataPath("Exam.csv")));

    private static IEnumerable<string[]> Lines(string kind) =>
        File.ReadLines(CorpusPath("formulas.txt")).Where(l => l.StartsWith(kind + "\t", StringComparison.Ordinal)).Select(l => l.Split('\t'));

    public static TheoryData<string> Valid() => new(Lines("ok").Select(p => p[1]));

    public static TheoryData<string, string> Invalid()
    {
        var data = new TheoryData<string, string>();
        foreach (var p in Lines("error")) data.Add(p[1], p[2]);
        return data;
    }

    [Fact]
    public void The_corpus_has_fifty_valid_and_thirty_invalid_formulas_and_R_checked_every_valid_one()
    {
        Assert.True(Lines("ok").Count() >= 50);
        Assert.True(Lines("error").Count() >= 30);
        using var expected = JsonDocument.Parse(File.ReadAllText(CorpusPath("formula_corpus_expected.json")));
        Assert.Equal(Lines("ok").Select(p => p[1]), expected.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("formula").GetString()));
    }

    [Theory]
    [MemberData(nameof(Valid))]
    public void Valid_formula_gives_lme4s_columns(string formula)
    {
        using var expected = JsonDocument.Parse(File.ReadAllText(CorpusPath("formula_corpus_expected.json")));
        var r = expected.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("formula").GetString() == formula);
        var design = DesignBuilder.Build(FormulaParser.Parse(formula), Exam.Value).Design;
        Assert.Equal(r.GetProperty("response").GetString(), design.ResponseName);
        Assert.Equal(r.GetProperty("nobs").GetInt32(), design.Rows);
        Assert.Equal(Strings(r.GetProperty("fixed")), design.FixedEffectNames);
        var random = r.GetProperty("random").EnumerateArray().Select(t => $"{t.GetProperty("group").GetString()}: {string.Join(", ", Strings(t.GetProperty("columns")))}");
        Assert.Equal(random, design.Terms.Select(t => $"{t.Name}: {string.Join(", ", t.ColumnNames)}"));
        design.Validate();
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Invalid_formula_gives_its_message(string formula, string message)
    {
        var e = Record.Exception(() => DesignBuilder.Build(FormulaParser.Parse(formula), Exam.Value));
        Assert.NotNull(e);
        Assert.True(e is FormulaException or CliException, $"{e.GetType().Name}: {e.Message}");
        Assert.Contains(message, e.Message);
    }

    /// <summary>jsonlite writes a one-element vector as a scalar.</summary>
    private static string[] Strings(JsonElement e) =>
        e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().Select(x => x.GetString()!).ToArray() : [e.GetString()!];
}
