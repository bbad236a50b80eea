namespace TypedMixed.Data.DuckDb;

/// <summary>
/// What <see cref="DuckDbTableReader.Stream"/> tells its consumer before the first chunk: the requested columns
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

    /// <summary>Per column: true when its type is numeric (its values are in <see cref="TableChunk.Numbers"/>), false for text (<see cref="TableChunk.Text"/>).</summary>
    public required IReadOnlyList<bool> IsNumeric { get; init; }

    /// <summary>
    /// The number of rows expected to have no missing value in the requested columns, for sizing arrays once: for
    /// Parquet and a query, DuckDB's count of those rows; for a large text file, a byte-level count of the records
    /// whose requested fields are not empty or <c>NA</c> (an upper bound: a quoted missing value counts as present);
    /// 0 when unknown (a small text file). A hint: the rows streamed may differ (e.g. a query that
    /// samples), so consumers must still grow or trim.
    /// </summary>
    public required int ExpectedRows { get; init; }
}

/// <summary>
/// A run of consecutive rows of the requested columns. The arrays are reused for the next chunk: a consumer
/// copies what it keeps before returning.
/// </summary>
public sealed class TableChunk
{
    internal TableChunk(IReadOnlyList<bool> numeric, int capacity)
    {
        Numbers = new double[numeric.Count][];
        Text = new string[numeric.Count][];
        Missing = new bool[numeric.Count][];
        for (int k = 0; k < numeric.Count; k++)
        {
            if (numeric[k]) Numbers[k] = new double[capacity];
            else Text[k] = new string[capacity];
            Missing[k] = new bool[capacity];
        }
    }

    /// <summary>The 0-based index in the source of the chunk's first row.</summary>
    public int FirstRow { get; internal set; }

    /// <summary>The number of rows in the chunk (the arrays may be longer).</summary>
    public int Count { get; internal set; }

    /// <summary>Per numeric column (as <see cref="TableLayout.Columns"/>), the values of the chunk's rows, NaN where missing; null for a text column.</summary>
    public double[]?[] Numbers { get; }

    /// <summary>Per text column, the values of the chunk's rows, null where missing; null for a numeric column.</summary>
    public string?[]?[] Text { get; }

    /// <summary>Per column, true where the value is missing (SQL NULL; for text also <c>NA</c> and the empty string).</summary>
    public bool[][] Missing { get; }
}
