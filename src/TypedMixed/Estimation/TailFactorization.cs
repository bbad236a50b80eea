namespace TypedMixed.Estimation;

/// <summary>How the factor's tail (the terms after the first, and [X y]) is factored.</summary>
internal enum TailFactorization
{
    /// <summary>Sparse when the symbolic analysis predicts it cheaper (<see cref="Factorization.SparseTailStructure.PreferSparse"/>), else dense.</summary>
    Auto,

    /// <summary>Always dense.</summary>
    Dense,

    /// <summary>Sparse whenever the model allows it (ordinary terms, Gaussian, independent residuals, at least two terms).</summary>
    Sparse,
}
