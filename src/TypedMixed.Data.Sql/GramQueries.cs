using System.Text;

namespace TypedMixed.Data.Sql;

/// <summary>
/// The SQL that computes a model's Gram blocks, all reading one common table expression <c>d</c> that evaluates the
/// model's columns per row (response <c>y</c>, X columns <c>x0…</c>, term keys <c>k{t}_{g}</c>, term columns
/// <c>z{t}_{a}</c>, partition keys <c>pk{i}</c>) over the rows with no NULL in a used column.
/// </summary>
/// <remarks>
/// Two shapes of the same sums. <see cref="SingleScan"/>: one GROUP BY GROUPING SETS statement — the empty set (global
/// sums), each term's key and each pair of terms' keys — so the data are read once; each distinct product of two model
/// columns is summed once and every block takes the products it needs (<see cref="GlobalItems"/>, <see cref="TermItems"/>,
/// <see cref="CrossItems"/>). <see cref="Global"/>, <see cref="Term"/>, <see cref="Cross"/>: one statement per block
/// family, each grouping also by the relation's partition keys when it has any, so a partitioned table whose partitions
/// are foreign tables (postgres_fdw) aggregates on its shards and only partial sums per partition key come back (added
/// by <see cref="SqlGramAggregator"/>).
/// </remarks>
public sealed class GramQueries
{
    private readonly AggregateModel _model;
    private readonly ISqlEngine _engine;
    private readonly IReadOnlyList<string> _partitionKeys;
    private readonly string _with;
    private readonly HashSet<string> _ones = new(StringComparer.Ordinal);
    private readonly List<(string A, string B)> _products = [];
    private readonly Dictionary<(string, string), int> _productIndex = [];

    /// <summary>Queries for <paramref name="model"/> in <paramref name="engine"/>'s dialect.</summary>
    /// <param name="model">The model as SQL expressions.</param>
    /// <param name="engine">The database (its accurate sum and casts).</param>
    /// <param name="partitionKeys">Expressions the relation is partitioned by (added to each per-family GROUP BY); none by default.</param>
    public GramQueries(AggregateModel model, ISqlEngine engine, IReadOnlyList<string>? partitionKeys = null)
    {
        _model = model;
        _engine = engine;
        _partitionKeys = partitionKeys ?? [];
        // Columns that are the constant 1 (intercepts): a product with one is the other factor, 1·1 is the row count.
        for (int c = 0; c < model.FixedEffects.Count; c++)
            if (IsOne(model.FixedEffects[c].Expression)) _ones.Add($"x{c}");
        for (int t = 0; t < model.Terms.Count; t++)
            for (int a = 0; a < model.Terms[t].Columns.Count; a++)
                if (IsOne(model.Terms[t].Columns[a].Expression)) _ones.Add($"z{t}_{a}");
        var sb = new StringBuilder("WITH d AS (SELECT ");
        var items = new List<string> { $"{engine.ToDouble(model.Response)} AS y" };
        for (int c = 0; c < model.FixedEffects.Count; c++) items.Add($"{engine.ToDouble(model.FixedEffects[c].Expression)} AS x{c}");
        for (int t = 0; t < model.Terms.Count; t++)
        {
            var term = model.Terms[t];
            for (int g = 0; g < term.KeyExpressions.Count; g++) items.Add($"{term.KeyExpressions[g]} AS k{t}_{g}");
            for (int a = 0; a < term.Columns.Count; a++) items.Add($"{engine.ToDouble(term.Columns[a].Expression)} AS z{t}_{a}");
        }
        for (int i = 0; i < _partitionKeys.Count; i++) items.Add($"{_partitionKeys[i]} AS pk{i}");
        sb.Append(string.Join(", ", items)).Append(" FROM ").Append(model.Relation);
        if (model.Required.Count > 0)
            sb.Append(" WHERE ").Append(string.Join(" AND ", model.Required.Select(r => $"{r} IS NOT NULL")));
        sb.Append(") ");
        _with = sb.ToString();

        // Register every product the blocks need, in the order the blocks list them.
        GlobalItems = Items(GlobalPairs());
        TermItems = Enumerable.Range(0, model.Terms.Count).Select(t => Items(TermPairs(t))).ToArray();
        var cross = new Dictionary<(int, int), int[]>();
        for (int i = 0; i < model.Terms.Count; i++)
            for (int j = i + 1; j < model.Terms.Count; j++) cross[(i, j)] = Items(CrossPairs(i, j));
        _cross = cross;
    }

    private readonly Dictionary<(int, int), int[]> _cross;

    private static bool IsOne(string expression) => expression.Trim() is "1" or "1.0";

    /// <summary>All rows of the relation: <c>SELECT COUNT(*)</c>, to count those dropped for a NULL.</summary>
    public string TotalRows => $"SELECT COUNT(*) FROM {_model.Relation}";

    /// <summary>The distinct sums of products: index e is Σ a·b for <c>Products[e]</c> (aliases; <c>1</c> for a constant one).</summary>
    public IReadOnlyList<(string A, string B)> Products => _products;

    /// <summary>The global block's sums as product indices: Σy, y'y, X'X (a ≤ b, b outer), X'y (the row count comes first, apart).</summary>
    public int[] GlobalItems { get; }

    /// <summary>Term t's sums per level as product indices: Z'Z (a ≤ b, b outer), Z'X (c outer, a inner), Z'y.</summary>
    public IReadOnlyList<int[]> TermItems { get; }

    /// <summary>The cross table's sums of terms <paramref name="i"/> &lt; <paramref name="j"/> per level pair as product indices: zᵢₐ z_jb (b outer).</summary>
    public int[] CrossItems(int i, int j) => _cross[(i, j)];

    /// <summary>The number of key columns of term <paramref name="t"/>.</summary>
    public int KeyCount(int t) => _model.Terms[t].KeyExpressions.Count;

    /// <summary>
    /// One statement, one scan: <c>GROUPING(all keys)</c> (a bit per key column, the last key the lowest bit, 1 = not
    /// grouped), every key column, the row count and every product of <see cref="Products"/>, grouped by the sets
    /// (), (term t's keys) for each t, and (term i's keys, term j's keys) for each pair i &lt; j.
    /// </summary>
    public string SingleScan
    {
        get
        {
            var keys = AllKeys();
            var sets = new List<string> { "()" };
            for (int t = 0; t < _model.Terms.Count; t++) sets.Add("(" + string.Join(", ", KeysOf(t)) + ")");
            for (int i = 0; i < _model.Terms.Count; i++)
                for (int j = i + 1; j < _model.Terms.Count; j++) sets.Add("(" + string.Join(", ", KeysOf(i).Concat(KeysOf(j))) + ")");
            var items = new List<string> { $"GROUPING({string.Join(", ", keys)})" };
            items.AddRange(keys);
            items.Add("COUNT(*)");
            items.AddRange(_products.Select(p => Aggregate(p)));
            return _with + "SELECT " + string.Join(", ", items) + " FROM d GROUP BY GROUPING SETS (" + string.Join(", ", sets) + ")";
        }
    }

    /// <summary>The GROUPING value of <see cref="SingleScan"/>'s rows for the set of terms <paramref name="terms"/> (empty: global).</summary>
    public long GroupingId(params int[] terms)
    {
        long id = 0;
        int total = AllKeys().Count, bit = total - 1;
        for (int t = 0; t < _model.Terms.Count; t++)
            for (int g = 0; g < KeyCount(t); g++, bit--)
                if (!terms.Contains(t)) id |= 1L << bit;
        return id;
    }

    /// <summary>
    /// Global sums: the row count then <see cref="GlobalItems"/>; one row, or one per partition key when the relation is partitioned.
    /// </summary>
    public string Global => Grouped([], GlobalItems);

    /// <summary>One row per level of term <paramref name="t"/> (and partition key): its key columns, the row count, then <see cref="TermItems"/>[t].</summary>
    public string Term(int t) => Grouped(KeysOf(t), TermItems[t]);

    /// <summary>One row per pair of levels of terms <paramref name="i"/> &lt; <paramref name="j"/> that share a row (and partition key): both keys, the row count, then <see cref="CrossItems"/>.</summary>
    public string Cross(int i, int j) => Grouped(KeysOf(i).Concat(KeysOf(j)).ToList(), CrossItems(i, j));

    private string Grouped(IReadOnlyList<string> keys, int[] products)
    {
        var group = keys.Concat(Enumerable.Range(0, _partitionKeys.Count).Select(i => $"pk{i}")).ToList();
        var items = new List<string>(keys) { "COUNT(*)" };
        items.AddRange(products.Select(e => Aggregate(_products[e])));
        string sql = _with + "SELECT " + string.Join(", ", items) + " FROM d";
        return group.Count == 0 ? sql : sql + " GROUP BY " + string.Join(", ", group);
    }

    private List<string> KeysOf(int t) => Enumerable.Range(0, KeyCount(t)).Select(g => $"k{t}_{g}").ToList();

    private List<string> AllKeys() => Enumerable.Range(0, _model.Terms.Count).SelectMany(KeysOf).ToList();

    private List<(string, string)> GlobalPairs()
    {
        int p = _model.FixedEffects.Count;
        var pairs = new List<(string, string)> { ("1", "y"), ("y", "y") };
        for (int b = 0; b < p; b++)
            for (int a = 0; a <= b; a++) pairs.Add(($"x{a}", $"x{b}"));
        for (int c = 0; c < p; c++) pairs.Add(($"x{c}", "y"));
        return pairs;
    }

    private List<(string, string)> TermPairs(int t)
    {
        int q = _model.Terms[t].Columns.Count, p = _model.FixedEffects.Count;
        var pairs = new List<(string, string)>();
        for (int b = 0; b < q; b++)
            for (int a = 0; a <= b; a++) pairs.Add(($"z{t}_{a}", $"z{t}_{b}"));
        for (int c = 0; c < p; c++)
            for (int a = 0; a < q; a++) pairs.Add(($"z{t}_{a}", $"x{c}"));
        for (int a = 0; a < q; a++) pairs.Add(($"z{t}_{a}", "y"));
        return pairs;
    }

    private List<(string, string)> CrossPairs(int i, int j)
    {
        int qi = _model.Terms[i].Columns.Count, qj = _model.Terms[j].Columns.Count;
        var pairs = new List<(string, string)>();
        for (int b = 0; b < qj; b++)
            for (int a = 0; a < qi; a++) pairs.Add(($"z{i}_{a}", $"z{j}_{b}"));
        return pairs;
    }

    /// <summary>Product indices of <paramref name="pairs"/>, registering new products; a constant-one factor is written <c>1</c>, and a·b = b·a.</summary>
    private int[] Items(List<(string, string)> pairs) => pairs.Select(pair =>
    {
        string a = _ones.Contains(pair.Item1) ? "1" : pair.Item1, b = _ones.Contains(pair.Item2) ? "1" : pair.Item2;
        var key = string.CompareOrdinal(a, b) <= 0 ? (a, b) : (b, a);
        if (!_productIndex.TryGetValue(key, out int e))
        {
            e = _productIndex[key] = _products.Count;
            _products.Add(key);
        }
        return e;
    }).ToArray();

    /// <summary>The accurate sum of a product; a factor that is the constant 1 is left out (1·1: the row count).</summary>
    private string Aggregate((string A, string B) product) => product switch
    {
        ("1", "1") => "COUNT(*)",
        ("1", var b) => _engine.AccurateSum(b),
        (var a, "1") => _engine.AccurateSum(a),
        var (a, b) => _engine.AccurateSum($"{a} * {b}"),
    };
}
