namespace TypedMixed.Generated;

/// <summary>The sorted distinct levels of a classification or string category, with their text for reporting.</summary>
/// <typeparam name="TKey">The key type as declared in the user's data type.</typeparam>
public sealed class LevelSet<TKey> : IReadOnlyList<TKey> where TKey : notnull
{
    private readonly TKey[] _keys;
    private readonly Dictionary<TKey, int> _index;
    private readonly Func<TKey, string> _format;

    /// <summary>Creates the set from distinct keys, sorted by <paramref name="order"/> and named by <paramref name="format"/>.</summary>
    public LevelSet(IEnumerable<TKey> distinctKeys, IComparer<TKey> order, Func<TKey, string> format, IEqualityComparer<TKey>? equality = null)
    {
        _format = format;
        _keys = distinctKeys.ToArray();
        Array.Sort(_keys, order);
        _index = new Dictionary<TKey, int>(_keys.Length, equality);
        var names = new string[_keys.Length];
        for (int l = 0; l < _keys.Length; l++)
        {
            _index.Add(_keys[l], l);
            names[l] = format(_keys[l]);
        }
        Names = names;
    }

    /// <summary>The levels' text, in level order (what <see cref="RandomEffectsTerm.LevelKeys"/> holds).</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Number of levels.</summary>
    public int Count => _keys.Length;

    /// <summary>The key of level <paramref name="index"/>.</summary>
    public TKey this[int index] => _keys[index];

    /// <summary>The text of <paramref name="key"/>, as its level would be named (lme4's <c>a:b</c> for nested keys).</summary>
    public string Format(TKey key) => _format(key);

    /// <summary>
    /// Up to <paramref name="count"/> level names and how many there are, for a message about a key that is not one of
    /// them: <c>160 levels: 1, 2, 3, 4, 5, …</c>.
    /// </summary>
    public string Sample(int count = 5)
    {
        var shown = Names.Take(count);
        string list = string.Join(", ", shown) + (Count > count ? ", …" : "");
        return Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + (Count == 1 ? " level: " : " levels: ") + list;
    }

    /// <summary>Finds the level of <paramref name="key"/>; false for a key not seen in the data.</summary>
    public bool TryGetIndex(TKey key, out int index) => _index.TryGetValue(key, out index);

    /// <inheritdoc />
    public IEnumerator<TKey> GetEnumerator() => ((IEnumerable<TKey>)_keys).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Collects one key per row while the generated design builder walks the records, then codes them by level.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
public sealed class LevelIndexBuilder<TKey> where TKey : notnull
{
    private readonly List<TKey> _rows;
    private readonly HashSet<TKey> _distinct;
    private readonly IEqualityComparer<TKey>? _equality;

    /// <summary>Creates a builder expecting about <paramref name="capacity"/> rows.</summary>
    public LevelIndexBuilder(int capacity, IEqualityComparer<TKey>? equality = null)
    {
        _rows = new List<TKey>(capacity);
        _distinct = new HashSet<TKey>(equality);
        _equality = equality;
    }

    /// <summary>Records the key of the next row.</summary>
    public void Add(TKey key)
    {
        _rows.Add(key);
        _distinct.Add(key);
    }

    /// <summary>The distinct keys seen, sorted by <paramref name="order"/>.</summary>
    public LevelSet<TKey> Levels(IComparer<TKey> order, Func<TKey, string> format) => new(_distinct, order, format, _equality);

    /// <summary>
    /// Each row's index in <paramref name="levels"/>. A key missing from <paramref name="levels"/> (only possible when
    /// coding new data against the levels of a fit) throws a <see cref="ModelDesignException"/> naming the member.
    /// </summary>
    public int[] Codes(LevelSet<TKey> levels, string member)
    {
        var codes = new int[_rows.Count];
        for (int i = 0; i < codes.Length; i++)
        {
            if (!levels.TryGetIndex(_rows[i], out codes[i]))
                throw new ModelDesignException(
                    $"'{member}' has the level '{_rows[i]}', which was not in the data the model was fitted to (levels: {string.Join(", ", levels.Names)}). A fixed effect cannot be predicted for a new category.",
                    member, i);
        }
        return codes;
    }
}
