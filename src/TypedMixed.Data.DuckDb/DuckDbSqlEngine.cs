using System.Globalization;
using DuckDB.NET.Data;
using TypedMixed.Data.Sql;

namespace TypedMixed.Data.DuckDb;

/// <summary>Settings of the embedded DuckDB used for aggregation: out-of-core work needs a spill directory and a memory cap.</summary>
public sealed class DuckDbEngineOptions
{
    /// <summary>Where DuckDB spills when a GROUP BY does not fit in <see cref="MemoryLimit"/>; null: DuckDB's default (<c>.tmp</c>).</summary>
    public string? TempDirectory { get; init; }

    /// <summary>DuckDB's <c>memory_limit</c>, e.g. <c>2GB</c>; null: DuckDB's default (80% of RAM).</summary>
    public string? MemoryLimit { get; init; }

    /// <summary>Worker threads; null: DuckDB's default (all cores).</summary>
    public int? Threads { get; init; }
}

/// <summary>
/// Embedded DuckDB as an <see cref="ISqlEngine"/>: the default for files (CSV, Parquet, globs of Parquet), read in place
/// with DuckDB's table functions. Sums use <c>fsum</c>, DuckDB's compensated (Kahan–Babuška) sum of doubles.
/// </summary>
public sealed class DuckDbSqlEngine : ISqlEngine
{
    private readonly DuckDBConnection _connection;

    /// <summary>Opens an in-memory DuckDB with <paramref name="options"/>.</summary>
    public DuckDbSqlEngine(DuckDbEngineOptions? options = null)
    {
        _connection = new DuckDBConnection("DataSource=:memory:");
        _connection.Open();
        if (options?.TempDirectory is { } temp) Execute($"SET temp_directory = {DuckDbTableReader.Literal(temp)}");
        if (options?.MemoryLimit is { } limit) Execute($"SET memory_limit = {DuckDbTableReader.Literal(limit)}");
        if (options?.Threads is { } threads) Execute($"SET threads = {threads.ToString(CultureInfo.InvariantCulture)}");
        Execute("SET preserve_insertion_order = false");
    }

    /// <summary>The FROM clause that reads a file, a glob or a query (<see cref="TableSource"/>) in place; checks the file first.</summary>
    /// <exception cref="DataSourceException">The file is missing, empty or not a table.</exception>
    public static string RelationFor(TableSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var (format, separator) = SourceFiles.Check(source);
        if (separator is not null && separator != source.Separator)
            source = new TableSource { Location = source.Location, IsQuery = source.IsQuery, Separator = separator };
        return DuckDbTableReader.Relation(source, format, sniffWholeFile: false);
    }

    /// <inheritdoc />
    public string Name => "DuckDB";

    /// <inheritdoc />
    public string AccurateSum(string expression) => $"fsum({expression})";

    /// <inheritdoc />
    public string ToDouble(string expression) => $"CAST({expression} AS DOUBLE)";

    /// <inheritdoc />
    public string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <inheritdoc />
    public IReadOnlyList<object?[]> Query(string sql, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            using var reader = command.ExecuteReader();
            var rows = new List<object?[]>();
            while (reader.Read())
            {
                var row = new object?[reader.FieldCount];
                for (int i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                rows.Add(row);
                if ((rows.Count & 0xFFFF) == 0) cancellationToken.ThrowIfCancellationRequested();
            }
            return rows;
        }
        catch (DuckDBException e)
        {
            throw new SqlEngineException($"DuckDB: {FirstLine(e.Message)}", e);
        }
    }

    /// <inheritdoc />
    public void QueryEach(string sql, Action<object?[]> row, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            using var reader = command.ExecuteReader();
            var values = new object?[reader.FieldCount];
            long count = 0;
            while (reader.Read())
            {
                for (int i = 0; i < values.Length; i++) values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                row(values);
                if ((++count & 0xFFFF) == 0) cancellationToken.ThrowIfCancellationRequested();
            }
        }
        catch (DuckDBException e)
        {
            throw new SqlEngineException($"DuckDB: {FirstLine(e.Message)}", e);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<(string Name, bool Numeric)> Describe(string relation, CancellationToken cancellationToken = default) =>
        Query($"DESCRIBE SELECT * FROM {relation}", cancellationToken)
            .Select(r => ((string)r[0]!, DuckDbTableReader.IsNumericType((string)r[1]!))).ToArray();

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();
}
