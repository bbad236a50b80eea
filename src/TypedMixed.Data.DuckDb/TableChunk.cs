namespace TypedMixed.Data.DuckDb;

/// <summary>
/// What <see cref="DuckDbTableReader.StreamNumbers"/> tells its consumer before the first chunk: the requested columns
/// in the source's order, and how many rows to expect.
/// </summary>
public sealed class TableLayout
{
    /// <summary>The source, for messages.</summary>
    public required TableSource Source { get; init; }

    /// <summary>How the source is read.</summary>
    public required TableFormat Format { get; init; }

    /// <summary>All the source's column names, in order (also those not read).</summary>
    public required IReadOnlyList<string> ColumnNames { get; init; }

    /// <summary>The columns streamed, in the source's order; <see cref="TableChunk.Numbers"/> is indexed the same way.</summary>
    public required IReadOnlyList<string> Columns { get; init; }

    /// <summary>
    /// The number of rows expected (Parquet metadata, a byte-level record count of a large text file, or a count of a
    /// query's rows), for sizing arrays once; 0 when unknown (a small text file). A hint: the rows streamed may differ
    /// (e.g. a query that samples), so consumers must still grow or trim.
    /// </summary>
    public required int ExpectedRows { get; init; }
}

/// <summary>
/// A run of consecutive rows of the requested numeric columns. The arrays are reused for the next chunk: a consumer
/// copies what it keeps before returning.
/// </summary>
public sealed class TableChunk
{
    internal TableChunk(int columns, int capacity)
    {
        Numbers = new double[columns][];
        Missing = new bool[columns][];
        for (int k = 0; k < columns; k++)
        {
            Numbers[k] = new double[capacity];
            Missing[k] = new bool[capacity];
        }
    }

    /// <summary>The 0-based index in the source of the chunk's first row.</summary>
    public int FirstRow { get; internal set; }

    /// <summary>The number of rows in the chunk (the arrays may be longer).</summary>
    public int Count { get; internal set; }

    /// <summary>Per column (as <see cref="TableLayout.Columns"/>), the values of the chunk's rows; NaN where missing.</summary>
    public double[][] Numbers { get; }

    /// <summary>Per column, true where the value is missing (SQL NULL: an empty field or <c>NA</c> in text).</summary>
    public bool[][] Missing { get; }
}
