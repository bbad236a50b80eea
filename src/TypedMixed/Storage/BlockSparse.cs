namespace TypedMixed.Storage;

/// <summary>
/// A block-sparse matrix, compressed by block columns: the rows of term i against the columns of the first term.
/// Block column <c>l</c> (a level of the first term, width <see cref="ColQ"/>) holds the nonzero q_i × q₁ blocks
/// of the row levels in <c>RowLevel[ColPtr[l] .. ColPtr[l+1]]</c>, ascending; each block is column-major.
/// The pattern is fixed by the data (which levels of the two classifications share a row); the Cholesky factor keeps it.
/// </summary>
internal sealed class BlockSparse
{
    public BlockSparse(int rowLevels, int rowQ, int colLevels, int colQ, int[] colPtr, int[] rowLevel)
    {
        RowLevels = rowLevels;
        RowQ = rowQ;
        ColLevels = colLevels;
        ColQ = colQ;
        ColPtr = colPtr;
        RowLevel = rowLevel;
        Data = new double[checked(rowLevel.Length * rowQ * colQ)];
    }

    public int RowLevels { get; }
    public int RowQ { get; }
    public int ColLevels { get; }
    public int ColQ { get; }
    public int[] ColPtr { get; }
    public int[] RowLevel { get; }
    public double[] Data { get; }
    public int BlockSize => RowQ * ColQ;

    /// <summary>The k-th stored block (column-major RowQ × ColQ).</summary>
    public Span<double> Block(int k) => Data.AsSpan(k * RowQ * ColQ, RowQ * ColQ);

    /// <summary>Index of the stored block at (row level, column level), or −1.</summary>
    public int Find(int rowLevel, int colLevel)
    {
        int k = Array.BinarySearch(RowLevel, ColPtr[colLevel], ColPtr[colLevel + 1] - ColPtr[colLevel], rowLevel);
        return k >= 0 ? k : -1;
    }

    public void CopyFrom(BlockSparse other) => other.Data.AsSpan().CopyTo(Data);
}
