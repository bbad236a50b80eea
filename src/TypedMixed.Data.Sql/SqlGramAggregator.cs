using System.Diagnostics;
using System.Globalization;

namespace TypedMixed.Data.Sql;

/// <summary>
/// Computes a model's <see cref="GramBlocks"/> inside a database, then orders the levels as the in-memory path does
/// (numbers numerically, text ordinally; a key of several columns by each in turn) and the terms as lme4 does. A plain
/// relation is read once (<see cref="GramQueries.SingleScan"/>: GROUPING SETS); a partitioned one (<see
/// cref="ISqlEngine.PartitionKeys"/>, e.g. a PostgreSQL table whose partitions are foreign tables on shards) gets one
/// query per block family grouped also by its partition keys, so every aggregate runs on the shards, and the partial
/// sums that come back are added here with compensated (Neumaier) summation.
/// </summary>
public static class SqlGramAggregator
{
    /// <summary>Runs the aggregate queries and assembles the blocks.</summary>
    /// <param name="engine">The database.</param>
    /// <param name="model">The model as SQL expressions.</param>
    /// <param name="progress">Receives one line per phase (query, rows or groups returned, seconds).</param>
    /// <param name="cancellationToken">Cancels between and (where the engine supports it) inside queries.</param>
    /// <exception cref="SqlEngineException">A query failed, or no row has values in every used column.</exception>
    public static GramBlocks Aggregate(ISqlEngine engine, AggregateModel model, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(model);
        var partitionKeys = engine.PartitionKeys(model.Relation, cancellationToken);
        var queries = new GramQueries(model, engine, partitionKeys);
        int p = model.FixedEffects.Count, k = model.Terms.Count;
        var watch = Stopwatch.StartNew();
        void Run(string phase, string sql, Action<object?[]> row)
        {
            watch.Restart();
            long count = 0;
            engine.QueryEach(sql, r => { count++; row(r); }, cancellationToken);
            progress?.Report($"{engine.Name}: {phase}: {count} row(s) in {watch.Elapsed.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture)} s");
        }

        long total = 0;
        Run("all rows", queries.TotalRows, r => total = ToLong(r[0]));
        bool merge = partitionKeys.Count > 0;
        var global = new FamilyRows(0, queries.GlobalItems.Length, merge: true);
        var termRows = Enumerable.Range(0, k).Select(t => new FamilyRows(queries.KeyCount(t), queries.TermItems[t].Length, merge)).ToArray();
        var crossRows = new Dictionary<(int, int), FamilyRows>();
        for (int i = 0; i < k; i++)
            for (int j = i + 1; j < k; j++) crossRows[(i, j)] = new FamilyRows(queries.KeyCount(i) + queries.KeyCount(j), queries.CrossItems(i, j).Length, merge);

        if (!merge)
        {
            // One scan: route each row by its grouping set to the block family it belongs to.
            int keyTotal = Enumerable.Range(0, k).Sum(queries.KeyCount);
            var keyStart = new int[k];
            for (int t = 1; t < k; t++) keyStart[t] = keyStart[t - 1] + queries.KeyCount(t - 1);
            var route = new Dictionary<long, (FamilyRows Rows, int[] Items, int[] KeyColumns)>
            {
                [queries.GroupingId()] = (global, queries.GlobalItems, []),
            };
            for (int t = 0; t < k; t++)
                route[queries.GroupingId(t)] = (termRows[t], queries.TermItems[t], Enumerable.Range(1 + keyStart[t], queries.KeyCount(t)).ToArray());
            foreach (var ((i, j), rows) in crossRows)
                route[queries.GroupingId(i, j)] = (rows, queries.CrossItems(i, j),
                    Enumerable.Range(1 + keyStart[i], queries.KeyCount(i)).Concat(Enumerable.Range(1 + keyStart[j], queries.KeyCount(j))).ToArray());
            int countColumn = 1 + keyTotal;
            var values = new double[route.Values.Max(r => r.Items.Length)];
            Run($"all blocks in one scan ({queries.Products.Count} sums, {route.Count} grouping sets)", queries.SingleScan, r =>
            {
                if (!route.TryGetValue(ToLong(r[0]), out var target))
                    throw new SqlEngineException($"{engine.Name} returned a grouping set {r[0]} that the query did not ask for.");
                var keys = new object?[target.KeyColumns.Length];
                for (int g = 0; g < keys.Length; g++) keys[g] = r[target.KeyColumns[g]];
                for (int e = 0; e < target.Items.Length; e++) values[e] = ToDouble(r[countColumn + 1 + target.Items[e]]);
                target.Rows.Add(keys, ToLong(r[countColumn]), values.AsSpan(0, target.Items.Length));
            });
            progress?.Report($"{engine.Name}: groups: " + string.Join("; ",
                Enumerable.Range(0, k).Select(t => $"term {model.Terms[t].Name}: {termRows[t].Count} level(s)")
                    .Concat(crossRows.Select(c => $"{model.Terms[c.Key.Item1].Name} × {model.Terms[c.Key.Item2].Name}: {c.Value.Count} level pair(s)"))));
        }
        else
        {
            string per = $" (grouped also by the partition key{(partitionKeys.Count > 1 ? "s" : "")} {string.Join(", ", partitionKeys)})";
            Run("global sums X'X, X'y, y'y" + per, queries.Global, r => global.Add([], ToLong(r[0]), Values(r, 1, queries.GlobalItems.Length)));
            for (int t = 0; t < k; t++)
            {
                int g = queries.KeyCount(t);
                Run($"term {model.Terms[t].Name}" + per, queries.Term(t), r => termRows[t].Add(r[..g], ToLong(r[g]), Values(r, g + 1, queries.TermItems[t].Length)));
            }
            foreach (var ((i, j), rows) in crossRows)
            {
                int g = queries.KeyCount(i) + queries.KeyCount(j);
                Run($"cross table {model.Terms[i].Name} × {model.Terms[j].Name}" + per, queries.Cross(i, j), r => rows.Add(r[..g], ToLong(r[g]), Values(r, g + 1, queries.CrossItems(i, j).Length)));
            }
        }

        long n = global.Count == 0 ? 0 : global.Counts[0];
        if (n == 0)
            throw new SqlEngineException(total == 0
                ? $"The relation {model.Relation} has no rows."
                : $"No row of {model.Relation} has values in all the columns the model uses ({string.Join(", ", model.Required)}): all {total} rows have a NULL.");
        var gv = global.Row(0);
        int e0 = 0;
        double ySum = gv[e0++], yty = gv[e0++];
        var xtx = new double[p * p];
        for (int b = 0; b < p; b++)
            for (int a = 0; a <= b; a++) xtx[b * p + a] = xtx[a * p + b] = gv[e0++];
        var xty = new double[p];
        for (int c = 0; c < p; c++) xty[c] = gv[e0++];

        // Per term: levels (sorted as the in-memory path sorts them) and their sums.
        var terms = new GramTermBlocks[k];
        var levelOf = new Dictionary<string, int>[k];
        for (int t = 0; t < k; t++)
        {
            var term = model.Terms[t];
            var rows = termRows[t];
            int g = term.KeyExpressions.Count, q = term.Columns.Count;
            var sorted = Enumerable.Range(0, rows.Count).ToArray();
            Array.Sort(sorted, (r1, r2) => CompareKeys(rows.Keys[r1], rows.Keys[r2], g));
            int m = sorted.Length;
            var keys = new string[m];
            var counts = new int[m];
            var ztz = new double[m * q * q];
            var ztx = new double[m * q * p];
            var zty = new double[m * q];
            levelOf[t] = new Dictionary<string, int>(m, StringComparer.Ordinal);
            for (int l = 0; l < m; l++)
            {
                int r = sorted[l];
                keys[l] = KeyText(rows.Keys[r], 0, g);
                levelOf[t][keys[l]] = l;
                counts[l] = checked((int)rows.Counts[r]);
                var v = rows.Row(r);
                int i = 0;
                for (int b = 0; b < q; b++)
                    for (int a = 0; a <= b; a++) ztz[l * q * q + b * q + a] = ztz[l * q * q + a * q + b] = v[i++];
                for (int c = 0; c < p; c++)
                    for (int a = 0; a < q; a++) ztx[l * q * p + c * q + a] = v[i++];
                for (int a = 0; a < q; a++) zty[l * q + a] = v[i++];
            }
            terms[t] = new GramTermBlocks
            {
                Name = term.Name,
                LevelKeys = keys,
                ColumnNames = term.Columns.Select(c => c.Name).ToArray(),
                Covariance = term.Covariance,
                LevelCounts = counts,
                ZtZ = ztz,
                ZtX = ztx,
                Zty = zty,
            };
            termRows[t] = null!; // its rows are no longer needed
        }

        // lme4 (mkReTrms) reverses order(levels) when any term has more levels than the one before it.
        var order = Enumerable.Range(0, k).ToArray();
        bool increases = false;
        for (int t = 1; t < k; t++) increases |= terms[t].LevelCount > terms[t - 1].LevelCount;
        if (increases) order = Enumerable.Range(0, k).OrderBy(t => terms[t].LevelCount).Reverse().ToArray();
        var position = new int[k];
        for (int s = 0; s < k; s++) position[order[s]] = s;

        var cross = new List<GramCrossTable>();
        foreach (var ((i, j), rows) in crossRows)
        {
            int gi = model.Terms[i].KeyExpressions.Count, gj = model.Terms[j].KeyExpressions.Count;
            int qi = model.Terms[i].Columns.Count, qj = model.Terms[j].Columns.Count;
            // Stored with the earlier term (in reported order) first.
            bool swap = position[i] > position[j];
            var first = new int[rows.Count];
            var second = new int[rows.Count];
            var blocks = new double[rows.Count * qi * qj];
            for (int r = 0; r < rows.Count; r++)
            {
                var key = rows.Keys[r];
                int li = levelOf[i][KeyText(key, 0, gi)], lj = levelOf[j][KeyText(key, gi, gj)];
                (first[r], second[r]) = swap ? (lj, li) : (li, lj);
                var v = rows.Row(r);
                int e = 0;
                for (int b = 0; b < qj; b++)
                    for (int a = 0; a < qi; a++)
                    {
                        double value = v[e++];
                        if (swap) blocks[r * qi * qj + a * qj + b] = value;
                        else blocks[r * qi * qj + b * qi + a] = value;
                    }
            }
            cross.Add(new GramCrossTable
            {
                First = Math.Min(position[i], position[j]),
                Second = Math.Max(position[i], position[j]),
                FirstLevels = first,
                SecondLevels = second,
                Blocks = blocks,
            });
        }

        var blocksOut = new GramBlocks
        {
            ResponseName = model.ResponseName,
            Rows = n,
            RowsDropped = checked((int)(total - n)),
            FixedEffectNames = model.FixedEffects.Select(c => c.Name).ToArray(),
            XtX = xtx,
            Xty = xty,
            YtY = yty,
            YSum = ySum,
            Terms = order.Select(t => terms[t]).ToArray(),
            CrossTables = cross,
        };
        blocksOut.Validate();
        return blocksOut;
    }

    private static double[] Values(object?[] row, int start, int count)
    {
        var v = new double[count];
        for (int e = 0; e < count; e++) v[e] = ToDouble(row[start + e]);
        return v;
    }

    /// <summary>
    /// The rows of one block family: keys, counts and sums, compact. With <c>merge</c>, rows with equal keys (partial sums
    /// of different partitions) are added with Neumaier's compensated summation.
    /// </summary>
    private sealed class FamilyRows(int keyCount, int width, bool merge)
    {
        public readonly List<object?[]> Keys = [];
        public readonly List<long> Counts = [];
        private readonly List<double> _sums = [];
        private readonly List<double> _compensation = [];
        private readonly Dictionary<string, int>? _index = merge ? new(StringComparer.Ordinal) : null;

        public int Count => Keys.Count;

        public void Add(object?[] keys, long count, ReadOnlySpan<double> values)
        {
            if (_index is not null)
            {
                string text = KeyText(keys, 0, keyCount);
                if (_index.TryGetValue(text, out int r))
                {
                    Counts[r] += count;
                    for (int e = 0; e < width; e++)
                    {
                        int at = r * width + e;
                        double s = _sums[at], v = values[e], sum = s + v;
                        _compensation[at] += Math.Abs(s) >= Math.Abs(v) ? (s - sum) + v : (v - sum) + s;
                        _sums[at] = sum;
                    }
                    return;
                }
                _index[text] = Keys.Count;
            }
            Keys.Add(keys);
            Counts.Add(count);
            for (int e = 0; e < width; e++) { _sums.Add(values[e]); _compensation.Add(0); }
        }

        public double[] Row(int r)
        {
            var v = new double[width];
            for (int e = 0; e < width; e++) v[e] = _sums[r * width + e] + _compensation[r * width + e];
            return v;
        }
    }

    private static bool IsNumber(object? v) => v is double or float or decimal or long or int or short or sbyte or byte or ulong or uint or ushort or System.Numerics.BigInteger;

    /// <summary>A key component as the in-memory path names a level: a number in round-trip form, text as it is.</summary>
    private static string ComponentText(object? v) => IsNumber(v) ? ToDouble(v).ToString("R", CultureInfo.InvariantCulture) : Convert.ToString(v, CultureInfo.InvariantCulture) ?? "";

    private static string KeyText(object?[] row, int start, int count) =>
        count == 1 ? ComponentText(row[start]) : string.Join(":", Enumerable.Range(start, count).Select(i => ComponentText(row[i])));

    private static int CompareKeys(object?[] r1, object?[] r2, int count)
    {
        for (int i = 0; i < count; i++)
        {
            object? a = r1[i], b = r2[i];
            int c = IsNumber(a) && IsNumber(b) ? ToDouble(a).CompareTo(ToDouble(b)) : string.CompareOrdinal(ComponentText(a), ComponentText(b));
            if (c != 0) return c;
        }
        return 0;
    }

    private static double ToDouble(object? v) => v switch
    {
        null or DBNull => 0, // a sum over no non-NULL values (cannot happen after the NULL filter)
        double d => d,
        System.Numerics.BigInteger bi => (double)bi,
        IConvertible c => c.ToDouble(CultureInfo.InvariantCulture),
        _ => throw new SqlEngineException($"The engine returned a {v.GetType().Name} where a number was expected."),
    };

    private static long ToLong(object? v) => v switch
    {
        long l => l,
        System.Numerics.BigInteger bi => (long)bi,
        IConvertible c => c.ToInt64(CultureInfo.InvariantCulture),
        _ => throw new SqlEngineException($"The engine returned a {v?.GetType().Name ?? "NULL"} where a count was expected."),
    };
}
