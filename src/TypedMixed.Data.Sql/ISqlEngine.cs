namespace TypedMixed.Data.Sql;

/// <summary>
/// The one thing <see cref="SqlGramAggregator"/> needs from a database: run a query, describe a relation's columns, and
/// name the most accurate sum it offers for doubles. Each engine (embedded DuckDB, a PostgreSQL server) is one small
/// implementation; the SQL it receives is plain (CTE, CASE WHEN, GROUP BY).
/// </summary>
public interface ISqlEngine : IDisposable
{
    /// <summary>The engine's name for messages, e.g. <c>DuckDB</c>.</summary>
    string Name { get; }

    /// <summary>
    /// The aggregate that sums a double expression most accurately: a compensated (Kahan) sum or an exact sum in
    /// arbitrary precision; the result must come back as a double.
    /// </summary>
    string AccurateSum(string expression);

    /// <summary>Casts an expression to the engine's 64-bit float type (so integer columns cannot overflow in products).</summary>
    string ToDouble(string expression);

    /// <summary>Quotes an identifier (a column name) for this engine.</summary>
    string QuoteIdentifier(string name);

    /// <summary>Runs a query and returns its rows (values as the provider gives them; NULL as null).</summary>
    /// <exception cref="SqlEngineException">The query failed; the message says why and what to do.</exception>
    IReadOnlyList<object?[]> Query(string sql, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs a query and hands each row to <paramref name="row"/> as it arrives (the array may be reused between calls:
    /// copy what is kept), so a result of millions of groups is never held twice. The default collects <see cref="Query"/>.
    /// </summary>
    /// <exception cref="SqlEngineException">The query failed; the message says why and what to do.</exception>
    void QueryEach(string sql, Action<object?[]> row, CancellationToken cancellationToken = default)
    {
        foreach (var r in Query(sql, cancellationToken)) row(r);
    }

    /// <summary>
    /// The expressions a relation is partitioned by when its partitions may live on other servers (a PostgreSQL table
    /// partitioned over postgres_fdw foreign tables); grouping by them lets each partition aggregate where it lives.
    /// Empty (the default) for a relation read in one place.
    /// </summary>
    IReadOnlyList<string> PartitionKeys(string relation, CancellationToken cancellationToken = default) => [];

    /// <summary>The columns of a relation (a table name, a subquery in parentheses, or a table function) and whether each is numeric.</summary>
    /// <exception cref="SqlEngineException">The relation does not exist or cannot be read.</exception>
    IReadOnlyList<(string Name, bool Numeric)> Describe(string relation, CancellationToken cancellationToken = default);
}

/// <summary>A database error said in the terms of the model: which relation, column or server, and what to do.</summary>
public sealed class SqlEngineException(string message, Exception? inner = null) : Exception(message, inner);
