using System.Text;

namespace TypedMixed.Data.Sql;

/// <summary>
/// The SQL that computes a model's Gram blocks (one statement per block family), all reading one common table
/// expression <c>d</c> that evaluates the model's columns per row (response <c>y</c>, X columns <c>x0…</c>, term keys
/// <c>k{t}_{g}</c> and term columns <c>z{t}_{a}</c>) over the rows with no NULL in a used column.
/// </summary>
public sealed class GramQueries
{
    private readonly AggregateModel _model;
    private readonly ISqlEngine _engine;

    /// <summary>Queries for <paramref name="model"/> in <paramref name="engine"/>'s dialect.</summary>
    public GramQueries(AggregateModel model, ISqlEngine engine)
    {
        _model = model;
        _engine = engine;
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
        sb.Append(string.Join(", ", items)).Append(" FROM ").Append(model.Relation);
        if (model.Required.Count > 0)
            sb.Append(" WHERE ").Append(string.Join(" AND ", model.Required.Select(r => $"{r} IS NOT NULL")));
        sb.Append(") ");
        _with = sb.ToString();
    }

    private readonly string _with;
    private readonly HashSet<string> _ones = new(StringComparer.Ordinal);

    private static bool IsOne(string expression) => expression.Trim() is "1" or "1.0";

    /// <summary>All rows of the relation: <c>SELECT COUNT(*)</c>, to count those dropped for a NULL.</summary>
    public string TotalRows => $"SELECT COUNT(*) FROM {_model.Relation}";

    /// <summary>
    /// One row: n, Σy, y'y, then X'X by columns (a ≤ b, column b outer), then X'y.
    /// </summary>
    public string Global
    {
        get
        {
            int p = _model.FixedEffects.Count;
            var items = new List<string> { "COUNT(*)", Sum("y"), Product("y", "y") };
            for (int b = 0; b < p; b++)
                for (int a = 0; a <= b; a++) items.Add(Product($"x{a}", $"x{b}"));
            for (int c = 0; c < p; c++) items.Add(Product($"x{c}", "y"));
            return _with + "SELECT " + string.Join(", ", items) + " FROM d";
        }
    }

    /// <summary>
    /// One row per level of term <paramref name="t"/>: its key columns, the row count, Z'Z (a ≤ b, b outer), Z'X
    /// (c outer, a inner) and Z'y.
    /// </summary>
    public string Term(int t)
    {
        var term = _model.Terms[t];
        int q = term.Columns.Count, p = _model.FixedEffects.Count;
        var keys = Enumerable.Range(0, term.KeyExpressions.Count).Select(g => $"k{t}_{g}").ToList();
        var items = new List<string>(keys) { "COUNT(*)" };
        for (int b = 0; b < q; b++)
            for (int a = 0; a <= b; a++) items.Add(Product($"z{t}_{a}", $"z{t}_{b}"));
        for (int c = 0; c < p; c++)
            for (int a = 0; a < q; a++) items.Add(Product($"z{t}_{a}", $"x{c}"));
        for (int a = 0; a < q; a++) items.Add(Product($"z{t}_{a}", "y"));
        return _with + "SELECT " + string.Join(", ", items) + " FROM d GROUP BY " + string.Join(", ", keys);
    }

    /// <summary>One row per pair of levels of terms <paramref name="i"/> &lt; <paramref name="j"/> that share a row: both keys, then Σ zᵢₐ z_jb (b outer).</summary>
    public string Cross(int i, int j)
    {
        int qi = _model.Terms[i].Columns.Count, qj = _model.Terms[j].Columns.Count;
        var keys = Enumerable.Range(0, _model.Terms[i].KeyExpressions.Count).Select(g => $"k{i}_{g}")
            .Concat(Enumerable.Range(0, _model.Terms[j].KeyExpressions.Count).Select(g => $"k{j}_{g}")).ToList();
        var items = new List<string>(keys);
        for (int b = 0; b < qj; b++)
            for (int a = 0; a < qi; a++) items.Add(Product($"z{i}_{a}", $"z{j}_{b}"));
        return _with + "SELECT " + string.Join(", ", items) + " FROM d GROUP BY " + string.Join(", ", keys);
    }

    private string Sum(string expression) => _engine.AccurateSum(expression);

    /// <summary>The accurate sum of the product of two aliases; a factor that is the constant 1 is left out (1·1: the row count).</summary>
    private string Product(string a, string b) => (_ones.Contains(a), _ones.Contains(b)) switch
    {
        (true, true) => "COUNT(*)",
        (true, false) => Sum(b),
        (false, true) => Sum(a),
        _ => Sum($"{a} * {b}"),
    };
}
