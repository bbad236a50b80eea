using TypedMixed.Cli.Data;

namespace TypedMixed.Cli.Tests;

public class CsvTableTests
{
    [Fact]
    public void Quoted_fields_with_separators_quotes_and_line_breaks()
    {
        var t = CsvTable.Parse("name,value\n\"Smith, J\",1\n\"say \"\"hi\"\"\",2\n\"two\nlines\",3\n");
        Assert.Equal(3, t.RowCount);
        Assert.Equal(new string?[] { "Smith, J", "say \"hi\"", "two\nlines" }, t.Column("name").Raw);
        Assert.Equal([1.0, 2.0, 3.0], t.Column("value").Values);
        Assert.Equal([2, 3, 4], t.LineNumbers);
    }

    [Fact]
    public void Crlf_and_missing_final_newline()
    {
        var t = CsvTable.Parse("a,b\r\n1,x\r\n2,y");
        Assert.Equal(2, t.RowCount);
        Assert.Equal(new string?[] { "x", "y" }, t.Column("b").Raw);
    }

    [Fact]
    public void Numeric_when_every_present_value_parses_with_invariant_culture()
    {
        var t = CsvTable.Parse("a,b,c,d\n1.5,1e-3,\"7\",x\n-2,NA,8,1\n,3,9,2\n");
        Assert.True(t.Column("a").IsNumeric);
        Assert.True(t.Column("b").IsNumeric);
        Assert.True(t.Column("c").IsNumeric); // quotes do not make a number text
        Assert.False(t.Column("d").IsNumeric);
        Assert.Equal([1.5, -2, double.NaN], t.Column("a").Values);
        Assert.Null(t.Column("a").Raw[2]);
        Assert.Null(t.Column("b").Raw[1]);
    }

    [Fact]
    public void Comma_decimal_is_not_a_number()
    {
        var t = CsvTable.Parse("a;b\n\"1,5\"\n");
        Assert.False(t.Columns[0].IsNumeric);
    }

    [Fact]
    public void Unknown_column_lists_the_available_ones()
    {
        var t = CsvTable.Parse("Reaction,Days,Subject\n1,2,3\n");
        var e = Assert.Throws<CliException>(() => t.Column("days"));
        Assert.Contains("Column 'days' is not in", e.Message);
        Assert.Contains("Did you mean 'Days'?", e.Message);
        Assert.Contains("Available columns: Reaction, Days, Subject.", e.Message);
    }

    [Fact]
    public void Ragged_row_names_the_line()
    {
        var e = Assert.Throws<CliException>(() => CsvTable.Parse("a,b\n1,2\n3\n"));
        Assert.Contains("Line 3", e.Message);
        Assert.Contains("1 fields", e.Message);
    }

    [Fact]
    public void Unterminated_quote_names_the_starting_line()
    {
        var e = Assert.Throws<CliException>(() => CsvTable.Parse("a,b\n1,\"open\n2,3\n"));
        Assert.Contains("line 2", e.Message);
    }

    [Fact]
    public void Stray_quote_inside_unquoted_field_is_an_error()
    {
        var e = Assert.Throws<CliException>(() => CsvTable.Parse("a,b\n1,ab\"c\n"));
        Assert.Contains("Line 2", e.Message);
    }

    [Fact]
    public void Duplicate_or_empty_header_names_are_errors()
    {
        Assert.Contains("appears twice", Assert.Throws<CliException>(() => CsvTable.Parse("a,a\n1,2\n")).Message);
        Assert.Contains("has no name", Assert.Throws<CliException>(() => CsvTable.Parse("a,\n1,2\n")).Message);
    }

    [Fact]
    public void Header_only_text_is_an_error_not_an_index_crash() =>
        Assert.Contains("has column names (a, b) but no data rows", Assert.Throws<CliException>(() => CsvTable.Parse("a,b\n")).Message);

    [Fact]
    public void Reads_the_reference_exam_data()
    {
        var t = CsvTable.Load(Path.Combine(AppContext.BaseDirectory, "Data", "reference", "Exam.csv"));
        Assert.Equal(4059, t.RowCount);
        Assert.True(t.Column("normexam").IsNumeric);
        Assert.False(t.Column("sex").IsNumeric);
        Assert.True(t.Column("school").IsNumeric);
    }
}
