namespace TypedMixed;

/// <summary>
/// One random-effects term of a <see cref="ModelDesign"/>: a classification (grouping factor), the columns whose
/// coefficients vary over its levels, and their covariance structure. Row <c>i</c> belongs to level
/// <c>LevelIndex[i]</c>; its random-effects covariates are <c>Columns[c * rows + i]</c> (column-major).
/// A multiple-membership term gives <see cref="Memberships"/> instead of <see cref="LevelIndex"/>: row <c>i</c> then
/// contributes weight × its covariates to each of its levels.
/// </summary>
public sealed class RandomEffectsTerm
{
    /// <summary>The classification's name as reported (e.g. <c>school</c>, or <c>batch:cask</c> for a nested term).</summary>
    public required string Name { get; init; }

    /// <summary>
    /// For each row, the index of its level, in 0 .. <see cref="LevelKeys"/>.Count − 1. Empty for a
    /// multiple-membership term (one with <see cref="Memberships"/>).
    /// </summary>
    public int[] LevelIndex { get; init; } = [];

    /// <summary>
    /// For a multiple-membership term, each row's (level, weight) pairs; null (the default) for an ordinary term, whose
    /// rows belong to one level each (<see cref="LevelIndex"/>).
    /// </summary>
    public Memberships? Memberships { get; init; }

    /// <summary>Whether rows carry several weighted levels (<see cref="Memberships"/> is set).</summary>
    public bool IsMultipleMembership => Memberships is not null;

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

    /// <summary>A multiple-membership term with only an intercept column (<c>(1 | mm(...))</c>).</summary>
    public static RandomEffectsTerm MultipleMembershipIntercept(string name, Memberships memberships, IReadOnlyList<string> levelKeys) => new()
    {
        Name = name,
        Memberships = memberships,
        LevelKeys = levelKeys,
        ColumnNames = ["(Intercept)"],
        Columns = Enumerable.Repeat(1.0, memberships.Rows).ToArray(),
    };
}
