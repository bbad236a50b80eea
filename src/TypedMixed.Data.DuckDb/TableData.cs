namespace TypedMixed.Data.DuckDb;

/// <summary>
/// The requested columns of a table, read in one pass. A column is numbers (<see cref="Numbers"/>, NaN where missing)
/// when its type is numeric, else text (<see cref="Text"/>, null where missing; repeated values share one string).
/// </summary>
public sealed class TableColumnData
{
    /// <summary>The column's name as in the header (or the query's result).</summary>
    public required string Name { get; init; }

    /// <summary>The column's position among all the source's columns (0-based).</summary>
    public required int Index { get; init; }

    /// <summary>The DuckDB type the column was read as (e.g. <c>BIGINT</c>, <c>DOUBLE</c>, <c>VARCHAR</c>).</summary>
    public required string SourceType { get; init; }

    /// <summary>The values of a numeric column; null for a text column.</summary>
    public double[]? Numbers { get; init; }

    /// <summary>The values of a text column; null for a numeric column.</summary>
    public string?[]? Text { get; init; }

    /// <summary>Missing flag per row of a numeric column; null when no value is missing (or for a text column, where null text is missing).</summary>
    public bool[]? Missing { get; init; }

    /// <summary>True when the column holds numbers.</summary>
    public bool IsNumeric => Numbers is not null;
}

/// <summary>What <see cref="DuckDbTableReader.Read"/> returns: every column name of the source and the requested columns' data.</summary>
public sealed class TableData
{
    /// <summary>The source, for messages.</summary>
    public required TableSource Source { get; init; }

    /// <summary>How the source was read.</summary>
    public required TableFormat Format { get; init; }

    /// <summary>All the source's column names, in order (also those not read).</summary>
    public required IReadOnlyList<string> ColumnNames { get; init; }

    /// <summary>The columns read, in the source's order.</summary>
    public required IReadOnlyList<TableColumnData> Columns { get; init; }

    /// <summary>The number of data rows.</summary>
    public required int RowCount { get; init; }
}
