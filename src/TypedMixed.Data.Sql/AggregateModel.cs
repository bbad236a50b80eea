namespace TypedMixed.Data.Sql;

/// <summary>A column of the model as an SQL expression over the relation's columns, with the name it is reported by.</summary>
/// <param name="Name">Reported name, e.g. <c>sexM</c> or <c>standLRT:sexM</c>.</param>
/// <param name="Expression">SQL that computes it per row, e.g. <c>CASE WHEN "sex" = 'M' THEN 1.0 ELSE 0.0 END</c>.</param>
public sealed record SqlColumn(string Name, string Expression);

/// <summary>A random-effects term for SQL aggregation: its grouping key columns, its own columns and covariance.</summary>
public sealed class SqlTerm
{
    /// <summary>The classification's name as reported, e.g. <c>Subject</c> or <c>cask:batch</c>.</summary>
    public required string Name { get; init; }

    /// <summary>SQL expressions whose combination is the level (one for <c>g</c>, two for <c>a:b</c>).</summary>
    public required IReadOnlyList<string> KeyExpressions { get; init; }

    /// <summary>The columns that vary over the levels, e.g. <c>(Intercept)</c> = <c>1.0</c>, <c>Days</c>.</summary>
    public required IReadOnlyList<SqlColumn> Columns { get; init; }

    /// <summary>The covariance structure of one level's effects.</summary>
    public CovarianceStructure Covariance { get; init; } = CovarianceStructure.Unstructured;
}

/// <summary>
/// A linear mixed model described for aggregation inside a database: the relation to read, the response, the columns
/// of X and the random-effects terms as SQL expressions, and the columns whose NULL drops a row (counted).
/// </summary>
public sealed class AggregateModel
{
    /// <summary>The relation: a table name, <c>(SELECT …)</c>, or a table function such as <c>read_parquet('data/*.parquet')</c>.</summary>
    public required string Relation { get; init; }

    /// <summary>The response's reported name.</summary>
    public string ResponseName { get; init; } = "y";

    /// <summary>SQL for the response per row.</summary>
    public required string Response { get; init; }

    /// <summary>The columns of X, in order.</summary>
    public required IReadOnlyList<SqlColumn> FixedEffects { get; init; }

    /// <summary>The random-effects terms, in the order written.</summary>
    public required IReadOnlyList<SqlTerm> Terms { get; init; }

    /// <summary>Expressions (quoted columns) that must all be non-NULL for a row to be used; the others are dropped and counted.</summary>
    public required IReadOnlyList<string> Required { get; init; }
}
