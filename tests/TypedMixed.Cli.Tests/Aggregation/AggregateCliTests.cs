using TypedMixed.Data.DuckDb;

namespace TypedMixed.Cli.Tests.Aggregation;

/// <summary><c>typedmixed fit … --aggregate</c> prints the same estimates as the in-memory fit, with progress per phase.</summary>
public class AggregateCliTests
{
    [Fact]
    public void AggregateOverAGlobOfParquetPrintsTheInMemoryEstimates()
    {
        string dir = CliRunner.TempDirectory();
        string csv = CliRunner.DataPath("sleepstudy.csv");
        using (var engine = new DuckDbSqlEngine())
        {
            string relation = DuckDbSqlEngine.RelationFor(new TableSource { Location = csv });
            engine.Query($"COPY (SELECT * FROM {relation} WHERE Days < 5) TO '{Path.Combine(dir, "part1.parquet")}' (FORMAT parquet)");
            engine.Query($"COPY (SELECT * FROM {relation} WHERE Days >= 5) TO '{Path.Combine(dir, "part2.parquet")}' (FORMAT parquet)");
        }
        const string formula = "Reaction ~ Days + (Days | Subject)";
        var memory = CliRunner.Run("fit", csv, formula);
        var aggregated = CliRunner.Run("fit", Path.Combine(dir, "*.parquet"), formula, "--aggregate");
        Assert.Equal(0, memory.Code);
        Assert.True(aggregated.Code == 0, aggregated.Err);
        AssertSameEstimates(memory.Out, aggregated.Out);
        Assert.Contains("DuckDB: all blocks in one scan", aggregated.Err);
        Assert.Contains("DuckDB: groups: term Subject: 18 level(s)", aggregated.Err);
        Assert.Contains("aggregated 180 rows", aggregated.Err);
        Assert.Contains("TMW012", aggregated.Out);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void AggregateRejectsWhatNeedsRows()
    {
        var r = CliRunner.Run("fit", CliRunner.DataPath("sleepstudy.csv"), "log(Reaction) ~ Days + (1 | Subject)", "--aggregate");
        Assert.Equal(1, r.Code);
        Assert.Contains("--aggregate fits a linear mixed model of a plain response column", r.Err);
        r = CliRunner.Run("ranef", CliRunner.DataPath("sleepstudy.csv"), "Reaction ~ Days + (1 | Subject)", "--aggregate");
        Assert.Equal(1, r.Code);
        Assert.Contains("work with 'fit' only", r.Err);
    }

    /// <summary>The criterion line and the fixed-effects and random-effects tables are printed identically.</summary>
    internal static void AssertSameEstimates(string memory, string aggregated)
    {
        var lines = memory.Split('\n');
        int fixedAt = Array.FindIndex(lines, l => l.StartsWith("Fixed effects:", StringComparison.Ordinal));
        int randomAt = Array.FindIndex(lines, l => l.StartsWith("Random effects:", StringComparison.Ordinal));
        Assert.True(fixedAt > 0 && randomAt > 0, memory);
        var expected = lines.Where(l => l.StartsWith("REML criterion", StringComparison.Ordinal) || l.StartsWith(" AIC", StringComparison.Ordinal) || l.TrimStart().StartsWith("AIC", StringComparison.Ordinal))
            .Concat(lines.Skip(fixedAt).Take(4)).Concat(lines.Skip(randomAt).Take(5)).ToList();
        foreach (var line in expected) Assert.Contains(line, aggregated);
    }
}
