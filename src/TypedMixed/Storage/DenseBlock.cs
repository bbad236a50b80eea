namespace TypedMixed.Storage;

/// <summary>A dense column-major block: value (i, j) is <c>Data[j * Rows + i]</c>.</summary>
internal sealed class DenseBlock
{
    public DenseBlock(int rows, int cols)
    {
        Rows = rows;
        Cols = cols;
        Data = new double[checked(rows * cols)];
    }

    public int Rows { get; }
    public int Cols { get; }
    public double[] Data { get; }

    public ref double this[int i, int j] => ref Data[j * Rows + i];

    public Span<double> Column(int j) => Data.AsSpan(j * Rows, Rows);

    public void CopyFrom(DenseBlock other) => other.Data.AsSpan().CopyTo(Data);
}
