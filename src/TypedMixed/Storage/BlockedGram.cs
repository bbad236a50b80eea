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
/// A multiple-membership term (rows with several weighted levels) couples its own levels, so it is never first: its
/// diagonal block is one of the dense blocks, and its pattern against the first term follows every (membership,
/// first-term level) pair. When every term is a multiple-membership one, the first block is empty (no levels) and the
/// whole Z part is dense. A single multiple-membership term is the first block itself, stored by its envelope in
/// reverse Cuthill–McKee order (<see cref="Envelope0"/>): sparse where the co-membership coupling is sparse.
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
    /// <param name="memberships">Per ordered term, its memberships (row offsets, levels, effective weights) or null for an
    /// ordinary term; never for term 0 unless term 0 is the empty leading block (0 levels).</param>
    /// <param name="compactTail">Store the blocks among later terms compactly (<see cref="CompactTail"/>), for a sparse tail.</param>
    public BlockedGram(int n, int[][] levelIndex, int[] levels, double[][] z, int[] q, double[] x, int p, double[] y, double[]? weights = null,
        MembershipRows?[]? memberships = null, bool compactTail = false)
    {
        _memberships = memberships ?? new MembershipRows?[levelIndex.Length];
        HasLeadingBlock = levels[0] > 0;
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
        if (_memberships[0] is { } lead)
        {
            if (_memberships.Skip(1).Any(m => m is not null))
                throw new ArgumentException("A multiple-membership first block is stored by its envelope only beside ordinary terms.");
            Envelope0 = BlockEnvelope.ForMemberships(lead, levels[0], q[0]);
        }
        // Aᵢ₀ for i ≥ 1: block sparse, with each row's block found once here (refills then need no search).
        Sparse0 = new BlockSparse[k - 1];
        _sparseBlockOfRow = new int[k - 1][];
        for (int t = 1; t < k; t++)
        {
            var mm = _memberships[t];
            int[] level0 = levelIndex[0], levelT = levelIndex[t];
            if (!HasLeadingBlock) (level0, levelT) = ([], []);
            else if (Envelope0 is { } envelope)
            {
                // A multiple-membership lead: Lᵢ₀ = Aᵢ₀ T L₀₀⁻ᵀ fills along the envelope, so the pattern is every
                // (level, position) pair; block (position c, level l) is block c · levels + l. Entries per lead membership.
                var full = new BlockSparse(levels[t], q[t], levels[0], q[0],
                    Enumerable.Range(0, levels[0] + 1).Select(c => checked(c * levels[t])).ToArray(),
                    Enumerable.Range(0, levels[0]).SelectMany(_ => Enumerable.Range(0, levels[t])).ToArray());
                var lead0 = _memberships[0]!;
                var entryBlock = new int[lead0.Level.Length];
                for (int i = 0; i < n; i++)
                    for (int e = lead0.RowStart[i]; e < lead0.RowStart[i + 1]; e++)
                        entryBlock[e] = envelope.Position[lead0.Level[e]] * levels[t] + levelIndex[t][i];
                Sparse0[t - 1] = full;
                _sparseBlockOfRow[t - 1] = entryBlock;
                continue;
            }
            else if (mm is not null)
            {
                // One entry per membership: (its level, the row's first-term level).
                level0 = new int[mm.Level.Length];
                for (int i = 0; i < n; i++)
                    for (int e = mm.RowStart[i]; e < mm.RowStart[i + 1]; e++) level0[e] = levelIndex[0][i];
                levelT = mm.Level;
            }
            var pattern = SparsePattern(level0, levels[0], levelT, levels[t]);
            var s = new BlockSparse(levels[t], q[t], levels[0], q[0], pattern.colPtr, pattern.rowLevel);
            var blockOfRow = pattern.blockOfEntry;
            Sparse0[t - 1] = s;
            _sparseBlockOfRow[t - 1] = blockOfRow;
        }
        XY0 = new DenseBlock(p + 1, Sizes[0]);
        Dense = new DenseBlock?[k + 1][];
        _laterTermsScalar = Enumerable.Range(1, Math.Max(k - 1, 0)).All(t => q[t] == 1);
        _levelSums = [new double[k][], new double[k][]];
        for (int h = 0; h < 2; h++)
            for (int t = 1; t < k; t++) _levelSums[h][t] = new double[levels[t]];
        for (int i = 0; i <= k; i++)
        {
            Dense[i] = new DenseBlock?[k + 1];
            for (int j = 1; j <= i; j++)
                if (!compactTail || i == k) Dense[i][j] = new DenseBlock(Sizes[i], Sizes[j]);
        }
        if (compactTail) InitCompactTail(levelIndex, levels, q);
        Refill(y, weights);
    }

    private readonly int[][] _levelIndex;
    private readonly MembershipRows?[] _memberships;

    /// <summary>
    /// A₀₀ of a single multiple-membership term, by envelope (levels permuted; <see cref="XY0"/>'s columns then follow
    /// the positions, not the levels); null when the first term is an ordinary one.
    /// </summary>
    public BlockEnvelope? Envelope0 { get; }

    /// <summary>Whether block 0 is a real term; false when several multiple-membership terms leave it empty.</summary>
    public bool HasLeadingBlock { get; }

    /// <summary>Whether ordered term t is a multiple-membership term (its diagonal block couples levels).</summary>
    public bool IsMultipleMembership(int t) => _memberships[t] is not null;
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
        Clear(Diagonal0, Sparse0, XY0, Dense, levelBlocksOnly: ScalarOwnBlocksDiagonal);
        if (Envelope0 is not null) Array.Clear(Envelope0.Data);
        if (n < ParallelRows || Environment.ProcessorCount < 2 || Envelope0 is not null)
        {
            Accumulate(0, n, y, weights, Diagonal0, Sparse0, XY0, Dense, _xyRow, _levelSums[0]);
        }
        else
        {
            _shadowDiagonal0 ??= new BlockDiagonal(Diagonal0.Levels, Diagonal0.Q);
            _shadowSparse0 ??= Sparse0.Select(s => new BlockSparse(s.RowLevels, s.RowQ, s.ColLevels, s.ColQ, s.ColPtr, s.RowLevel)).ToArray();
            _shadowXY0 ??= new DenseBlock(XY0.Rows, XY0.Cols);
            _shadowDense ??= Dense.Select(row => row.Select(b => b is null ? null : new DenseBlock(b.Rows, b.Cols)).ToArray()).ToArray();
            // The shadow only ever receives Accumulate's sums, which touch an ordinary term's own block at level blocks alone.
            Clear(_shadowDiagonal0, _shadowSparse0, _shadowXY0, _shadowDense, levelBlocksOnly: true);
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
                    if (Dense[i][j] is null) continue;
                    if (i == j && i < k && _memberships[i] is null) AddLevelBlocks(_shadowDense[i][j]!, Dense[i][j]!, Q[i]);
                    else Add(_shadowDense[i][j]!.Data, Dense[i][j]!.Data);
                }
        }
        if (CompactTail) AccumulateCompactTail(y, weights);
    }

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

    /// <summary>
    /// Zeroes the blocks; with <paramref name="levelBlocksOnly"/> an ordinary term's own block only at its level blocks
    /// (the rest is zero); a multiple-membership term's own block couples levels and is always cleared whole.
    /// </summary>
    private void Clear(BlockDiagonal d0, BlockSparse[] s0, DenseBlock xy0, DenseBlock?[][] dense, bool levelBlocksOnly)
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
                if (i == j && i < k && levelBlocksOnly && _memberships[i] is null) ClearLevelBlocks(b, Q[i]);
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
        if (!HasLeadingBlock) { }
        else if (Envelope0 is { } envelope) AccumulateEnvelope(start, end, y, weights, envelope, xy0, xyRow);
        else if (q0 == 1 && p + 1 <= 4)
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
        for (int t = 1; t < k && HasLeadingBlock; t++)
        {
            var s = sparse0[t - 1];
            var blockOfRow = _sparseBlockOfRow[t - 1];
            int qt = q[t];
            var zt = z[t];
            if (Envelope0 is not null)
            {
                // Each membership e of the lead adds ω_e z_t(i) w z₀(i)' to its (level of t, position of e) block.
                var lead = _memberships[0]!;
                for (int i = start; i < end; i++)
                {
                    double w = weights is null ? 1 : weights[i];
                    if (w == 0) continue;
                    for (int e = lead.RowStart[i]; e < lead.RowStart[i + 1]; e++)
                    {
                        var blk = s.Block(blockOfRow[e]);
                        double we = w * lead.Weight[e];
                        for (int b = 0; b < q0; b++)
                        {
                            double zb = we * z0[b * n + i];
                            for (int a = 0; a < qt; a++) blk[b * qt + a] += zt[a * n + i] * zb;
                        }
                    }
                }
                continue;
            }
            if (_memberships[t] is { } mm)
            {
                // Each membership e of row i adds ω_e z_t(i) w z₀(i)' to its (level, first-term level) block.
                for (int i = start; i < end; i++)
                {
                    double w = weights is null ? 1 : weights[i];
                    if (w == 0) continue;
                    for (int e = mm.RowStart[i]; e < mm.RowStart[i + 1]; e++)
                    {
                        var blk = s.Block(blockOfRow[e]);
                        double we = w * mm.Weight[e];
                        for (int b = 0; b < q0; b++)
                        {
                            double zb = we * z0[b * n + i];
                            for (int a = 0; a < qt; a++) blk[b * qt + a] += zt[a * n + i] * zb;
                        }
                    }
                }
                continue;
            }
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

        // The other dense blocks Aᵢⱼ, 1 ≤ j ≤ i ≤ K (block K is [X y]); a compact tail sums them in its own pass.
        if (k == 1 || CompactTail) return;
        if (_memberships.Any(m => m is not null))
        {
            AccumulateDenseWithMemberships(start, end, y, weights, dense, xyRow);
            return;
        }
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

    /// <summary>
    /// Adds Σₘ wₘ (r_aₘ r_bₘ' + r_bₘ r_aₘ') to every block, r_i the row i of [Z X y] (y given): the cross terms of a
    /// Gram of rows that mix two rows each, such as rows whitened by a bidiagonal AR(1) factor (a whitened row
    /// aⱼ rⱼ − bⱼ rⱼ₋₁ contributes aⱼ² rⱼrⱼ' + bⱼ² rⱼ₋₁rⱼ₋₁' − aⱼbⱼ(rⱼrⱼ₋₁' + rⱼ₋₁rⱼ'); the squares are a row-weight
    /// <see cref="Refill"/>). Both rows of a pair must share the first term's level (its blocks stay block diagonal);
    /// other terms may differ between them, which puts entries between two of their levels in the dense blocks.
    /// </summary>
    public void AddRowPairs(ReadOnlySpan<int> first, ReadOnlySpan<int> second, ReadOnlySpan<double> weight, double[] y)
    {
        ScalarOwnBlocksDiagonal = false;
        int n = N, p = P, k = BlockCount - 1;
        var q = Q;
        int q0 = q[0];
        var z0 = _z[0];
        var level0 = _levelIndex[0];
        var rowA = new double[p + 1];
        var rowB = new double[p + 1];
        for (int m = 0; m < first.Length; m++)
        {
            double w = weight[m];
            if (w == 0) continue;
            int a = first[m], b = second[m];
            int l0 = level0[a];
            if (level0[b] != l0) throw new InvalidOperationException($"Rows {a} and {b} are in different levels of the first term.");
            FillXY(rowA, _x, y, n, p, a);
            FillXY(rowB, _x, y, n, p, b);
            // A₀₀: the level's q₀ × q₀ block.
            var blk = Diagonal0.Block(l0);
            for (int c = 0; c < q0; c++)
                for (int r = 0; r < q0; r++)
                    blk[c * q0 + r] += w * (z0[r * n + a] * z0[c * n + b] + z0[r * n + b] * z0[c * n + a]);
            // A_K0 = [X y]'Z₁.
            for (int c = 0; c < q0; c++)
            {
                var column = XY0.Column(l0 * q0 + c);
                double zb = z0[c * n + b], za = z0[c * n + a];
                for (int r = 0; r <= p; r++) column[r] += w * (rowA[r] * zb + rowB[r] * za);
            }
            // Aᵢ₀: each row's level of term i against the shared level of term 0.
            for (int t = 1; t < k; t++)
            {
                var sp = Sparse0[t - 1];
                int qt = q[t];
                var zt = _z[t];
                var blkA = sp.Block(sp.Find(_levelIndex[t][a], l0));
                for (int c = 0; c < q0; c++)
                    for (int r = 0; r < qt; r++) blkA[c * qt + r] += w * zt[r * n + a] * z0[c * n + b];
                var blkB = sp.Block(sp.Find(_levelIndex[t][b], l0));
                for (int c = 0; c < q0; c++)
                    for (int r = 0; r < qt; r++) blkB[c * qt + r] += w * zt[r * n + b] * z0[c * n + a];
            }
            // Dense blocks Aᵢⱼ, 1 ≤ j ≤ i ≤ K (block K is [X y]), both orders of the pair.
            for (int bj = 1; bj <= k; bj++)
                for (int bi = bj; bi <= k; bi++)
                {
                    var block = Dense[bi][bj]!;
                    var data = block.Data;
                    int rows = block.Rows;
                    int qi = bi == k ? p + 1 : q[bi], qj = bj == k ? p + 1 : q[bj];
                    for (int order = 0; order < 2; order++)
                    {
                        int u = order == 0 ? a : b, v = order == 0 ? b : a;
                        var rowU = order == 0 ? rowA : rowB;
                        var rowV = order == 0 ? rowB : rowA;
                        int ri = bi == k ? 0 : _levelIndex[bi][u] * qi, cj = bj == k ? 0 : _levelIndex[bj][v] * qj;
                        for (int cb = 0; cb < qj; cb++)
                        {
                            double vb = w * (bj == k ? rowV[cb] : _z[bj][cb * n + v]);
                            if (vb == 0) continue;
                            int col = (cj + cb) * rows + ri;
                            for (int ra = 0; ra < qi; ra++)
                                data[col + ra] += (bi == k ? rowU[ra] : _z[bi][ra * n + u]) * vb;
                        }
                    }
                }
        }
    }

    /// <summary>
    /// Sets every block to Σₖ cₖ Aₖ, a linear combination of Grams with this one's layout (same rows, terms and order):
    /// the Gram of AR(1)-whitened rows over consecutive occasions from precomputed pieces, without a pass over the rows.
    /// </summary>
    public void SetLinearCombination(IReadOnlyList<BlockedGram> pieces, ReadOnlySpan<double> coefficients)
    {
        int k = BlockCount - 1;
        // While the flag holds, the own blocks are zero off their level blocks, so clearing those is enough.
        Clear(Diagonal0, Sparse0, XY0, Dense, levelBlocksOnly: ScalarOwnBlocksDiagonal);
        for (int m = 0; m < pieces.Count; m++)
        {
            var g = pieces[m];
            double c = coefficients[m];
            if (c == 0) continue;
            Factorization.DenseKernels.Axpy(c, g.Diagonal0.Data, Diagonal0.Data);
            for (int t = 0; t < Sparse0.Length; t++) Factorization.DenseKernels.Axpy(c, g.Sparse0[t].Data, Sparse0[t].Data);
            Factorization.DenseKernels.Axpy(c, g.XY0.Data, XY0.Data);
            for (int i = 0; i <= k; i++)
                for (int j = 1; j <= i; j++) Factorization.DenseKernels.Axpy(c, g.Dense[i][j]!.Data, Dense[i][j]!.Data);
            if (!g.ScalarOwnBlocksDiagonal) ScalarOwnBlocksDiagonal = false;
        }
    }

    /// <summary>
    /// Whether a term's own dense block Zᵢ'Zᵢ holds only the q × q blocks of single levels — diagonal for a scalar term —
    /// as when each row has one level of each term. False once <see cref="AddRowPairs"/> has added cross products
    /// between rows in different levels (then refills clear and copy the blocks whole).
    /// </summary>
    public bool ScalarOwnBlocksDiagonal { get; private set; } = true;

    /// <summary>
    /// A₀₀ and A_K0 of a single multiple-membership term: each pair of a row's memberships (e, f) with position(e) ≥
    /// position(f) adds ω_e ω_f w z z' to envelope block (e, f); each membership adds ω_e w [x y] z' to its columns of A_K0.
    /// </summary>
    private void AccumulateEnvelope(int start, int end, double[] y, double[]? weights, BlockEnvelope envelope, DenseBlock xy0, double[] xyRow)
    {
        int n = N, p = P, q = Q[0];
        var mm = _memberships[0]!;
        var z = _z[0];
        var position = envelope.Position;
        var data = envelope.Data;
        var xyData = xy0.Data;
        int stride = p + 1;
        for (int i = start; i < end; i++)
        {
            double w = weights is null ? 1 : weights[i];
            if (w == 0) continue;
            FillXY(xyRow, _x, y, n, p, i);
            int e0 = mm.RowStart[i], e1 = mm.RowStart[i + 1];
            for (int e = e0; e < e1; e++)
            {
                int pe = position[mm.Level[e]];
                double we = w * mm.Weight[e];
                for (int b = 0; b < q; b++)
                {
                    double zb = we * z[b * n + i];
                    int o = (pe * q + b) * stride;
                    for (int a = 0; a <= p; a++) xyData[o + a] += xyRow[a] * zb;
                }
                for (int f = e0; f < e1; f++)
                {
                    int pf = position[mm.Level[f]];
                    if (pf > pe) continue;
                    double wef = we * mm.Weight[f];
                    if (q == 1)
                    {
                        data[envelope.BlockIndex(pe, pf)] += wef * z[i] * z[i];
                        continue;
                    }
                    var blk = envelope.Block(pe, pf);
                    for (int b = 0; b < q; b++)
                    {
                        double zb = wef * z[b * n + i];
                        for (int a = 0; a < q; a++) blk[b * q + a] += z[a * n + i] * zb;
                    }
                }
            }
        }
    }

    /// <summary>
    /// The dense blocks Aᵢⱼ (1 ≤ j ≤ i ≤ K, j a term) when some term has memberships: row i's Z row for a term is
    /// Σ_e ω_e z(i) at level(e), so each pair of its entries (e in term i, f in term j) adds ω_e ω_f w zᵢ(i) zⱼ(i)' at
    /// (level(e), level(f)); an ordinary term is one entry of weight 1, [X y] one entry at offset 0. On a membership
    /// term's own diagonal block both triangles are filled (the block is symmetric, not block diagonal).
    /// </summary>
    private void AccumulateDenseWithMemberships(int start, int end, double[] y, double[]? weights, DenseBlock?[][] dense, double[] xyRow)
    {
        int n = N, p = P, k = BlockCount - 1;
        var z = _z;
        var q = Q;
        for (int i = start; i < end; i++)
        {
            double w = weights is null ? 1 : weights[i];
            if (w == 0) continue;
            FillXY(xyRow, _x, y, n, p, i);
            for (int bj = 1; bj < k; bj++)
            {
                var mj = _memberships[bj];
                int qj = q[bj];
                int fj0 = mj is null ? i : mj.RowStart[i], fj1 = mj is null ? i + 1 : mj.RowStart[i + 1];
                for (int bi = bj; bi <= k; bi++)
                {
                    var block = dense[bi][bj]!;
                    var data = block.Data;
                    int rows = block.Rows;
                    var mi = bi == k ? null : _memberships[bi];
                    int qi = bi == k ? p + 1 : q[bi];
                    int ei0 = bi == k || mi is null ? i : mi.RowStart[i], ei1 = bi == k || mi is null ? i + 1 : mi.RowStart[i + 1];
                    for (int f = fj0; f < fj1; f++)
                    {
                        int cj = (mj is null ? _levelIndex[bj][f] : mj.Level[f]) * qj;
                        double wf = w * (mj is null ? 1 : mj.Weight[f]);
                        for (int e = ei0; e < ei1; e++)
                        {
                            int ri = bi == k ? 0 : (mi is null ? _levelIndex[bi][e] : mi.Level[e]) * qi;
                            double we = wf * (mi is null ? 1 : mi.Weight[e]);
                            for (int b = 0; b < qj; b++)
                            {
                                double vb = we * z[bj][b * n + i];
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
            }
        }
    }

    private static void FillXY(double[] row, double[] x, double[] y, int n, int p, int i)
    {
        for (int c = 0; c < p; c++) row[c] = x[c * n + i];
        row[p] = y[i];
    }

    /// <summary>
    /// The distinct (level of term t, level of term 0) pairs, compressed by term-0 level, rows ascending, and for each
    /// entry the index of its pair. Two stable counting sorts (by the term-t level, then by the term-0 level) order the
    /// entries in time linear in entries and levels — a comparison sort of the keys took most of a large design's setup.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static (int[] colPtr, int[] rowLevel, int[] blockOfEntry) SparsePattern(int[] level0, int levels0, int[] levelT, int levelsT)
    {
        int n = level0.Length;
        var blockOfEntry = new int[n];
        if (n == 0) return (new int[levels0 + 1], [], blockOfEntry);
        var byT = CountingOrder(levelT, levelsT, null);
        var order = CountingOrder(level0, levels0, byT);
        var colPtr = new int[levels0 + 1];
        var rowLevel = new int[n];
        int unique = 0;
        for (int u = 0; u < n; u++)
        {
            int e = order[u];
            if (u == 0 || level0[e] != level0[order[u - 1]] || levelT[e] != levelT[order[u - 1]])
            {
                rowLevel[unique++] = levelT[e];
                colPtr[level0[e] + 1]++;
            }
            blockOfEntry[e] = unique - 1;
        }
        for (int c = 0; c < levels0; c++) colPtr[c + 1] += colPtr[c];
        return (colPtr, rowLevel[..unique], blockOfEntry);
    }

    /// <summary>The entries (in the order of <paramref name="within"/>, or 0 .. n − 1) stably sorted by their key in [0, keys).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int[] CountingOrder(int[] key, int keys, int[]? within)
    {
        int n = key.Length;
        var start = new int[keys + 1];
        foreach (int k in key) start[k + 1]++;
        for (int k = 0; k < keys; k++) start[k + 1] += start[k];
        var order = new int[n];
        for (int u = 0; u < n; u++)
        {
            int e = within is null ? u : within[u];
            order[start[key[e]]++] = e;
        }
        return order;
    }
}

/// <summary>A multiple-membership term's rows as the Gram reads them: row offsets, level per entry, effective weight per entry.</summary>
internal sealed record MembershipRows(int[] RowStart, int[] Level, double[] Weight);
