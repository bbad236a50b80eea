using TypedMixed.Estimation;
using TypedMixed.Storage;
using static TypedMixed.Factorization.DenseKernels;

namespace TypedMixed.Factorization;

/// <summary>
/// The blocked lower Cholesky factor L of
/// <code>
/// [ Λ'Z'ZΛ + I   Λ'Z'X   Λ'Z'y ]
/// [ X'ZΛ         X'X     X'y   ]  = L L'
/// [ y'ZΛ         y'X     y'y   ]
/// </code>
/// stored in the block layout of <see cref="BlockedGram"/>: L₀₀ block diagonal, Lᵢ₀ block sparse with Aᵢ₀'s pattern,
/// everything else dense. <see cref="Update"/> refills L from A for a new θ without allocating.
/// The last block's last diagonal entry is r, with r² the penalized residual sum of squares.
/// </summary>
internal sealed class BlockedCholesky
{
    private readonly BlockedGram _a;
    private readonly CovarianceTemplate[] _templates;
    private readonly double[][] _t;
    private readonly OuterProductSchedule?[] _outerSchedules;

    public BlockedCholesky(BlockedGram a, CovarianceTemplate[] orderedTemplates)
    {
        _a = a;
        _templates = orderedTemplates;
        int k = a.BlockCount - 1;
        _t = new double[k][];
        for (int t = 0; t < k; t++) _t[t] = new double[a.Q[t] * a.Q[t]];
        L00 = new BlockDiagonal(a.Levels[0], a.Q[0]);
        Ls0 = new BlockSparse[a.Sparse0.Length];
        for (int i = 0; i < Ls0.Length; i++)
        {
            var s = a.Sparse0[i];
            Ls0[i] = new BlockSparse(s.RowLevels, s.RowQ, s.ColLevels, s.ColQ, s.ColPtr, s.RowLevel);
        }
        LXY0 = new DenseBlock(a.XY0.Rows, a.XY0.Cols);
        _outerSchedules = new OuterProductSchedule?[Ls0.Length];
        for (int i = 0; i < Ls0.Length; i++)
            if (Ls0[i].RowQ == 1 && Ls0[i].ColQ == 1) _outerSchedules[i] = OuterProductSchedule.Create(Ls0[i]);
        LD = new DenseBlock?[k + 1][];
        for (int i = 0; i <= k; i++)
        {
            LD[i] = new DenseBlock?[k + 1];
            for (int j = 1; j <= i; j++) LD[i][j] = new DenseBlock(a.Sizes[i], a.Sizes[j]);
        }
    }

    public BlockedGram Gram => _a;
    public BlockDiagonal L00 { get; }
    public BlockSparse[] Ls0 { get; }
    public DenseBlock LXY0 { get; }
    public DenseBlock?[][] LD { get; }

    /// <summary>T of ordered term t (q × q lower, column-major), as filled by the last <see cref="Update"/>.</summary>
    public double[] Factor(int term) => _t[term];

    /// <summary>log |L_Z|² = Σ 2 log diag over the random-effects blocks.</summary>
    public double LogDetZ { get; private set; }

    /// <summary>log |L_X|² over the fixed-effects part.</summary>
    public double LogDetX { get; private set; }

    /// <summary>r², the penalized residual sum of squares.</summary>
    public double PenalizedRss { get; private set; }

    /// <summary>Refills L for θ and factors it. Returns false if a pivot is not positive.</summary>
    public bool Update(ReadOnlySpan<double> theta)
    {
        int k = _a.BlockCount - 1;
        for (int t = 0; t < k; t++) _templates[t].FillFactor(theta, _t[t]);

        // L₀₀ = chol(T₀' A₀₀ T₀ + I), level by level.
        L00.CopyFrom(_a.Diagonal0);
        int q0 = _a.Q[0];
        var t0 = _t[0];
        double logDet = 0;
        for (int l = 0; l < L00.Levels; l++)
        {
            var blk = L00.Block(l);
            if (q0 == 1)
            {
                double v = Math.Sqrt(t0[0] * t0[0] * blk[0] + 1);
                blk[0] = v;
                logDet += 2 * Math.Log(v);
                continue;
            }
            ScaleSmall(blk, q0, q0, t0, t0);
            for (int d = 0; d < q0; d++) blk[d * q0 + d] += 1;
            if (!Cholesky(blk, q0)) return false;
            for (int d = 0; d < q0; d++) logDet += 2 * Math.Log(blk[d * q0 + d]);
        }

        // Lᵢ₀ = Tᵢ' Aᵢ₀ T₀ L₀₀⁻ᵀ, block by block (the pattern is kept).
        for (int i = 0; i < Ls0.Length; i++)
        {
            var s = Ls0[i];
            s.CopyFrom(_a.Sparse0[i]);
            var ti = _t[i + 1];
            for (int col = 0; col < s.ColLevels; col++)
            {
                var lcol = L00.Block(col);
                for (int b = s.ColPtr[col]; b < s.ColPtr[col + 1]; b++)
                {
                    var blk = s.Block(b);
                    ScaleSmall(blk, s.RowQ, q0, ti, t0);
                    RightSolveLowerTranspose(blk, s.RowQ, lcol, q0);
                }
            }
        }

        // L_K0 = [X y]' Z₀ T₀ L₀₀⁻ᵀ.
        LXY0.CopyFrom(_a.XY0);
        RightScale(LXY0, q0, t0);
        int rXY = LXY0.Rows;
        for (int l = 0; l < L00.Levels; l++)
            RightSolveLowerTranspose(LXY0.Data.AsSpan(l * q0 * rXY, q0 * rXY), rXY, L00.Block(l), q0);

        // Dense block columns j = 1 .. K.
        for (int j = 1; j <= k; j++)
        {
            var ljj = LD[j][j]!;
            if (j < k)
            {
                if (_a.Q[j] == 1)
                {
                    // Scalar term: Λ'AΛ + I = θ²A + I, lower triangle only, in one pass.
                    CopyScaledLowerPlusIdentity(_a.Dense[j][j]!, ljj, _t[j][0] * _t[j][0]);
                }
                else
                {
                    ljj.CopyFrom(_a.Dense[j][j]!);
                    LeftScaleTranspose(ljj, _a.Q[j], _t[j]);
                    RightScale(ljj, _a.Q[j], _t[j]);
                    for (int d = 0; d < ljj.Rows; d++) ljj[d, d] += 1;
                }
                if (_outerSchedules[j - 1] is { } schedule) schedule.Subtract(Ls0[j - 1].Data, ljj.Data);
                else SubtractSparseOuter(ljj, Ls0[j - 1], Ls0[j - 1], lowerOnly: true);
            }
            else
            {
                ljj.CopyFrom(_a.Dense[j][j]!);
                SyrkLowerMinus(ljj.Data, ljj.Rows, LXY0.Data, LXY0.Cols);
            }
            for (int c = 1; c < j; c++) SyrkLowerMinus(ljj.Data, ljj.Rows, LD[j][c]!.Data, LD[j][c]!.Cols);
            if (j < k)
            {
                if (!Cholesky(ljj.Data, ljj.Rows)) return false;
                for (int d = 0; d < ljj.Rows; d++) logDet += 2 * Math.Log(ljj[d, d]);
            }
            else
            {
                if (!FactorLastBlock(ljj)) return false;
            }

            for (int i = j + 1; i <= k; i++)
            {
                var lij = LD[i][j]!;
                lij.CopyFrom(_a.Dense[i][j]!);
                if (i < k) LeftScaleTranspose(lij, _a.Q[i], _t[i]);
                RightScale(lij, _a.Q[j], _t[j]);
                if (i < k) SubtractSparseOuter(lij, Ls0[i - 1], Ls0[j - 1], lowerOnly: false);
                else SubtractDenseSparseOuter(lij, LXY0, Ls0[j - 1]);
                for (int c = 1; c < j; c++)
                    GemmNTMinus(lij.Data, lij.Rows, lij.Cols, LD[i][c]!.Data, LD[j][c]!.Data, LD[i][c]!.Cols);
                RightSolveLowerTranspose(lij.Data, lij.Rows, ljj.Data, ljj.Rows);
            }
        }
        LogDetZ = logDet;
        return true;
    }

    /// <summary>
    /// Factors the [X y] block: the p × p part must be positive definite; the last pivot r² may be 0 (an exact fit).
    /// </summary>
    private bool FactorLastBlock(DenseBlock lkk)
    {
        int m = lkk.Rows, p = m - 1;
        if (!FactorDiagonalBlock(lkk.Data, m, 0, m, lastPivotMayBeZero: true)) return false;
        double logDetX = 0;
        for (int j = 0; j < p; j++) logDetX += 2 * Math.Log(lkk[j, j]);
        LogDetX = logDetX;
        PenalizedRss = lkk[p, p] * lkk[p, p];
        return true;
    }

    /// <summary>Lower triangle of target ← s · source, plus 1 on the diagonal.</summary>
    private static void CopyScaledLowerPlusIdentity(DenseBlock source, DenseBlock target, double s)
    {
        int m = source.Rows;
        var src = source.Data.AsSpan();
        var dst = target.Data.AsSpan();
        for (int j = 0; j < m; j++)
        {
            var from = src.Slice(j * m + j, m - j);
            var to = dst.Slice(j * m + j, m - j);
            Scale(from, s, to);
            to[0] += 1;
        }
    }

    /// <summary>B ← Lᵀ B R for a small column-major r × c block, L r × r and R c × c lower triangular.</summary>
    private static void ScaleSmall(Span<double> b, int r, int c, ReadOnlySpan<double> left, ReadOnlySpan<double> right)
    {
        if (r == 1 && c == 1) { b[0] *= left[0] * right[0]; return; }
        // Rows: new row a = Σ_{e ≥ a} left[e, a] · row e (ascending a keeps the rows still needed).
        for (int col = 0; col < c; col++)
            for (int a = 0; a < r; a++)
            {
                double s = 0;
                for (int e = a; e < r; e++) s += left[a * r + e] * b[col * r + e];
                b[col * r + a] = s;
            }
        // Columns: new column bcol = Σ_{d ≥ bcol} column d · right[d, bcol].
        for (int bc = 0; bc < c; bc++)
            for (int a = 0; a < r; a++)
            {
                double s = 0;
                for (int d = bc; d < c; d++) s += b[d * r + a] * right[bc * c + d];
                b[bc * r + a] = s;
            }
    }

    /// <summary>M ← M (I ⊗ T): columns grouped by level, q per level.</summary>
    private static void RightScale(DenseBlock m, int q, ReadOnlySpan<double> t)
    {
        if (q == 1)
        {
            double s = t[0];
            if (s != 1) foreach (ref double v in m.Data.AsSpan()) v *= s;
            return;
        }
        int rows = m.Rows;
        for (int l = 0; l < m.Cols / q; l++)
            for (int b = 0; b < q; b++)
            {
                var colB = m.Column(l * q + b);
                double tbb = t[b * q + b];
                for (int i = 0; i < rows; i++) colB[i] *= tbb;
                for (int d = b + 1; d < q; d++)
                {
                    double tdb = t[b * q + d];
                    if (tdb != 0) Axpy(tdb, m.Column(l * q + d), colB);
                }
            }
    }

    /// <summary>M ← (I ⊗ T)' M: rows grouped by level, q per level.</summary>
    private static void LeftScaleTranspose(DenseBlock m, int q, ReadOnlySpan<double> t)
    {
        if (q == 1)
        {
            double s = t[0];
            if (s != 1) foreach (ref double v in m.Data.AsSpan()) v *= s;
            return;
        }
        int rows = m.Rows;
        for (int col = 0; col < m.Cols; col++)
        {
            var column = m.Column(col);
            for (int l = 0; l < rows / q; l++)
                for (int a = 0; a < q; a++)
                {
                    double s = 0;
                    for (int e = a; e < q; e++) s += t[a * q + e] * column[l * q + e];
                    column[l * q + a] = s;
                }
        }
    }

    /// <summary>C ← C − Sᵢ Sⱼ' where Sᵢ, Sⱼ are block sparse over the same first-term columns.</summary>
    private static void SubtractSparseOuter(DenseBlock c, BlockSparse si, BlockSparse sj, bool lowerOnly)
    {
        int qi = si.RowQ, qj = sj.RowQ, q0 = si.ColQ, ld = c.Rows;
        var data = c.Data;
        for (int col = 0; col < si.ColLevels; col++)
        {
            int bi0 = si.ColPtr[col], bi1 = si.ColPtr[col + 1];
            int bj0 = sj.ColPtr[col], bj1 = sj.ColPtr[col + 1];
            for (int bj = bj0; bj < bj1; bj++)
            {
                var blkJ = sj.Block(bj);
                int colOffset = sj.RowLevel[bj] * qj;
                for (int bi = lowerOnly ? bj : bi0; bi < bi1; bi++)
                {
                    if (lowerOnly && bi < bi0) continue;
                    var blkI = si.Block(bi);
                    int rowOffset = si.RowLevel[bi] * qi;
                    if (qi == 1 && qj == 1 && q0 == 1)
                    {
                        data[colOffset * ld + rowOffset] -= blkI[0] * blkJ[0];
                        continue;
                    }
                    for (int b = 0; b < qj; b++)
                        for (int a = 0; a < qi; a++)
                        {
                            double s = 0;
                            for (int e = 0; e < q0; e++) s += blkI[e * qi + a] * blkJ[e * qj + b];
                            data[(colOffset + b) * ld + rowOffset + a] -= s;
                        }
                }
            }
        }
    }

    /// <summary>C ← C − D Sⱼ' for dense D (r × m₀) and block-sparse Sⱼ.</summary>
    private static void SubtractDenseSparseOuter(DenseBlock c, DenseBlock d, BlockSparse sj)
    {
        int qj = sj.RowQ, q0 = sj.ColQ, r = d.Rows;
        for (int col = 0; col < sj.ColLevels; col++)
            for (int bj = sj.ColPtr[col]; bj < sj.ColPtr[col + 1]; bj++)
            {
                var blkJ = sj.Block(bj);
                int colOffset = sj.RowLevel[bj] * qj;
                for (int b = 0; b < qj; b++)
                {
                    var target = c.Column(colOffset + b);
                    for (int e = 0; e < q0; e++)
                    {
                        double v = blkJ[e * qj + b];
                        if (v != 0) Axpy(-v, d.Column(col * q0 + e), target);
                    }
                }
            }
    }
}
