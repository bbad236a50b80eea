using System.Diagnostics;
using System.Globalization;

namespace TypedMixed.Data.Sql;

/// <summary>
/// Computes a model's <see cref="GramBlocks"/> inside a database: the global sums, one GROUP BY per term and one per
/// pair of terms (<see cref="GramQueries"/>), then orders the levels as the in-memory path does (numbers numerically,
/// text ordinally; a key of several columns by each in turn) and the terms as lme4 does.
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
        var queries = new GramQueries(model, engine);
        int p = model.FixedEffects.Count, k = model.Terms.Count;
        var watch = Stopwatch.StartNew();
        IReadOnlyList<object?[]> Run(string phase, string sql)
        {
            watch.Restart();
            var rows = engine.Query(sql, cancellationToken);
            progress?.Report($"{engine.Name}: {phase}: {rows.Count} row(s) in {watch.Elapsed.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture)} s");
            return rows;
        }

        long total = ToLong(Run("all rows", queries.TotalRows)[0][0]);
        var global = Run("global sums X'X, X'y, y'y", queries.Global)[0];
        long n = ToLong(global[0]);
        if (n == 0)
            throw new SqlEngineException(total == 0
                ? $"The relation {model.Relation} has no rows."
                : $"No row of {model.Relation} has values in all the columns the model uses ({string.Join(", ", model.Required)}): all {total} rows have a NULL.");
        int e = 1;
        double ySum = ToDouble(global[e++]), yty = ToDouble(global[e++]);
        var xtx = new double[p * p];
        for (int b = 0; b < p; b++)
            for (int a = 0; a <= b; a++) xtx[b * p + a] = xtx[a * p + b] = ToDouble(global[e++]);
        var xty = new double[p];
        for (int c = 0; c < p; c++) xty[c] = ToDouble(global[e++]);

        // Per term: levels (sorted as the in-memory path sorts them) and their sums.
        var terms = new GramTermBlocks[k];
        var levelOf = new Dictionary<string, int>[k];
        for (int t = 0; t < k; t++)
        {
            var term = model.Terms[t];
            int g = term.KeyExpressions.Count, q = term.Columns.Count;
            var rows = Run($"term {term.Name}", queries.Term(t)).ToList();
            rows.Sort((r1, r2) => CompareKeys(r1, r2, 0, 0, g));
            int m = rows.Count;
            var keys = new string[m];
            var counts = new int[m];
            var ztz = new double[m * q * q];
            var ztx = new double[m * q * p];
            var zty = new double[m * q];
            levelOf[t] = new Dictionary<string, int>(m, StringComparer.Ordinal);
            for (int l = 0; l < m; l++)
            {
                var r = rows[l];
                keys[l] = KeyText(r, 0, g);
                levelOf[t][keys[l]] = l;
                int i = g;
                counts[l] = checked((int)ToLong(r[i++]));
                for (int b = 0; b < q; b++)
                    for (int a = 0; a <= b; a++) ztz[l * q * q + b * q + a] = ztz[l * q * q + a * q + b] = ToDouble(r[i++]);
                for (int c = 0; c < p; c++)
                    for (int a = 0; a < q; a++) ztx[l * q * p + c * q + a] = ToDouble(r[i++]);
                for (int a = 0; a < q; a++) zty[l * q + a] = ToDouble(r[i++]);
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
        }

        // lme4 (mkReTrms) reverses order(levels) when any term has more levels than the one before it.
        var order = Enumerable.Range(0, k).ToArray();
        bool increases = false;
        for (int t = 1; t < k; t++) increases |= terms[t].LevelCount > terms[t - 1].LevelCount;
        if (increases) order = Enumerable.Range(0, k).OrderBy(t => terms[t].LevelCount).Reverse().ToArray();
        var position = new int[k];
        for (int s = 0; s < k; s++) position[order[s]] = s;

        var cross = new List<GramCrossTable>();
        for (int i = 0; i < k; i++)
            for (int j = i + 1; j < k; j++)
            {
                int gi = model.Terms[i].KeyExpressions.Count, gj = model.Terms[j].KeyExpressions.Count;
                int qi = model.Terms[i].Columns.Count, qj = model.Terms[j].Columns.Count;
                var rows = Run($"cross table {model.Terms[i].Name} × {model.Terms[j].Name}", queries.Cross(i, j));
                // Stored with the earlier term (in reported order) first.
                bool swap = position[i] > position[j];
                var first = new int[rows.Count];
                var second = new int[rows.Count];
                var blocks = new double[rows.Count * qi * qj];
                for (int r = 0; r < rows.Count; r++)
                {
                    var row = rows[r];
                    int li = levelOf[i][KeyText(row, 0, gi)], lj = levelOf[j][KeyText(row, gi, gj)];
                    (first[r], second[r]) = swap ? (lj, li) : (li, lj);
                    int v = gi + gj;
                    for (int b = 0; b < qj; b++)
                        for (int a = 0; a < qi; a++)
                        {
                            double value = ToDouble(row[v++]);
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

    private static bool IsNumber(object? v) => v is double or float or decimal or long or int or short or sbyte or byte or ulong or uint or ushort or System.Numerics.BigInteger;

    /// <summary>A key component as the in-memory path names a level: a number in round-trip form, text as it is.</summary>
    private static string ComponentText(object? v) => IsNumber(v) ? ToDouble(v).ToString("R", CultureInfo.InvariantCulture) : Convert.ToString(v, CultureInfo.InvariantCulture) ?? "";

    private static string KeyText(object?[] row, int start, int count) =>
        string.Join(":", Enumerable.Range(start, count).Select(i => ComponentText(row[i])));

    private static int CompareKeys(object?[] r1, object?[] r2, int s1, int s2, int count)
    {
        for (int i = 0; i < count; i++)
        {
            object? a = r1[s1 + i], b = r2[s2 + i];
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
