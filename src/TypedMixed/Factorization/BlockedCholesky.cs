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
/// L_K0 dense, and every later block column together as one dense lower-triangular <see cref="Tail"/> — after the
/// first block column is eliminated, the rest is one dense Cholesky (blocked, packed, threaded for large orders).
/// <see cref="Update"/> refills L from A for a new θ without allocating. The tail's last diagonal entry is r, with r²
/// the penalized residual sum of squares. A multiple-membership term lives in the tail, where its coupled levels fill
/// in like any dense block; with no ordinary term the first block is empty and the tail is the whole factor.
/// When the problem chose a sparse tail (<see cref="SparseTailStructure.PreferSparse"/>: a later term with many
/// levels and little fill), the tail is factored by <see cref="SparseTailCholesky"/> instead and <see cref="Tail"/>
/// is not stored; readers then go through <see cref="TailEntry"/>, <see cref="TailForwardSolve"/> and
/// <see cref="TailBackSolveTranspose"/>, which serve both. When every term is scalar, the dense tail's random-effects
/// columns are filled and updated column by column (<see cref="ScalarTailFill"/>); otherwise block by block.
/// </summary>
internal sealed class BlockedCholesky
{
    private readonly BlockedGram _a;
    private readonly CovarianceTemplate?[] _templates;
    private readonly double[][] _t;
    /// <summary>For scalar terms i ≥ j ≥ 1, the precomputed Lᵢ₀ Lⱼ₀ᵀ update of tail block (i, j); null otherwise.</summary>
    private readonly OuterProductSchedule?[,] _outerSchedules;
    private readonly int[] _tailOffset;
    /// <summary>The column-by-column fill of the random-effects columns when every term is scalar; null otherwise.</summary>
    private readonly ScalarTailFill? _scalarFill;

    /// <param name="a">The Gram.</param>
    /// <param name="orderedTemplates">Per ordered term its template; null for an empty leading block (its T is 1).</param>
    /// <param name="sparseTail">The tail's symbolic analysis when it is factored sparsely (the Gram then has a compact tail); null: dense.</param>
    /// <param name="columnFill">Fill a dense tail column by column (<see cref="ScalarTailFill"/>) when every term is scalar;
    /// false keeps the block-by-block fill (tests compare the two).</param>
    public BlockedCholesky(BlockedGram a, CovarianceTemplate?[] orderedTemplates, SparseTailStructure? sparseTail = null, bool columnFill = true)
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
        LEnvelope = a.Envelope0?.CloneLayout();
        _outerSchedules = new OuterProductSchedule?[k + 1, k + 1];
        // The tail: blocks 1 .. K (terms after the first, then [X y]) in one dense matrix.
        _tailOffset = new int[k + 2];
        for (int j = 1; j <= k; j++) _tailOffset[j + 1] = _tailOffset[j] + a.Sizes[j];
        int m = _tailOffset[k + 1];
        TailOrder = m;
        if (sparseTail is not null)
        {
            SparseTail = new SparseTailCholesky(sparseTail, a, Ls0);
            return;
        }
        _tail = new DenseBlock(m, m);
        if (columnFill && LEnvelope is null && k >= 2 && a.Q.All(q => q == 1))
        {
            // Every term scalar: the random-effects columns are filled and updated column by column.
            _scalarFill = new ScalarTailFill(a, Ls0, LXY0, _tailOffset);
            return;
        }
        for (int j = 1; j < k && LEnvelope is null; j++)
            for (int i = j; i < k; i++)
                if (Ls0[i - 1].RowQ == 1 && Ls0[j - 1].RowQ == 1 && Ls0[i - 1].ColQ == 1)
                    _outerSchedules[i, j] = OuterProductSchedule.Create(Ls0[i - 1], Ls0[j - 1], m, _tailOffset[i], _tailOffset[j], lowerOnly: i == j);
    }

    public BlockedGram Gram => _a;
    public BlockDiagonal L00 { get; }
    public BlockSparse[] Ls0 { get; }
    public DenseBlock LXY0 { get; }

    /// <summary>L₀₀ of a single multiple-membership term, by envelope (see <see cref="BlockedGram.Envelope0"/>); null otherwise.</summary>
    public BlockEnvelope? LEnvelope { get; }

    private readonly DenseBlock? _tail;

    /// <summary>Blocks 1 .. K of L as one dense lower-triangular matrix (order <see cref="TailZ"/> + p + 1); absent for a sparse tail.</summary>
    public DenseBlock Tail => _tail ?? throw new InvalidOperationException("The tail is factored sparsely: read it through TailEntry and the tail solves.");

    /// <summary>The sparse factor of the tail, or null when the tail is dense.</summary>
    public SparseTailCholesky? SparseTail { get; }

    /// <summary>Order of the tail, <see cref="TailZ"/> + p + 1.</summary>
    public int TailOrder { get; }

    /// <summary>Entry (row, column) of the tail's factor, in the dense tail's layout (0 above the diagonal or off a sparse pattern).</summary>
    public double TailEntry(int row, int column)
    {
        if (SparseTail is { } sparse) return sparse.Entry(row, column);
        return row >= column ? _tail!.Data[column * TailOrder + row] : 0;
    }

    /// <summary>
    /// Solves L_tt x = b in place for the tail's rows start .. start + count (x is that slice; rows before start are
    /// zero in b). A sparse tail solves from the whole leading part (count + start rows, zeros first).
    /// </summary>
    public void TailForwardSolve(Span<double> x, int start, int count)
    {
        if (SparseTail is not { } sparse)
        {
            ForwardSolve(_tail!.Data, TailOrder, start, count, x);
            return;
        }
        if (start == 0) { sparse.ForwardSolve(x, count); return; }
        var full = new double[start + count];
        x.CopyTo(full.AsSpan(start));
        sparse.ForwardSolve(full, start + count);
        full.AsSpan(start).CopyTo(x);
    }

    /// <summary>Solves L_ttᵀ x = b in place for the tail's leading <paramref name="count"/> rows.</summary>
    public void TailBackSolveTranspose(Span<double> x, int count)
    {
        if (SparseTail is { } sparse) sparse.BackSolveTranspose(x, count);
        else BackSolveTranspose(_tail!.Data, TailOrder, 0, count, x);
    }

    /// <summary>Offset of block j (1 ≤ j ≤ K) within <see cref="Tail"/>.</summary>
    public int TailOffset(int j) => _tailOffset[j];

    /// <summary>Rows of <see cref="Tail"/> that belong to random-effects terms (before the [X y] rows).</summary>
    public int TailZ => _tailOffset[_a.BlockCount - 1];

    /// <summary>Block (i, j) of L for 1 ≤ j ≤ i ≤ K, as a window of <see cref="Tail"/>.</summary>
    public DenseView Block(int i, int j) =>
        new(Tail.Data, Tail.Rows, _tailOffset[i], _tailOffset[j], _a.Sizes[i], _a.Sizes[j]);

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
        for (int t = 0; t < k; t++)
            if (_templates[t] is { } template) template.FillFactor(theta, _t[t]);
            else _t[t].AsSpan().Fill(1);

        // L₀₀ = chol(T₀' A₀₀ T₀ + I), level by level.
        int q0 = _a.Q[0];
        var t0 = _t[0];
        double logDet = 0;
        if (LEnvelope is { } envelope)
        {
            if (!UpdateEnvelopeLead(envelope, t0, q0, ref logDet)) return false;
        }
        else if (!UpdateLead(t0, q0, ref logDet)) return false;
        if (SparseTail is { } sparse)
        {
            if (!sparse.Factor(_t, Ls0, LXY0)) return false;
            LogDetZ = logDet + sparse.LogDetZ;
            LogDetX = sparse.LogDetX;
            PenalizedRss = sparse.R * sparse.R;
            _version++;
            return true;
        }
        return UpdateTail(k, logDet);
    }

    /// <summary>L₀₀ (block diagonal), Lᵢ₀ (block sparse) and L_K0 of an ordinary first term.</summary>
    private bool UpdateLead(double[] t0, int q0, ref double logDet)
    {
        L00.CopyFrom(_a.Diagonal0);
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
            if (s.RowQ == 1 && q0 == 1)
            {
                // Scalar blocks: each is scaled by tᵢ t₀ / L₀₀[col].
                var data = s.Data;
                var l00 = L00.Data;
                double tt = ti[0] * t0[0];
                for (int col = 0; col < s.ColLevels; col++)
                {
                    double f = tt / l00[col];
                    for (int b = s.ColPtr[col]; b < s.ColPtr[col + 1]; b++) data[b] *= f;
                }
                continue;
            }
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
        return true;
    }

    /// <summary>Blocks 1 .. K: fill, subtract the first block column's contribution, factor; sets the log-determinants and r².</summary>
    private bool UpdateTail(int k, double logDet)
    {
        // The tail: Λ'AΛ (+ I on the terms' diagonal) block by block, minus what the first block column contributes,
        // then one dense Cholesky whose last pivot (r) may be zero.
        if (_scalarFill is not null) _scalarFill.Fill(Tail.Data, _t);
        for (int j = _scalarFill is null ? 1 : k; j <= k; j++)
            for (int i = j; i <= k; i++)
            {
                var target = Block(i, j);
                var source = _a.Dense[i][j]!;
                double[]? ti = i < k ? _t[i] : null, tj = j < k ? _t[j] : null;
                CopyScaled(source, target, ti, i < k ? _a.Q[i] : 1, tj, j < k ? _a.Q[j] : 1, lowerOnly: i == j, plusIdentity: i == j && j < k,
                    diagonalSource: i == j && j < k && !_a.IsMultipleMembership(j) && _a.ScalarOwnBlocksDiagonal);
                if (i < k)
                {
                    if (_outerSchedules[i, j] is { } schedule) schedule.Subtract(Ls0[i - 1].Data, Ls0[j - 1].Data, Tail.Data);
                    else SubtractSparseOuter(target, Ls0[i - 1], Ls0[j - 1], lowerOnly: i == j);
                }
                else if (j < k) SubtractDenseSparseOuter(target, LXY0, Ls0[j - 1]);
                else SyrkLowerMinus(target, LXY0);
            }
        int mTail = Tail.Rows, mz = TailZ, p = mTail - mz - 1;
        if (!Cholesky(Tail.Data, mTail, lastPivotMayBeZero: true)) return false;
        var tail = Tail.Data;
        for (int d = 0; d < mz; d++) logDet += 2 * Math.Log(tail[d * mTail + d]);
        double logDetX = 0;
        for (int d = mz; d < mz + p; d++) logDetX += 2 * Math.Log(tail[d * mTail + d]);
        double r = tail[(mTail - 1) * mTail + mTail - 1];
        LogDetZ = logDet;
        LogDetX = logDetX;
        PenalizedRss = r * r;
        _version++;
        return true;
    }

    /// <summary>
    /// Solves L L' x = r in place for the leading part of the system: the random effects (first term, then the tail's
    /// terms) and, when <paramref name="withFixed"/>, the p fixed effects after them (never the response row). x is laid
    /// out as [first term's levels × q₀, the tail's rows 0 .. TailZ (+ p)]. With <paramref name="withFixed"/> false it
    /// solves with L_ZZ, the factor of the random-effects block alone (a leading block of L).
    /// </summary>
    public void Solve(Span<double> x, bool withFixed) => Solve(x, withFixed, singleTail: false);

    /// <summary>
    /// <see cref="Solve(Span{double}, bool)"/> with the dense tail read from a single-precision copy of it (made once
    /// per factorization): the solve of a preconditioner, where the copy is an exactly triangular factor of a matrix
    /// within rounding of this one — the operator stays symmetric positive definite — and the sweeps over the tail read
    /// half the memory.
    /// </summary>
    public void SolvePreconditioner(Span<double> x, bool withFixed)
    {
        if (SparseTail is not null) { Solve(x, withFixed, singleTail: false); return; }
        if (_singleTailVersion != _version)
        {
            int m = Tail.Rows;
            _singleTail ??= new float[Tail.Data.Length];
            var tail = Tail.Data;
            for (int c = 0; c < m; c++)
                for (int r = c; r < m; r++) _singleTail[c * m + r] = (float)tail[c * m + r];
            _singleTailVersion = _version;
        }
        Solve(x, withFixed, singleTail: true);
    }

    private float[]? _singleTail;
    private int _singleTailVersion = -1, _version;

    private void Solve(Span<double> x, bool withFixed, bool singleTail)
    {
        int q0 = _a.Q[0], s0 = _a.Sizes[0], m = TailOrder, mz = TailZ, p = m - mz - 1;
        int rows = mz + (withFixed ? p : 0);
        var x0 = x.Slice(0, s0);
        var xt = x.Slice(s0, rows);
        // Forward: L₀₀ x₀ = r₀; r_t −= L_t0 x₀; L_tt x_t = r_t.
        if (q0 == 1)
        {
            var d00 = L00.Data;
            for (int l = 0; l < x0.Length; l++) x0[l] /= d00[l];
        }
        else
            for (int l = 0; l < L00.Levels; l++) ForwardSolve(L00.Block(l), q0, x0.Slice(l * q0, q0));
        for (int i = 0; i < Ls0.Length; i++)
        {
            var sp = Ls0[i];
            int off = _tailOffset[i + 1];
            if (sp.RowQ == 1 && sp.ColQ == 1)
            {
                // Scalar blocks (two crossed intercepts): a scatter per column, no per-block spans.
                int[] ptr = sp.ColPtr, rowLevel = sp.RowLevel;
                double[] data = sp.Data;
                var xo = xt.Slice(off);
                for (int col = 0; col < sp.ColLevels; col++)
                {
                    double v = x0[col];
                    if (v == 0) continue;
                    for (int b = ptr[col], end = ptr[col + 1]; b < end; b++) xo[rowLevel[b]] -= data[b] * v;
                }
                continue;
            }
            for (int col = 0; col < sp.ColLevels; col++)
                for (int b = sp.ColPtr[col]; b < sp.ColPtr[col + 1]; b++)
                {
                    var blk = sp.Block(b);
                    int r0 = off + sp.RowLevel[b] * sp.RowQ;
                    for (int e = 0; e < sp.ColQ; e++)
                    {
                        double v = x0[col * sp.ColQ + e];
                        for (int a = 0; a < sp.RowQ; a++) xt[r0 + a] -= blk[e * sp.RowQ + a] * v;
                    }
                }
        }
        if (withFixed)
            for (int c = 0; c < s0; c++)
            {
                double v = x0[c];
                for (int a = 0; a < p; a++) xt[mz + a] -= LXY0[a, c] * v;
            }
        if (singleTail)
        {
            var l = _singleTail!;
            for (int j = 0; j < rows; j++)
            {
                int d = j * m + j;
                xt[j] /= l[d];
                double xj = xt[j];
                if (xj != 0) AxpyWiden(-xj, l.AsSpan(d + 1, rows - j - 1), xt.Slice(j + 1));
            }
        }
        else TailForwardSolve(xt, 0, rows);
        SolveTranspose(x, withFixed, singleTail);
    }

    /// <summary>
    /// Solves L' x = r in place for the leading part of the system, laid out as in <see cref="Solve(Span{double}, bool)"/> (with
    /// <paramref name="withFixed"/> false: L_ZZ' x = r).
    /// </summary>
    public void SolveTranspose(Span<double> x, bool withFixed) => SolveTranspose(x, withFixed, singleTail: false);

    private void SolveTranspose(Span<double> x, bool withFixed, bool singleTail)
    {
        int q0 = _a.Q[0], s0 = _a.Sizes[0], m = TailOrder, mz = TailZ, p = m - mz - 1;
        int rows = mz + (withFixed ? p : 0);
        var x0 = x.Slice(0, s0);
        var xt = x.Slice(s0, rows);
        // L_tt' x_t = y_t; y₀ −= L_t0' x_t; L₀₀' x₀ = y₀.
        if (singleTail)
        {
            var l = _singleTail!;
            for (int j = rows - 1; j >= 0; j--)
            {
                int d = j * m + j;
                xt[j] = (xt[j] - DotWiden(l.AsSpan(d + 1, rows - j - 1), xt.Slice(j + 1))) / l[d];
            }
        }
        else TailBackSolveTranspose(xt, rows);
        for (int i = 0; i < Ls0.Length; i++)
        {
            var sp = Ls0[i];
            int off = _tailOffset[i + 1];
            if (sp.RowQ == 1 && sp.ColQ == 1)
            {
                int[] ptr = sp.ColPtr, rowLevel = sp.RowLevel;
                double[] data = sp.Data;
                ReadOnlySpan<double> xo = xt.Slice(off);
                for (int col = 0; col < sp.ColLevels; col++)
                {
                    double acc = 0;
                    for (int b = ptr[col], end = ptr[col + 1]; b < end; b++) acc += data[b] * xo[rowLevel[b]];
                    x0[col] -= acc;
                }
                continue;
            }
            for (int col = 0; col < sp.ColLevels; col++)
                for (int b = sp.ColPtr[col]; b < sp.ColPtr[col + 1]; b++)
                {
                    var blk = sp.Block(b);
                    int r0 = off + sp.RowLevel[b] * sp.RowQ;
                    for (int e = 0; e < sp.ColQ; e++)
                    {
                        double acc = 0;
                        for (int a = 0; a < sp.RowQ; a++) acc += blk[e * sp.RowQ + a] * xt[r0 + a];
                        x0[col * sp.ColQ + e] -= acc;
                    }
                }
        }
        if (withFixed)
            for (int c = 0; c < s0; c++)
            {
                double acc = 0;
                for (int a = 0; a < p; a++) acc += LXY0[a, c] * xt[mz + a];
                x0[c] -= acc;
            }
        if (q0 == 1)
        {
            var d00 = L00.Data;
            for (int l = 0; l < x0.Length; l++) x0[l] /= d00[l];
        }
        else
            for (int l = 0; l < L00.Levels; l++) BackSolveTranspose(L00.Block(l), q0, x0.Slice(l * q0, q0));
    }

    /// <summary>
    /// A multiple-membership first term: L₀₀ = chol(T' A₀₀ T + I) on the envelope; Lᵢ₀ = Tᵢ' Aᵢ₀ T L₀₀⁻ᵀ and
    /// L_K0 = [X y]'Z T L₀₀⁻ᵀ row by row (dense over the envelope's positions).
    /// </summary>
    private bool UpdateEnvelopeLead(BlockEnvelope envelope, double[] t0, int q0, ref double logDet)
    {
        envelope.CopyFrom(_a.Envelope0!);
        var data = envelope.Data;
        int qq = q0 * q0;
        if (q0 == 1)
        {
            double s = t0[0] * t0[0];
            for (int b = 0; b < data.Length; b++) data[b] *= s;
        }
        else
            for (int b = 0; b < envelope.BlockCount; b++) ScaleSmall(data.AsSpan(b * qq, qq), q0, q0, t0, t0);
        for (int l = 0; l < envelope.Levels; l++)
        {
            var d = envelope.Block(l, l);
            for (int a = 0; a < q0; a++) d[a * q0 + a] += 1;
        }
        if (!EnvelopeCholesky.Factor(envelope, ref logDet)) return false;

        LXY0.CopyFrom(_a.XY0);
        RightScale(LXY0, q0, t0);
        int rXY = LXY0.Rows, m0 = LXY0.Cols;
        var row = new double[m0];
        if (q0 == 1) EnvelopeCholesky.RightSolveTranspose(envelope, LXY0.Data, rXY);
        else
            for (int r = 0; r < rXY; r++)
            {
                for (int c = 0; c < m0; c++) row[c] = LXY0.Data[c * rXY + r];
                EnvelopeCholesky.ForwardSolve(envelope, row);
                for (int c = 0; c < m0; c++) LXY0.Data[c * rXY + r] = row[c];
            }

        // Lᵢ₀ with the full pattern: block (position c, level l) is block c · levels + l; each row (l, a) is solved
        // like a row of L_K0.
        for (int i = 0; i < Ls0.Length; i++)
        {
            var s = Ls0[i];
            s.CopyFrom(_a.Sparse0[i]);
            var ti = _t[i + 1];
            int rq = s.RowQ, rowLevels = s.RowLevels, bs = rq * q0;
            for (int b = 0; b < s.RowLevel.Length; b++) ScaleSmall(s.Block(b), rq, q0, ti, t0);
            var sd = s.Data;
            if (q0 == 1)
            {
                // Scalar lead: block column c holds rows (l, a) contiguously, a column-major (levels·rq) × positions matrix.
                EnvelopeCholesky.RightSolveTranspose(envelope, sd, rowLevels * rq);
                continue;
            }
            for (int l = 0; l < rowLevels; l++)
                for (int a = 0; a < rq; a++)
                {
                    for (int c = 0; c < envelope.Levels; c++)
                        for (int e = 0; e < q0; e++) row[c * q0 + e] = sd[(c * rowLevels + l) * bs + e * rq + a];
                    EnvelopeCholesky.ForwardSolve(envelope, row);
                    for (int c = 0; c < envelope.Levels; c++)
                        for (int e = 0; e < q0; e++) sd[(c * rowLevels + l) * bs + e * rq + a] = row[c * q0 + e];
                }
        }
        return true;
    }

    /// <summary>
    /// target ← (I ⊗ Tᵢ)' source (I ⊗ Tⱼ) (T null: identity), only the lower triangle when the window is on the
    /// diagonal, plus 1 on the diagonal when asked.
    /// </summary>
    private static void CopyScaled(DenseBlock source, DenseView target, double[]? ti, int qi, double[]? tj, int qj,
        bool lowerOnly, bool plusIdentity, bool diagonalSource)
    {
        int rows = source.Rows, cols = source.Cols;
        bool scalar = (ti is null || qi == 1) && (tj is null || qj == 1);
        double s = (ti is null ? 1 : ti[0]) * (tj is null ? 1 : tj[0]);
        if (scalar && plusIdentity && diagonalSource)
        {
            // A scalar term's own block Z'Z is diagonal (one count per level): clear the lower triangle, set the diagonal.
            for (int c = 0; c < cols; c++)
            {
                var to = target.Column(c).Slice(c);
                to.Clear();
                to[0] = s * source[c, c] + 1;
            }
            return;
        }
        // With q > 1 the scaling mixes rows and columns within a level block, so a diagonal window is copied whole
        // (A is symmetric there); the scalar case needs only the lower triangle.
        for (int c = 0; c < cols; c++)
        {
            int first = lowerOnly && scalar ? c : 0;
            var from = source.Data.AsSpan(c * rows + first, rows - first);
            var to = target.Column(c).Slice(first);
            if (scalar) Scale(from, s, to);
            else from.CopyTo(to);
        }
        if (!scalar)
        {
            if (ti is not null) LeftScaleTranspose(target, qi, ti);
            if (tj is not null) RightScale(target, qj, tj);
        }
        if (plusIdentity)
            for (int d = 0; d < rows; d++) target[d, d] += 1;
    }

    /// <summary>C ← C − D Dᵀ on the lower triangle of the window C (D the dense L_K0).</summary>
    private static void SyrkLowerMinus(DenseView c, DenseBlock d)
    {
        int m = c.Rows;
        for (int j = 0; j < m; j++)
        {
            var colC = c.Column(j).Slice(j);
            for (int t = 0; t < d.Cols; t++)
            {
                double djt = d[j, t];
                if (djt != 0) Axpy(-djt, d.Column(t).Slice(j), colC);
            }
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

    /// <summary>M ← s·M on a window (a scalar term's T).</summary>
    private static void ScaleWindow(DenseView m, double s)
    {
        if (s == 1) return;
        for (int c = 0; c < m.Cols; c++)
        {
            var column = m.Column(c);
            Scale(column, s, column);
        }
    }

    /// <summary>M ← M (I ⊗ T): columns grouped by level, q per level.</summary>
    private static void RightScale(DenseBlock m, int q, ReadOnlySpan<double> t) =>
        RightScale(new DenseView(m.Data, m.Rows, 0, 0, m.Rows, m.Cols), q, t);

    /// <summary>M ← M (I ⊗ T) on a window: columns grouped by level, q per level.</summary>
    private static void RightScale(DenseView m, int q, ReadOnlySpan<double> t)
    {
        if (q == 1)
        {
            ScaleWindow(m, t[0]);
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

    /// <summary>M ← (I ⊗ T)' M on a window: rows grouped by level, q per level.</summary>
    private static void LeftScaleTranspose(DenseView m, int q, ReadOnlySpan<double> t)
    {
        if (q == 1)
        {
            ScaleWindow(m, t[0]);
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
    private static void SubtractSparseOuter(DenseView c, BlockSparse si, BlockSparse sj, bool lowerOnly)
    {
        int qi = si.RowQ, qj = sj.RowQ, q0 = si.ColQ, ld = c.Ld;
        var data = c.Data;
        int origin = c.Index(0, 0);
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
                    var blkI = si.Block(bi);
                    int rowOffset = si.RowLevel[bi] * qi;
                    if (qi == 1 && qj == 1 && q0 == 1)
                    {
                        data[origin + colOffset * ld + rowOffset] -= blkI[0] * blkJ[0];
                        continue;
                    }
                    for (int b = 0; b < qj; b++)
                        for (int a = 0; a < qi; a++)
                        {
                            double s = 0;
                            for (int e = 0; e < q0; e++) s += blkI[e * qi + a] * blkJ[e * qj + b];
                            data[origin + (colOffset + b) * ld + rowOffset + a] -= s;
                        }
                }
            }
        }
    }

    /// <summary>C ← C − D Sⱼ' for dense D (r × m₀) and block-sparse Sⱼ.</summary>
    private static void SubtractDenseSparseOuter(DenseView c, DenseBlock d, BlockSparse sj)
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
