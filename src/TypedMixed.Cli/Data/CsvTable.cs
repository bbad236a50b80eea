using System.Globalization;
using System.Text;
using TypedMixed.Data.DuckDb;

namespace TypedMixed.Cli.Data;

/// <summary>
/// A data table in columns, as the design builder consumes it. Files and SQL queries are read through DuckDB
/// (<see cref="Load"/>, <see cref="Query"/>: CSV/TSV/semicolon with the separator detected or given, Parquet, globs; only
/// the requested columns); <see cref="Parse"/> reads CSV text in memory (RFC 4180: header row, comma separator,
/// double-quoted fields with <c>""</c> escapes and embedded separators or line breaks) for tests and small inputs.
/// A column is numeric when every non-missing value is a number (read.csv's rule); empty fields and <c>NA</c> are missing.
/// </summary>
internal sealed class CsvTable
{
    private readonly Lazy<int[]?>? _fileLines;

    private CsvTable(string source, IReadOnlyList<CsvColumn> columns, int[] lineNumbers)
    {
        Source = source;
        Columns = columns;
        LineNumbers = lineNumbers;
        RowCount = lineNumbers.Length;
        ColumnNames = columns.Select(c => c.Name).ToList();
    }

    private CsvTable(string source, IReadOnlyList<CsvColumn> columns, IReadOnlyList<string> columnNames, int rowCount, Func<int[]?> fileLines)
    {
        Source = source;
        Columns = columns;
        ColumnNames = columnNames;
        LineNumbers = [];
        RowCount = rowCount;
        _fileLines = new Lazy<int[]?>(fileLines);
    }

    /// <summary>This table with one more column (same rows and row descriptions).</summary>
    internal CsvTable WithColumn(CsvColumn column) => _fileLines is null
        ? new CsvTable(Source, [.. Columns, column], LineNumbers)
        : new CsvTable(Source, [.. Columns, column], [.. ColumnNames, column.Name], RowCount, () => _fileLines.Value);

    /// <summary>Where the table came from (a path), for messages.</summary>
    public string Source { get; }

    /// <summary>The columns read: all of them for <see cref="Parse"/>, the requested ones for a file or query.</summary>
    public IReadOnlyList<CsvColumn> Columns { get; }

    /// <summary>Every column name of the source, also of columns not read (for messages).</summary>
    public IReadOnlyList<string> ColumnNames { get; }

    /// <summary>The 1-based line of the text on which each data row starts (tables from <see cref="Parse"/>; empty for files and queries, whose lines are found when a message needs one).</summary>
    public int[] LineNumbers { get; }

    public int RowCount { get; }

    /// <summary>Finds a column by its exact name, or throws a <see cref="CliException"/> listing the available ones.</summary>
    public CsvColumn Column(string name) =>
        Columns.FirstOrDefault(c => c.Name == name)
        ?? throw new CliException(
            $"Column '{name}' is not in {Source}." +
            (ColumnNames.FirstOrDefault(c => string.Equals(c, name, StringComparison.OrdinalIgnoreCase)) is { } near ? $" Did you mean '{near}'? (names are case-sensitive)" : "") +
            $" Available columns: {string.Join(", ", ColumnNames)}.");

    /// <summary>Describes data row <paramref name="row"/> (0-based) for messages: its 1-based number and, for text, its line.</summary>
    public string DescribeRow(int row)
    {
        int? line = _fileLines is null ? LineNumbers[row] : _fileLines.Value is { } lines && lines[row] > 0 ? lines[row] : null;
        return line is null ? $"row {(row + 1).ToString(CultureInfo.InvariantCulture)}" : $"row {(row + 1).ToString(CultureInfo.InvariantCulture)} (line {line.Value.ToString(CultureInfo.InvariantCulture)})";
    }

    /// <summary>
    /// Reads a CSV/TSV (separator detected, or <paramref name="separator"/>) or Parquet file, or a glob of them, through
    /// DuckDB: <paramref name="columns"/> only (all when null).
    /// </summary>
    public static CsvTable Load(string path, IReadOnlyCollection<string>? columns = null, char? separator = null) =>
        FromSource(new TableSource { Location = path, Separator = separator }, columns);

    /// <summary>Runs a SQL query over files through DuckDB (<c>--sql</c>) and keeps <paramref name="columns"/> (all when null).</summary>
    public static CsvTable Query(string sql, IReadOnlyCollection<string>? columns = null) =>
        FromSource(new TableSource { Location = sql, IsQuery = true }, columns);

    private static CsvTable FromSource(TableSource source, IReadOnlyCollection<string>? columns)
    {
        TableData data;
        try { data = DuckDbTableReader.Read(source, columns); }
        catch (DataSourceException e) { throw new CliException(e.Message); }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or BadImageFormatException)
        {
            throw new CliException($"DuckDB's native library could not be loaded to read {source.Name} ({e.Message}). Reinstall the tool, or check that this platform is supported by DuckDB.NET.");
        }
        catch (System.Data.Common.DbException e)
        {
            throw new CliException($"{source.Name} could not be read: {e.Message.Split('\n')[0]}");
        }
        var read = data.Columns
            .Select(c => c.IsNumeric ? CsvColumn.FromNumbers(c.Name, c.Index, c.Numbers!, c.Missing) : CsvColumn.FromText(c.Name, c.Index, c.Text!))
            .ToList();
        return new CsvTable(source.Name, read, data.ColumnNames, data.RowCount, () => DuckDbTableReader.LineNumbers(data));
    }

    public static CsvTable Parse(string text, string source = "the data") => Read(new StringReader(text), source);

    public static CsvTable Read(TextReader reader, string source)
    {
        // Streamed: each field goes straight into its column (a number, or text), so memory is about one double per
        // value rather than one string per value.
        List<string>? header = null;
        ColumnBuilder[] builders = [];
        var lines = new List<int>();
        ReadRecords(reader, source, (fields, quoted, line) =>
        {
            if (header is null)
            {
                header = [.. fields];
                for (int c = 0; c < header.Count; c++)
                {
                    if (header[c].Length == 0) throw new CliException($"Column {c + 1} of the header of {source} has no name.");
                    int dup = header.Take(c).ToList().IndexOf(header[c]);
                    if (dup >= 0) throw new CliException($"Column name '{header[c]}' appears twice in the header of {source} (columns {dup + 1} and {c + 1}).");
                }
                builders = header.Select(_ => new ColumnBuilder()).ToArray();
                return;
            }
            if (fields.Count != header.Count)
                throw new CliException($"Line {line} of {source} has {fields.Count} fields, but the header has {header.Count}.");
            lines.Add(line);
            for (int c = 0; c < fields.Count; c++)
            {
                string value = fields[c];
                builders[c].Add(value.Length == 0 || value == "NA" ? null : quoted[c] ? value : value.Trim());
            }
        });
        if (header is null) throw new CliException($"{source} is empty: a header row with the column names is needed.");
        if (lines.Count == 0) throw new CliException($"{source} has column names ({string.Join(", ", header.Take(8))}{(header.Count > 8 ? ", …" : "")}) but no data rows. Add the data below the header row.");
        var columns = new CsvColumn[header.Count];
        for (int c = 0; c < header.Count; c++) columns[c] = builders[c].Build(header[c], c);
        return new CsvTable(source, columns, lines.ToArray());
    }

    /// <summary>Tokenizes RFC 4180 records and hands each (fields, quoted flags, first line) to <paramref name="onRecord"/>; the lists are reused.</summary>
    private static void ReadRecords(TextReader reader, string source, Action<List<string>, List<bool>, int> onRecord)
    {
        var field = new StringBuilder();
        var fields = new List<string>();
        var quotedFlags = new List<bool>();
        int line = 1, recordLine = 1;
        bool inQuotes = false, quoted = false, afterQuote = false, any = false;
        int ch;
        void EndField()
        {
            fields.Add(field.ToString());
            quotedFlags.Add(quoted);
            field.Clear();
            quoted = afterQuote = false;
        }
        void EndRecord()
        {
            EndField();
            if (!(fields.Count == 1 && fields[0].Length == 0 && !quotedFlags[0])) // skip blank lines
                onRecord(fields, quotedFlags, recordLine);
            fields.Clear();
            quotedFlags.Clear();
            any = false;
        }
        while ((ch = reader.Read()) >= 0)
        {
            char c = (char)ch;
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (reader.Peek() == '"') { reader.Read(); field.Append('"'); }
                    else { inQuotes = false; afterQuote = true; }
                }
                else
                {
                    if (c == '\n') line++;
                    field.Append(c);
                }
                continue;
            }
            if (!any) { recordLine = line; any = true; }
            switch (c)
            {
                case '"':
                    if (field.ToString().Trim().Length > 0 || afterQuote)
                        throw new CliException($"Line {line} of {source}: a quote inside an unquoted field; quote the whole field and double inner quotes (\"\").");
                    field.Clear();
                    inQuotes = quoted = true;
                    break;
                case ',':
                    EndField();
                    break;
                case '\r':
                    if (reader.Peek() == '\n') reader.Read();
                    EndRecord();
                    line++;
                    break;
                case '\n':
                    EndRecord();
                    line++;
                    break;
                default:
                    if (afterQuote && !char.IsWhiteSpace(c))
                        throw new CliException($"Line {line} of {source}: text after a closing quote; quote the whole field and double inner quotes (\"\").");
                    if (!afterQuote) field.Append(c);
                    break;
            }
        }
        if (inQuotes) throw new CliException($"{source} ends inside a quoted field that starts on line {recordLine}.");
        if (any || fields.Count > 0 || field.Length > 0) EndRecord();
    }

    /// <summary>
    /// Accumulates one column: a number per value when it parses (its text kept only when it is not the number's
    /// round-trip form, e.g. <c>007</c>), otherwise the text, interned so repeated categories share one string.
    /// </summary>
    private sealed class ColumnBuilder
    {
        private readonly List<double> _values = [];
        private readonly List<bool> _missing = [];
        private readonly Dictionary<int, string> _text = [];
        private readonly Dictionary<string, string> _intern = new(StringComparer.Ordinal);
        private int _parsed, _present;

        public void Add(string? value)
        {
            int row = _values.Count;
            _missing.Add(value is null);
            if (value is null) { _values.Add(double.NaN); return; }
            _present++;
            if (CsvColumn.TryParseNumber(value, out double number))
            {
                _parsed++;
                _values.Add(number);
                if (value != CsvColumn.Canonical(number)) _text[row] = Intern(value);
            }
            else
            {
                _values.Add(double.NaN);
                _text[row] = Intern(value);
            }
        }

        private string Intern(string value)
        {
            if (_intern.TryGetValue(value, out var shared)) return shared;
            if (_intern.Count < 1 << 16) _intern[value] = value;
            return value;
        }

        public CsvColumn Build(string name, int index) =>
            new(name, index, _values.ToArray(), _missing.ToArray(), _text, _parsed, _present);
    }
}

/// <summary>
/// One column of a <see cref="CsvTable"/>: the parsed numbers (NaN where missing or not a number) and, on demand, the
/// raw text values (null where missing).
/// </summary>
internal sealed class CsvColumn
{
    private readonly bool[]? _missing;
    private readonly Dictionary<int, string> _text;
    private string?[]? _raw;

    public CsvColumn(string name, int index, string?[] raw)
        : this(name, index, Parse(raw, out var missing, out var text, out int parsed, out int present), missing, text, parsed, present)
    {
    }

    /// <summary>A numeric column read by DuckDB: <paramref name="missing"/> null when no value is missing.</summary>
    internal static CsvColumn FromNumbers(string name, int index, double[] values, bool[]? missing)
    {
        int present = values.Length - (missing?.Count(m => m) ?? 0);
        return new CsvColumn(name, index, values, missing, [], present, present);
    }

    /// <summary>
    /// A text column read by DuckDB (null where missing; repeated values share one string): numeric when every present
    /// value parses, as read.csv would type it (e.g. a query's VARCHAR of digits); each distinct value is parsed once.
    /// </summary>
    internal static CsvColumn FromText(string name, int index, string?[] raw)
    {
        var values = new double[raw.Length];
        var missing = new bool[raw.Length];
        var cache = new Dictionary<string, double>(StringComparer.Ordinal);
        int parsed = 0, present = 0;
        for (int r = 0; r < raw.Length; r++)
        {
            string? s = raw[r];
            if (s is null) { missing[r] = true; values[r] = double.NaN; continue; }
            present++;
            if (!cache.TryGetValue(s, out double v)) cache[s] = v = TryParseNumber(s, out double x) ? x : double.NaN;
            if (!double.IsNaN(v) || s == "NaN") parsed++;
            values[r] = v;
        }
        return new CsvColumn(name, index, values, missing, [], parsed, present) { _raw = raw };
    }

    internal CsvColumn(string name, int index, double[] values, bool[]? missing, Dictionary<int, string> text, int parsed, int present)
    {
        Name = name;
        Index = index;
        Values = values;
        _missing = missing;
        _text = text;
        PresentCount = present;
        ParsedCount = parsed;
        IsNumeric = parsed == present && present > 0;
    }

    public string Name { get; }

    public int Index { get; }

    /// <summary>Field text per row; null for a missing value (empty or <c>NA</c>). Built on first use.</summary>
    public string?[] Raw => _raw ??= BuildRaw();

    /// <summary>Parsed numbers per row (NaN where missing or not a number).</summary>
    public double[] Values { get; }

    /// <summary>True when the value of row <paramref name="row"/> is missing (empty or <c>NA</c>).</summary>
    public bool IsMissing(int row) => _missing is not null && _missing[row];

    /// <summary>True when every non-missing value is a number.</summary>
    public bool IsNumeric { get; }

    /// <summary>Number of non-missing values.</summary>
    public int PresentCount { get; }

    /// <summary>Number of non-missing values that parse as numbers.</summary>
    public int ParsedCount { get; }

    public static bool TryParseNumber(string s, out double value) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    /// <summary>The round-trip text of a number, which stands for the field's text when they agree.</summary>
    internal static string Canonical(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private string?[] BuildRaw()
    {
        var raw = new string?[Values.Length];
        var shared = new Dictionary<double, string>();
        for (int r = 0; r < raw.Length; r++)
        {
            if (IsMissing(r)) continue;
            if (_text.TryGetValue(r, out var text)) { raw[r] = text; continue; }
            double v = Values[r];
            if (!shared.TryGetValue(v, out var s)) shared[v] = s = Canonical(v);
            raw[r] = s;
        }
        return raw;
    }

    private static double[] Parse(string?[] raw, out bool[] missing, out Dictionary<int, string> text, out int parsed, out int present)
    {
        var values = new double[raw.Length];
        missing = new bool[raw.Length];
        text = [];
        parsed = present = 0;
        for (int r = 0; r < raw.Length; r++)
        {
            if (raw[r] is null) { missing[r] = true; values[r] = double.NaN; continue; }
            present++;
            if (TryParseNumber(raw[r]!, out values[r])) { parsed++; if (raw[r] != Canonical(values[r])) text[r] = raw[r]!; }
            else { values[r] = double.NaN; text[r] = raw[r]!; }
        }
        return values;
    }
}

/// <summary>A usage or data error: the CLI prints the message and exits with code 1.</summary>
internal sealed class CliException(string message) : Exception(message);
