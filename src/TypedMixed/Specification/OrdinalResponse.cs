namespace TypedMixed;

/// <summary>How the K − 1 thresholds τ₁ &lt; … &lt; τ_{K−1} of a cumulative link model are parameterized.</summary>
public enum ThresholdStructure
{
    /// <summary>Each threshold is its own parameter (clmm's default, <c>threshold = "flexible"</c>).</summary>
    Flexible,

    /// <summary>Equally spaced thresholds τⱼ = τ₁ + (j − 1)·d: two parameters (clmm's <c>threshold = "equidistant"</c>).</summary>
    Equidistant,
}

/// <summary>
/// The ordinal part of a <see cref="ModelDesign"/> with <see cref="ResponseFamily.Ordinal"/>: the names of the ordered
/// categories (the response holds indices into them) and the threshold structure.
/// </summary>
public sealed class OrdinalResponse
{
    /// <summary>The category names from lowest to highest (at least three; two categories are a binary response).</summary>
    public required IReadOnlyList<string> Categories { get; init; }

    /// <summary>The threshold structure; <see cref="ThresholdStructure.Flexible"/> by default.</summary>
    public ThresholdStructure Thresholds { get; init; } = ThresholdStructure.Flexible;

    /// <summary>The threshold names as clmm prints them: <c>1|2</c>, <c>2|3</c>, … from adjacent category names.</summary>
    public IReadOnlyList<string> ThresholdNames() =>
        Enumerable.Range(0, Categories.Count - 1).Select(j => Categories[j] + "|" + Categories[j + 1]).ToArray();
}
