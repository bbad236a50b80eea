using System.Globalization;
using DuckDB.NET.Data;

// Usage: ReadData <dir> [rows]. Writes <dir>/read10m.csv and <dir>/read10m.parquet: six numeric columns
// y, x1, x2, x3, g, h, generated from the row number alone (a multiplicative hash), so every run writes the same bytes.
//   x1, x2 ~ uniform(-1, 1) with 4 decimals; x3 integer 0..99; g integer 1..5000; h integer 1..200;
//   y = 2 + 0.5 x1 - 0.3 x2 + 0.01 x3 + u[g] + v[h] + noise, rounded to 4 decimals.
string dir = args.Length > 0 ? args[0] : "benchmarks/data";
long rows = args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : 10_000_000;
Directory.CreateDirectory(dir);
using var connection = new DuckDBConnection("DataSource=:memory:");
connection.Open();
void Run(string sql)
{
    using var command = connection.CreateCommand();
    command.CommandText = sql;
    command.ExecuteNonQuery();
}
// u(k, salt): a uniform in [0, 1) from 32-bit multiplicative hashes of k (deterministic, thread-independent).
Run("CREATE MACRO u(k, salt) AS ((((k * 2654435761 + CAST(salt AS BIGINT) * 1013904223) % 4294967296) * (2 * CAST(salt AS BIGINT) + 1) % 4294967296) / 4294967296.0)");
Run($"""
    CREATE TABLE d AS
    SELECT round(2 + 0.5 * x1 - 0.3 * x2 + 0.01 * x3 + (u(g, 17) - 0.5) + 0.5 * (u(h, 29) - 0.5) + (u(i, 7) + u(i, 11) - 1), 4) AS y,
           x1, x2, x3, g, h
    FROM (SELECT i,
                 round(2 * u(i, 1) - 1, 4) AS x1,
                 round(2 * u(i, 2) - 1, 4) AS x2,
                 CAST(floor(100 * u(i, 3)) AS INTEGER) AS x3,
                 CAST(1 + floor(5000 * u(i, 4)) AS INTEGER) AS g,
                 CAST(1 + floor(200 * u(i, 5)) AS INTEGER) AS h
          FROM range({rows}) t(i))
    ORDER BY i
    """);
string csv = Path.Combine(dir, "read10m.csv"), parquet = Path.Combine(dir, "read10m.parquet");
Run($"COPY d TO '{csv}' (HEADER, DELIMITER ',')");
Run($"COPY d TO '{parquet}' (FORMAT parquet)");
Console.WriteLine($"{csv} {new FileInfo(csv).Length} bytes; {parquet} {new FileInfo(parquet).Length} bytes; {rows} rows");
