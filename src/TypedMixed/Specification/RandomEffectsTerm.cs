namespace TypedMixed;

/// <summary>
/// One random-effects term of a <see cref="ModelDesign"/>: a classification (grouping factor), the columns whose
/// coefficients vary over its levels, and their covariance structure. Row <c>i</c> belongs to level
/// <c>LevelIndex[i]</c>; its random-effects covariates are <c>Columns[c * rows + i]</c> (column-major).
/// </summary>
public sealed class RandomEffectsTerm
{
    /// <summary>The classification's name as reported (e.g. <c>school</c>, or <c>batch:cask</c> for a nested term).</summary>
    public required string Name { get; init; }

    /// <summary>For each row, the index of its level, in 0 .. <see cref="LevelKeys"/>.Count − 1.</summary>
    public required int[] LevelIndex { get; init; }

    /// <summary>The levels' keys as text, for reporting; index <c>l</c> names level <c>l</c>.</summary>
    public required IReadOnlyList<string> LevelKeys { get; init; }

    /// <summary>Names of the columns that vary over the classification, e.g. <c>(Intercept)</c>, <c>Days</c>.</summary>
    public required IReadOnlyList<string> ColumnNames { get; init; }

    /// <summary>
    /// The random-effects covariates, column-major (rows × <see cref="ColumnNames"/>.Count).
    /// An intercept is a column of ones.
    /// </summary>
    public required double[] Columns { get; init; }

    /// <summary>The covariance structure of one level's effects.</summary>
    public CovarianceStructure Covariance { get; init; } = CovarianceStructure.Unstructured;

    /// <summary>Number of levels.</summary>
    public int LevelCount => LevelKeys.Count;

    /// <summary>Number of columns (effects per level).</summary>
    public int ColumnCount => ColumnNames.Count;

    /// <summary>A term with only an intercept column (<c>(1 | name)</c>).</summary>
    public static RandomEffectsTerm Intercept(string name, int[] levelIndex, IReadOnlyList<string> levelKeys) => new()
    {
        Name = name,
        LevelIndex = levelIndex,
        LevelKeys = levelKeys,
        ColumnNames = ["(Intercept)"],
        Columns = Enumerable.Repeat(1.0, levelIndex.Length).ToArray(),
    };
}
