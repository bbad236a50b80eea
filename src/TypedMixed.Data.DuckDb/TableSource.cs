namespace TypedMixed.Data.DuckDb;

/// <summary>Where a table comes from: a file or glob (CSV, TSV, Parquet), or a SQL query over files.</summary>
public sealed class TableSource
{
    /// <summary>The path or glob (e.g. <c>data/*.parquet</c>), or the SQL text when <see cref="IsQuery"/>.</summary>
    public required string Location { get; init; }

    /// <summary>True when <see cref="Location"/> is a SQL query (<c>--sql</c>).</summary>
    public bool IsQuery { get; init; }

    /// <summary>The field separator of a delimited text file; null to detect it (comma, semicolon, tab, pipe).</summary>
    public char? Separator { get; init; }

    /// <summary>How messages name the source: the path, or "the --sql query".</summary>
    public string Name => IsQuery ? "the --sql query" : Location;
}

/// <summary>The file format of a source, decided from the extension and the first bytes.</summary>
public enum TableFormat
{
    /// <summary>Delimited text: CSV, TSV, semicolon-separated.</summary>
    DelimitedText,

    /// <summary>Apache Parquet (one file or a glob).</summary>
    Parquet,

    /// <summary>A SQL query over files.</summary>
    Query,
}

/// <summary>A data error with a message that names the source, and where possible the row, the column and the fix.</summary>
public sealed class DataSourceException(string message) : Exception(message);
