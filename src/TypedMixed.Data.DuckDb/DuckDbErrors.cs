using System.Text.RegularExpressions;
using DuckDB.NET.Data;

namespace TypedMixed.Data.DuckDb;

/// <summary>
/// Turns DuckDB's exceptions into <see cref="DataSourceException"/>s in our words: the source, the line and the
/// column where DuckDB names them, and what to do. DuckDB's own wording is kept (one line) where no rule matches.
/// </summary>
internal static partial class DuckDbErrors
{
    [GeneratedRegex(@"Line:\s*(\d+)")]
    private static partial Regex LinePattern();

    [GeneratedRegex(@"Expected Number of Columns:\s*(\d+)\s*Found:\s*(\d+)")]
    private static partial Regex ColumnCountPattern();

    [GeneratedRegex(@"converting column ""([^""]*)""")]
    private static partial Regex ConvertColumnPattern();

    [GeneratedRegex(@"Could not convert string ""([^""]*)"" to '([^']*)'")]
    private static partial Regex ConvertValuePattern();

    [GeneratedRegex(@"No files found that match the pattern ""([^""]*)""")]
    private static partial Regex NoFilesPattern();

    /// <summary>True when a CSV value after the sniffer's sample did not convert to the sniffed numeric type.</summary>
    public static bool IsLateConversion(DuckDBException e) => ConvertColumnPattern().IsMatch(e.Message) || e.Message.Contains("Could not convert string", StringComparison.Ordinal);

    public static DataSourceException Map(DuckDBException e, TableSource source, TableFormat format)
    {
        string message = e.Message;
        string name = source.Name;
        string? line = LinePattern().Match(message) is { Success: true } l ? l.Groups[1].Value : null;
        string at = line is null ? "" : $"line {line} of ";

        if (NoFilesPattern().Match(message) is { Success: true } nf)
            return new DataSourceException(source.IsQuery
                ? $"The --sql query reads '{nf.Groups[1].Value}', which matches no file. Check the path in the query (relative paths start at {Directory.GetCurrentDirectory()})."
                : $"No file matches '{nf.Groups[1].Value}'. Check the path and the pattern (relative paths start at {Directory.GetCurrentDirectory()}).");
        if (ColumnCountPattern().Match(message) is { Success: true } cc)
            return new DataSourceException(
                $"Line {line ?? "?"} of {name} has {cc.Groups[2].Value} fields, but the header has {cc.Groups[1].Value}. " +
                "Fix that row (a separator inside a value needs double quotes), or give the separator with --sep if it was detected wrongly.");
        if (message.Contains("Invalid unicode", StringComparison.OrdinalIgnoreCase))
            return new DataSourceException($"{Capitalize(at)}{name} is not UTF-8 text. Save the file as UTF-8 CSV, or give a Parquet file.");
        if (ConvertValuePattern().Match(message) is { Success: true } cv)
        {
            string column = ConvertColumnPattern().Match(message) is { Success: true } c ? $" in column '{c.Groups[1].Value}'" : "";
            return new DataSourceException($"{Capitalize(at)}{name}: the value \"{cv.Groups[1].Value}\"{column} is not a {cv.Groups[2].Value.ToLowerInvariant()}. Fix or blank the value (blank and NA are missing).");
        }
        if (message.Contains("Unterminated quote", StringComparison.OrdinalIgnoreCase) || message.Contains("unterminated quote", StringComparison.Ordinal))
            return new DataSourceException($"{name} has a quoted field that is never closed (starting on {at.TrimEnd(' ', 'o', 'f')}). Close the quote, and double quotes inside quoted values (\"\").");
        if (format == TableFormat.Parquet && (message.Contains("magic bytes", StringComparison.OrdinalIgnoreCase) || message.Contains("parquet", StringComparison.OrdinalIgnoreCase)))
            return new DataSourceException($"{name} could not be read as Parquet: {FirstLine(message)}. Check that the file is complete and really Parquet.");
        if (source.IsQuery)
        {
            string kind = message.StartsWith("Parser Error", StringComparison.Ordinal) ? "has a syntax error" : "failed";
            return new DataSourceException($"The --sql query {kind}: {StripKind(FirstLine(message))}. Fix the query (file names are quoted with single quotes: FROM 'data.csv').");
        }
        if (format == TableFormat.DelimitedText)
            return new DataSourceException($"{Capitalize(at)}{name} could not be read as CSV: {StripKind(FirstLine(message))}. Check the separator (give it with --sep) and the quoting.");
        return new DataSourceException($"{name}: {StripKind(FirstLine(message))}.");
    }

    private static string FirstLine(string message)
    {
        int end = message.IndexOfAny(['\n', '\r']);
        return (end < 0 ? message : message[..end]).Trim().TrimEnd('.');
    }

    /// <summary>"IO Error: No such file" → "No such file".</summary>
    private static string StripKind(string line)
    {
        int colon = line.IndexOf(": ", StringComparison.Ordinal);
        return colon > 0 && colon < 30 && line[..colon].EndsWith("Error", StringComparison.Ordinal) ? line[(colon + 2)..] : line;
    }

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
