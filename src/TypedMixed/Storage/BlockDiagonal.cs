namespace TypedMixed.Storage;

/// <summary>
/// A block-diagonal matrix of <see cref="Levels"/> dense q × q blocks (column-major each), the storage of the first
/// term's diagonal block: Z₁'Z₁ never couples two levels of one classification.
/// </summary>
internal sealed class BlockDiagonal
{
    public BlockDiagonal(int levels, int q)
    {
        Levels = levels;
        Q = q;
        Data = new double[checked(levels * q * q)];
    }

    public int Levels { get; }
    public int Q { get; }
    public double[] Data { get; }

    /// <summary>The q × q block of level <paramref name="level"/>.</summary>
    public Span<double> Block(int level) => Data.AsSpan(level * Q * Q, Q * Q);

    public void CopyFrom(BlockDiagonal other) => other.Data.AsSpan().CopyTo(Data);
}
