using System;
using System.Collections;
using System.Collections.Generic;

namespace TypedMixed.Generators;

/// <summary>
/// An immutable array compared by its elements, so that specs holding lists stay equal across generator runs and the
/// incremental pipeline can reuse cached outputs (arrays, <c>List&lt;T&gt;</c> and <c>ImmutableArray&lt;T&gt;</c>
/// compare by reference).
/// </summary>
internal readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IReadOnlyList<T>
    where T : IEquatable<T>
{
    private readonly T[]? _items;

    public EquatableArray(T[] items) => _items = items;

    public static EquatableArray<T> Empty => new(Array.Empty<T>());

    public int Count => _items?.Length ?? 0;

    public T this[int index] => _items![index];

    public bool Equals(EquatableArray<T> other)
    {
        int count = Count;
        if (count != other.Count) return false;
        for (int i = 0; i < count; i++)
            if (!EqualityComparer<T>.Default.Equals(_items![i], other._items![i])) return false;
        return true;
    }

    public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

    public override int GetHashCode()
    {
        unchecked
        {
            int hash = 17;
            for (int i = 0; i < Count; i++)
                hash = hash * 31 + (_items![i]?.GetHashCode() ?? 0);
            return hash;
        }
    }

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)(_items ?? Array.Empty<T>())).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public static bool operator ==(EquatableArray<T> left, EquatableArray<T> right) => left.Equals(right);

    public static bool operator !=(EquatableArray<T> left, EquatableArray<T> right) => !left.Equals(right);
}

internal static class EquatableArray
{
    public static EquatableArray<T> ToEquatableArray<T>(this IEnumerable<T> items) where T : IEquatable<T>
        => new(new List<T>(items).ToArray());
}
