namespace TypedMixed.Data.DuckDb;

/// <summary>
/// A byte-level pass over a delimited text file that only counts: records, their fields and the line each starts on
/// (double-quoted fields may hold separators and line breaks; blank lines are skipped, as DuckDB skips them). Used
/// where DuckDB's own report is vague — a ragged row or an unclosed quote makes its sniffer give up on the whole file —
/// and to turn a data row number into the file's line number for messages. It never keeps field text.
/// </summary>
internal static class DelimitedScanner
{
    /// <summary>The first structural problem of the file (a row whose field count differs from the header's, an unclosed quote), or null.</summary>
    public static string? FindProblem(string path, char separator, string name)
    {
        int headerFields = -1;
        string? problem = null;
        int openQuoteLine = Scan(path, separator, (record, fields, line) =>
        {
            if (record == 0) { headerFields = fields; return true; }
            if (fields == headerFields) return true;
            problem = $"Line {line} of {name} has {fields} fields, but the header has {headerFields}. " +
                      $"Fix that row (a {Describe(separator)} inside a value needs double quotes), or give the separator with --sep if '{Describe(separator)}' is not it.";
            return false;
        });
        if (problem is null && openQuoteLine > 0)
            problem = $"{name} ends inside a quoted field that starts on line {openQuoteLine}. Close the quote, and double quotes inside quoted values (\"\").";
        return problem;
    }

    /// <summary>
    /// The number of data records (after the header), for sizing the columns before DuckDB reads them: the records
    /// <see cref="Scan"/> finds (quoted line breaks and blank lines are not records). A block without quotes, carriage
    /// returns or blank lines — nearly every block of a numeric file — is counted by its line feeds in one vectorized
    /// pass; other blocks go byte by byte (a tenth of the time of the byte loop on the 10-million-row benchmark file).
    /// </summary>
    public static int CountRecords(string path, int bufferSize = 1 << 20)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        var buffer = new byte[bufferSize];
        long records = 0;
        bool inQuotes = false, any = false, skipLf = false;
        int read;
        while ((read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false)) > 0)
        {
            var block = buffer.AsSpan(0, read);
            // Every line feed ends a non-empty record: none is preceded by another (or starts the block after one).
            if (!inQuotes && !skipLf && (any || block[0] != (byte)'\n') && block.IndexOfAny((byte)'"', (byte)'\r') < 0 && block.IndexOf("\n\n"u8) < 0)
            {
                records += block.Count((byte)'\n');
                any = block[^1] != (byte)'\n';
                continue;
            }
            foreach (byte b in block)
            {
                if (skipLf) { skipLf = false; if (b == (byte)'\n') continue; }
                if (inQuotes)
                {
                    if (b == (byte)'"') inQuotes = false;
                    else if (b == (byte)'\r') skipLf = true;
                    continue;
                }
                if (b == (byte)'\n' || b == (byte)'\r')
                {
                    skipLf = b == (byte)'\r';
                    if (any) records++;
                    any = false;
                    continue;
                }
                any = true;
                if (b == (byte)'"') inQuotes = true;
            }
        }
        if (any && !inQuotes) records++;
        return (int)Math.Clamp(records - 1, 0, int.MaxValue);
    }

    /// <summary>
    /// The number of data records with no missing value in the fields <paramref name="wanted"/> (0-based positions in
    /// the header): <see cref="CountRecords"/> less the records where such a field is empty or <c>NA</c> (unquoted,
    /// exactly: what DuckDB reads as NULL with <c>nullstr = ['NA', '']</c>). Anything less certain (a quoted field,
    /// spaces) counts as present, so the result is never below the rows DuckDB's reader will find complete. Blocks
    /// without quotes, carriage returns, blank lines, empty fields or the letters <c>NA</c> are counted by their line
    /// feeds; other blocks go byte by byte.
    /// </summary>
    public static int CountCompleteRecords(string path, char separator, IReadOnlyCollection<int> wanted, int bufferSize = 1 << 20)
    {
        int width = wanted.Count == 0 ? 0 : wanted.Max() + 1;
        var isWanted = new bool[width];
        foreach (int f in wanted) isWanted[f] = true;
        byte sep = (byte)separator;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        var buffer = new byte[bufferSize];
        long records = 0, incomplete = 0;
        // The state between bytes: inside quotes, after a CR, the current record non-empty, its field's position,
        // length and progress through "NA", whether the field was quoted, and whether the record has a missing value.
        bool inQuotes = false, any = false, skipLf = false, quoted = false, missing = false;
        int field = 0, length = 0, na = 0;
        byte previous = (byte)'\n';
        void EndField()
        {
            if (!quoted && field < width && isWanted[field] && (length == 0 || (length == 2 && na == 2))) missing = true;
            field++;
            length = na = 0;
            quoted = false;
        }
        int read;
        while ((read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false)) > 0)
        {
            var block = buffer.AsSpan(0, read);
            int lastLf = block.LastIndexOf((byte)'\n');
            if (!inQuotes && !skipLf && lastLf >= 0 && records > 0 && !missing && na == 0
                && previous != sep && !(previous == (byte)'\n' && (block[0] == sep || block[0] == (byte)'\n'))
                && !(previous == (byte)'N' && block[0] == (byte)'A')
                && block.IndexOfAny((byte)'"', (byte)'\r') < 0 && block.IndexOf("\n\n"u8) < 0 && block.IndexOf("NA"u8) < 0
                && block.IndexOf([sep, sep]) < 0 && block.IndexOf([sep, (byte)'\n']) < 0 && block.IndexOf([(byte)'\n', sep]) < 0)
            {
                // No field in the block is empty or NA, and the record open before it has none: every line feed ends a
                // complete, non-empty record. The state after the last one is that of the record it leaves open.
                records += block.Count((byte)'\n');
                var tail = block[(lastLf + 1)..];
                any = tail.Length > 0;
                field = tail.Count(sep);
                int lastSep = tail.LastIndexOf(sep);
                length = tail.Length - (lastSep + 1);
                na = length == 1 && tail[^1] == (byte)'N' ? 1 : 0;
                previous = block[^1];
                continue;
            }
            foreach (byte b in block)
            {
                previous = b;
                if (skipLf) { skipLf = false; if (b == (byte)'\n') continue; }
                if (inQuotes)
                {
                    if (b == (byte)'"') inQuotes = false;
                    else if (b == (byte)'\r') skipLf = true;
                    length++;
                    continue;
                }
                if (b == (byte)'\n' || b == (byte)'\r')
                {
                    skipLf = b == (byte)'\r';
                    if (any)
                    {
                        EndField();
                        if (missing && records > 0) incomplete++;
                        records++;
                    }
                    any = missing = false;
                    field = length = na = 0;
                    quoted = false;
                    continue;
                }
                any = true;
                if (b == sep) { EndField(); continue; }
                if (b == (byte)'"') { inQuotes = quoted = true; continue; }
                na = (na == 0 && length == 0 && b == (byte)'N') ? 1 : (na == 1 && length == 1 && b == (byte)'A') ? 2 : 0;
                length++;
            }
        }
        if (any && !inQuotes)
        {
            EndField();
            if (missing && records > 0) incomplete++;
            records++;
        }
        return (int)Math.Clamp(records - incomplete - 1, 0, int.MaxValue);
    }

    /// <summary>The record count of <see cref="Scan"/> itself (the reference <see cref="CountRecords"/> is tested against).</summary>
    internal static int CountRecordsByScan(string path, char separator)
    {
        int records = 0;
        Scan(path, separator, (_, _, _) => { records++; return true; });
        return Math.Max(0, records - 1);
    }

    /// <summary>The 1-based line of the file on which each of the first <paramref name="rows"/> data rows starts (0 past the end).</summary>
    public static int[] LinesOfRows(string path, char separator, int rows)
    {
        var lines = new int[rows];
        Scan(path, separator, (record, _, line) =>
        {
            if (record == 0) return true;
            if (record > rows) return false;
            lines[record - 1] = line;
            return true;
        });
        return lines;
    }

    /// <summary>Names a separator for messages.</summary>
    public static string Describe(char separator) => separator switch { '\t' => "tab", ';' => "semicolon", ',' => "comma", _ => separator.ToString() };

    /// <summary>Calls <paramref name="onRecord"/>(record index, field count, start line) per record until it returns false; returns the start line of an unclosed quote, or 0.</summary>
    private static int Scan(string path, char separator, Func<int, int, int, bool> onRecord)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var buffer = new byte[1 << 16];
        byte sep = (byte)separator;
        int line = 1, recordLine = 1, record = 0, fields = 1;
        bool inQuotes = false, any = false, skipLf = false;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            for (int i = 0; i < read; i++)
            {
                byte b = buffer[i];
                if (skipLf) { skipLf = false; if (b == (byte)'\n') continue; }
                if (inQuotes)
                {
                    if (b == (byte)'"') inQuotes = false; // a doubled quote re-enters at the next byte
                    else if (b == (byte)'\n' || b == (byte)'\r') { line++; skipLf = b == (byte)'\r'; }
                    continue;
                }
                if (b == (byte)'\n' || b == (byte)'\r')
                {
                    skipLf = b == (byte)'\r';
                    if (any && !onRecord(record++, fields, recordLine)) return 0;
                    line++;
                    fields = 1;
                    any = false;
                    continue;
                }
                if (!any) { any = true; recordLine = line; }
                if (b == (byte)'"') inQuotes = true;
                else if (b == sep) fields++;
            }
        }
        if (inQuotes) return recordLine;
        if (any) onRecord(record, fields, recordLine);
        return 0;
    }
}
