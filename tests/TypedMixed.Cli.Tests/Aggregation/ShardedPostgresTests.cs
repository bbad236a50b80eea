using Npgsql;
using TypedMixed.Cli.Aggregation;
using TypedMixed.Cli.Formulas;
using TypedMixed.Data.DuckDb;
using TypedMixed.Data.Postgres;
using TypedMixed.Data.Sql;

namespace TypedMixed.Cli.Tests.Aggregation;

/// <summary>
/// Three PostgreSQL shards and a coordinator on loopback. Each reference data set is a table on the coordinator
/// hash-partitioned by one grouping column into foreign tables on the shards (postgres_fdw): sleepstudy by Subject,
/// Penicillin by plate, Pastes by batch, Exam by school. With partitionwise aggregation every GROUP BY that includes the
/// partition key runs on the shards.
/// </summary>
public sealed class ShardedPostgres : IDisposable
{
    public PostgresServer Coordinator { get; } = new();
    public PostgresServer[] Shards { get; } = [new(), new(), new()];

    /// <summary>The data sets: file, table, partition column.</summary>
    public static readonly (string File, string Table, string Key)[] Tables =
    [
        ("sleepstudy.csv", "ratings", "Subject"),
        ("Penicillin.csv", "penicillin", "plate"),
        ("Pastes.csv", "pastes", "batch"),
        ("Exam.csv", "exam", "school"),
    ];

    public ShardedPostgres()
    {
        Coordinator.Execute("CREATE EXTENSION postgres_fdw");
        for (int s = 0; s < Shards.Length; s++)
        {
            Coordinator.Execute($"CREATE SERVER shard{s} FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', port '{Shards[s].Port}', dbname 'postgres')");
            Coordinator.Execute($"CREATE USER MAPPING FOR {PostgresServer.User} SERVER shard{s} OPTIONS (user '{PostgresServer.User}', password '{PostgresServer.Password}')");
        }
        Coordinator.Execute("ALTER DATABASE postgres SET enable_partitionwise_aggregate = on");
        foreach (var (file, table, key) in Tables)
        {
            string csv = CliRunner.DataPath(file);
            IReadOnlyList<(string Name, bool Numeric)> columns;
            using (var duck = new DuckDbSqlEngine())
                columns = duck.Describe(DuckDbSqlEngine.RelationFor(new TableSource { Location = csv }));
            string Columns() => string.Join(", ", columns.Select(c => $"\"{c.Name}\" {(c.Numeric ? "double precision" : "text")}"));
            for (int s = 0; s < Shards.Length; s++) Shards[s].Execute($"CREATE TABLE {table}_p{s} ({Columns()})");
            Coordinator.Execute($"CREATE TABLE {table} ({Columns()}) PARTITION BY HASH (\"{key}\")");
            for (int s = 0; s < Shards.Length; s++)
                Coordinator.Execute($"CREATE FOREIGN TABLE {table}_f{s} PARTITION OF {table} FOR VALUES WITH (MODULUS 3, REMAINDER {s}) SERVER shard{s} OPTIONS (table_name '{table}_p{s}')");
            using var connection = new NpgsqlConnection(PostgresSqlEngine.ToConnectionString(Coordinator.Uri()));
            connection.Open();
            using var writer = connection.BeginTextImport($"COPY {table} FROM STDIN (FORMAT csv, HEADER true, NULL 'NA')");
            writer.Write(File.ReadAllText(csv));
        }
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

    public static TheoryData<string, string, string, bool> Cases() => new()
    {
        { "sleepstudy.csv", "ratings", "Reaction ~ Days + (Days | Subject)", true },
        { "Penicillin.csv", "penicillin", "diameter ~ 1 + (1 | plate) + (1 | sample)", true },
        { "Pastes.csv", "pastes", "strength ~ 1 + (1 | batch/cask)", true },
        { "Exam.csv", "exam", "normexam ~ standLRT * sex + schgend + (standLRT | school)", false },
    };

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

    [Theory]
    [MemberData(nameof(Cases))]
    public void ShardedAggregatesGiveTheInMemoryBlocksAndFit(string file, string table, string formula, bool reml)
    {
        using var engine = new PostgresSqlEngine(cluster.Coordinator.Uri());
        DuckDbAggregateTests.Check(CliRunner.DataPath(file), formula, reml, engine, table);
    }

    [Fact]
    public void ThePartitionKeyComesFromTheCatalog()
    {
        using var engine = new PostgresSqlEngine(cluster.Coordinator.Uri());
        Assert.Equal(["\"plate\""], engine.PartitionKeys("penicillin"));
        Assert.Empty(engine.PartitionKeys("(SELECT * FROM penicillin) AS q"));
        using var shard = new PostgresSqlEngine(cluster.Shards[0].Uri());
        Assert.Empty(shard.PartitionKeys("penicillin_p0"));
    }

    /// <summary>
    /// Every query — global sums, each term, the cross table — is one Foreign Scan per shard whose remote SQL does the
    /// sums and the GROUP BY: the shards aggregate and only partial sums per partition key come back.
    /// </summary>
    [Fact]
    public void EveryAggregateRunsOnTheShards()
    {
        using var engine = new PostgresSqlEngine(cluster.Coordinator.Uri());
        var model = SqlModelBuilder.Build(FormulaParser.Parse("diameter ~ 1 + (1 | plate) + (1 | sample)"), engine, "penicillin");
        var queries = new GramQueries(model, engine, engine.PartitionKeys("penicillin"));
        foreach (var (what, sql) in new[] { ("global", queries.Global), ("term plate", queries.Term(0)), ("term sample", queries.Term(1)), ("cross", queries.Cross(0, 1)) })
        {
            var plan = string.Join("\n", engine.Query("EXPLAIN VERBOSE " + sql).Select(r => (string)r[0]!));
            var remote = plan.Split('\n').Where(l => l.Contains("Remote SQL:", StringComparison.Ordinal)).ToArray();
            Assert.True(remote.Length == 3, what + ":\n" + plan);
            Assert.All(remote, l => Assert.Contains("GROUP BY", l));
            Assert.All(remote, l => Assert.True(l.Contains("sum(", StringComparison.Ordinal) || l.Contains("count(*)", StringComparison.Ordinal), l));
        }
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
