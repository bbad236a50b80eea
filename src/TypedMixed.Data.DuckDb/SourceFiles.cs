namespace TypedMixed.Data.DuckDb;

/// <summary>
/// Checks a file source before DuckDB sees it, so the common mistakes get our messages: a missing path, a directory, an
/// empty file, a binary file that is not Parquet. Decides the format: Parquet by extension or by its magic bytes
/// (a Parquet file named <c>.csv</c> is still read as Parquet), delimited text otherwise (also gzip-compressed, <c>.csv.gz</c>).
/// </summary>
internal static class SourceFiles
{
    private static readonly byte[] ParquetMagic = "PAR1"u8.ToArray();
    private static readonly byte[] GzipMagic = [0x1F, 0x8B];

    /// <summary>Checks the source; returns its format and, for delimited text, the separator (given, or detected from the header line).</summary>
    public static (TableFormat Format, char? Separator) Check(TableSource source)
    {
        if (source.IsQuery)
        {
            if (string.IsNullOrWhiteSpace(source.Location))
                throw new DataSourceException("--sql needs a query, e.g. --sql \"SELECT * FROM 'data.parquet'\".");
            return (TableFormat.Query, null);
        }
        string path = source.Location;
        bool parquetName = HasParquetExtension(path);
        if (IsGlob(path))
            return parquetName ? (TableFormat.Parquet, null) : (TableFormat.DelimitedText, source.Separator); // DuckDB expands it and sniffs; no match is mapped in DuckDbErrors
        if (Directory.Exists(path))
            throw new DataSourceException($"Data file '{path}' is a directory. Give a file, or a glob such as '{Path.Combine(path, "*.parquet")}'.");
        if (!File.Exists(path))
            throw new DataSourceException($"Data file '{path}' does not exist. Check the path (relative paths start at {Directory.GetCurrentDirectory()}).");
        var head = new byte[65536];
        int read;
        long length;
        using (var stream = File.OpenRead(path))
        {
            length = stream.Length;
            read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        if (length == 0)
            throw new DataSourceException($"{path} is empty: a header row with the column names is needed.");
        var start = head.AsSpan(0, read);
        if (start.StartsWith(ParquetMagic)) return (TableFormat.Parquet, null);
        if (start.StartsWith(GzipMagic) && path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
            return (TableFormat.DelimitedText, source.Separator); // compressed text: DuckDB decompresses and sniffs the separator
        if (parquetName)
            throw new DataSourceException($"{path} is named .parquet but is not a Parquet file (it does not start with PAR1). Give a Parquet file, or rename a CSV file to .csv.");
        if (start.IndexOf((byte)0) >= 0)
            throw new DataSourceException($"{path} is a binary file, not text (byte {start.IndexOf((byte)0) + 1} is zero). Give a CSV/TSV file saved as UTF-8 text, or a Parquet file.");
        if (length <= read && start.Trim(" \t\r\n"u8).IsEmpty)
            throw new DataSourceException($"{path} is empty: a header row with the column names is needed.");
        char separator = source.Separator ?? DetectSeparator(start);
        CheckHeader(start, separator, path);
        return (TableFormat.DelimitedText, separator);
    }

    /// <summary>
    /// Header names must be present and distinct (DuckDB would silently name an empty one <c>column1</c> and rename a
    /// repeated one <c>y_1</c>, so a formula could read the wrong column).
    /// </summary>
    private static void CheckHeader(ReadOnlySpan<byte> head, char separator, string path)
    {
        var names = new List<string>();
        var field = new System.Text.StringBuilder();
        bool quoted = false;
        string text = System.Text.Encoding.UTF8.GetString(head).TrimStart('\uFEFF');
        foreach (char c in text)
        {
            if (c == '"') { quoted = !quoted; continue; }
            if (!quoted && (c == '\n' || c == '\r')) break;
            if (!quoted && c == separator) { names.Add(field.ToString().Trim()); field.Clear(); continue; }
            field.Append(c);
        }
        names.Add(field.ToString().Trim());
        for (int c = 0; c < names.Count; c++)
        {
            if (names[c].Length == 0 && names.Count > 1)
                throw new DataSourceException($"Column {c + 1} of the header of {path} has no name. Name it in the header row.");
            int dup = names.IndexOf(names[c]);
            if (dup < c)
                throw new DataSourceException($"Column name '{names[c]}' appears twice in the header of {path} (columns {dup + 1} and {c + 1}). Rename one in the header row.");
        }
    }

    /// <summary>
    /// The separator of the header line: the most frequent of comma, semicolon and tab outside double quotes (comma
    /// when none occurs: one column). Decided here rather than by DuckDB's sniffer, which on a file with a ragged row
    /// falls back to reading each line as one column instead of reporting the row.
    /// </summary>
    internal static char DetectSeparator(ReadOnlySpan<byte> head)
    {
        int comma = 0, semicolon = 0, tab = 0;
        bool quoted = false;
        foreach (byte b in head)
        {
            if (b == (byte)'"') quoted = !quoted;
            else if (quoted) continue;
            else if (b == (byte)'\n' || b == (byte)'\r') break;
            else if (b == (byte)',') comma++;
            else if (b == (byte)';') semicolon++;
            else if (b == (byte)'\t') tab++;
        }
        return tab > comma && tab >= semicolon ? '\t' : semicolon > comma ? ';' : ',';
    }

    private static bool IsGlob(string path) => path.AsSpan().IndexOfAny("*?[") >= 0;

    private static bool HasParquetExtension(string path) =>
        path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".parq", StringComparison.OrdinalIgnoreCase);
}
