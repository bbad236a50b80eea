using System.Diagnostics;
using TypedMixed.Cli.Aggregation;
using TypedMixed.Cli.Data;
using TypedMixed.Cli.Formulas;
using TypedMixed.Data.Postgres;
using TypedMixed.Data.Sql;

namespace TypedMixed.Cli.Tests.Aggregation;

/// <summary>
/// Gram blocks aggregated by a real PostgreSQL server (started by <see cref="PostgresServer"/>) equal the in-memory
/// design's and give the same fit; the server's errors (down, wrong password, missing table) are clear and bounded in time.
/// </summary>
public sealed class PostgresAggregateTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    public static TheoryData<string, string, bool> Cases() => new()
    {
        { "sleepstudy.csv", "Reaction ~ Days + (Days | Subject)", true },
        { "Penicillin.csv", "diameter ~ 1 + (1 | plate) + (1 | sample)", true },
        { "Pastes.csv", "strength ~ 1 + (1 | batch/cask)", true },
        { "Exam.csv", "normexam ~ standLRT * sex + schgend + (standLRT | school)", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ServerAggregatesGiveTheInMemoryBlocksAndFit(string file, string formula, bool reml)
    {
        string table = "t_" + Path.GetFileNameWithoutExtension(file).ToLowerInvariant();
        server.LoadCsv(table, CliRunner.DataPath(file));
        using var engine = new PostgresSqlEngine(server.Uri());
        DuckDbAggregateTests.Check(CliRunner.DataPath(file), formula, reml, engine, table);
    }

    [Fact]
    public void CliFitsFromTheServerWithTheInMemoryEstimates()
    {
        server.LoadCsv("ratings", CliRunner.DataPath("Penicillin.csv"));
        const string formula = "diameter ~ 1 + (1 | plate) + (1 | sample)";
        var memory = CliRunner.Run("fit", CliRunner.DataPath("Penicillin.csv"), formula);
        var fromServer = CliRunner.Run("fit", server.Uri(), formula, "--table", "ratings");
        Assert.True(fromServer.Code == 0, fromServer.Err);
        AggregateCliTests.AssertSameEstimates(memory.Out, fromServer.Out);
        Assert.Contains("PostgreSQL: all blocks in one scan", fromServer.Err);
        var viaSql = CliRunner.Run("fit", server.Uri(), formula, "--sql", "SELECT * FROM ratings WHERE plate <> 'a'");
        Assert.True(viaSql.Code == 0, viaSql.Err);
        Assert.Contains("aggregated 138 rows", viaSql.Err);
    }

    [Fact]
    public void NullInAUsedColumnIsDroppedAndCounted()
    {
        server.LoadCsv("sleep_nulls", CliRunner.DataPath("sleepstudy.csv"));
        server.Execute("INSERT INTO sleep_nulls (\"Reaction\", \"Days\", \"Subject\") VALUES (NULL, 1, 308), (250, NULL, 308), (260, 2, NULL)");
        using var engine = new PostgresSqlEngine(server.Uri());
        var blocks = SqlGramAggregator.Aggregate(engine, SqlModelBuilder.Build(FormulaParser.Parse("Reaction ~ Days + (Days | Subject)"), engine, "sleep_nulls"));
        Assert.Equal(180, blocks.Rows);
        Assert.Equal(3, blocks.RowsDropped);
    }

    [Fact]
    public void MissingTableOrColumnIsAClearError()
    {
        using var engine = new PostgresSqlEngine(server.Uri());
        var e = Assert.Throws<SqlEngineException>(() => SqlModelBuilder.Build(FormulaParser.Parse("Reaction ~ Days + (1 | Subject)"), engine, "no_such_table"));
        Assert.Contains("relation \"no_such_table\" does not exist", e.Message);
        server.LoadCsv("sleep_cols", CliRunner.DataPath("sleepstudy.csv"));
        var c = Assert.Throws<CliException>(() => SqlModelBuilder.Build(FormulaParser.Parse("Reaction ~ Dayz + (1 | Subject)"), engine, "sleep_cols"));
        Assert.Contains("Column 'Dayz' is not in sleep_cols", c.Message);
    }

    [Fact]
    public void QueryWithNoRowsIsAClearError()
    {
        server.LoadCsv("sleep_empty", CliRunner.DataPath("sleepstudy.csv"));
        using var engine = new PostgresSqlEngine(server.Uri());
        string relation = "(SELECT * FROM sleep_empty WHERE \"Days\" > 100) AS typedmixed_query";
        var model = SqlModelBuilder.Build(FormulaParser.Parse("Reaction ~ Days + (1 | Subject)"), engine, relation);
        var e = Assert.Throws<SqlEngineException>(() => SqlGramAggregator.Aggregate(engine, model));
        Assert.Contains("has no rows", e.Message);
        var cli = CliRunner.Run("fit", server.Uri(), "Reaction ~ Days + (1 | Subject)", "--sql", "SELECT * FROM sleep_empty WHERE \"Days\" > 100");
        Assert.NotEqual(0, cli.Code);
        Assert.Contains("has no rows", cli.Err);
    }

    [Fact]
    public void ServerThatNeverAnswersIsAnErrorWithinTheTimeout()
    {
        // A socket that accepts connections and says nothing: the connection timeout ends the wait.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        int port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        using var engine = new PostgresSqlEngine($"postgresql://typedmixed:x@127.0.0.1:{port}/postgres", connectTimeoutSeconds: 2);
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<SqlEngineException>(() => engine.Query("SELECT 1"));
        Assert.Contains($"127.0.0.1:{port}", e.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
    }

    [Fact]
    public void WrongPasswordIsRefusedClearly()
    {
        using var engine = new PostgresSqlEngine(server.Uri(password: "wrong"), connectTimeoutSeconds: 5);
        var e = Assert.Throws<SqlEngineException>(() => engine.Query("SELECT 1"));
        Assert.Contains("refused the password for user 'typedmixed'", e.Message);
    }

    [Fact]
    public void ServerThatIsDownIsAnErrorWithinTheTimeout()
    {
        int port = PostgresServer.FreePort();
        using var engine = new PostgresSqlEngine($"postgresql://typedmixed:x@127.0.0.1:{port}/postgres", connectTimeoutSeconds: 3);
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<SqlEngineException>(() => engine.Query("SELECT 1"));
        Assert.Contains($"Cannot connect to PostgreSQL at typedmixed@127.0.0.1:{port}/postgres", e.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
    }
}
