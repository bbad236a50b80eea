using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using TypedMixed.Storage;

namespace TypedMixed.Factorization;

/// <summary>
/// The dense tail's columns that belong to random-effects terms, filled and updated one column at a time when every
/// term is scalar (crossed random intercepts, the common large case): column l of term j is
/// <code>
/// tail[:, l] = tᵢ tⱼ Aᵢⱼ[:, l] (+ 1 on the diagonal) − Σ_c Lᵢ₀[:, c] Lⱼ₀[l, c]   (rows of every block i ≥ j, then [X y])
/// </code>
/// the sum over the first-term levels c that share a row with level l. Each evaluation first packs, per first-term
/// level c, the column c of every Lᵢ₀ and of L_K0 into one contiguous run of (tail row, value); a transposed pattern
/// built once (per level l of term j, its (c, position in the run) pairs in ascending c) then lets each tail column
/// be written while it is in L1 — the fill, then one contiguous sweep per c — instead of clearing the tail in one pass
/// and scattering the contributions across it in another. The sums run over c in the same ascending order as the
/// block-by-block update, so the result is the same to the last bit.
/// </summary>
internal sealed unsafe class ScalarTailFill
{
    private readonly BlockedGram _a;
    private readonly BlockSparse[] _ls0;
    private readonly DenseBlock _lxy0;
    private readonly int[] _tailOffset;
    private readonly int _k;
    private readonly int _m;
    private readonly int _mz;
    /// <summary>Per first-term level c, its run <c>[_runPtr[c], _runPtr[c+1])</c> of <see cref="_runRow"/> / <see cref="_runValue"/>.</summary>
    private readonly int[] _runPtr;
    /// <summary>Tail row of each run entry: the later terms' rows of column c in term order (ascending within a term), then the [X y] rows.</summary>
    private readonly int[] _runRow;
    /// <summary>The values of the runs, repacked from Lᵢ₀ and L_K0 every evaluation.</summary>
    private readonly double[] _runValue;
    /// <summary>Per later term j (index j − 1): for level l, its entries <c>[LevelPtr[l], LevelPtr[l+1])</c> of <see cref="_from"/> / <see cref="_to"/>.</summary>
    private readonly int[][] _levelPtr;
    /// <summary>Per later term and entry (l, c): the run position of Lⱼ₀[l, c] (the sweep starts there) ...</summary>
    private readonly int[][] _from;
    /// <summary>... and the end of c's run; entries of a level in ascending c.</summary>
    private readonly int[][] _to;
    /// <summary>Tail columns [0, _split) on one thread and [_split, _mz) on another (equal work).</summary>
    private readonly int _split;
    private readonly Action _firstHalf;
    private readonly Action _secondHalf;
    private double[] _tail = [];
    private double[][] _t = [];

    /// <summary>Runs ahead of the current one whose first cache lines are prefetched.</summary>
    private const int Lookahead = 2;

    /// <summary>Work (entries written) from which the columns are split between two threads.</summary>
    private const long ParallelWork = 400_000;

    /// <param name="a">The Gram (every term scalar, no envelope lead).</param>
    /// <param name="ls0">The factor's Lᵢ₀ (scalar blocks); their patterns are read once, their values every evaluation.</param>
    /// <param name="lxy0">The factor's L_K0.</param>
    /// <param name="tailOffset">Offset of block j in the tail (as in <see cref="BlockedCholesky.TailOffset"/>).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per problem: straight to optimized code
    public ScalarTailFill(BlockedGram a, BlockSparse[] ls0, DenseBlock lxy0, int[] tailOffset)
    {
        _a = a;
        _ls0 = ls0;
        _lxy0 = lxy0;
        _tailOffset = tailOffset;
        _k = a.BlockCount - 1;
        _m = tailOffset[_k + 1];
        _mz = tailOffset[_k];
        int levels0 = lxy0.Cols, rXY = lxy0.Rows;
        _runPtr = new int[levels0 + 1];
        for (int c = 0; c < levels0; c++)
        {
            int count = rXY;
            foreach (var s in ls0) count += s.ColPtr[c + 1] - s.ColPtr[c];
            _runPtr[c + 1] = checked(_runPtr[c] + count);
        }
        _runRow = new int[_runPtr[levels0]];
        _runValue = new double[_runPtr[levels0]];
        // Where block b of term j lands in its column's run.
        var runOf = new int[ls0.Length][];
        for (int j = 0; j < ls0.Length; j++) runOf[j] = new int[ls0[j].RowLevel.Length];
        for (int c = 0; c < levels0; c++)
        {
            int at = _runPtr[c];
            for (int j = 0; j < ls0.Length; j++)
            {
                var s = ls0[j];
                for (int b = s.ColPtr[c]; b < s.ColPtr[c + 1]; b++)
                {
                    runOf[j][b] = at;
                    _runRow[at++] = tailOffset[j + 1] + s.RowLevel[b];
                }
            }
            for (int r = 0; r < rXY; r++) _runRow[at++] = _mz + r;
        }
        _levelPtr = new int[ls0.Length][];
        _from = new int[ls0.Length][];
        _to = new int[ls0.Length][];
        for (int j = 0; j < ls0.Length; j++)
        {
            var s = ls0[j];
            var ptr = new int[s.RowLevels + 1];
            foreach (int l in s.RowLevel) ptr[l + 1]++;
            for (int l = 0; l < s.RowLevels; l++) ptr[l + 1] += ptr[l];
            var next = ptr[..^1];
            var from = new int[s.RowLevel.Length];
            var to = new int[s.RowLevel.Length];
            for (int c = 0; c < s.ColLevels; c++)
                for (int b = s.ColPtr[c]; b < s.ColPtr[c + 1]; b++)
                {
                    int at = next[s.RowLevel[b]]++;
                    from[at] = runOf[j][b];
                    to[at] = _runPtr[c + 1];
                }
            _levelPtr[j] = ptr;
            _from[j] = from;
            _to[j] = to;
        }
        // Work of a column: its fill (m − col entries) plus the length of every sweep.
        var work = new long[_mz];
        long total = 0;
        for (int j = 1; j < _k; j++)
            for (int l = 0; l < a.Levels[j]; l++)
            {
                int col = tailOffset[j] + l;
                long w = _m - col;
                for (int e = _levelPtr[j - 1][l]; e < _levelPtr[j - 1][l + 1]; e++) w += _to[j - 1][e] - _from[j - 1][e];
                work[col] = w;
                total += w;
            }
        _split = _mz;
        if (total >= ParallelWork && Environment.ProcessorCount > 1)
        {
            long acc = 0;
            for (int col = 0; col < _mz; col++)
            {
                acc += work[col];
                if (2 * acc >= total) { _split = col + 1; break; }
            }
        }
        _firstHalf = () => FillColumns(0, _split);
        _secondHalf = () => FillColumns(_split, _mz);
    }

    /// <summary>
    /// Fills the tail's random-effects columns (0 .. TailZ) of the column-major <paramref name="tail"/> (order m) for the
    /// factors T (<paramref name="t"/>, per ordered term; scalar) and the current Lᵢ₀ and L_K0, lower triangle only.
    /// </summary>
    public void Fill(double[] tail, double[][] t)
    {
        _tail = tail;
        _t = t;
        Pack();
        if (_split < _mz) Parallel.Invoke(_firstHalf, _secondHalf);
        else FillColumns(0, _mz);
    }

    /// <summary>Copies column c of every Lᵢ₀ and of L_K0 into c's run.</summary>
    private void Pack()
    {
        var runs = _runValue.AsSpan();
        var lxy = _lxy0.Data;
        int rXY = _lxy0.Rows;
        for (int c = 0; c < _runPtr.Length - 1; c++)
        {
            int at = _runPtr[c];
            foreach (var s in _ls0)
            {
                int b0 = s.ColPtr[c], count = s.ColPtr[c + 1] - b0;
                s.Data.AsSpan(b0, count).CopyTo(runs.Slice(at));
                at += count;
            }
            lxy.AsSpan(c * rXY, rXY).CopyTo(runs.Slice(at));
        }
    }

    private void FillColumns(int from, int to)
    {
        int k = _k, m = _m;
        fixed (double* tailBase = _tail, values = _runValue)
        fixed (int* rows = _runRow)
        {
            for (int j = 1; j < k; j++)
            {
                int off = _tailOffset[j], levels = _a.Levels[j];
                int l0 = Math.Max(from - off, 0), l1 = Math.Min(to - off, levels);
                if (l0 >= l1) continue;
                double tj = _t[j][0];
                bool diagonalSource = !_a.IsMultipleMembership(j) && _a.ScalarOwnBlocksDiagonal;
                var own = _a.Dense[j][j]!;
                int[] levelPtr = _levelPtr[j - 1], starts = _from[j - 1], ends = _to[j - 1];
                for (int l = l0; l < l1; l++)
                {
                    int col = off + l;
                    // Rows col .. m of the tail column.
                    var target = new Span<double>(tailBase + (long)col * m + col, m - col);
                    // Own block: tⱼ² Aⱼⱼ[l.., l] + 1 on the diagonal (a diagonal Aⱼⱼ: the diagonal alone).
                    double s = tj * tj;
                    if (diagonalSource)
                    {
                        target.Slice(0, levels - l).Clear();
                        target[0] = s * own[l, l] + 1;
                    }
                    else
                    {
                        DenseKernels.Scale(own.Data.AsSpan(l * own.Rows + l, levels - l), s, target.Slice(0, levels - l));
                        target[0] += 1;
                    }
                    // Later terms' blocks tᵢ tⱼ Aᵢⱼ[:, l], then [X y]'Z_j tⱼ.
                    for (int i = j + 1; i <= k; i++)
                    {
                        var src = _a.Dense[i][j]!;
                        double si = (i < k ? _t[i][0] : 1) * tj;
                        DenseKernels.Scale(src.Data.AsSpan(l * src.Rows, src.Rows), si, target.Slice(_tailOffset[i] - col, src.Rows));
                    }
                    // Minus Σ_c Lᵢ₀[:, c] Lⱼ₀[l, c]: c's run from Lⱼ₀[l, c] on holds the rows at or below l.
                    double* column = tailBase + (long)col * m;
                    for (int e = levelPtr[l], eEnd = levelPtr[l + 1]; e < eEnd; e++)
                    {
                        int b = starts[e], end = ends[e];
                        if (Sse.IsSupported && e + Lookahead < starts.Length)
                        {
                            // The next runs are scattered over the packed values: start loading them now.
                            int ahead = starts[e + Lookahead];
                            Sse.Prefetch0(values + ahead);
                            Sse.Prefetch0(values + ahead + 8);
                            Sse.Prefetch0(rows + ahead);
                        }
                        double v = values[b];
                        for (; b < end; b++) column[rows[b]] -= values[b] * v;
                    }
                }
            }
        }
    }
}
