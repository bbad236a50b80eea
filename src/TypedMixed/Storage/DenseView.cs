namespace TypedMixed.Storage;

/// <summary>A rectangular window (rows × cols at row0, col0) of a column-major array with leading dimension ld.</summary>
internal readonly struct DenseView(double[] data, int ld, int row0, int col0, int rows, int cols)
{
    public double[] Data { get; } = data;
    public int Ld { get; } = ld;
    public int Row0 { get; } = row0;
    public int Col0 { get; } = col0;
    public int Rows { get; } = rows;
    public int Cols { get; } = cols;

    public ref double this[int i, int j] => ref Data[(Col0 + j) * Ld + Row0 + i];

    /// <summary>Column j of the window (contiguous).</summary>
    public Span<double> Column(int j) => Data.AsSpan((Col0 + j) * Ld + Row0, Rows);

    /// <summary>Index into <see cref="Data"/> of entry (i, j).</summary>
    public int Index(int i, int j) => (Col0 + j) * Ld + Row0 + i;
}
