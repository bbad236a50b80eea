namespace TypedMixed;

/// <summary>
/// Several responses stacked into one design (one row per unit × observed response): the residuals of one unit are
/// correlated across its responses with an unstructured R × R covariance Σ = σ² M, σ² the first response's residual
/// variance. Rows of different units are independent; a unit may miss responses (its rows are simply absent).
/// Build it with <see cref="MultivariateDesign"/> from wide data rather than by hand.
/// </summary>
public sealed class MultivariateResidual
{
    /// <summary>The responses' names, in order (e.g. <c>written</c>, <c>course</c>).</summary>
    public required IReadOnlyList<string> ResponseNames { get; init; }

    /// <summary>For each row, which response it holds, in 0 .. <see cref="ResponseNames"/>.Count − 1.</summary>
    public required int[] ResponseIndex { get; init; }

    /// <summary>Name of the unit (the level at which responses are measured together, e.g. <c>pupil</c>).</summary>
    public string UnitName { get; init; } = "unit";

    /// <summary>For each row, the index of its unit, in 0 .. <see cref="UnitCount"/> − 1.</summary>
    public required int[] UnitIndex { get; init; }

    /// <summary>Number of units.</summary>
    public required int UnitCount { get; init; }
}
