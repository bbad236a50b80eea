using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using TypedMixed.Data.DuckDb;

namespace TypedMixed.Cli.Tests.Aggregation;

/// <summary>
/// A real PostgreSQL server for the tests: initdb in a temporary directory, started with pg_ctl on a free loopback port
/// with password (SCRAM) authentication over TCP, stopped and deleted in <see cref="Dispose"/>. The binaries come from
/// Debian's postgresql package (/usr/lib/postgresql/N/bin; .ci/run installs it when missing). PostgreSQL refuses to
/// run as root, so as root the server runs as the <c>postgres</c> user.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    public const string User = "typedmixed";
    public const string Password = "typedmixed-test-pw";

    private readonly string _bin;
    private readonly string _dir;
    private readonly string _data;

    public PostgresServer()
    {
        _bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => d, StringComparer.Ordinal).FirstOrDefault() ?? throw new InvalidOperationException("No /usr/lib/postgresql/*/bin/initdb: install Debian's postgresql package (apt-get install -y postgresql).")
            : throw new InvalidOperationException("No /usr/lib/postgresql: install Debian's postgresql package (apt-get install -y postgresql).");
        _dir = Directory.CreateTempSubdirectory("typedmixed-pg-").FullName;
        _data = Path.Combine(_dir, "data");
        Port = FreePort();
        string pwfile = Path.Combine(_dir, "pw");
        File.WriteAllText(pwfile, Password + "\n");
        if (Environment.IsPrivilegedProcess) Run("chown", ["-R", "postgres:postgres", _dir], asServerUser: false);
        Run(Path.Combine(_bin, "initdb"), ["-D", _data, "-U", User, "--pwfile=" + pwfile, "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale"]);
        Run(Path.Combine(_bin, "pg_ctl"), ["-D", _data, "-l", Path.Combine(_dir, "log"), "-w", "-t", "60",
            "-o", $"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 -c max_connections=20 -c shared_buffers=16MB -c fsync=off", "start"]);
    }

    /// <summary>The server's port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>A URI for the test user, with the right or a given password.</summary>
    public string Uri(string? password = null, string database = "postgres") => $"postgresql://{User}:{password ?? Password}@127.0.0.1:{Port}/{database}";

    /// <summary>Copies a CSV file into a table (columns numeric or text as DuckDB reads the file; "NA" and blank are NULL).</summary>
    public void LoadCsv(string table, string path)
    {
        IReadOnlyList<(string Name, bool Numeric)> columns;
        using (var duck = new DuckDbSqlEngine())
            columns = duck.Describe(DuckDbSqlEngine.RelationFor(new TableSource { Location = path }));
        using var connection = new NpgsqlConnection(Npgsql(Uri()));
        connection.Open();
        using (var create = new NpgsqlCommand($"DROP TABLE IF EXISTS {table}; CREATE TABLE {table} ({string.Join(", ", columns.Select(c => $"\"{c.Name}\" {(c.Numeric ? "double precision" : "text")}"))})", connection))
            create.ExecuteNonQuery();
        using var writer = connection.BeginTextImport($"COPY {table} FROM STDIN (FORMAT csv, HEADER true, NULL 'NA')");
        writer.Write(File.ReadAllText(path));
    }

    /// <summary>Runs a statement as the test user.</summary>
    public void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(Npgsql(Uri()));
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    private static string Npgsql(string uri) => TypedMixed.Data.Postgres.PostgresSqlEngine.ToConnectionString(uri);

    /// <summary>A TCP port nothing listens on at the moment.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static void Run(string file, string[] args, bool asServerUser = true)
    {
        var info = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asServerUser && Environment.IsPrivilegedProcess)
        {
            info.FileName = "runuser";
            foreach (var a in new[] { "-u", "postgres", "--", file }) info.ArgumentList.Add(a);
        }
        else info.FileName = file;
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000)) { process.Kill(entireProcessTree: true); throw new TimeoutException($"{file} did not finish in 120 s."); }
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {stdout.Result} {stderr.Result}");
    }

    public void Dispose()
    {
        try { Run(Path.Combine(_bin, "pg_ctl"), ["-D", _data, "-m", "immediate", "-w", "-t", "30", "stop"]); }
        finally { Directory.Delete(_dir, recursive: true); }
    }
}
