using DuckDB.NET.Data;
using TypedMixed.Data.DuckDb;

namespace TypedMixed.Cli.Tests;

/// <summary>
/// The record count that sizes a large text file's columns before DuckDB reads it: its vectorized blocks and its byte
/// loop agree with the byte-level scanner that finds problems and line numbers, at every block size (so across block
/// boundaries that fall inside quotes, between CR and LF, and between two line feeds).
/// </summary>
public sealed class RecordCountTests : IDisposable
{
    private readonly string _dir = CliRunner.TempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("y,x\n1,2\n3,4\n")]
    [InlineData("y,x\n1,2\n3,4")] // no final line feed
    [InlineData("y,x\r\n1,2\r\n3,4\r\n")] // CRLF
    [InlineData("y,x\r1,2\r3,4\r")] // CR only
    [InlineData("y,x\n\n1,2\n\n\n3,4\n\n")] // blank lines are not records
    [InlineData("\n\ny,x\n1,2\n")] // blank lines before the header
    [InlineData("y,x\n\"a\nb\",2\n\"c\r\nd\",4\n")] // line breaks inside quotes
    [InlineData("y,x\n\"a \"\"q\"\"\n\",2\n3,4\n")] // doubled quotes
    [InlineData("y,x\n1,\"open\n2,3\n")] // an unclosed quote: its record is not counted
    [InlineData("y,x\n")] // the header only
    [InlineData("y,x")]
    public void Agrees_with_the_scanner_at_every_block_size(string text)
    {
        string path = Path.Combine(_dir, "data.csv");
        File.WriteAllText(path, text);
        int expected = DelimitedScanner.CountRecordsByScan(path, ',');
        for (int size = 1; size <= text.Length + 1; size++)
            Assert.Equal(expected, DelimitedScanner.CountRecords(path, size));
        Assert.Equal(expected, DelimitedScanner.CountRecords(path));
    }

    /// <summary>The rows DuckDB's reader finds complete in the given columns (the count must never be below it).</summary>
    private static long DuckDbComplete(string path, int[] wanted)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM read_csv('{path}', header = true, quote = '\"', escape = '\"', nullstr = ['NA', ''], all_varchar = true)";
        using var reader = command.ExecuteReader();
        long complete = 0;
        while (reader.Read())
            if (wanted.All(f => !reader.IsDBNull(f))) complete++;
        return complete;
    }

    [Theory]
    [InlineData("a,b,c\n1,2,3\n,2,3\n1,,3\n1,2,\nNA,2,3\n1,NA,3\n1,2,NA\n", new[] { 0, 2 })]
    [InlineData("a,b,c\n1,2,3\n,2,3\n1,,3\n1,2,\nNA,2,3\n1,NA,3\n1,2,NA\n", new[] { 1 })]
    [InlineData("a,b,c\n1,2,3\n,2,3\n1,,3\n1,2,\nNA,2,3\n1,NA,3\n1,2,NA", new[] { 0, 1, 2 })]
    [InlineData("a,b\r\n1,NA\r\nNAB,2\r\n\r\n,x\r\nN,A\r\n", new[] { 0, 1 })] // CRLF, NAB and N are values, blank line
    [InlineData("a,b\n\"\",1\n\"NA\",2\n\"x,\ny\",NA\n3,4\n", new[] { 0 })] // quoted fields count as present
    [InlineData("a,b\n\"\",1\n\"NA\",2\n\"x,\ny\",NA\n3,4\n", new[] { 1 })]
    [InlineData("NA,b\n1,2\n3,\n", new[] { 0, 1 })] // a column named NA
    [InlineData("a,b\n1,2\n3,4\n", new int[0])]
    public void Complete_records_are_never_fewer_than_duckdb_finds_and_exact_without_quotes(string text, int[] wanted)
    {
        string path = Path.Combine(_dir, "data.csv");
        File.WriteAllText(path, text);
        long complete = DuckDbComplete(path, wanted);
        int expected = DelimitedScanner.CountCompleteRecords(path, ',', wanted);
        if (!text.Contains('"', StringComparison.Ordinal)) Assert.Equal(complete, expected);
        else Assert.True(expected >= complete, $"{expected} < {complete}");
        for (int size = 1; size <= text.Length + 1; size++)
            Assert.Equal(expected, DelimitedScanner.CountCompleteRecords(path, ',', wanted, size));
    }

    [Fact]
    public void Counts_complete_records_of_many_blocks()
    {
        // Missing values now and then (empty, NA, at the start and end of a line) among long runs of complete rows, so
        // most blocks take the line-feed count and the blocks around a missing value the byte loop.
        string path = Path.Combine(_dir, "many.csv");
        var lines = Enumerable.Range(0, 20000).Select(i =>
            i % 1777 == 0 ? $",{i},{i}" : i % 1913 == 0 ? $"{i},NA,{i}" : i % 2111 == 0 ? $"{i},{i}," : i % 2503 == 0 ? $"{i},{i},NA" : $"{i},{i}.5,-{i}");
        File.WriteAllText(path, "a,b,c\n" + string.Join("\n", lines) + "\n");
        foreach (var wanted in new[] { new[] { 0, 1, 2 }, new[] { 1 }, new[] { 0, 2 } })
        {
            long complete = DuckDbComplete(path, wanted);
            foreach (int size in new[] { 3, 64, 1000, 4096, 1 << 20 })
                Assert.Equal(complete, DelimitedScanner.CountCompleteRecords(path, ',', wanted, size));
        }
    }

    [Fact]
    public void Counts_a_file_of_many_blocks()
    {
        string path = Path.Combine(_dir, "many.csv");
        var lines = Enumerable.Range(0, 5000).Select(i => i % 997 == 0 ? "" : i % 1301 == 0 ? $"\"{i}\n\",{i}" : $"{i},{i * 0.5}");
        File.WriteAllText(path, "a,b\n" + string.Join("\n", lines) + "\n");
        int expected = DelimitedScanner.CountRecordsByScan(path, ',');
        Assert.Equal(5000 - 6, expected); // rows 0, 997, ..., 4985 are blank
        foreach (int size in new[] { 64, 1000, 4096, 1 << 20 })
            Assert.Equal(expected, DelimitedScanner.CountRecords(path, size));
    }
}
