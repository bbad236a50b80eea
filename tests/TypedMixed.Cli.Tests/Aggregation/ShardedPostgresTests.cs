using Npgsql;
using TypedMixed.Cli.Aggregation;
using TypedMixed.Cli.Formulas;
using TypedMixed.Data.DuckDb;
using TypedMixed.Data.Postgres;
using TypedMixed.Data.Sql;

namespace TypedMixed.Cli.Tests.Aggregation;

/// <summary>
/// Three PostgreSQL shards and a coordinator on loopback: the coordinator's table is hash-partitioned by Subject into
/// foreign tables on the shards (postgres_fdw). Partitionwise aggregation runs each term's GROUP BY on the shards.
/// </summary>
public sealed class ShardedPostgres : IDisposable
{
    public PostgresServer Coordinator { get; } = new();
    public PostgresServer[] Shards { get; } = [new(), new(), new()];

    public ShardedPostgres()
    {
        string csv = CliRunner.DataPath("sleepstudy.csv");
        IReadOnlyList<(string Name, bool Numeric)> columns;
        using (var duck = new DuckDbSqlEngine())
            columns = duck.Describe(DuckDbSqlEngine.RelationFor(new TableSource { Location = csv }));
        string Columns() => string.Join(", ", columns.Select(c => $"\"{c.Name}\" {(c.Numeric ? "double precision" : "text")}"));
        for (int s = 0; s < Shards.Length; s++) Shards[s].Execute($"CREATE TABLE ratings_p{s} ({Columns()})");
        Coordinator.Execute("CREATE EXTENSION postgres_fdw");
        Coordinator.Execute($"CREATE TABLE ratings ({Columns()}) PARTITION BY HASH (\"Subject\")");
        for (int s = 0; s < Shards.Length; s++)
        {
            Coordinator.Execute($"CREATE SERVER shard{s} FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', port '{Shards[s].Port}', dbname 'postgres')");
            Coordinator.Execute($"CREATE USER MAPPING FOR {PostgresServer.User} SERVER shard{s} OPTIONS (user '{PostgresServer.User}', password '{PostgresServer.Password}')");
            Coordinator.Execute($"CREATE FOREIGN TABLE ratings_f{s} PARTITION OF ratings FOR VALUES WITH (MODULUS 3, REMAINDER {s}) SERVER shard{s} OPTIONS (table_name 'ratings_p{s}')");
        }
        Coordinator.Execute("ALTER DATABASE postgres SET enable_partitionwise_aggregate = on");
        using var connection = new NpgsqlConnection(PostgresSqlEngine.ToConnectionString(Coordinator.Uri()));
        connection.Open();
        using var writer = connection.BeginTextImport("COPY ratings FROM STDIN (FORMAT csv, HEADER true, NULL 'NA')");
        writer.Write(File.ReadAllText(csv));
    }

    public void Dispose()
    {
        Coordinator.Dispose();
        foreach (var s in Shards) s.Dispose();
    }
}

public sealed class ShardedPostgresTests(ShardedPostgres cluster) : IClassFixture<ShardedPostgres>
{
    private const string Formula = "Reaction ~ Days + (Days | Subject)";

    [Fact]
    public void EveryShardHoldsPartOfTheRows()
    {
        var counts = cluster.Shards.Select((s, i) =>
        {
            using var e = new PostgresSqlEngine(s.Uri());
            return Convert.ToInt64(e.Query($"SELECT COUNT(*) FROM ratings_p{i}")[0][0]);
        }).ToArray();
        Assert.All(counts, c => Assert.True(c > 0));
        Assert.Equal(180, counts.Sum());
    }

    [Fact]
    public void ShardedAggregatesGiveTheInMemoryBlocksAndFit()
    {
        using var engine = new PostgresSqlEngine(cluster.Coordinator.Uri());
        DuckDbAggregateTests.Check(CliRunner.DataPath("sleepstudy.csv"), Formula, true, engine, "ratings");
    }

    [Fact]
    public void TermAggregatesRunOnTheShards()
    {
        using var engine = new PostgresSqlEngine(cluster.Coordinator.Uri());
        var model = SqlModelBuilder.Build(FormulaParser.Parse(Formula), engine, "ratings");
        var plan = string.Join("\n", engine.Query("EXPLAIN VERBOSE " + new GramQueries(model, engine).Term(0)).Select(r => (string)r[0]!));
        // One Foreign Scan per shard whose remote SQL does the GROUP BY (the shards aggregate; only groups come back).
        var remote = plan.Split('\n').Where(l => l.Contains("Remote SQL:", StringComparison.Ordinal)).ToArray();
        Assert.True(remote.Length == 3, plan);
        Assert.All(remote, l => Assert.Contains("GROUP BY", l));
        Assert.All(remote, l => Assert.Contains("sum(", l));
    }
}
