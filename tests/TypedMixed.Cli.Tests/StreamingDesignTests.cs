using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using TypedMixed.Cli.Data;
using TypedMixed.Cli.Design;
using TypedMixed.Cli.Formulas;
using TypedMixed.Data.DuckDb;

namespace TypedMixed.Cli.Tests;

/// <summary>
/// The streaming design (<see cref="StreamingDesignBuilder"/>: DuckDB's chunks written straight into the design's arrays)
/// against the table path (<see cref="CsvTable.Load"/> + <see cref="DesignBuilder.Build"/>) on the same files: the same
/// design to the bit, over several chunks (16,384 rows each) with missing values on both sides of chunk boundaries, from
/// CSV (rows unknown beforehand: the arrays grow) and Parquet (rows known: the arrays are trimmed to the kept rows);
/// models outside its scope and every data error go through the table path (same messages as before).
/// </summary>
public sealed class StreamingDesignTests : IDisposable
{
    private const int Rows = 40_000;

    // Rows with a missing value: at and around the chunk boundaries (16383/16384, 32767/32768), the first and last rows.
    private static readonly HashSet<int> MissingY = [0, 16383, 32768, Rows - 1];
    private static readonly HashSet<int> MissingX1 = [16384, 20000, 32767];
    private static readonly HashSet<int> MissingG = [5, 16385];

    private readonly string _dir = CliRunner.TempDirectory();
    private readonly string _csv;
    private readonly string _parquet;

    public StreamingDesignTests()
    {
        _csv = Path.Combine(_dir, "data.csv");
        _parquet = Path.Combine(_dir, "data.parquet");
        var text = new StringBuilder("y,x1,x2,g,h,w,cnt,label\n");
        for (int i = 0; i < Rows; i++)
        {
            // Deterministic values: g has 300 integer levels, h 17 levels with negatives and halves (numeric order).
            long hash = (i * 2654435761L) % 4294967296L;
            double x1 = Math.Round((hash % 20000) / 10000.0 - 1, 4);
            double x2 = Math.Round(((hash / 7) % 1000) / 100.0, 2);
            int g = 1 + (int)((hash / 13) % 300);
            double h = ((i % 17) - 8) * 0.5;
            double w = 1 + (i % 5);
            int cnt = (int)(hash % 9);
            double y = Math.Round(1 + 0.5 * x1 - 0.2 * x2 + 0.01 * g + h + ((hash / 11) % 1000) / 1000.0, 4);
            text.Append(MissingY.Contains(i) ? "NA" : Num(y)).Append(',')
                .Append(MissingX1.Contains(i) ? "" : Num(x1)).Append(',')
                .Append(Num(x2)).Append(',')
                .Append(MissingG.Contains(i) ? "NA" : Num(g)).Append(',')
                .Append(Num(h)).Append(',').Append(Num(w)).Append(',').Append(cnt).Append(',')
                .Append("L" + (i % 3).ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        File.WriteAllText(_csv, text.ToString());
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"COPY (SELECT * FROM read_csv('{_csv}', nullstr = ['NA', ''])) TO '{_parquet}' (FORMAT parquet)";
        command.ExecuteNonQuery();
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static BuiltDesign TablePath(string formula, string path, DesignOptions options)
    {
        var f = FormulaParser.Parse(formula);
        var columns = f.AllVariables().Select(v => v.Column).Append(options.WeightsColumn).OfType<string>().ToHashSet(StringComparer.Ordinal);
        return DesignBuilder.Build(f, CsvTable.Load(path, columns), options);
    }

    private static StreamedDesign? Streamed(string formula, string path, DesignOptions options) =>
        StreamingDesignBuilder.TryBuild(FormulaParser.Parse(formula), new TableSource { Location = path }, options);

    private static void AssertSame(BuiltDesign expected, StreamedDesign? actual, int sourceRows)
    {
        Assert.NotNull(actual);
        Assert.Equal(sourceRows, actual.SourceRows);
        var (e, a) = (expected.Design, actual.Built.Design);
        Assert.Equal(expected.RowsDropped, actual.Built.RowsDropped);
        Assert.Equal(e.RowsDropped, a.RowsDropped);
        Assert.Equal(e.ResponseName, a.ResponseName);
        Assert.Equal(e.Response, a.Response);
        Assert.Equal(e.FixedEffectNames, a.FixedEffectNames);
        Assert.Equal(e.FixedEffects, a.FixedEffects);
        Assert.Equal(e.Weights, a.Weights);
        Assert.Equal(e.Trials, a.Trials);
        Assert.Equal(e.Offset, a.Offset);
        Assert.Equal(e.Family, a.Family);
        Assert.Equal(e.Terms.Count, a.Terms.Count);
        for (int t = 0; t < e.Terms.Count; t++)
        {
            Assert.Equal(e.Terms[t].Name, a.Terms[t].Name);
            Assert.Equal(e.Terms[t].LevelKeys, a.Terms[t].LevelKeys);
            Assert.Equal(e.Terms[t].LevelIndex, a.Terms[t].LevelIndex);
            Assert.Equal(e.Terms[t].ColumnNames, a.Terms[t].ColumnNames);
            Assert.Equal(e.Terms[t].Columns, a.Terms[t].Columns);
            Assert.Equal(e.Terms[t].Covariance, a.Terms[t].Covariance);
        }
        Assert.Equal(expected.FactorLevels.OrderBy(p => p.Key), actual.Built.FactorLevels.OrderBy(p => p.Key));
        Assert.Equal(expected.Notes, actual.Built.Notes);
        a.Validate();
    }

    [Theory]
    [InlineData("y ~ x1 + x2 + (1 | g) + (1 | h)")]
    [InlineData("y ~ x1 + (x1 | g)")]
    [InlineData("y ~ x2 + (x1 + x2 || g) + (1 | h)")]
    [InlineData("y ~ 0 + x1 + (1 | g:h)")]
    [InlineData("y ~ x1 + (1 | h/g)")]
    [InlineData("y ~ 1 + (0 + x1 | h) + (1 | g)")]
    [InlineData("y ~ x2 + x1 + (1 | g) + (1 | g:h)")]
    [InlineData("y ~ x1 + (1 | label) + (1 | label:g)")] // a text grouping factor
    [InlineData("cnt ~ x1 + (1 | cnt) + (x2 | g)")]
    [InlineData("y ~ label + x1 + (1 | g)")] // a text factor among the fixed effects (treatment contrasts)
    [InlineData("y ~ x1 + factor(h) + label + (1 | g)")] // a numeric column as a factor, then a text one
    [InlineData("y ~ 0 + label + factor(cnt) + x2 + (1 | g)")] // no intercept: the first factor by all its levels
    [InlineData("y ~ 0 + x2 + label + (1 | g)")] // the response also a grouping factor (the column as categories)
    public void Same_design_as_the_table_path_from_csv_and_parquet(string formula)
    {
        var options = new DesignOptions();
        var expected = TablePath(formula, _csv, options);
        Assert.True(expected.Design.Rows < Rows || !formula.Contains("x1", StringComparison.Ordinal));
        AssertSame(expected, Streamed(formula, _csv, options), Rows);
        AssertSame(expected, Streamed(formula, _parquet, options), Rows);
        AssertSame(TablePath(formula, _parquet, options), Streamed(formula, _parquet, options), Rows);
    }

    [Fact]
    public void Fixed_effect_factors_take_reference_levels_and_text_columns_are_typed_by_their_values()
    {
        var options = new DesignOptions { ReferenceLevels = new Dictionary<string, string> { ["label"] = "L2" } };
        foreach (var formula in new[] { "y ~ label + x1 + (1 | g)", "y ~ relevel(factor(cnt), \"3\") + label + (1 | g)" })
        {
            var expected = TablePath(formula, _csv, options);
            AssertSame(expected, Streamed(formula, _csv, options), Rows);
            AssertSame(expected, Streamed(formula, _parquet, options), Rows);
        }
        Assert.Equal(["(Intercept)", "labelL0", "labelL1", "x1"], Streamed("y ~ label + x1 + (1 | g)", _csv, options)!.Built.Design.FixedEffectNames);

        // A text column of numbers (Parquet strings) used as a covariate is numbers; one mostly numbers is an error (the
        // table path's message); one mostly text is a factor.
        string strings = Path.Combine(_dir, "covariates.parquet");
        using (var connection = new DuckDBConnection("DataSource=:memory:"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"COPY (SELECT y, g, CAST(x2 AS VARCHAR) AS s, CASE WHEN cnt = 0 THEN 'none' ELSE CAST(cnt AS VARCHAR) END AS mostly, " +
                                  $"CASE WHEN cnt = 0 THEN '1' ELSE label END AS few FROM '{_parquet}') TO '{strings}' (FORMAT parquet)";
            command.ExecuteNonQuery();
        }
        var none = new DesignOptions();
        var numbers = TablePath("y ~ s + (1 | g)", strings, none);
        Assert.Equal(["(Intercept)", "s"], numbers.Design.FixedEffectNames);
        AssertSame(numbers, Streamed("y ~ s + (1 | g)", strings, none), Rows);
        Assert.Null(Streamed("y ~ mostly + (1 | g)", strings, none));
        Assert.Throws<CliException>(() => TablePath("y ~ mostly + (1 | g)", strings, none));
        var factor = TablePath("y ~ few + (1 | g)", strings, none);
        Assert.Equal(["(Intercept)", "fewL0", "fewL1", "fewL2"], factor.Design.FixedEffectNames);
        AssertSame(factor, Streamed("y ~ few + (1 | g)", strings, none), Rows);
    }

    [Fact]
    public void Same_design_with_weights_reference_levels_and_a_count_family()
    {
        var options = new DesignOptions { WeightsColumn = "w", ReferenceLevels = new Dictionary<string, string> { ["g"] = "150" } };
        const string formula = "y ~ x1 + (1 | g) + (x2 | h)";
        AssertSame(TablePath(formula, _csv, options), Streamed(formula, _csv, options), Rows);
        AssertSame(TablePath(formula, _parquet, options), Streamed(formula, _parquet, options), Rows);

        var poisson = new DesignOptions { Family = ResponseFamily.Poisson };
        AssertSame(TablePath("cnt ~ x1 + (1 | g)", _parquet, poisson), Streamed("cnt ~ x1 + (1 | g)", _parquet, poisson), Rows);
        // A Gaussian model of a count column carries the table path's note.
        var gaussian = Streamed("cnt ~ x1 + (1 | g)", _csv, new DesignOptions());
        Assert.Contains(gaussian!.Built.Notes, n => n.Contains("counts?", StringComparison.Ordinal));
    }

    [Fact]
    public void Grouping_values_of_every_kind_give_the_table_paths_levels()
    {
        // Small non-negative integers (looked up by value), -0 next to 0, negatives, fractions and a large code.
        string csv = Path.Combine(_dir, "codes.csv");
        var codes = new[] { "-0", "3", "2.5", "0", "-1", "5000000", "3", "0", "2.5", "-1", "5000000", "-0", "7", "7" };
        File.WriteAllText(csv, "y,g\n" + string.Concat(codes.Select((c, i) => $"{i % 5}.{i},{c}\n")));
        var options = new DesignOptions();
        var expected = TablePath("y ~ 1 + (1 | g)", csv, options);
        Assert.Equal(["-1", "-0", "2.5", "3", "7", "5000000"], expected.Design.Terms[0].LevelKeys);
        AssertSame(expected, Streamed("y ~ 1 + (1 | g)", csv, options), codes.Length);
    }

    [Fact]
    public void Text_grouping_columns_are_typed_as_the_table_path_types_them()
    {
        // Codes with a text value only on a dropped row: the column is text (read.csv's rule counts every row), so the
        // levels sort as text ("10" before "9"). The same codes as Parquet strings, all numbers: numerically sorted and
        // named by their value ("007" is 7), as the table path's reader types a text column of numbers.
        string mixed = Path.Combine(_dir, "mixed.csv");
        string strings = Path.Combine(_dir, "strings.parquet");
        var rows = Enumerable.Range(0, 30).Select(i => $"{i % 4}.5,{new[] { "9", "10", "007" }[i % 3]}").ToList();
        File.WriteAllText(mixed, "y,g\n" + string.Join("\n", rows) + "\nNA,Z\n");
        using (var connection = new DuckDBConnection("DataSource=:memory:"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"COPY (SELECT y, CASE WHEN g = 'Z' THEN '12' ELSE g END AS g FROM read_csv('{mixed}', nullstr = ['NA'], types = {{'g': 'VARCHAR'}})) TO '{strings}' (FORMAT parquet)";
            command.ExecuteNonQuery();
        }
        var options = new DesignOptions();
        foreach (var (path, levels) in new[] { (mixed, new[] { "007", "10", "9" }), (strings, new[] { "7", "9", "10" }) })
        {
            var expected = TablePath("y ~ 1 + (1 | g)", path, options);
            Assert.Equal(levels, expected.Design.Terms[0].LevelKeys);
            AssertSame(expected, Streamed("y ~ 1 + (1 | g)", path, options), 31);
        }
    }

    [Theory]
    [InlineData("y ~ x1 * x2 + (1 | g)")] // an interaction
    [InlineData("y ~ label * x1 + (1 | g)")] // an interaction with a factor
    [InlineData("y ~ x1 + (label | g)")] // a factor among the random-effects columns
    [InlineData("y ~ log(x2 + 1) + (1 | g)")] // a function term
    [InlineData("label ~ x1 + (1 | g)")] // a text response
    [InlineData("y ~ x1 + offset(x2) + (1 | g)")] // an offset
    [InlineData("y ~ x1 + (1 | nosuch)")] // a column that is not there
    public void Models_outside_its_scope_go_through_the_table(string formula) =>
        Assert.Null(Streamed(formula, _csv, new DesignOptions()));

    [Fact]
    public void Data_errors_go_through_the_table_and_keep_their_messages()
    {
        // A zero weight: the table path names the column, the row and its line.
        string csv = Path.Combine(_dir, "zero.csv");
        File.WriteAllText(csv, "y,x,g,w\n1,1,1,1\n2,2,1,1\n3,3,2,0\n4,4,2,1\n5,5,3,1\n6,6,3,1\n");
        Assert.Null(Streamed("y ~ x + (1 | g)", csv, new DesignOptions { WeightsColumn = "w" }));
        var r = CliRunner.Run(["fit", csv, "y ~ x + (1 | g)", "--weights", "w", "--design-only"]);
        Assert.Equal(1, r.Code);
        Assert.Contains("--weights column 'w' has the value \"0\" at row 3 (line 4)", r.Err, StringComparison.Ordinal);

        // A binomial response outside [0, 1].
        string binary = Path.Combine(_dir, "binary.csv");
        File.WriteAllText(binary, "y,x,g\n0,1,1\n1,2,1\n2,3,2\n0,4,2\n1,5,3\n0,6,3\n");
        Assert.Null(Streamed("y ~ x + (1 | g)", binary, new DesignOptions { Family = ResponseFamily.Binomial }));
        r = CliRunner.Run(["fit", binary, "y ~ x + (1 | g)", "--family", "binomial", "--design-only"]);
        Assert.Equal(1, r.Code);
        Assert.Contains("Column 'y' has the value 2 at row 3 (line 4)", r.Err, StringComparison.Ordinal);

        // Every row missing a value.
        string empty = Path.Combine(_dir, "empty.csv");
        File.WriteAllText(empty, "y,x,g\n1,NA,1\n2,NA,2\n");
        Assert.Null(Streamed("y ~ x + (1 | g)", empty, new DesignOptions()));
        r = CliRunner.Run(["fit", empty, "y ~ x + (1 | g)", "--design-only"]);
        Assert.Equal(1, r.Code);
        Assert.Contains("No row of", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Dropped_rows_are_reported_by_the_cli()
    {
        int dropped = MissingY.Union(MissingX1).Union(MissingG).Count();
        foreach (var path in new[] { _csv, _parquet })
        {
            var r = CliRunner.Run(["fit", path, "y ~ x1 + x2 + (1 | g) + (1 | h)", "--design-only", "--quiet"]);
            Assert.True(r.Code == 0, r.Err);
            Assert.Contains($"typedmixed: dropped {dropped} of {Rows} rows with missing values in the formula's columns.", r.Err, StringComparison.Ordinal);
            Assert.StartsWith($"design: {Rows - dropped} rows ({dropped} dropped), 3 fixed-effect columns ((Intercept), x1, x2), random-effects terms g [300 levels x 1], h [17 levels x 1]", r.Out, StringComparison.Ordinal);
        }
    }
}
