using System.Diagnostics;
using System.Globalization;
using TypedMixed.Data.DuckDb;

namespace TypedMixed.Benchmarks.Harness;

/// <summary>
/// <c>scale-out-generate DIR [ROWS] [FILES]</c>: the issue-17 data set, generated deterministically inside DuckDB (hashes of
/// the row number, no random state) and written as FILES Parquet files <c>part-NN.parquet</c> of ROWS/FILES rows each.
/// Columns: <c>cluster</c> (ROWS/100 levels, 100 consecutive rows each), <c>usr</c> = cluster div 10 (ROWS/1000 levels),
/// <c>item</c> (2,000 levels; each usr rates 20 of them, so 20 × usr level pairs), <c>x</c> uniform on (0, 1), and
/// y = 1 + 0.5x + a[cluster] + b[cluster]·x + u[usr] + v[item] + e with a, b, u, v, e uniform and centred
/// (widths 1, 0.5, 0.6, 0.8, 1). Part 0 alone is the first ROWS/FILES rows (the in-memory and lme4 comparison).
/// </summary>
internal static class ScaleOutData
{
    /// <summary>
    /// <c>scale-out-csv DIR ROWS [SHARDS]</c>: the first ROWS rows (clusters below ROWS/100) of part-00 as
    /// <c>DIR/head-ROWS.csv</c> (for lme4), or with SHARDS as <c>DIR/head-ROWS-shardS.csv</c> split by ranges of usr
    /// (shard s holds usr in [s·U/SHARDS, (s+1)·U/SHARDS), U = ROWS/1000), for the sharded PostgreSQL benchmark.
    /// </summary>
    public static int Csv(string[] args)
    {
        string dir = args[0];
        long rows = long.Parse(args[1], CultureInfo.InvariantCulture);
        int shards = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 0;
        using var engine = new DuckDbSqlEngine();
        string source = Path.GetFullPath(Path.Combine(dir, "part-00.parquet")).Replace("'", "''", StringComparison.Ordinal);
        void Write(string name, string where)
        {
            string target = Path.GetFullPath(Path.Combine(dir, name)).Replace("'", "''", StringComparison.Ordinal);
            engine.Query($"COPY (SELECT * FROM read_parquet('{source}') WHERE cluster < {rows / 100} AND {where} ORDER BY cluster, usr, item, x) TO '{target}' (HEADER, DELIMITER ',')");
            Console.WriteLine(target);
        }
        if (shards == 0) Write($"head-{rows}.csv", "true");
        long users = rows / 1000;
        for (int s = 0; s < shards; s++)
            Write($"head-{rows}-shard{s}.csv", $"usr >= {s * users / shards} AND usr < {(s + 1) * users / shards}");
        return 0;
    }

    /// <summary>
    /// <c>scale-out-accuracy DIR</c>: how accurate the Gram sums the aggregation queries take with DuckDB's <c>fsum</c>
    /// (compensated double sums) are on the whole Parquet set: each sum of the global block and of the 2,000-level item
    /// term's block against the exact sum of the same double products in DECIMAL(38,24) (128-bit integers: exact for
    /// these magnitudes); prints the largest relative error per block.
    /// </summary>
    public static int Accuracy(string[] args)
    {
        string dir = args[0];
        string source = Path.GetFullPath(Path.Combine(dir, "*.parquet")).Replace("'", "''", StringComparison.Ordinal);
        using var engine = new DuckDbSqlEngine(new DuckDbEngineOptions { MemoryLimit = "1GB", TempDirectory = Path.Combine(dir, ".tmp") });
        string[] products = ["1.0", "x", "y", "x * x", "x * y", "y * y"];
        string Sums(string prefix) => string.Join(", ", products.Select((e, j) =>
            $"fsum({e}) AS f{j}, CAST(sum(CAST({e} AS DECIMAL(38,24))) AS DOUBLE) AS d{j}"));
        double Worst(IReadOnlyList<object?[]> rows, int offset, out string which)
        {
            double worst = 0; which = "";
            foreach (var r in rows)
                for (int j = 0; j < products.Length; j++)
                {
                    double f = Convert.ToDouble(r[offset + 2 * j], CultureInfo.InvariantCulture);
                    double d = Convert.ToDouble(r[offset + 2 * j + 1], CultureInfo.InvariantCulture);
                    double rel = d == 0 ? Math.Abs(f) : Math.Abs(f - d) / Math.Abs(d);
                    if (rel > worst) { worst = rel; which = products[j]; }
                }
            return worst;
        }
        var watch = Stopwatch.StartNew();
        var global = engine.Query($"SELECT count(*), {Sums("")} FROM read_parquet('{source}')");
        double g = Worst(global, 1, out string gw);
        Console.WriteLine($"rows {global[0][0]}: global sums (Σ1, Σx, Σy, Σx², Σxy, Σy²): largest relative error of fsum {g:E2} ({gw}) [{watch.Elapsed.TotalSeconds:F1} s]");
        watch.Restart();
        var items = engine.Query($"SELECT item, {Sums("")} FROM read_parquet('{source}') GROUP BY item");
        double t = Worst(items, 1, out string tw);
        Console.WriteLine($"item term ({items.Count} levels): per-level sums: largest relative error of fsum {t:E2} ({tw}) [{watch.Elapsed.TotalSeconds:F1} s]");
        return 0;
    }

    public static int Run(string[] args)
    {
        string dir = args.Length > 0 ? args[0] : "benchmarks/data/scale-out";
        long rows = args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : 100_000_000;
        int files = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10;
        Directory.CreateDirectory(dir);
        using var engine = new DuckDbSqlEngine(new DuckDbEngineOptions { MemoryLimit = "1GB", TempDirectory = Path.Combine(dir, ".tmp") });
        long per = rows / files;
        for (int f = 0; f < files; f++)
        {
            var watch = Stopwatch.StartNew();
            string path = Path.GetFullPath(Path.Combine(dir, $"part-{f:D2}.parquet"));
            long start = f * per, end = f == files - 1 ? rows : start + per;
            // U(h, w): a value uniform on (−w/2, w/2) from hash h.
            static string U(string h, string w) => $"(({h}) % 1000003 / 1000003.0 - 0.5) * {w}";
            string sql = $@"COPY (
SELECT CAST(i // 100 AS INTEGER) AS cluster, CAST(i // 1000 AS INTEGER) AS usr,
       CAST(((i // 1000) * 37 + (i % 20) * 101) % 2000 AS INTEGER) AS item,
       x,
       1 + 0.5 * x + {U("hash(3 * (i // 100) + 1)", "1.0")} + {U("hash(3 * (i // 100) + 2)", "0.5")} * x
         + {U("hash(5 * (i // 1000) + 7)", "0.6")} + {U("hash(11 * (((i // 1000) * 37 + (i % 20) * 101) % 2000) + 13)", "0.8")}
         + {U("hash(2 * i + 1)", "1.0")} AS y
FROM (SELECT i, (hash(2 * i) % 1000003) / 1000003.0 AS x FROM range({start}, {end}) t(i))
) TO '{path.Replace("'", "''", StringComparison.Ordinal)}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)";
            engine.Query(sql);
            Console.WriteLine($"{path}: rows {start}..{end - 1} in {watch.Elapsed.TotalSeconds:F1} s");
        }
        return 0;
    }
}
