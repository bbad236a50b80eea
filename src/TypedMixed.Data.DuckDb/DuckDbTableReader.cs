using System.Globalization;
using System.Text;
using DuckDB.NET.Data;

namespace TypedMixed.Data.DuckDb;

/// <summary>
/// Reads the columns a model needs from a CSV/TSV file, a Parquet file or glob, or a SQL query over files, through an
/// embedded in-memory DuckDB: one streaming pass that projects only the requested columns (DuckDB pushes the projection
/// into its CSV and Parquet scanners), numbers as <see cref="double"/>, text as shared strings.
/// </summary>
/// <remarks>
/// Types follow R's <c>read.csv</c>: a delimited-text column is numeric when every present value is a number, else
/// text (DuckDB's sniffer is limited to BIGINT, DOUBLE and VARCHAR, so dates and TRUE/FALSE stay text as read.csv's
/// character and logical columns print; when a value after the sniffer's sample is not a number the file is read again
/// with the whole file sniffed). Empty fields and <c>NA</c> are missing. Parquet columns keep their types: numbers are
/// numbers, booleans become the text TRUE/FALSE, everything else text. Errors are <see cref="DataSourceException"/>s whose
/// messages name the source, the line or column, and the fix (<see cref="DuckDbErrors"/>).
/// </remarks>
public static class DuckDbTableReader
{
    /// <summary>Reads <paramref name="columns"/> (all columns when null) of <paramref name="source"/>.</summary>
    public static TableData Read(TableSource source, IReadOnlyCollection<string>? columns = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        var (format, separator) = SourceFiles.Check(source);
        source = separator is null || separator == source.Separator ? source : new TableSource { Location = source.Location, IsQuery = source.IsQuery, Separator = separator };
        try
        {
            return ReadOnce(source, format, columns, sniffWholeFile: false);
        }
        catch (DuckDBException e) when (format == TableFormat.DelimitedText && DuckDbErrors.IsLateConversion(e))
        {
            // The sniffer's sample said "numbers" but a later value is text: sniff the whole file (R reads every value).
            try { return ReadOnce(source, format, columns, sniffWholeFile: true); }
            catch (DuckDBException again) { throw DuckDbErrors.Map(again, source, format); }
        }
        catch (DuckDBException e)
        {
            // A ragged row or an unclosed quote: find it ourselves and name its line.
            if (format == TableFormat.DelimitedText && File.Exists(source.Location) && source.Separator is { } sep
                && DelimitedScanner.FindProblem(source.Location, sep, source.Name) is { } problem)
                throw new DataSourceException(problem);
            throw DuckDbErrors.Map(e, source, format);
        }
    }

    /// <summary>
    /// Streams the columns <paramref name="columns"/> of <paramref name="source"/> in chunks of consecutive rows, without
    /// keeping the table: for consumers that build their own arrays (a model's design) and so need the source's columns
    /// only one chunk at a time. Numeric columns come as numbers, the others as text (typed as <see cref="Read"/> types
    /// them before its read.csv rule: <c>NA</c> and empty text are missing, Parquet booleans TRUE/FALSE). When a requested
    /// column is absent nothing is read and -1 is returned (the caller uses <see cref="Read"/>, whose caller names the
    /// column); <paramref name="begin"/> sees the layout first and may decline (-1 too).
    /// </summary>
    /// <returns>The number of rows streamed (0 when the source has none), or -1 when nothing was streamed.</returns>
    /// <exception cref="DataSourceException">The source cannot be read (also a value after DuckDB's sniffing sample that
    /// is not a number: <see cref="Read"/> reads such a file again with the whole file sniffed).</exception>
    public static int Stream(TableSource source, IReadOnlyCollection<string> columns, Func<TableLayout, bool> begin, Action<TableChunk> onChunk)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(begin);
        ArgumentNullException.ThrowIfNull(onChunk);
        var (format, separator) = SourceFiles.Check(source);
        source = separator is null || separator == source.Separator ? source : new TableSource { Location = source.Location, IsQuery = source.IsQuery, Separator = separator };
        try
        {
            string relation = Relation(source, format, sniffWholeFile: false);
            using var connection = new DuckDBConnection("DataSource=:memory:");
            connection.Open();
            var (names, types) = Describe(connection, format == TableFormat.Query ? source.Location.Trim().TrimEnd(';') : "SELECT * FROM " + relation);
            var wanted = Enumerable.Range(0, names.Count).Where(i => columns.Contains(names[i])).ToList();
            if (wanted.Count == 0 || wanted.Count != columns.Distinct().Count()) return -1;
            var numeric = wanted.Select(i => IsNumericType(types[i])).ToArray();
            int expected = format switch
            {
                TableFormat.DelimitedText when !(source.Separator is { } sep && File.Exists(source.Location) && new FileInfo(source.Location).Length > 1 << 24) => 0,
                TableFormat.DelimitedText => DelimitedScanner.CountCompleteRecords(source.Location, source.Separator!.Value, wanted),
                // Parquet: the complete rows (DuckDB answers from the footers' statistics when no value is missing, else
                // reads the columns' validity); a query: DuckDB counts it (one more pass, no columns kept). Counting the
                // complete rows lets a consumer that drops incomplete rows size its arrays exactly.
                _ => Count(connection, relation + " WHERE " + string.Join(" AND ", wanted.Select((i, k) => Present(names[i], numeric[k]))), source.Name),
            };
            var layout = new TableLayout { Source = source, Format = format, ColumnNames = names, Columns = wanted.Select(i => names[i]).ToList(), IsNumeric = numeric, ExpectedRows = expected };
            if (!begin(layout)) return -1;
            using var command = connection.CreateCommand();
            command.UseStreamingMode = true;
            command.CommandText = "SELECT " + string.Join(", ", wanted.Select((i, k) => Expression(names[i], types[i], numeric[k]))) + " FROM " + relation;
            using var reader = command.ExecuteReader();
            const int ChunkRows = 1 << 14;
            var chunk = new TableChunk(numeric, ChunkRows);
            int rows = 0, used = 0;
            while (reader.Read())
            {
                for (int k = 0; k < wanted.Count; k++)
                {
                    bool missing = reader.IsDBNull(k);
                    if (numeric[k])
                    {
                        chunk.Missing[k][used] = missing;
                        chunk.Numbers[k]![used] = missing ? double.NaN : reader.GetDouble(k);
                    }
                    else
                    {
                        string? text = missing ? null : reader.GetString(k);
                        if (text is "NA" or "") text = null; // missing, as read.csv's na.strings (as Read's text columns)
                        chunk.Missing[k][used] = text is null;
                        chunk.Text[k]![used] = text;
                    }
                }
                used++;
                if (used == ChunkRows)
                {
                    chunk.FirstRow = rows;
                    chunk.Count = used;
                    onChunk(chunk);
                    rows += used;
                    used = 0;
                }
            }
            if (used > 0)
            {
                chunk.FirstRow = rows;
                chunk.Count = used;
                onChunk(chunk);
                rows += used;
            }
            return rows;
        }
        catch (DuckDBException e)
        {
            throw DuckDbErrors.Map(e, source, format);
        }
    }

    /// <summary>
    /// The 1-based file line on which each data row of a delimited text file starts, for messages (a second pass over
    /// the file that keeps one int per row, made only when a message needs a line); null for Parquet, globs and queries.
    /// </summary>
    public static int[]? LineNumbers(TableData table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (table.Format != TableFormat.DelimitedText || !File.Exists(table.Source.Location) || table.Source.Separator is not { } sep) return null;
        return DelimitedScanner.LinesOfRows(table.Source.Location, sep, table.RowCount);
    }

    private static TableData ReadOnce(TableSource source, TableFormat format, IReadOnlyCollection<string>? columns, bool sniffWholeFile)
    {
        string relation = Relation(source, format, sniffWholeFile);
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        // A query is described as written, so a syntax error points into the user's text rather than our wrapper.
        var (names, types) = Describe(connection, format == TableFormat.Query ? source.Location.Trim().TrimEnd(';') : "SELECT * FROM " + relation);
        if (names.Count == 0)
            throw new DataSourceException($"{source.Name} has no columns: a header row with the column names is needed.");
        var wanted = Enumerable.Range(0, names.Count).Where(i => columns is null || columns.Contains(names[i])).ToList();

        int rows;
        var data = new List<TableColumnData>();
        if (wanted.Count == 0)
        {
            rows = Count(connection, relation, source.Name);
        }
        else
        {
            var numeric = wanted.Select(i => IsNumericType(types[i])).ToArray();
            // Numbers go straight into their final arrays when the row count is known: from Parquet's footers (free, and
            // counted before the streaming query: a connection has one pending result), or for a large text file from a
            // byte-level record count (about a tenth of DuckDB's parse). Otherwise the column grows in chunks and is
            // copied once at the end, which doubles the peak: freed chunks cannot hold the next large array.
            int knownRows = format switch
            {
                TableFormat.Parquet => Count(connection, relation, source.Name),
                TableFormat.DelimitedText when source.Separator is { } sep && File.Exists(source.Location) && new FileInfo(source.Location).Length > 1 << 24
                    => DelimitedScanner.CountRecords(source.Location),
                _ => 0,
            };
            using var command = connection.CreateCommand();
            // Streaming: DuckDB hands over one vector at a time instead of materializing the whole result natively first.
            command.UseStreamingMode = true;
            command.CommandText = "SELECT " + string.Join(", ", wanted.Select((i, k) => Expression(names[i], types[i], numeric[k]))) + " FROM " + relation;
            using var reader = command.ExecuteReader();
            var numbers = new NumberBuilder?[wanted.Count];
            var texts = new TextBuilder?[wanted.Count];
            for (int k = 0; k < wanted.Count; k++)
            {
                if (numeric[k]) numbers[k] = new NumberBuilder(knownRows);
                else texts[k] = new TextBuilder();
            }
            rows = 0;
            while (reader.Read())
            {
                for (int k = 0; k < wanted.Count; k++)
                {
                    bool missing = reader.IsDBNull(k);
                    if (numeric[k]) numbers[k]!.Add(missing ? double.NaN : reader.GetDouble(k), missing, rows);
                    else texts[k]!.Add(missing ? null : reader.GetString(k));
                }
                rows++;
            }
            for (int k = 0; k < wanted.Count; k++)
            {
                int i = wanted[k];
                data.Add(numeric[k]
                    ? new TableColumnData { Name = names[i], Index = i, SourceType = types[i], Numbers = numbers[k]!.ToArray(out var missing), Missing = missing }
                    : new TableColumnData { Name = names[i], Index = i, SourceType = types[i], Text = texts[k]!.ToArray() });
                numbers[k] = null;
                texts[k] = null;
                // The column's chunks are garbage now: collect them before the next column is assembled, so the peak is
                // the columns plus one column's chunks, not twice the columns.
                if (rows >= 1 << 20) GC.Collect();
            }
        }
        if (rows == 0)
            throw new DataSourceException(
                $"{source.Name} has column names ({string.Join(", ", names.Take(8))}{(names.Count > 8 ? ", …" : "")}) but no data rows. " +
                (source.IsQuery ? "Check the query's WHERE clause and the files it reads." : "Add the data below the header row, or give the file that has them."));
        return new TableData { Source = source, Format = format, ColumnNames = names, Columns = data, RowCount = rows };
    }

    /// <summary>The FROM clause that reads the source.</summary>
    internal static string Relation(TableSource source, TableFormat format, bool sniffWholeFile)
    {
        switch (format)
        {
            case TableFormat.Query:
                return "(" + source.Location.Trim().TrimEnd(';').Trim() + ") AS typedmixed_query";
            case TableFormat.Parquet:
                return $"read_parquet({Literal(source.Location)})";
            default:
                var options = new StringBuilder();
                options.Append(", header = true, skip = 0, quote = '\"', escape = '\"', nullstr = ['NA', ''], auto_type_candidates = ['BIGINT', 'DOUBLE', 'VARCHAR']");
                if (source.Separator is { } sep) options.Append(", delim = ").Append(Literal(sep.ToString()));
                if (sniffWholeFile) options.Append(", sample_size = -1");
                return $"read_csv({Literal(source.Location)}{options})";
        }
    }

    private static int Count(DuckDBConnection connection, string relation, string name)
    {
        using var count = connection.CreateCommand();
        count.CommandText = $"SELECT count(*) FROM {relation}";
        long rows = Convert.ToInt64(count.ExecuteScalar(), CultureInfo.InvariantCulture);
        return rows <= Array.MaxLength ? (int)rows
            : throw new DataSourceException($"{name} has {rows} rows; at most {Array.MaxLength} rows can be read. Select fewer rows with --sql (e.g. a WHERE clause or USING SAMPLE).");
    }

    private static (List<string> Names, List<string> Types) Describe(DuckDBConnection connection, string query)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"DESCRIBE {query}";
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        var types = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
            types.Add(reader.GetString(1));
        }
        return (names, types);
    }

    private static readonly HashSet<string> NumericTypes = new(StringComparer.Ordinal)
    {
        "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT",
        "FLOAT", "REAL", "DOUBLE",
    };

    internal static bool IsNumericType(string type) => NumericTypes.Contains(type) || type.StartsWith("DECIMAL", StringComparison.Ordinal);

    private static string Expression(string name, string type, bool numeric)
    {
        string column = Identifier(name);
        if (numeric) return $"CAST({column} AS DOUBLE)";
        if (type == "BOOLEAN") return $"CASE WHEN {column} THEN 'TRUE' WHEN NOT {column} THEN 'FALSE' END";
        return $"CAST({column} AS VARCHAR)";
    }

    /// <summary>A condition true where the column's value is not missing (for text also not <c>NA</c> or empty, as <see cref="Stream"/> reads it).</summary>
    private static string Present(string name, bool numeric) =>
        numeric ? $"{Identifier(name)} IS NOT NULL" : $"coalesce(CAST({Identifier(name)} AS VARCHAR) NOT IN ('NA', ''), false)";

    internal static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>
    /// Numbers written straight into the final array when the row count is known beforehand (Parquet's metadata), else
    /// into 64K chunks (so the column is never copied while it grows) assembled once at the end; missing rows listed sparsely.
    /// </summary>
    private sealed class NumberBuilder(int knownRows)
    {
        private const int Chunk = 1 << 16;
        private readonly List<double[]> _full = [];
        private double[] _current = new double[knownRows > 0 ? knownRows : Chunk];
        private int _used, _count;
        private List<int>? _missing;

        public void Add(double value, bool missing, int row)
        {
            if (_used == _current.Length)
            {
                _full.Add(_current);
                _current = new double[Chunk];
                _used = 0;
            }
            _current[_used++] = value;
            _count++;
            if (missing) (_missing ??= []).Add(row);
        }

        public double[] ToArray(out bool[]? missing)
        {
            missing = null;
            if (_missing is not null)
            {
                missing = new bool[_count];
                foreach (int r in _missing) missing[r] = true;
            }
            if (_full.Count == 0 && _used == _current.Length) return _current; // the known size was right: no copy
            var values = new double[_count];
            int at = 0;
            foreach (var chunk in _full)
            {
                Array.Copy(chunk, 0, values, at, chunk.Length);
                at += chunk.Length;
            }
            Array.Copy(_current, 0, values, at, _used);
            _full.Clear();
            return values;
        }
    }

    /// <summary>Text values in chunks; repeated values (categories) share one string.</summary>
    private sealed class TextBuilder
    {
        private const int Chunk = 1 << 16;
        private readonly List<string?[]> _full = [];
        private string?[] _current = new string?[Chunk];
        private int _used, _count;
        private readonly Dictionary<string, string> _intern = new(StringComparer.Ordinal);

        public void Add(string? value)
        {
            if (_used == Chunk)
            {
                _full.Add(_current);
                _current = new string?[Chunk];
                _used = 0;
            }
            if (value is "NA" or "") value = null; // missing, as read.csv's na.strings (also for Parquet and query text)
            if (value is not null)
            {
                if (_intern.TryGetValue(value, out var shared)) value = shared;
                else if (_intern.Count < 1 << 16) _intern[value] = value;
            }
            _current[_used++] = value;
            _count++;
        }

        public string?[] ToArray()
        {
            var values = new string?[_count];
            int at = 0;
            foreach (var chunk in _full)
            {
                Array.Copy(chunk, 0, values, at, Chunk);
                at += Chunk;
            }
            Array.Copy(_current, 0, values, at, _used);
            _full.Clear();
            return values;
        }
    }
}
