namespace TypedMixed.Storage;

internal sealed partial class BlockedGram
{
    /// <summary>
    /// The blocked Gram filled from precomputed sums (<see cref="GramBlocks"/>) instead of rows: the same layout as the
    /// row constructor gives, so the factor and everything after it cannot tell the two apart. Such a Gram cannot be
    /// refilled (<see cref="Refill"/> needs rows): generalized models and residual structures are not fitted from blocks.
    /// </summary>
    /// <param name="blocks">Validated sums.</param>
    /// <param name="order">order[s] = the index in <paramref name="blocks"/>' terms of the s-th stored term (most levels first).</param>
    /// <param name="kept">The fixed-effects columns kept (indices into the blocks' X).</param>
    public static BlockedGram FromBlocks(GramBlocks blocks, int[] order, int[] kept) => new(blocks, order, kept);

    private BlockedGram(GramBlocks blocks, int[] order, int[] kept)
    {
        int k = order.Length, p = kept.Length, pd = blocks.FixedEffectCount;
        var terms = order.Select(t => blocks.Terms[t]).ToArray();
        N = checked((int)blocks.Rows);
        P = p;
        BlockCount = k + 1;
        Levels = terms.Select(t => t.LevelCount).ToArray();
        Q = terms.Select(t => t.ColumnCount).ToArray();
        Sizes = new int[k + 1];
        for (int s = 0; s < k; s++) Sizes[s] = checked(Levels[s] * Q[s]);
        Sizes[k] = p + 1;
        // No rows: the row-pass state stays empty.
        _levelIndex = [];
        _z = [];
        _x = [];
        _sparseBlockOfRow = [];
        _xyRow = new double[p + 1];
        _levelSums = [[], []];
        _memberships = new MembershipRows?[k];
        HasLeadingBlock = true;

        // A₀₀ = Z₁'Z₁, one q₀ × q₀ block per level.
        Diagonal0 = new BlockDiagonal(Levels[0], Q[0]);
        terms[0].ZtZ.AsSpan().CopyTo(Diagonal0.Data);

        // A_K0 = [X y]'Z₁: column l·q₀ + b holds Σ x_c z_b (kept c) and Σ y z_b.
        int q0 = Q[0];
        XY0 = new DenseBlock(p + 1, Sizes[0]);
        for (int l = 0; l < Levels[0]; l++)
            for (int b = 0; b < q0; b++)
            {
                var column = XY0.Column(l * q0 + b);
                for (int c = 0; c < p; c++) column[c] = terms[0].ZtX[l * q0 * pd + kept[c] * q0 + b];
                column[p] = terms[0].Zty[l * q0 + b];
            }

        // Aᵢ₀ (i ≥ 1): block sparse over the level pairs of the cross table with the first term.
        Sparse0 = new BlockSparse[Math.Max(k - 1, 0)];
        for (int s = 1; s < k; s++)
        {
            var (pairs, at) = Cross(blocks, order[s], order[0]);
            int qs = Q[s];
            var sorted = Enumerable.Range(0, pairs.Length).OrderBy(e => pairs[e].Col).ThenBy(e => pairs[e].Row).ToArray();
            var colPtr = new int[Levels[0] + 1];
            var rowLevel = new int[sorted.Length];
            for (int e = 0; e < sorted.Length; e++)
            {
                rowLevel[e] = pairs[sorted[e]].Row;
                colPtr[pairs[sorted[e]].Col + 1]++;
            }
            for (int c = 0; c < Levels[0]; c++) colPtr[c + 1] += colPtr[c];
            var sparse = new BlockSparse(Levels[s], qs, Levels[0], q0, colPtr, rowLevel);
            for (int e = 0; e < sorted.Length; e++)
            {
                var blk = sparse.Block(e);
                for (int b = 0; b < q0; b++)
                    for (int a = 0; a < qs; a++) blk[b * qs + a] = at(sorted[e], a, b);
            }
            Sparse0[s - 1] = sparse;
        }

        // Dense blocks Aᵢⱼ, 1 ≤ j ≤ i ≤ K.
        Dense = new DenseBlock?[k + 1][];
        for (int i = 0; i <= k; i++)
        {
            Dense[i] = new DenseBlock?[k + 1];
            for (int j = 1; j <= i; j++) Dense[i][j] = new DenseBlock(Sizes[i], Sizes[j]);
        }
        for (int s = 1; s < k; s++)
        {
            // The term's own block: its level blocks on the diagonal.
            var own = Dense[s][s]!;
            int q = Q[s];
            for (int l = 0; l < Levels[s]; l++)
                for (int b = 0; b < q; b++)
                    for (int a = 0; a < q; a++) own[l * q + a, l * q + b] = terms[s].ZtZ[l * q * q + b * q + a];
            // Cross tables with the later terms.
            for (int r = s + 1; r < k; r++)
            {
                var (pairs, at) = Cross(blocks, order[r], order[s]);
                var target = Dense[r][s]!;
                int qr = Q[r];
                for (int e = 0; e < pairs.Length; e++)
                    for (int b = 0; b < q; b++)
                        for (int a = 0; a < qr; a++) target[pairs[e].Row * qr + a, pairs[e].Col * q + b] = at(e, a, b);
            }
            // [X y]'Zₛ.
            var xy = Dense[k][s]!;
            for (int l = 0; l < Levels[s]; l++)
                for (int b = 0; b < q; b++)
                {
                    for (int c = 0; c < p; c++) xy[c, l * q + b] = terms[s].ZtX[l * q * pd + kept[c] * q + b];
                    xy[p, l * q + b] = terms[s].Zty[l * q + b];
                }
        }
        // [X y]'[X y], both triangles.
        var xyxy = Dense[k][k]!;
        for (int b = 0; b < p; b++)
        {
            for (int a = 0; a < p; a++) xyxy[a, b] = blocks.XtX[kept[b] * pd + kept[a]];
            xyxy[p, b] = xyxy[b, p] = blocks.Xty[kept[b]];
        }
        xyxy[p, p] = blocks.YtY;
    }

    /// <summary>
    /// The level pairs (row level of term <paramref name="rowTerm"/>, column level of <paramref name="colTerm"/>) of
    /// their cross table, and the entry (a of the row term, b of the column term) of pair e, whichever way it is stored.
    /// </summary>
    private static ((int Row, int Col)[] Pairs, Func<int, int, int, double> At) Cross(GramBlocks blocks, int rowTerm, int colTerm)
    {
        bool rowFirst = rowTerm < colTerm;
        var table = blocks.CrossTables.Single(c => c.First == Math.Min(rowTerm, colTerm) && c.Second == Math.Max(rowTerm, colTerm));
        int qFirst = blocks.Terms[table.First].ColumnCount, qSecond = blocks.Terms[table.Second].ColumnCount;
        var pairs = new (int, int)[table.FirstLevels.Length];
        for (int e = 0; e < pairs.Length; e++)
            pairs[e] = rowFirst ? (table.FirstLevels[e], table.SecondLevels[e]) : (table.SecondLevels[e], table.FirstLevels[e]);
        var data = table.Blocks;
        // Stored block of pair e: (r of First, c of Second) at e·qF·qS + c·qF + r.
        Func<int, int, int, double> at = rowFirst
            ? (e, a, b) => data[e * qFirst * qSecond + b * qFirst + a]
            : (e, a, b) => data[e * qFirst * qSecond + a * qFirst + b];
        return (pairs, at);
    }
}
