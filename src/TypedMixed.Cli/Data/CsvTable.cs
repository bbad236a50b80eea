using System.Globalization;
using System.Text;

namespace TypedMixed.Cli.Data;

/// <summary>
/// A CSV file read into columns (RFC 4180: header row, comma separator, double-quoted fields with <c>""</c> escapes and
/// embedded separators or line breaks). A column is numeric when every non-missing value parses as a number with the
/// invariant culture; empty fields and <c>NA</c> are missing.
/// </summary>
internal sealed class CsvTable
{
    private CsvTable(string source, IReadOnlyList<CsvColumn> columns, int[] lineNumbers)
    {
        Source = source;
        Columns = columns;
        LineNumbers = lineNumbers;
    }

    /// <summary>Where the table came from (a path), for messages.</summary>
    public string Source { get; }

    public IReadOnlyList<CsvColumn> Columns { get; }

    /// <summary>The 1-based line of the file on which each data row starts.</summary>
    public int[] LineNumbers { get; }

    public int RowCount => LineNumbers.Length;

    /// <summary>Finds a column by its exact name, or throws a <see cref="CliException"/> listing the available ones.</summary>
    public CsvColumn Column(string name) =>
        Columns.FirstOrDefault(c => c.Name == name)
        ?? throw new CliException(
            $"Column '{name}' is not in {Source}." +
            (Columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase)) is { } near ? $" Did you mean '{near.Name}'? (names are case-sensitive)" : "") +
            $" Available columns: {string.Join(", ", Columns.Select(c => c.Name))}.");

    /// <summary>Describes data row <paramref name="row"/> (0-based) for messages: its 1-based number and file line.</summary>
    public string DescribeRow(int row) => $"row {row + 1} (line {LineNumbers[row]})";

    public static CsvTable Load(string path)
    {
        if (!File.Exists(path)) throw new CliException($"Data file '{path}' does not exist.");
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Read(reader, path);
    }

    public static CsvTable Parse(string text, string source = "the data") => Read(new StringReader(text), source);

    public static CsvTable Read(TextReader reader, string source)
    {
        var records = ReadRecords(reader, source);
        if (records.Count == 0) throw new CliException($"{source} is empty: a header row with the column names is needed.");
        var header = records[0].Fields;
        for (int c = 0; c < header.Count; c++)
        {
            if (header[c].Length == 0) throw new CliException($"Column {c + 1} of the header of {source} has no name.");
            int dup = header.Take(c).ToList().IndexOf(header[c]);
            if (dup >= 0) throw new CliException($"Column name '{header[c]}' appears twice in the header of {source} (columns {dup + 1} and {c + 1}).");
        }
        int n = records.Count - 1;
        var cells = new string?[header.Count][];
        for (int c = 0; c < header.Count; c++) cells[c] = new string?[n];
        var lines = new int[n];
        for (int r = 0; r < n; r++)
        {
            var rec = records[r + 1];
            lines[r] = rec.Line;
            if (rec.Fields.Count != header.Count)
                throw new CliException($"Line {rec.Line} of {source} has {rec.Fields.Count} fields, but the header has {header.Count}.");
            for (int c = 0; c < header.Count; c++)
            {
                var (value, quoted) = (rec.Fields[c], rec.Quoted[c]);
                cells[c][r] = value.Length == 0 || value == "NA" ? null : quoted ? value : value.Trim();
            }
        }
        var columns = new CsvColumn[header.Count];
        for (int c = 0; c < header.Count; c++) columns[c] = new CsvColumn(header[c], c, cells[c]);
        return new CsvTable(source, columns, lines);
    }

    private sealed record Record(List<string> Fields, List<bool> Quoted, int Line);

    private static List<Record> ReadRecords(TextReader reader, string source)
    {
        var records = new List<Record>();
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
                records.Add(new Record(fields, quotedFlags, recordLine));
            fields = [];
            quotedFlags = [];
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
        return records;
    }
}

/// <summary>One column of a <see cref="CsvTable"/>: its raw text values (null where missing) and, if numeric, the numbers.</summary>
internal sealed class CsvColumn
{
    public CsvColumn(string name, int index, string?[] raw)
    {
        Name = name;
        Index = index;
        Raw = raw;
        var values = new double[raw.Length];
        int parsed = 0, present = 0;
        for (int r = 0; r < raw.Length; r++)
        {
            if (raw[r] is null) { values[r] = double.NaN; continue; }
            present++;
            if (TryParseNumber(raw[r]!, out values[r])) parsed++;
            else values[r] = double.NaN;
        }
        PresentCount = present;
        ParsedCount = parsed;
        IsNumeric = parsed == present && present > 0;
        Values = values;
    }

    public string Name { get; }

    public int Index { get; }

    /// <summary>Field text per row; null for a missing value (empty or <c>NA</c>).</summary>
    public string?[] Raw { get; }

    /// <summary>Parsed numbers per row (NaN where missing or not a number).</summary>
    public double[] Values { get; }

    /// <summary>True when every non-missing value is a number.</summary>
    public bool IsNumeric { get; }

    /// <summary>Number of non-missing values.</summary>
    public int PresentCount { get; }

    /// <summary>Number of non-missing values that parse as numbers.</summary>
    public int ParsedCount { get; }

    public static bool TryParseNumber(string s, out double value) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
}

/// <summary>A usage or data error: the CLI prints the message and exits with code 1.</summary>
internal sealed class CliException(string message) : Exception(message);
