namespace TypedMixed.Storage;

/// <summary>
/// The compact storage of the blocks among the terms after the first, for a tail factored sparsely
/// (<see cref="Factorization.SparseTailCholesky"/>): a later term's own block Zₜ'Zₜ as one q × q block per level and the
/// cross table Zᵢ'Zⱼ of two later terms as a block-sparse matrix over the level pairs that share a row, instead of
/// dense (levels × levels) blocks; [X y]'Zₜ and [X y]'[X y] stay dense. Ordinary terms only (no multiple membership).
/// </summary>
internal sealed partial class BlockedGram
{
    /// <summary>Whether the blocks among later terms are stored compactly (<see cref="OwnBlocks"/>, <see cref="LaterCross"/>) and <see cref="Dense"/> holds only the [X y] row of blocks.</summary>
    public bool CompactTail { get; private set; }

    /// <summary>With <see cref="CompactTail"/>, per ordered term t ≥ 1 its own block Zₜ'W Zₜ by level (index 0 unused).</summary>
    public BlockDiagonal[] OwnBlocks { get; private set; } = [];

    /// <summary>With <see cref="CompactTail"/>, Zᵢ'W Zⱼ for later terms i &gt; j ≥ 1 (rows: levels of i; block columns: levels of j).</summary>
    public BlockSparse?[,] LaterCross { get; private set; } = new BlockSparse?[0, 0];

    private int[,][] _crossBlockOfRow = new int[0, 0][];

    private void InitCompactTail(int[][] levelIndex, int[] levels, int[] q)
    {
        int k = levelIndex.Length;
        if (!HasLeadingBlock || Envelope0 is not null || _memberships.Any(m => m is not null))
            throw new ArgumentException("A compact tail needs an ordinary first term and ordinary later terms.");
        CompactTail = true;
        OwnBlocks = new BlockDiagonal[k];
        for (int t = 1; t < k; t++) OwnBlocks[t] = new BlockDiagonal(levels[t], q[t]);
        LaterCross = new BlockSparse?[k, k];
        _crossBlockOfRow = new int[k, k][];
        for (int j = 1; j < k; j++)
            for (int i = j + 1; i < k; i++)
            {
                var (colPtr, rowLevel, blockOfRow) = SparsePattern(levelIndex[j], levels[j], levelIndex[i], levels[i]);
                var s = new BlockSparse(levels[i], q[i], levels[j], q[j], colPtr, rowLevel);
                LaterCross[i, j] = s;
                _crossBlockOfRow[i, j] = blockOfRow;
            }
    }

    /// <summary>Sums the compact blocks and [X y]'W Zₜ (t ≥ 1) over all rows, after clearing them.</summary>
    private void AccumulateCompactTail(double[] y, double[]? weights)
    {
        int n = N, p = P, k = BlockCount - 1;
        var xyRow = new double[p + 1];
        for (int t = 1; t < k; t++)
        {
            Array.Clear(OwnBlocks[t].Data);
            for (int j = 1; j < t; j++) Array.Clear(LaterCross[t, j]!.Data);
        }
        for (int t = 1; t < k; t++)
        {
            int qt = Q[t];
            var zt = _z[t];
            var levT = _levelIndex[t];
            var own = OwnBlocks[t].Data;
            var xyT = Dense[k][t]!;
            int stride = p + 1;
            for (int i = 0; i < n; i++)
            {
                double w = weights is null ? 1 : weights[i];
                if (w == 0) continue;
                FillXY(xyRow, _x, y, n, p, i);
                int l = levT[i];
                for (int b = 0; b < qt; b++)
                {
                    double zb = w * zt[b * n + i];
                    if (zb == 0) continue;
                    int o = l * qt * qt + b * qt;
                    for (int a = 0; a < qt; a++) own[o + a] += zt[a * n + i] * zb;
                    var column = xyT.Data.AsSpan((l * qt + b) * stride, stride);
                    for (int a = 0; a < stride; a++) column[a] += xyRow[a] * zb;
                    for (int t2 = t + 1; t2 < k; t2++)
                    {
                        var cross = LaterCross[t2, t]!;
                        int q2 = Q[t2];
                        var z2 = _z[t2];
                        int blk = _crossBlockOfRow[t2, t][i] * q2 * qt + b * q2;
                        for (int a = 0; a < q2; a++) cross.Data[blk + a] += z2[a * n + i] * zb;
                    }
                }
            }
        }
    }
}
