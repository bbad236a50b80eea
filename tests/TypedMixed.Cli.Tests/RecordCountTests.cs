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
