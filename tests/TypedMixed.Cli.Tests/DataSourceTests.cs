using System.Text.Json.Nodes;
using DuckDB.NET.Data;

namespace TypedMixed.Cli.Tests;

/// <summary>
/// Data through DuckDB: the same sleepstudy fit from CSV, TSV, semicolon CSV, gzip-compressed CSV, Parquet (one file and
/// a glob) and a SQL join; bad files give exit code 1 and a message naming the file, the line or column, and the fix, never a stack trace.
/// The variants are written from tests/Data/reference/sleepstudy.csv with DuckDB's COPY in a temporary directory.
/// </summary>
public sealed class DataSourceTests : IDisposable
{
    private const string Formula = "Reaction ~ Days + (Days | Subject)";
    private readonly string _dir = CliRunner.TempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string In(string name) => Path.Combine(_dir, name);

    private static void Sql(string sql)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string Q(string path) => "'" + path.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>Fits and returns the JSON without its "data" name, and the summary without its "Data" line.</summary>
    private (string Json, string Summary) Fit(params string[] source)
    {
        string json = In(Guid.NewGuid().ToString("N") + ".json");
        var r = CliRunner.Run(["fit", .. source, "--json", json, "--quiet"]);
        Assert.True(r.Code == 0, r.Err);
        var node = JsonNode.Parse(File.ReadAllText(json))!.AsObject();
        Assert.True(node.Remove("data"));
        var summary = string.Join("\n", r.Out.Split('\n').Where(l => !l.TrimStart().StartsWith("Data", StringComparison.Ordinal)));
        return (node.ToJsonString(), summary);
    }

    [Fact]
    public void Same_fit_from_csv_tsv_semicolon_parquet_glob_and_sql_join()
    {
        string csv = CliRunner.DataPath("sleepstudy.csv");
        string all = $"SELECT * FROM read_csv({Q(csv)})";
        Sql($"COPY ({all}) TO {Q(In("sleep.tsv"))} (HEADER, DELIMITER '\t')");
        Sql($"COPY ({all}) TO {Q(In("sleep_semicolon.csv"))} (HEADER, DELIMITER ';')");
        Sql($"COPY ({all}) TO {Q(In("sleep.parquet"))} (FORMAT parquet)");
        Sql($"COPY ({all}) TO {Q(In("sleep.csv.gz"))} (HEADER, COMPRESSION gzip)");
        Directory.CreateDirectory(In("parts"));
        Sql($"COPY ({all} WHERE Subject < 340) TO {Q(In("parts/a.parquet"))} (FORMAT parquet)");
        Sql($"COPY ({all} WHERE Subject >= 340) TO {Q(In("parts/b.parquet"))} (FORMAT parquet)");
        // Two tables joined by the query: the measurements in Parquet, the subjects in CSV.
        Sql($"COPY (SELECT row_number() OVER () AS id, Reaction, Days FROM read_csv({Q(csv)})) TO {Q(In("measure.parquet"))} (FORMAT parquet)");
        Sql($"COPY (SELECT row_number() OVER () AS id, Subject FROM read_csv({Q(csv)})) TO {Q(In("subject.csv"))} (HEADER)");

        var reference = Fit(csv, Formula);
        var variants = new[]
        {
            Fit(In("sleep.tsv"), Formula),
            Fit(In("sleep.tsv"), Formula, "--sep", "\\t"),
            Fit(In("sleep_semicolon.csv"), Formula),
            Fit(In("sleep_semicolon.csv"), Formula, "--sep", ";"),
            Fit(In("sleep.parquet"), Formula),
            Fit(In("sleep.csv.gz"), Formula),
            Fit(Path.Combine(_dir, "parts", "*.parquet"), Formula),
            Fit("--sql", $"SELECT m.Reaction, m.Days, s.Subject FROM {Q(In("measure.parquet"))} m JOIN {Q(In("subject.csv"))} s USING (id) ORDER BY id", Formula),
        };
        foreach (var v in variants)
        {
            Assert.Equal(reference.Json, v.Json);
            Assert.Equal(reference.Summary, v.Summary);
        }
    }

    [Fact]
    public void Reference_numbers_from_parquet_match_lme4()
    {
        Sql($"COPY (SELECT * FROM read_csv({Q(CliRunner.DataPath("sleepstudy.csv"))})) TO {Q(In("sleep.parquet"))} (FORMAT parquet)");
        var r = CliRunner.Run("fit", In("sleep.parquet"), Formula, "--quiet");
        Assert.Equal(0, r.Code);
        // lme4 1.1-31: REML criterion at convergence 1743.628, fixed effects 251.405 and 10.467 (tests/Data/reference/fits),
        // as the summary prints them.
        Assert.Contains("1743.6283 at the end", r.Out);
        Assert.Contains(" (Intercept)     251.4 ", r.Out);
        Assert.Contains(" Days            10.47 ", r.Out);
        Assert.Contains("Obs: 180", r.Out);
    }

    private static void AssertDataError((int Code, string Out, string Err) r, params string[] expected)
    {
        Assert.Equal(1, r.Code);
        foreach (var e in expected) Assert.Contains(e, r.Err);
        Assert.DoesNotContain("   at ", r.Err);
        Assert.DoesNotContain("Exception", r.Err);
        Assert.DoesNotContain("DuckDB", r.Err);
        Assert.Equal("", r.Out);
    }

    private (int, string, string) FitFile(string name, string contents, string formula = "y ~ x + (1 | g)")
    {
        File.WriteAllText(In(name), contents);
        return CliRunner.Run("fit", In(name), formula, "--quiet");
    }

    [Fact]
    public void Header_only_file_is_a_clear_error() =>
        AssertDataError(FitFile("header.csv", "y,x,g\n"), "header.csv has column names (y, x, g) but no data rows", "Add the data below the header row");

    [Fact]
    public void Empty_file_is_a_clear_error()
    {
        AssertDataError(FitFile("empty.csv", ""), "empty.csv is empty: a header row with the column names is needed");
        AssertDataError(FitFile("blank.csv", "\n \n"), "blank.csv is empty");
    }

    [Theory]
    [InlineData("y,x,g\n1,2,a\n1,2,b,4\n3,3,a\n", "Line 3 of", "has 4 fields, but the header has 3")]
    [InlineData("y,x,g\n1,2,a\n3,3,a\n1,2\n", "Line 4 of", "has 2 fields, but the header has 3")]
    [InlineData("y;x;g\n1;2;a\n3;3;a\n1;2;b;4\n", "Line 4 of", "a semicolon inside a value needs double quotes")]
    public void Ragged_row_names_its_line_and_the_fix(string contents, string line, string detail) =>
        AssertDataError(FitFile("ragged.csv", contents), line, "ragged.csv", detail);

    [Fact]
    public void Unclosed_quote_names_its_line() =>
        AssertDataError(FitFile("quote.csv", "y,x,g\n1,2,a\n1,2,\"b\n3,3,a\n"), "quote.csv ends inside a quoted field that starts on line 3", "Close the quote");

    [Fact]
    public void Repeated_or_empty_header_names_are_errors_not_renamed_columns()
    {
        AssertDataError(FitFile("dup.csv", "y,x,y,g\n1,2,3,a\n"), "Column name 'y' appears twice in the header of", "dup.csv (columns 1 and 3)");
        AssertDataError(FitFile("noname.csv", "y;;g\n1;2;a\n"), "Column 2 of the header of", "noname.csv has no name");
    }

    [Fact]
    public void Binary_file_is_a_clear_error()
    {
        File.WriteAllBytes(In("data.csv"), [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x41, 0x42]);
        AssertDataError(CliRunner.Run("fit", In("data.csv"), "y ~ x + (1 | g)"), "data.csv is a binary file, not text", "or a Parquet file");
    }

    [Fact]
    public void Text_named_parquet_and_non_utf8_text_are_clear_errors()
    {
        AssertDataError(FitFile("data.parquet", "y,x,g\n1,2,a\n"), "data.parquet is named .parquet but is not a Parquet file");
        File.WriteAllBytes(In("latin1.csv"), [.. "y,x,g\n1,2,"u8, 0xE9, .. "\n"u8]);
        AssertDataError(CliRunner.Run("fit", In("latin1.csv"), "y ~ x + (1 | g)"), "latin1.csv is not UTF-8 text", "Save the file as UTF-8");
    }

    [Fact]
    public void Missing_file_directory_and_glob_are_clear_errors()
    {
        AssertDataError(CliRunner.Run("fit", In("nothere.csv"), Formula), "Data file '", "nothere.csv' does not exist", "Check the path");
        AssertDataError(CliRunner.Run("fit", _dir, Formula), "is a directory");
        AssertDataError(CliRunner.Run("fit", In("none-*.parquet"), Formula), "No file matches '", "none-*.parquet'");
    }

    [Fact]
    public void Sql_errors_name_the_query_and_the_fix()
    {
        AssertDataError(CliRunner.Run("fit", "--sql", "SELEC Reaction FROM x", Formula), "The --sql query has a syntax error", "Fix the query");
        AssertDataError(CliRunner.Run("fit", "--sql", $"SELECT * FROM {Q(In("nothere.csv"))}", Formula), "The --sql query reads '", "nothere.csv', which matches no file");
        AssertDataError(CliRunner.Run("fit", "--sql", "SELECT 1 AS y", "y ~ x + (1 | g)"), "Column 'x' is not in the --sql query", "Available columns: y.");
        AssertDataError(CliRunner.Run("fit", "--sql", "SELECT 1 AS y WHERE false", "y ~ 1 + (1 | y)"), "the --sql query has column names (y) but no data rows");
        AssertDataError(CliRunner.Run("fit", "data.csv", "--sql", "SELECT 1 AS y", "y ~ 1 + (1 | y)"), "With --sql give only the formula");
    }

    [Fact]
    public void Separator_option_is_checked() =>
        AssertDataError(CliRunner.Run("fit", In("a.csv"), Formula, "--sep", ":"), "--sep takes , ; tab or |; got ':'");

    [Fact]
    public void Only_the_model_columns_are_read_and_a_late_text_value_names_row_and_line()
    {
        // The sniffer samples the first rows; a text value far below them still makes the column text (read.csv's
        // rule), and the design builder's message names the row and its line.
        var rows = string.Concat(Enumerable.Range(0, 30_000).Select(i => $"{i % 7},{i % 5},g{i % 10},unused text {i}\n"));
        var r = FitFile("late.csv", "y,x,g,notes\n" + rows + "1,abc,g1,x\n");
        AssertDataError(r, "Column 'x' is used as a numeric covariate, but its value \"abc\" at row 30001 (line 30002)");
        var ok = FitFile("ok.csv", "y,x,g,notes\n" + rows);
        Assert.Equal(0, ok.Item1);
    }

    [Fact]
    public void Text_columns_keep_read_csv_factor_levels_and_na_is_missing()
    {
        var t = Data.CsvTable.Load(Path.Combine(_dir, Write("levels.csv", "y,f,n\n1,b,NA\n2,B,3\n3,a,\n4,NA,5\n")), ["y", "f"]);
        Assert.Equal(4, t.RowCount);
        Assert.Equal(["y", "f"], t.Columns.Select(c => c.Name));
        Assert.Equal(["y", "f", "n"], t.ColumnNames);
        Assert.Equal(new string?[] { "b", "B", "a", null }, t.Column("f").Raw);
        Assert.True(t.Column("y").IsNumeric);
        Assert.Equal("row 2 (line 3)", t.DescribeRow(1));
    }

    private string Write(string name, string contents)
    {
        File.WriteAllText(In(name), contents);
        return name;
    }
}
