namespace TypedMixed.Storage;

/// <summary>
/// The Gram matrix A = [Z₁ … Z_k X y]'[Z₁ … Z_k X y], lower triangle, stored by blocks that follow the terms
/// (the term with most levels first, then the rest, then [X y]). Formed once per fit, from one pass over the rows;
/// nothing after it needs the rows.
/// <list type="bullet">
/// <item>A₀₀ = Z₁'Z₁: block diagonal, one q₁ × q₁ block per level.</item>
/// <item>Aᵢ₀ = Zᵢ'Z₁ (i ≥ 1, a term): block sparse with the pattern of the (level i, level 1) pairs that share a row.</item>
/// <item>A_K0 = [X y]'Z₁ and every block right of the first column: dense.</item>
/// </list>
/// </summary>
internal sealed partial class BlockedGram
{
    /// <summary>Widths (levels × q) of the blocks; the last block is [X y] (p + 1).</summary>
    public int[] Sizes { get; }
    public int[] Levels { get; }
    public int[] Q { get; }
    /// <summary>Number of blocks: random-effects terms + 1.</summary>
    public int BlockCount { get; }
    public int P { get; }
    public int N { get; }

    public BlockDiagonal Diagonal0 { get; }
    /// <summary>Aᵢ₀ for terms i = 1 .. K−1 (index i − 1).</summary>
    public BlockSparse[] Sparse0 { get; }
    /// <summary>A_K0 = [X y]'Z₁, (p + 1) × m₀.</summary>
    public DenseBlock XY0 { get; }
    /// <summary>Dense blocks Aᵢⱼ for 1 ≤ j ≤ i ≤ K (index [i][j]; null elsewhere).</summary>
    public DenseBlock?[][] Dense { get; }

    /// <param name="n">Rows.</param>
    /// <param name="levelIndex">Per ordered term, the level of each row.</param>
    /// <param name="levels">Per ordered term, the number of levels.</param>
    /// <param name="z">Per ordered term, its column-major n × q covariates.</param>
    /// <param name="q">Per ordered term, its number of columns.</param>
    /// <param name="x">Column-major n × p fixed-effects matrix (kept columns only).</param>
    /// <param name="p">Fixed-effects columns.</param>
    /// <param name="y">Response.</param>
    /// <param name="weights">Row weights w (the Gram of √w-scaled rows); null: all 1.</param>
    public BlockedGram(int n, int[][] levelIndex, int[] levels, double[][] z, int[] q, double[] x, int p, double[] y, double[]? weights = null)
    {
        N = n;
        P = p;
        int k = levelIndex.Length;
        BlockCount = k + 1;
        Levels = levels;
        Q = q;
        _levelIndex = levelIndex;
        _z = z;
        _x = x;
        Sizes = new int[k + 1];
        for (int t = 0; t < k; t++) Sizes[t] = checked(levels[t] * q[t]);
        Sizes[k] = p + 1;
        _xyRow = new double[p + 1];

        Diagonal0 = new BlockDiagonal(levels[0], q[0]);
        // Aᵢ₀ for i ≥ 1: block sparse, with each row's block found once here (refills then need no search).
        Sparse0 = new BlockSparse[k - 1];
        _sparseBlockOfRow = new int[k - 1][];
        for (int t = 1; t < k; t++)
        {
            var pattern = SparsePattern(levelIndex[0], levels[0], levelIndex[t], levels[t]);
            var s = new BlockSparse(levels[t], q[t], levels[0], q[0], pattern.colPtr, pattern.rowLevel);
            var blockOfRow = new int[n];
            for (int i = 0; i < n; i++) blockOfRow[i] = s.Find(levelIndex[t][i], levelIndex[0][i]);
            Sparse0[t - 1] = s;
            _sparseBlockOfRow[t - 1] = blockOfRow;
        }
        XY0 = new DenseBlock(p + 1, Sizes[0]);
        Dense = new DenseBlock?[k + 1][];
        LevelBlockDiagonal = new bool[k + 1];
        _laterTermsScalar = Enumerable.Range(1, Math.Max(k - 1, 0)).All(t => q[t] == 1);
        _levelSums = [new double[k][], new double[k][]];
        for (int h = 0; h < 2; h++)
            for (int t = 1; t < k; t++) _levelSums[h][t] = new double[levels[t]];
        for (int i = 0; i <= k; i++)
        {
            Dense[i] = new DenseBlock?[k + 1];
            LevelBlockDiagonal[i] = i < k;
            for (int j = 1; j <= i; j++) Dense[i][j] = new DenseBlock(Sizes[i], Sizes[j]);
        }
        Refill(y, weights);
    }

    private readonly int[][] _levelIndex;
    private readonly double[][] _z;
    private readonly double[] _x;
    private readonly int[][] _sparseBlockOfRow;
    private readonly double[] _xyRow;

    /// <summary>Rows from which <see cref="Refill"/> splits its pass over two threads (the second accumulates into a copy).</summary>
    public const int ParallelRows = 100_000;

    private double[]? _columnBuffer;
    /// <summary>Whether every term after the first has one column (then <see cref="Accumulate"/> takes its compact path).</summary>
    private readonly bool _laterTermsScalar;
    /// <summary>Per row half and term: the diagonal of the term's own block while it is summed.</summary>
    private readonly double[][][] _levelSums;
    private BlockDiagonal? _shadowDiagonal0;
    private BlockSparse[]? _shadowSparse0;
    private DenseBlock? _shadowXY0;
    private DenseBlock?[][]? _shadowDense;

    /// <summary>
    /// Recomputes every block in place as [Z X y]' W [Z X y] for a new response y and row weights w (null: all 1), in
    /// one pass over the rows: PIRLS calls this once per iteration with the working response and the IRLS weights.
    /// Large inputs are split in two halves, the second accumulated on another thread into a copy of the blocks (made
    /// once) and added; nothing is allocated per call.
    /// </summary>
    public void Refill(double[] y, double[]? weights)
    {
        int n = N, k = BlockCount - 1;
        _columnBuffer ??= new double[n];
        Clear(Diagonal0, Sparse0, XY0, Dense);
        if (n < ParallelRows || Environment.ProcessorCount < 2)
        {
            Accumulate(0, n, y, weights, Diagonal0, Sparse0, XY0, Dense, _xyRow, _levelSums[0]);
        }
        else
        {
            _shadowDiagonal0 ??= new BlockDiagonal(Diagonal0.Levels, Diagonal0.Q);
            _shadowSparse0 ??= Sparse0.Select(s => new BlockSparse(s.RowLevels, s.RowQ, s.ColLevels, s.ColQ, s.ColPtr, s.RowLevel)).ToArray();
            _shadowXY0 ??= new DenseBlock(XY0.Rows, XY0.Cols);
            _shadowDense ??= Dense.Select(row => row.Select(b => b is null ? null : new DenseBlock(b.Rows, b.Cols)).ToArray()).ToArray();
            Clear(_shadowDiagonal0, _shadowSparse0, _shadowXY0, _shadowDense);
            int half = n / 2;
            var otherRow = new double[P + 1];
            Parallel.Invoke(
                () => Accumulate(0, half, y, weights, Diagonal0, Sparse0, XY0, Dense, _xyRow, _levelSums[0]),
                () => Accumulate(half, n, y, weights, _shadowDiagonal0, _shadowSparse0, _shadowXY0, _shadowDense, otherRow, _levelSums[1]));
            Add(_shadowDiagonal0.Data, Diagonal0.Data);
            for (int t = 0; t < Sparse0.Length; t++) Add(_shadowSparse0[t].Data, Sparse0[t].Data);
            Add(_shadowXY0.Data, XY0.Data);
            for (int i = 0; i <= k; i++)
                for (int j = 1; j <= i; j++)
                {
                    if (i == j && i < k && LevelBlockDiagonal[i]) AddLevelBlocks(_shadowDense[i][j]!, Dense[i][j]!, Q[i]);
                    else Add(_shadowDense[i][j]!.Data, Dense[i][j]!.Data);
                }
        }
    }

    /// <summary>
    /// Per block i: whether Aᵢᵢ holds only the q × q blocks of single levels (true for every term, whose rows have one
    /// level each; a storage that couples levels of one term must clear it).
    /// </summary>
    public bool[] LevelBlockDiagonal { get; }

    /// <summary>
    /// A later term's own block Aᵢᵢ is block diagonal (a row has one level of each term): only its q × q level blocks
    /// are ever nonzero, so clearing and summing touch those alone — for a scalar term with a thousand levels, the
    /// diagonal instead of a million entries.
    /// </summary>
    private static void ClearLevelBlocks(DenseBlock block, int q)
    {
        int rows = block.Rows;
        var data = block.Data;
        for (int c = 0; c < block.Cols; c++)
        {
            int first = c / q * q;
            Array.Clear(data, c * rows + first, q);
        }
    }

    private static void AddLevelBlocks(DenseBlock from, DenseBlock to, int q)
    {
        int rows = to.Rows;
        for (int c = 0; c < to.Cols; c++)
        {
            int first = c * rows + c / q * q;
            for (int a = 0; a < q; a++) to.Data[first + a] += from.Data[first + a];
        }
    }

    private static void Add(double[] from, double[] to) =>
        Factorization.DenseKernels.Axpy(1, from, to);

    private void Clear(BlockDiagonal d0, BlockSparse[] s0, DenseBlock xy0, DenseBlock?[][] dense)
    {
        Array.Clear(d0.Data);
        foreach (var s in s0) Array.Clear(s.Data);
        Array.Clear(xy0.Data);
        int k = BlockCount - 1;
        for (int i = 0; i < dense.Length; i++)
            for (int j = 0; j < dense[i].Length; j++)
            {
                var b = dense[i][j];
                if (b is null) continue;
                if (i == j && i < k && LevelBlockDiagonal[i]) ClearLevelBlocks(b, Q[i]);
                else Array.Clear(b.Data);
            }
    }

    /// <summary>Adds rows [start, end) of [Z X y]' W [Z X y] into the given blocks.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void Accumulate(int start, int end, double[] y, double[]? weights, BlockDiagonal diagonal0, BlockSparse[] sparse0,
        DenseBlock xy0, DenseBlock?[][] dense, double[] xyRow, double[][] levelSums)
    {
        int n = N, p = P, k = BlockCount - 1;
        var levelIndex = _levelIndex;
        var z = _z;
        var x = _x;
        var q = Q;
        int q0 = q[0];
        var level0 = levelIndex[0];
        var z0 = z[0];

        bool xyFused = false;
        if (q0 == 1 && p + 1 <= 4)
        {
            // A scalar first term and at most three fixed-effect columns: A₀₀, A_K0 and [X y]'W[X y] in one pass, the
            // last in ten register accumulators (absent columns read as 0).
            var d = diagonal0.Data;
            var xyData = xy0.Data;
            int stride = p + 1;
            var c0 = p > 0 ? x.AsSpan(0, n) : y.AsSpan();
            var c1 = p > 1 ? x.AsSpan(n, n) : p == 1 ? y.AsSpan() : default;
            var c2 = p > 2 ? x.AsSpan(2 * n, n) : p == 2 ? y.AsSpan() : default;
            var c3 = p == 3 ? y.AsSpan() : default;
            double a00 = 0, a10 = 0, a11 = 0, a20 = 0, a21 = 0, a22 = 0, a30 = 0, a31 = 0, a32 = 0, a33 = 0;
            for (int i = start; i < end; i++)
            {
                double w = weights is null ? 1 : weights[i];
                if (w == 0) continue;
                int l = level0[i];
                double zi = z0[i], wz = w * zi;
                double v0 = c0[i], v1 = stride > 1 ? c1[i] : 0, v2 = stride > 2 ? c2[i] : 0, v3 = stride > 3 ? c3[i] : 0;
                d[l] += zi * wz;
                int o = l * stride;
                xyData[o] += v0 * wz;
                if (stride > 1) xyData[o + 1] += v1 * wz;
                if (stride > 2) xyData[o + 2] += v2 * wz;
                if (stride > 3) xyData[o + 3] += v3 * wz;
                double w0 = w * v0, w1 = w * v1, w2 = w * v2, w3 = w * v3;
                a00 += v0 * w0;
                a10 += v1 * w0; a11 += v1 * w1;
                a20 += v2 * w0; a21 += v2 * w1; a22 += v2 * w2;
                a30 += v3 * w0; a31 += v3 * w1; a32 += v3 * w2; a33 += v3 * w3;
            }
            var acc = new[,] { { a00, a10, a20, a30 }, { a10, a11, a21, a31 }, { a20, a21, a22, a32 }, { a30, a31, a32, a33 } };
            var block = dense[k][k]!;
            for (int b = 0; b < stride; b++)
                for (int a = 0; a < stride; a++) block[a, b] += acc[a, b];
            xyFused = true;
        }
        else if (q0 == 1)
        {
            // A scalar first term: A₀₀ is diagonal and A_K0 = [X y]'z₁ is one column per level.
            var d = diagonal0.Data;
            var xyData = xy0.Data;
            int stride = p + 1;
            for (int i = start; i < end; i++)
            {
                double w = weights is null ? 1 : weights[i];
                if (w == 0) continue;
                int l = level0[i];
                double zi = z0[i], wz = w * zi;
                d[l] += zi * wz;
                int o = l * stride;
                for (int c = 0; c < p; c++) xyData[o + c] += x[c * n + i] * wz;
                xyData[o + p] += y[i] * wz;
            }
        }
        else
        {
            for (int i = start; i < end; i++)
            {
                double w = weights is null ? 1 : weights[i];
                if (w == 0) continue;
                var blk = diagonal0.Block(level0[i]);
                for (int b = 0; b < q0; b++)
                {
                    double zb = w * z0[b * n + i];
                    for (int a = 0; a < q0; a++) blk[b * q0 + a] += z0[a * n + i] * zb;
                }
                FillXY(xyRow, x, y, n, p, i);
                int col0 = level0[i] * q0;
                for (int b = 0; b < q0; b++)
                {
                    double zb = w * z0[b * n + i];
                    var column = xy0.Column(col0 + b);
                    for (int a = 0; a <= p; a++) column[a] += xyRow[a] * zb;
                }
            }
        }

        // Aᵢ₀ for i ≥ 1.
        for (int t = 1; t < k; t++)
        {
            var s = sparse0[t - 1];
            var blockOfRow = _sparseBlockOfRow[t - 1];
            int qt = q[t];
            var zt = z[t];
            if (qt == 1 && q0 == 1)
            {
                var data = s.Data;
                for (int i = start; i < end; i++)
                {
                    double w = weights is null ? 1 : weights[i];
                    if (w != 0) data[blockOfRow[i]] += zt[i] * w * z0[i];
                }
                continue;
            }
            for (int i = start; i < end; i++)
            {
                double w = weights is null ? 1 : weights[i];
                if (w == 0) continue;
                var blk = s.Block(blockOfRow[i]);
                for (int b = 0; b < q0; b++)
                {
                    double zb = w * z0[b * n + i];
                    for (int a = 0; a < qt; a++) blk[b * qt + a] += zt[a * n + i] * zb;
                }
            }
        }

        // [X y]'W[X y] by columns: row by row, every row would update the same few entries, one long chain of
        // dependent additions; as dot products of whole columns the pass streams.
        var tmp = _columnBuffer!;
        var xyxy = dense[k][k]!;
        for (int b = 0; b <= p && !xyFused; b++)
        {
            var colB = b < p ? x.AsSpan(b * n + start, end - start) : y.AsSpan(start, end - start);
            var wb = tmp.AsSpan(start, end - start);
            if (weights is null) colB.CopyTo(wb);
            else for (int i = 0; i < wb.Length; i++) wb[i] = weights[start + i] * colB[i];
            for (int a = b; a <= p; a++)
            {
                var colA = a < p ? x.AsSpan(a * n + start, end - start) : y.AsSpan(start, end - start);
                double v = Factorization.DenseKernels.Dot(colA, wb);
                xyxy[a, b] += v;
                if (a != b) xyxy[b, a] += v;
            }
        }

        // The other dense blocks Aᵢⱼ, 1 ≤ j ≤ i ≤ K (block K is [X y]).
        if (k == 1) return;
        if (_laterTermsScalar)
        {
            // Scalar later terms (crossed intercepts, the common large case): term by term, its own block is a diagonal
            // summed in a compact vector (one entry per level, not one per dense column), its [X y] block is contiguous
            // per level, and only the cross tables with the terms after it are scattered.
            for (int t = 1; t < k; t++)
            {
                var sums = levelSums[t];
                Array.Clear(sums);
                var levT = levelIndex[t];
                var zt = z[t];
                var xyT = dense[k][t]!.Data;
                int stride = p + 1;
                for (int i = start; i < end; i++)
                {
                    double w = weights is null ? 1 : weights[i];
                    if (w == 0) continue;
                    int l = levT[i];
                    double wz = w * zt[i];
                    sums[l] += zt[i] * wz;
                    int o = l * stride;
                    for (int c = 0; c < p; c++) xyT[o + c] += x[c * n + i] * wz;
                    xyT[o + p] += y[i] * wz;
                    for (int t2 = t + 1; t2 < k; t2++)
                    {
                        var cross = dense[t2][t]!;
                        cross.Data[l * cross.Rows + levelIndex[t2][i]] += z[t2][i] * wz;
                    }
                }
                var own = dense[t][t]!;
                for (int l = 0; l < sums.Length; l++) own.Data[l * own.Rows + l] += sums[l];
            }
            return;
        }
        for (int i = start; i < end; i++)
        {
            double w = weights is null ? 1 : weights[i];
            if (w == 0) continue;
            FillXY(xyRow, x, y, n, p, i);
            for (int bj = 1; bj < k; bj++)
                for (int bi = bj; bi <= k; bi++)
                {
                    var block = dense[bi][bj]!;
                    int qi = bi == k ? p + 1 : q[bi], qj = bj == k ? p + 1 : q[bj];
                    int ri = bi == k ? 0 : levelIndex[bi][i] * qi, cj = bj == k ? 0 : levelIndex[bj][i] * qj;
                    var data = block.Data;
                    int rows = block.Rows;
                    for (int b = 0; b < qj; b++)
                    {
                        double vb = w * (bj == k ? xyRow[b] : z[bj][b * n + i]);
                        if (vb == 0) continue;
                        int col = (cj + b) * rows + ri;
                        if (bi == k)
                            for (int a = 0; a < qi; a++) data[col + a] += xyRow[a] * vb;
                        else
                            for (int a = 0; a < qi; a++) data[col + a] += z[bi][a * n + i] * vb;
                    }
                }
        }
    }

    private static void FillXY(double[] row, double[] x, double[] y, int n, int p, int i)
    {
        for (int c = 0; c < p; c++) row[c] = x[c * n + i];
        row[p] = y[i];
    }

    /// <summary>The distinct (level of term t, level of term 0) pairs, compressed by term-0 level, rows ascending.</summary>
    private static (int[] colPtr, int[] rowLevel) SparsePattern(int[] level0, int levels0, int[] levelT, int levelsT)
    {
        int n = level0.Length;
        var keys = new long[n];
        for (int i = 0; i < n; i++) keys[i] = (long)level0[i] * levelsT + levelT[i];
        Array.Sort(keys);
        int unique = 0;
        for (int i = 0; i < n; i++)
            if (i == 0 || keys[i] != keys[i - 1]) keys[unique++] = keys[i];
        var colPtr = new int[levels0 + 1];
        var rowLevel = new int[unique];
        for (int u = 0; u < unique; u++)
        {
            int col = (int)(keys[u] / levelsT);
            rowLevel[u] = (int)(keys[u] % levelsT);
            colPtr[col + 1]++;
        }
        for (int c = 0; c < levels0; c++) colPtr[c + 1] += colPtr[c];
        return (colPtr, rowLevel);
    }
}
