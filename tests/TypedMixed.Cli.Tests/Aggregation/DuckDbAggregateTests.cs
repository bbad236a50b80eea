using TypedMixed.Cli.Aggregation;
using TypedMixed.Cli.Data;
using TypedMixed.Cli.Design;
using TypedMixed.Cli.Formulas;
using TypedMixed.Data.DuckDb;
using TypedMixed.Data.Sql;

namespace TypedMixed.Cli.Tests.Aggregation;

/// <summary>
/// Gram blocks aggregated inside DuckDB (CSV read in place, and the same data as Parquet) equal the blocks of the
/// in-memory design the CLI builds from the same file and formula, and so give the same fit.
/// </summary>
public sealed class DuckDbAggregateTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("typedmixed-agg-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string, string, bool> Cases() => new()
    {
        { "sleepstudy.csv", "Reaction ~ Days + (Days | Subject)", true },
        { "sleepstudy.csv", "Reaction ~ Days + (Days || Subject)", false },
        { "Penicillin.csv", "diameter ~ 1 + (1 | plate) + (1 | sample)", true },
        { "Pastes.csv", "strength ~ 1 + (1 | batch/cask)", true },
        { "Exam.csv", "normexam ~ standLRT * sex + schgend + (standLRT | school)", false },
        { "Exam.csv", "normexam ~ standLRT + sex:schgend + (1 | school) + (1 | schgend)", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void CsvInPlaceGivesTheInMemoryBlocksAndFit(string file, string formula, bool reml) =>
        Check(file, formula, reml, CliRunner.DataPath(file));

    [Theory]
    [MemberData(nameof(Cases))]
    public void ParquetGivesTheInMemoryBlocksAndFit(string file, string formula, bool reml)
    {
        string parquet = Path.Combine(_dir, Path.ChangeExtension(file, ".parquet"));
        using (var engine = new DuckDbSqlEngine())
            engine.Query($"COPY (SELECT * FROM {DuckDbSqlEngine.RelationFor(new TableSource { Location = CliRunner.DataPath(file) })}) TO '{parquet}' (FORMAT parquet)");
        Check(file, formula, reml, parquet);
    }

    [Fact]
    public void NullInAUsedColumnDropsTheRowAndCountsIt()
    {
        // Three rows of sleepstudy with a blank Reaction, Days or Subject: dropped by both paths and counted.
        var lines = File.ReadAllLines(CliRunner.DataPath("sleepstudy.csv"));
        var header = lines[0].Split(',');
        int reaction = Array.FindIndex(header, h => h.Trim('"') == "Reaction"), days = Array.FindIndex(header, h => h.Trim('"') == "Days"), subject = Array.FindIndex(header, h => h.Trim('"') == "Subject");
        string Blank(string line, int column) { var f = line.Split(','); f[column] = ""; return string.Join(",", f); }
        lines[5] = Blank(lines[5], reaction);
        lines[50] = Blank(lines[50], days);
        lines[100] = Blank(lines[100], subject);
        string path = Path.Combine(_dir, "sleepstudy_missing.csv");
        File.WriteAllLines(path, lines);
        var blocks = Check("sleepstudy_missing.csv", "Reaction ~ Days + (Days | Subject)", true, path, reference: path);
        Assert.Equal(3, blocks.RowsDropped);
        Assert.Equal(177, blocks.Rows);
    }

    [Fact]
    public void MissingColumnOrTableIsAClearError()
    {
        using var engine = new DuckDbSqlEngine();
        string relation = DuckDbSqlEngine.RelationFor(new TableSource { Location = CliRunner.DataPath("sleepstudy.csv") });
        var e = Assert.Throws<CliException>(() => SqlModelBuilder.Build(FormulaParser.Parse("Reaction ~ Dayz + (1 | Subject)"), engine, relation));
        Assert.Contains("Column 'Dayz' is not in", e.Message);
        Assert.Contains("Days", e.Message);
        var t = Assert.Throws<SqlEngineException>(() => SqlModelBuilder.Build(FormulaParser.Parse("Reaction ~ Days + (1 | Subject)"), engine, "no_such_table"));
        Assert.Contains("no_such_table", t.Message);
    }

    [Fact]
    public void NoRowsIsAClearError()
    {
        using var engine = new DuckDbSqlEngine();
        string relation = "(SELECT * FROM " + DuckDbSqlEngine.RelationFor(new TableSource { Location = CliRunner.DataPath("sleepstudy.csv") }) + " WHERE Days > 100) AS empty_query";
        var model = SqlModelBuilder.Build(FormulaParser.Parse("Reaction ~ Days + (1 | Subject)"), engine, relation);
        var e = Assert.Throws<SqlEngineException>(() => SqlGramAggregator.Aggregate(engine, model));
        Assert.Contains("has no rows", e.Message);
    }

    private static GramBlocks Check(string file, string formulaText, bool reml, string source, string? reference = null)
    {
        using var engine = new DuckDbSqlEngine(new DuckDbEngineOptions { Threads = 1 });
        return Check(reference ?? CliRunner.DataPath(file), formulaText, reml, engine, DuckDbSqlEngine.RelationFor(new TableSource { Location = source }));
    }

    /// <summary>
    /// Aggregates the model in <paramref name="engine"/> over <paramref name="relation"/> and checks the blocks and the
    /// fit against the CLI's in-memory design of the CSV file <paramref name="csv"/> (same rows).
    /// </summary>
    internal static GramBlocks Check(string csv, string formulaText, bool reml, ISqlEngine engine, string relation)
    {
        var formula = FormulaParser.Parse(formulaText);
        var design = DesignBuilder.Build(formula, CsvTable.Load(csv)).Design;
        var expected = GramBlocks.FromDesign(design);
        var model = SqlModelBuilder.Build(formula, engine, relation);
        var actual = SqlGramAggregator.Aggregate(engine, model);
        AssertSameBlocks(expected, actual);
        var options = new FitOptions { Method = reml ? EstimationMethod.Reml : EstimationMethod.MaximumLikelihood };
        var fromRows = LinearMixedModel.Fit(design, options);
        var fromSql = LinearMixedModel.Fit(actual, options);
        Close(fromRows.Objective, fromSql.Objective, 1e-10, 0, "objective");
        for (int i = 0; i < fromRows.Theta.Length; i++) Close(fromRows.Theta[i], fromSql.Theta[i], 1e-8, 1e-8, $"θ[{i}]");
        for (int c = 0; c < fromRows.FixedEffects.Count; c++)
            Close(fromRows.FixedEffects[c].Estimate, fromSql.FixedEffects[c].Estimate, 0, 1e-8 * fromRows.FixedEffects[c].StdError, $"β {fromRows.FixedEffects[c].Name}");
        return actual;
    }

    /// <summary>Every block entry to 1e-12 of the largest entry of its block; names, keys, counts and level pairs exactly.</summary>
    internal static void AssertSameBlocks(GramBlocks expected, GramBlocks actual)
    {
        Assert.Equal(expected.Rows, actual.Rows);
        Assert.Equal(expected.RowsDropped, actual.RowsDropped);
        Assert.Equal(expected.FixedEffectNames, actual.FixedEffectNames);
        Entries(expected.XtX, actual.XtX, "X'X");
        Entries(expected.Xty, actual.Xty, "X'y");
        Entries([expected.YtY, expected.YSum], [actual.YtY, actual.YSum], "y'y, Σy");
        Assert.Equal(expected.Terms.Select(t => t.Name), actual.Terms.Select(t => t.Name));
        for (int t = 0; t < expected.Terms.Count; t++)
        {
            var a = expected.Terms[t];
            var b = actual.Terms[t];
            Assert.Equal(a.LevelKeys, b.LevelKeys);
            Assert.Equal(a.ColumnNames, b.ColumnNames);
            Assert.Equal(a.Covariance, b.Covariance);
            Assert.Equal(a.LevelCounts, b.LevelCounts);
            Entries(a.ZtZ, b.ZtZ, $"{a.Name} Z'Z");
            Entries(a.ZtX, b.ZtX, $"{a.Name} Z'X");
            Entries(a.Zty, b.Zty, $"{a.Name} Z'y");
        }
        Assert.Equal(expected.CrossTables.Count, actual.CrossTables.Count);
        foreach (var c in expected.CrossTables)
        {
            var d = actual.CrossTables.Single(x => x.First == c.First && x.Second == c.Second);
            int size = c.Blocks.Length / Math.Max(c.FirstLevels.Length, 1);
            var byPair = new Dictionary<(int, int), int>();
            for (int e = 0; e < d.FirstLevels.Length; e++) byPair[(d.FirstLevels[e], d.SecondLevels[e])] = e;
            Assert.Equal(c.FirstLevels.Length, d.FirstLevels.Length);
            var reordered = new double[c.Blocks.Length];
            for (int e = 0; e < c.FirstLevels.Length; e++)
                Array.Copy(d.Blocks, byPair[(c.FirstLevels[e], c.SecondLevels[e])] * size, reordered, e * size, size);
            Entries(c.Blocks, reordered, $"cross table {c.First}×{c.Second}");
        }
    }

    private static void Entries(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Select(Math.Abs).DefaultIfEmpty(0).Max();
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12 * scale, $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }

    private static void Close(double expected, double actual, double relative, double absolute, string what) =>
        Assert.True(Math.Abs(expected - actual) <= Math.Max(relative * Math.Abs(expected), absolute), $"{what}: expected {expected:R}, got {actual:R}");
}
