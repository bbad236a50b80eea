namespace TypedMixed.Generated;

/// <summary>
/// The model-independent steps of a generated design encoder: reading the records once, trimming the per-row arrays to
/// the rows kept, and assembling a random-effects term from its keys and columns.
/// </summary>
public static class EncodedDesign
{
    /// <summary>The records as a list, read once (an <see cref="IReadOnlyList{T}"/> is used as it is).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    public static IReadOnlyList<T> Rows<T>(IEnumerable<T> data, string parameterName = "data")
    {
        if (data is null) throw new ArgumentNullException(parameterName);
        return data as IReadOnlyList<T> ?? new List<T>(data);
    }

    /// <summary>The first <paramref name="rows"/> values: the array itself when no row was dropped.</summary>
    public static double[] Kept(double[] values, int rows) => rows == values.Length ? values : values[..rows];

    /// <summary>
    /// A random-effects term: each row's level of <paramref name="levels"/> (a key missing from them is a
    /// <see cref="ModelDesignException"/> naming the term), the levels' names, and the term's columns.
    /// </summary>
    public static RandomEffectsTerm Term<TKey>(string name, LevelIndexBuilder<TKey> keys, LevelSet<TKey> levels, ModelMatrixBuilder columns, CovarianceStructure covariance)
        where TKey : notnull => new()
    {
        Name = name,
        LevelIndex = keys.Codes(levels, name),
        LevelKeys = levels.Names,
        ColumnNames = columns.Names,
        Columns = columns.ToColumnMajor(),
        Covariance = covariance,
    };
}
