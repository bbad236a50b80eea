using System.Diagnostics.CodeAnalysis;

namespace TypedMixed.Generated;

/// <summary>
/// A per-cluster value of a typed result (predicted effects, sizes), keyed by the classification's key. Reading a key
/// that is not a cluster of the fitted data throws a <see cref="KeyNotFoundException"/> that names the classification,
/// the key and some valid keys, instead of the dictionary's bare message.
/// </summary>
/// <typeparam name="TKey">The classification's key type.</typeparam>
/// <typeparam name="TValue">The value per cluster.</typeparam>
public sealed class ClusterDictionary<TKey, TValue> : IReadOnlyDictionary<TKey, TValue> where TKey : notnull
{
    private readonly LevelSet<TKey> _levels;
    private readonly TValue[] _values;
    private readonly string _classification;

    /// <summary>Creates the dictionary over <paramref name="levels"/>, with <paramref name="values"/> in level order.</summary>
    public ClusterDictionary(LevelSet<TKey> levels, TValue[] values, string classification)
    {
        ArgumentNullException.ThrowIfNull(levels);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != levels.Count)
            throw new ArgumentException($"{values.Length} values for {levels.Count} levels of '{classification}'.", nameof(values));
        _levels = levels;
        _values = values;
        _classification = classification;
    }

    /// <inheritdoc />
    /// <exception cref="KeyNotFoundException">The key is not a cluster of the fitted data; the message names some that are.</exception>
    public TValue this[TKey key] => _levels.TryGetIndex(key, out int level) ? _values[level] : throw UnknownKey(_levels, _classification, key);

    /// <inheritdoc />
    public IEnumerable<TKey> Keys => _levels;

    /// <inheritdoc />
    public IEnumerable<TValue> Values => _values;

    /// <inheritdoc />
    public int Count => _values.Length;

    /// <inheritdoc />
    public bool ContainsKey(TKey key) => _levels.TryGetIndex(key, out _);

    /// <inheritdoc />
    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        if (_levels.TryGetIndex(key, out int level))
        {
            value = _values[level];
            return true;
        }
        value = default;
        return false;
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<TKey, TValue>> GetEnumerator()
    {
        for (int l = 0; l < _values.Length; l++) yield return new KeyValuePair<TKey, TValue>(_levels[l], _values[l]);
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The exception for a key that is not a cluster of <paramref name="levels"/>: the classification, the key and some valid keys.</summary>
    public static KeyNotFoundException UnknownKey(LevelSet<TKey> levels, string classification, TKey key) =>
        new($"'{classification}' has no cluster '{levels.Format(key)}' in the fitted data ({levels.Sample()}); use one of {classification}.Levels, or TryGetValue/ContainsKey to test a key first.");
}
