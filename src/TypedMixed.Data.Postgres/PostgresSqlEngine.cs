using System.Globalization;
using System.Net.Sockets;
using Npgsql;
using TypedMixed.Data.Sql;

namespace TypedMixed.Data.Postgres;

/// <summary>
/// A PostgreSQL server as an <see cref="ISqlEngine"/>. Sums are exact: each double product is cast to <c>numeric</c>
/// (PostgreSQL rounds a double to 15 significant digits there) and summed in arbitrary precision, then returned as a
/// double. Connecting and every query have timeouts, so a server that is down or silent is an error, not a hang.
/// </summary>
public sealed class PostgresSqlEngine : ISqlEngine
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _where;
    private readonly int _commandTimeout;

    /// <summary>Connects lazily to the server of <paramref name="connection"/>: a <c>postgresql://user[:password]@host:port/db</c> URI or an Npgsql connection string.</summary>
    /// <param name="connection">Where the server is.</param>
    /// <param name="connectTimeoutSeconds">Seconds to wait for a connection.</param>
    /// <param name="commandTimeoutSeconds">Seconds to wait for one query (0: no limit).</param>
    public PostgresSqlEngine(string connection, int connectTimeoutSeconds = 10, int commandTimeoutSeconds = 3600)
    {
        var builder = new NpgsqlConnectionStringBuilder(ToConnectionString(connection))
        {
            Timeout = connectTimeoutSeconds,
            CommandTimeout = commandTimeoutSeconds,
        };
        _commandTimeout = commandTimeoutSeconds;
        _where = $"{builder.Username}@{builder.Host}:{builder.Port.ToString(CultureInfo.InvariantCulture)}/{builder.Database}";
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    /// <summary>A <c>postgresql://</c> or <c>postgres://</c> URI as an Npgsql connection string; anything else is returned as it is.</summary>
    public static string ToConnectionString(string connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (!connection.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) && !connection.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase))
            return connection;
        var uri = new Uri(connection);
        var b = new NpgsqlConnectionStringBuilder { Host = uri.Host, Port = uri.Port > 0 ? uri.Port : 5432 };
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            b.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length > 1) b.Password = Uri.UnescapeDataString(parts[1]);
        }
        string db = uri.AbsolutePath.Trim('/');
        if (db.Length > 0) b.Database = Uri.UnescapeDataString(db);
        return b.ConnectionString;
    }

    /// <inheritdoc />
    public string Name => "PostgreSQL";

    /// <inheritdoc />
    public string AccurateSum(string expression) => $"CAST(SUM(CAST({expression} AS numeric)) AS double precision)";

    /// <inheritdoc />
    public string ToDouble(string expression) => $"CAST({expression} AS double precision)";

    /// <inheritdoc />
    public string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <inheritdoc />
    public IReadOnlyList<object?[]> Query(string sql, CancellationToken cancellationToken = default)
    {
        try
        {
            using var connection = _dataSource.OpenConnection();
            using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = _commandTimeout };
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
        catch (Exception e) when (Describe(e) is { } message)
        {
            throw new SqlEngineException(message, e);
        }
    }

    /// <inheritdoc />
    public void QueryEach(string sql, Action<object?[]> row, CancellationToken cancellationToken = default)
    {
        try
        {
            using var connection = _dataSource.OpenConnection();
            using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = _commandTimeout };
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
        catch (Exception e) when (Describe(e) is { } message)
        {
            throw new SqlEngineException(message, e);
        }
    }

    /// <summary>
    /// The partition key columns of a partitioned table whose partitions include foreign tables (postgres_fdw shards), from
    /// the catalog (<c>pg_get_partkeydef</c>); empty for a plain or locally partitioned table, a query, or a key that is an
    /// expression rather than columns.
    /// </summary>
    public IReadOnlyList<string> PartitionKeys(string relation, CancellationToken cancellationToken = default)
    {
        if (relation.TrimStart().StartsWith('(')) return [];
        string literal = "'" + relation.Replace("'", "''", StringComparison.Ordinal) + "'";
        var rows = Query(
            $"SELECT pg_get_partkeydef(c.oid), EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhrelid WHERE i.inhparent = c.oid AND p.relkind = 'f') " +
            $"FROM pg_class c WHERE c.oid = to_regclass({literal}) AND c.relkind = 'p'", cancellationToken);
        if (rows.Count == 0 || rows[0][0] is not string definition || rows[0][1] is not true) return [];
        // e.g. HASH ("Subject") or RANGE (cluster, visit)
        int open = definition.IndexOf('('), close = definition.LastIndexOf(')');
        if (open < 0 || close <= open) return [];
        var columns = new List<string>();
        foreach (var part in definition[(open + 1)..close].Split(','))
        {
            string c = part.Trim();
            bool quoted = c.Length >= 2 && c[0] == '"' && c[^1] == '"' && !c[1..^1].Contains('"', StringComparison.Ordinal);
            bool plain = c.Length > 0 && c.All(ch => char.IsLetterOrDigit(ch) || ch == '_') && !char.IsDigit(c[0]);
            if (!quoted && !plain) return []; // an expression key: group without it (the coordinator aggregates)
            columns.Add(quoted ? c : QuoteIdentifier(c));
        }
        return columns;
    }

    /// <inheritdoc />
    public IReadOnlyList<(string Name, bool Numeric)> Describe(string relation, CancellationToken cancellationToken = default)
    {
        try
        {
            using var connection = _dataSource.OpenConnection();
            using var command = new NpgsqlCommand($"SELECT * FROM {relation} LIMIT 0", connection) { CommandTimeout = _commandTimeout };
            using var reader = command.ExecuteReader();
            var columns = new List<(string, bool)>();
            for (int i = 0; i < reader.FieldCount; i++)
            {
                var type = reader.GetFieldType(i);
                bool numeric = type == typeof(double) || type == typeof(float) || type == typeof(decimal) || type == typeof(long) || type == typeof(int) || type == typeof(short);
                columns.Add((reader.GetName(i), numeric));
            }
            return columns;
        }
        catch (Exception e) when (Describe(e) is { } message)
        {
            throw new SqlEngineException(message, e);
        }
    }

    /// <summary>The error in the terms of the fit: what failed, on which server, and what to do; null to let it through.</summary>
    private string? Describe(Exception e) => e switch
    {
        PostgresException { SqlState: "28P01" } => $"PostgreSQL at {_where} refused the password for user '{_where.Split('@')[0]}'. Give the right password in the URI (postgresql://user:password@host:port/db) or in PGPASSWORD/.pgpass.",
        PostgresException { SqlState: "28000" } p => $"PostgreSQL at {_where} does not accept this user: {p.MessageText}",
        PostgresException { SqlState: "3D000" } p => $"PostgreSQL at {_where}: {p.MessageText}. Check the database name in the URI.",
        PostgresException { SqlState: "42P01" } p => $"PostgreSQL at {_where}: {p.MessageText}. Check --table (and its schema).",
        PostgresException { SqlState: "42703" } p => $"PostgreSQL at {_where}: {p.MessageText}. Check the formula's column names against the table.",
        PostgresException { SqlState: "57014" } => $"PostgreSQL at {_where}: the query was cancelled after the command timeout ({_commandTimeout} s).",
        PostgresException p => $"PostgreSQL at {_where}: {p.MessageText} (SQLSTATE {p.SqlState}).",
        NpgsqlException { InnerException: SocketException s } => $"Cannot connect to PostgreSQL at {_where}: {s.Message}. Is the server running and listening on that host and port?",
        NpgsqlException { InnerException: TimeoutException } => $"Cannot connect to PostgreSQL at {_where}: no answer within the connection timeout. Is the host reachable?",
        NpgsqlException n => $"PostgreSQL at {_where}: {n.Message}",
        _ => null,
    };

    /// <inheritdoc />
    public void Dispose() => _dataSource.Dispose();
}
