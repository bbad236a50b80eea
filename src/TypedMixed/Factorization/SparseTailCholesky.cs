using System.Numerics;
using System.Runtime.InteropServices;
using TypedMixed.Storage;

namespace TypedMixed.Factorization;

/// <summary>
/// The tail of <see cref="BlockedCholesky"/> factored sparsely into the fixed pattern of a
/// <see cref="SparseTailStructure"/>: per evaluation the Schur complement
/// <code>S = Λ'A_tail Λ + I − L_t0 L_t0'</code>
/// is scattered into the supernodal panels through index maps made once (the compact Gram's own blocks, cross tables
/// and [X y] rows; the outer products of each first-term level's column of L_t0), then factored left-looking: each
/// supernode receives the updates of the earlier supernodes whose rows reach its columns (a dense product of their
/// panels, scattered by relative row indices), then its diagonal block is factored and the rows below it solved with
/// the dense kernels. Rows and columns are in the structure's permuted order; the solves take and return vectors in
/// the dense tail's layout.
/// </summary>
internal sealed class SparseTailCholesky
{
    private readonly SparseTailStructure _s;
    private readonly BlockedGram _a;
    private readonly double[] _l;
    private readonly int _p, _k;
    // Scatter maps, in the order the values are read at each evaluation.
    private readonly int[][] _ownIndex;          // per later term t: level l, (a, b) with a ≥ b
    private readonly int[,][] _crossIndex;       // per later terms i > j: per stored block entry
    private readonly int[][] _xyIndex;           // per later term t: (p+1) × Sizes[t] of [X y]'Zₜ
    private readonly int[] _schurEntrySource;    // per first-term level's entries: term and offset in Ls0[term].Data
    private readonly int[] _schurEntryTerm;
    private readonly int[] _schurEntryPtr;       // per first-term level
    private readonly int[] _schurPairIndex;      // per level, its pairs (x ≥ y in factor order) in sequence
    private readonly int[] _schurXYIndex;        // per level, per entry, per [X y] row
    private readonly int[] _rel;
    private double[] _work = [];
    // The supernode lists of the left-looking factorization and the assembly's small blocks, kept across evaluations.
    private readonly int[] _head, _next, _pointer;
    private double[] _blk = [], _xyCol = [], _values = new double[64];
    private readonly double[] _buffer;

    public SparseTailCholesky(SparseTailStructure s, BlockedGram a, BlockSparse[] ls0)
    {
        if (s.ValueStart[^1] > Array.MaxLength) throw new InvalidOperationException("The sparse tail's factor is too large for one array.");
        _s = s;
        _a = a;
        _p = a.P;
        _k = a.BlockCount - 1;
        _l = new double[s.ValueStart[^1]];
        _rel = new int[s.M];
        _head = new int[s.Supernodes];
        _next = new int[s.Supernodes];
        _pointer = new int[s.Supernodes];
        _buffer = new double[s.M];
        int k = _k, xy = _p + 1, mz = s.Mz;
        var tailOffset = new int[k + 1];
        for (int t = 1; t < k; t++) tailOffset[t + 1] = tailOffset[t] + a.Sizes[t];
        int Perm(int t, int level, int a0) => s.Permutation[tailOffset[t] + level * a.Q[t] + a0];
        int Index(int r, int c) => r >= c ? checked((int)s.IndexOf(r, c)) : checked((int)s.IndexOf(c, r));

        _ownIndex = new int[k][];
        _xyIndex = new int[k][];
        for (int t = 1; t < k; t++)
        {
            int q = a.Q[t];
            var own = new int[a.Levels[t] * q * q];
            for (int l = 0; l < a.Levels[t]; l++)
                for (int b = 0; b < q; b++)
                    for (int r = 0; r < q; r++)
                        own[l * q * q + b * q + r] = r >= b ? Index(Perm(t, l, r), Perm(t, l, b)) : -1;
            _ownIndex[t] = own;
            var xyMap = new int[xy * a.Sizes[t]];
            for (int c = 0; c < a.Sizes[t]; c++)
                for (int r = 0; r < xy; r++) xyMap[c * xy + r] = Index(mz + r, s.Permutation[tailOffset[t] + c]);
            _xyIndex[t] = xyMap;
        }
        _crossIndex = new int[k, k][];
        for (int j = 1; j < k; j++)
            for (int i = j + 1; i < k; i++)
            {
                var cross = a.LaterCross[i, j]!;
                int qi = cross.RowQ, qj = cross.ColQ;
                var map = new int[cross.Data.Length];
                for (int col = 0; col < cross.ColLevels; col++)
                    for (int blk = cross.ColPtr[col]; blk < cross.ColPtr[col + 1]; blk++)
                        for (int b = 0; b < qj; b++)
                            for (int r = 0; r < qi; r++)
                                map[blk * qi * qj + b * qi + r] = Index(Perm(i, cross.RowLevel[blk], r), Perm(j, col, b));
                _crossIndex[i, j] = map;
            }

        // The Schur complement's pattern: per first-term level, its scalar entries of L_t0 and their pairs.
        int levels0 = a.Levels[0], q0 = a.Q[0];
        var entryPtr = new int[levels0 + 1];
        for (int l = 0; l < levels0; l++)
        {
            int c = 0;
            for (int t = 1; t < k; t++) c += (ls0[t - 1].ColPtr[l + 1] - ls0[t - 1].ColPtr[l]) * ls0[t - 1].RowQ;
            entryPtr[l + 1] = entryPtr[l] + c;
        }
        int entries = entryPtr[levels0];
        var source = new int[entries];
        var term = new int[entries];
        var row = new int[entries];
        long pairs = 0;
        for (int l = 0; l < levels0; l++)
        {
            int e = entryPtr[l];
            for (int t = 1; t < k; t++)
            {
                var sp = ls0[t - 1];
                for (int blk = sp.ColPtr[l]; blk < sp.ColPtr[l + 1]; blk++)
                    for (int r = 0; r < sp.RowQ; r++)
                    {
                        source[e] = blk * sp.RowQ * sp.ColQ + r;
                        term[e] = t - 1;
                        row[e] = Perm(t, sp.RowLevel[blk], r);
                        e++;
                    }
            }
            long c = entryPtr[l + 1] - entryPtr[l];
            pairs += c * (c + 1) / 2;
        }
        if (pairs > Array.MaxLength) throw new InvalidOperationException("The sparse tail's Schur complement map is too large for one array.");
        var pairIndex = new int[pairs];
        var xyIndex = new int[(long)entries * xy];
        long at = 0;
        for (int l = 0; l < levels0; l++)
            for (int x = entryPtr[l]; x < entryPtr[l + 1]; x++)
            {
                for (int y = entryPtr[l]; y <= x; y++) pairIndex[at++] = Index(row[x], row[y]);
                for (int r = 0; r < xy; r++) xyIndex[(long)x * xy + r] = Index(mz + r, row[x]);
            }
        _schurEntrySource = source;
        _schurEntryTerm = term;
        _schurEntryPtr = entryPtr;
        _schurPairIndex = pairIndex;
        _schurXYIndex = xyIndex;
        _q0 = q0;
    }

    private readonly int _q0;

    /// <summary>The structure this factor follows.</summary>
    public SparseTailStructure Structure => _s;

    /// <summary>log |L|² over the random-effects columns of the tail.</summary>
    public double LogDetZ { get; private set; }

    /// <summary>log |L_X|² over the fixed-effects columns.</summary>
    public double LogDetX { get; private set; }

    /// <summary>r, the last diagonal entry (r² the penalized residual sum of squares).</summary>
    public double R { get; private set; }

    /// <summary>
    /// Fills S from the Gram, the factors Tₜ and the first block column (Ls0, LXY0) and factors it. Returns false if
    /// a pivot is not positive.
    /// </summary>
    public bool Factor(double[][] t, BlockSparse[] ls0, DenseBlock lxy0)
    {
        Assemble(t, ls0, lxy0);
        return FactorPanels();
    }

    private void Assemble(double[][] tf, BlockSparse[] ls0, DenseBlock lxy0)
    {
        var l = _l;
        Array.Clear(l);
        int k = _k, xy = _p + 1, mz = _s.Mz;
        var a = _a;
        // Λ'AΛ + I: own blocks, cross tables, [X y] rows, [X y]'[X y].
        for (int t = 1; t < k; t++)
        {
            int q = a.Q[t];
            var T = tf[t];
            var own = a.OwnBlocks[t].Data;
            var map = _ownIndex[t];
            if (_blk.Length < q * q) _blk = new double[q * q];
            var blk = _blk.AsSpan(0, q * q);
            for (int lev = 0; lev < a.Levels[t]; lev++)
            {
                own.AsSpan(lev * q * q, q * q).CopyTo(blk);
                ScaleTT(blk, q, q, T, T);
                for (int b = 0; b < q; b++)
                    for (int r = b; r < q; r++) l[map[lev * q * q + b * q + r]] += blk[b * q + r] + (r == b ? 1 : 0);
            }
            var xyBlock = a.Dense[k][t]!;
            var xyMap = _xyIndex[t];
            if (_xyCol.Length != xy) _xyCol = new double[xy];
            var col = _xyCol;
            for (int lev = 0; lev < a.Levels[t]; lev++)
                for (int b = 0; b < q; b++)
                {
                    // Column (lev, b) of [X y]'Zₜ Tₜ = Σ_{d ≥ b} column (lev, d) · T[d, b].
                    Array.Clear(col);
                    for (int d = b; d < q; d++)
                    {
                        double tdb = T[b * q + d];
                        if (tdb == 0) continue;
                        var src = xyBlock.Data.AsSpan((lev * q + d) * xy, xy);
                        for (int r = 0; r < xy; r++) col[r] += src[r] * tdb;
                    }
                    int c = lev * q + b;
                    for (int r = 0; r < xy; r++) l[xyMap[c * xy + r]] += col[r];
                }
        }
        for (int j = 1; j < k; j++)
            for (int i = j + 1; i < k; i++)
            {
                var cross = a.LaterCross[i, j]!;
                int qi = cross.RowQ, qj = cross.ColQ, bs = qi * qj;
                var map = _crossIndex[i, j];
                if (_blk.Length < bs) _blk = new double[bs];
                var blk = _blk.AsSpan(0, bs);
                for (int b = 0; b < cross.RowLevel.Length; b++)
                {
                    cross.Data.AsSpan(b * bs, bs).CopyTo(blk);
                    ScaleTT(blk, qi, qj, tf[i], tf[j]);
                    for (int e = 0; e < bs; e++) l[map[b * bs + e]] += blk[e];
                }
            }
        var xyxy = a.Dense[k][k]!;
        long last = _s.ValueStart[_s.Supernodes - 1];
        for (int c = 0; c < xy; c++)
            for (int r = c; r < xy; r++) l[last + c * xy + r] = xyxy[r, c];

        // − L_t0 L_t0' per first-term level (its entries and their pairs), − L_K0 L_t0', − L_K0 L_K0'.
        int q0 = _q0;
        var values = _values;
        var pair = _schurPairIndex;
        long at = 0;
        for (int lev = 0; lev < a.Levels[0]; lev++)
        {
            int e0 = _schurEntryPtr[lev], count = _schurEntryPtr[lev + 1] - e0;
            if (values.Length < count * q0) _values = values = new double[count * q0 * 2];
            for (int x = 0; x < count; x++)
            {
                var sp = ls0[_schurEntryTerm[e0 + x]];
                int src = _schurEntrySource[e0 + x];
                for (int e = 0; e < q0; e++) values[x * q0 + e] = sp.Data[src + e * sp.RowQ];
            }
            if (q0 == 1)
            {
                for (int x = 0; x < count; x++)
                {
                    double vx = values[x];
                    for (int y = 0; y <= x; y++) l[pair[at++]] -= vx * values[y];
                    for (int r = 0; r < xy; r++) l[_schurXYIndex[(long)(e0 + x) * xy + r]] -= vx * lxy0[r, lev];
                }
                continue;
            }
            for (int x = 0; x < count; x++)
            {
                for (int y = 0; y <= x; y++)
                {
                    double sum = 0;
                    for (int e = 0; e < q0; e++) sum += values[x * q0 + e] * values[y * q0 + e];
                    l[pair[at++]] -= sum;
                }
                for (int r = 0; r < xy; r++)
                {
                    double sum = 0;
                    for (int e = 0; e < q0; e++) sum += values[x * q0 + e] * lxy0[r, lev * q0 + e];
                    l[_schurXYIndex[(long)(e0 + x) * xy + r]] -= sum;
                }
            }
        }
        for (int c = 0; c < xy; c++)
            for (int r = c; r < xy; r++)
            {
                double sum = 0;
                for (int e = 0; e < lxy0.Cols; e++) sum += lxy0[r, e] * lxy0[c, e];
                l[last + c * xy + r] -= sum;
            }
    }

    /// <summary>B ← Lᵀ B R for a small column-major r × c block, L r × r and R c × c lower triangular (as the dense path's scaling).</summary>
    private static void ScaleTT(Span<double> b, int r, int c, ReadOnlySpan<double> left, ReadOnlySpan<double> right)
    {
        if (r == 1 && c == 1) { b[0] *= left[0] * right[0]; return; }
        for (int col = 0; col < c; col++)
            for (int a = 0; a < r; a++)
            {
                double s = 0;
                for (int e = a; e < r; e++) s += left[a * r + e] * b[col * r + e];
                b[col * r + a] = s;
            }
        for (int bc = 0; bc < c; bc++)
            for (int a = 0; a < r; a++)
            {
                double s = 0;
                for (int d = bc; d < c; d++) s += b[d * r + a] * right[bc * c + d];
                b[bc * r + a] = s;
            }
    }

    /// <summary>Left-looking supernodal Cholesky of the assembled panels.</summary>
    private bool FactorPanels()
    {
        var s = _s;
        int supernodes = s.Supernodes;
        var rows = s.Rows;
        var head = _head;
        Array.Fill(head, -1);
        var next = _next;
        var pointer = _pointer;
        var rel = _rel;
        double logDet = 0, logDetX = 0;
        for (int j = 0; j < supernodes; j++)
        {
            int c0 = s.ColumnStart[j], nc = s.ColumnStart[j + 1] - c0;
            int r0 = s.RowStart[j], nr = s.RowStart[j + 1] - r0;
            long vj = s.ValueStart[j];
            for (int i = 0; i < nr; i++) rel[rows[r0 + i]] = i;
            // Updates from the supernodes whose next rows fall in this one's columns.
            int kk = head[j];
            while (kk >= 0)
            {
                int after = next[kk];
                int kr0 = s.RowStart[kk], knr = s.RowStart[kk + 1] - kr0, knc = s.ColumnStart[kk + 1] - s.ColumnStart[kk];
                int first = pointer[kk], end = first;
                int c1 = c0 + nc;
                while (end < knr && rows[kr0 + end] < c1) end++;
                int ur = knr - first, uc = end - first;
                if (_work.Length < ur * uc) _work = new double[Math.Max(ur * uc, _work.Length * 2)];
                var w = _work.AsSpan(0, ur * uc);
                Product(_l.AsSpan(checked((int)s.ValueStart[kk]), knr * knc), knr, knc, first, ur, uc, w);
                for (int cc = 0; cc < uc; cc++)
                {
                    int col = rows[kr0 + first + cc] - c0;
                    long target = vj + (long)col * nr;
                    for (int rr = cc; rr < ur; rr++) _l[target + rel[rows[kr0 + first + rr]]] -= w[cc * ur + rr];
                }
                if (end < knr)
                {
                    pointer[kk] = end;
                    int to = s.SupernodeOfColumn[rows[kr0 + end]];
                    next[kk] = head[to];
                    head[to] = kk;
                }
                kk = after;
            }
            bool last = j == supernodes - 1;
            var panel = _l.AsSpan(checked((int)vj), nr * nc);
            if (!FactorPanel(panel, nr, nc, last)) return false;
            if (last)
            {
                for (int d = 0; d < nc - 1; d++) logDetX += 2 * Math.Log(panel[d * nr + d]);
                R = panel[(nc - 1) * nr + nc - 1];
            }
            else
            {
                for (int d = 0; d < nc; d++) logDet += 2 * Math.Log(panel[d * nr + d]);
                pointer[j] = nc;
                int to = s.SupernodeOfColumn[rows[r0 + nc]];
                next[j] = head[to];
                head[to] = j;
            }
        }
        LogDetZ = logDet;
        LogDetX = logDetX;
        return true;
    }

    /// <summary>
    /// W = P[first .., :] P[first .. first + uc, :]ᵀ for the panel P (nr × nc, column-major): W is ur × uc, only its
    /// lower part (rows ≥ column) is used. Four columns at a time, rows in vectors.
    /// </summary>
    private static void Product(ReadOnlySpan<double> panel, int nr, int nc, int first, int ur, int uc, Span<double> w)
    {
        int vl = Vector<double>.Count;
        for (int cc = 0; cc < uc; cc += 4)
        {
            int cols = Math.Min(4, uc - cc);
            int rStart = cc / vl * vl;
            int rr = rStart;
            if (cols == 4 && Vector.IsHardwareAccelerated)
                for (; rr + vl <= ur; rr += vl)
                {
                    Vector<double> a0 = Vector<double>.Zero, a1 = a0, a2 = a0, a3 = a0;
                    for (int k = 0; k < nc; k++)
                    {
                        int o = k * nr + first;
                        var x = new Vector<double>(panel.Slice(o + rr, vl));
                        a0 += x * panel[o + cc];
                        a1 += x * panel[o + cc + 1];
                        a2 += x * panel[o + cc + 2];
                        a3 += x * panel[o + cc + 3];
                    }
                    a0.CopyTo(w.Slice(cc * ur + rr, vl));
                    a1.CopyTo(w.Slice((cc + 1) * ur + rr, vl));
                    a2.CopyTo(w.Slice((cc + 2) * ur + rr, vl));
                    a3.CopyTo(w.Slice((cc + 3) * ur + rr, vl));
                }
            if (cols < 4 && Vector.IsHardwareAccelerated)
                for (int c = 0; c < cols; c++)
                {
                    // Fewer than four columns left: one column at a time, rows in vectors.
                    int r = rStart;
                    for (; r + vl <= ur; r += vl)
                    {
                        Vector<double> acc = Vector<double>.Zero;
                        for (int k = 0; k < nc; k++)
                        {
                            int o = k * nr + first;
                            acc += new Vector<double>(panel.Slice(o + r, vl)) * panel[o + cc + c];
                        }
                        acc.CopyTo(w.Slice((cc + c) * ur + r, vl));
                    }
                    rr = r;
                }
            for (int r = rr; r < ur; r++)
                for (int c = 0; c < cols; c++)
                {
                    double sum = 0;
                    for (int k = 0; k < nc; k++) sum += panel[k * nr + first + r] * panel[k * nr + first + cc + c];
                    w[(cc + c) * ur + r] = sum;
                }
        }
    }

    private double[] _diag = [], _below = [];

    /// <summary>Cholesky of the panel's nc × nc diagonal block and L₂₁ = A₂₁ L₁₁⁻ᵀ below it (dense kernels).</summary>
    private bool FactorPanel(Span<double> panel, int nr, int nc, bool lastPivotMayBeZero)
    {
        if (_diag.Length < nc * nc) _diag = new double[nc * nc];
        var diag = _diag.AsSpan(0, nc * nc);
        for (int c = 0; c < nc; c++) panel.Slice(c * nr + c, nc - c).CopyTo(diag.Slice(c * nc + c, nc - c));
        if (!DenseKernels.Cholesky(diag, nc, lastPivotMayBeZero)) return false;
        for (int c = 0; c < nc; c++) diag.Slice(c * nc + c, nc - c).CopyTo(panel.Slice(c * nr + c, nc - c));
        int rb = nr - nc;
        if (rb == 0) return true;
        if (_below.Length < rb * nc) _below = new double[rb * nc];
        var below = _below.AsSpan(0, rb * nc);
        for (int c = 0; c < nc; c++) panel.Slice(c * nr + nc, rb).CopyTo(below.Slice(c * rb, rb));
        DenseKernels.RightSolveLowerTranspose(below, rb, diag, nc);
        for (int c = 0; c < nc; c++) below.Slice(c * rb, rb).CopyTo(panel.Slice(c * nr + nc, rb));
        return true;
    }

    /// <summary>Entry (row, column) of the tail factor in the dense tail's layout (row ≥ column there; 0 off the pattern).</summary>
    public double Entry(int row, int column)
    {
        int r = _s.Permutation[row], c = _s.Permutation[column];
        if (r < c) return 0;
        int sn = _s.SupernodeOfColumn[c];
        int r0 = _s.RowStart[sn], nr = _s.RowStart[sn + 1] - r0;
        int at = Array.BinarySearch(_s.Rows, r0, nr, r);
        return at < 0 ? 0 : _l[_s.ValueStart[sn] + (long)(c - _s.ColumnStart[sn]) * nr + at - r0];
    }

    /// <summary>
    /// Solves L x = b in place for the leading <paramref name="count"/> rows of the tail (x in the dense layout, length
    /// ≥ count; rows past count are left unchanged). Supernodes whose part of x is zero are skipped, so a right-hand
    /// side with few nonzeros costs only the path to the root.
    /// </summary>
    public void ForwardSolve(Span<double> x, int count)
    {
        var s = _s;
        var b = _buffer;
        Array.Clear(b);
        for (int i = 0; i < count; i++) b[s.Permutation[i]] = x[i];
        var rows = s.Rows;
        for (int j = 0; j < s.Supernodes; j++)
        {
            int c0 = s.ColumnStart[j], nc = Math.Min(s.ColumnStart[j + 1], count) - c0;
            if (nc <= 0) break;
            int r0 = s.RowStart[j], nr = s.RowStart[j + 1] - r0;
            bool zero = true;
            for (int c = 0; c < nc && zero; c++) zero = b[c0 + c] == 0;
            if (zero) continue;
            long v = s.ValueStart[j];
            for (int c = 0; c < nc; c++)
            {
                long col = v + (long)c * nr;
                double xc = b[c0 + c] /= _l[col + c];
                if (xc == 0) continue;
                for (int i = c + 1; i < nr; i++) b[rows[r0 + i]] -= _l[col + i] * xc;
            }
        }
        for (int i = 0; i < count; i++) x[i] = b[s.Permutation[i]];
    }

    /// <summary>Solves Lᵀ x = b in place for the leading <paramref name="count"/> rows of the tail (x in the dense layout).</summary>
    public void BackSolveTranspose(Span<double> x, int count)
    {
        var s = _s;
        var b = _buffer;
        Array.Clear(b);
        for (int i = 0; i < count; i++) b[s.Permutation[i]] = x[i];
        var rows = s.Rows;
        for (int j = s.Supernodes - 1; j >= 0; j--)
        {
            int c0 = s.ColumnStart[j], nc = Math.Min(s.ColumnStart[j + 1], count) - c0;
            if (nc <= 0) continue;
            int r0 = s.RowStart[j], nr = s.RowStart[j + 1] - r0;
            long v = s.ValueStart[j];
            for (int c = nc - 1; c >= 0; c--)
            {
                long col = v + (long)c * nr;
                double sum = b[c0 + c];
                for (int i = c + 1; i < nr; i++)
                {
                    int r = rows[r0 + i];
                    if (r < count) sum -= _l[col + i] * b[r];
                }
                b[c0 + c] = sum / _l[col + c];
            }
        }
        for (int i = 0; i < count; i++) x[i] = b[s.Permutation[i]];
    }
}
