using System.Runtime.Intrinsics;
using TypedMixed.Factorization;
using static TypedMixed.Factorization.DenseKernels;

namespace TypedMixed.Estimation;

/// <summary>
/// The diagonal-block path of the gradient (see the class summary): per term D = Σ_l (I − S_ll) from K = L_tt⁻¹, then
/// M = D T⁻¹. A tail level's S_ll is K[:, (l)]ᵀ K[:, (l)]; a first-term level's needs Y_l = K L_t0[:, (l)], computed for
/// all levels at once by row panels of K (64 rows, copied contiguous: about 0.6 MB at order 1,145, so the panel stays
/// in L2 while every level's few columns of L_t0 pass over it), the levels split between two threads.
/// </summary>
internal sealed partial class ProfiledDevianceGradient
{
    /// <summary>
    /// Largest κ(T) · max_d (Σ_l |terms cancelled in (I − S_ll)_dd|) / (Σ_l (I − S_ll)_dd) for which a term keeps the
    /// diagonal-block path: with rounding of 1.1e-16 per term, the relative error of its M stays about 1e-12 or below.
    /// κ(T) = max |T_ij| / min |T_dd| covers the product with T⁻¹. Beyond it (a θ near 0, a nearly singular T) the
    /// general path is exact where this one would cancel.
    /// </summary>
    internal const double AmplificationLimit = 1e4;

    /// <summary>Row panel of K for the first term's products.</summary>
    private const int ProductPanel = 64;

    /// <summary>Per term: Σ_l (I − S_ll) (q × q, column-major) and per diagonal entry the magnitude of what cancelled in it.</summary>
    private readonly double[][] _sumD, _sumMagnitude;

    /// <summary>Whether every diagonal entry of the q × q lower-triangular T is finite and nonzero.</summary>
    private static bool Invertible(double[] t, int q)
    {
        for (int d = 0; d < q; d++)
        {
            double v = t[d * q + d];
            if (v == 0 || !double.IsFinite(v)) return false;
        }
        return true;
    }

    /// <summary>D and the magnitudes of factor block b from the diagonal blocks of A⁻¹.</summary>
    private void DiagonalBlocks(int b, int rows, bool reml)
    {
        Array.Clear(_sumD[b]);
        Array.Clear(_sumMagnitude[b]);
        if (_g.Levels[b] == 0) return;
        if (b == 0) LeadDiagonalBlocks(rows, reml);
        else TailDiagonalBlocks(b, rows);
    }

    /// <summary>
    /// M = D T⁻¹ for factor block b when the amplification bound allows it (true); false sends the term to the general path.
    /// </summary>
    private bool FromDiagonalBlocks(int b)
    {
        int q = _g.Q[b];
        var t = _f.Factor(b);
        var d = _sumD[b];
        var m = _m[b];
        if (_g.Levels[b] == 0) return true;
        double largest = 0, smallestDiagonal = double.PositiveInfinity, amplification = 0;
        for (int c = 0; c < q; c++)
        {
            smallestDiagonal = Math.Min(smallestDiagonal, Math.Abs(t[c * q + c]));
            for (int r = c; r < q; r++) largest = Math.Max(largest, Math.Abs(t[c * q + r]));
            double dd = d[c * q + c];
            if (!(dd > 0)) return false;
            amplification = Math.Max(amplification, _sumMagnitude[b][c] / dd);
        }
        if (!(largest / smallestDiagonal * amplification <= AmplificationLimit)) return false;
        // M = D T⁻¹: row a of M solves M[a, :] T = D[a, :], i.e. Tᵀ M[a, :]ᵀ = D[a, :]ᵀ (back substitution, T lower).
        for (int a = 0; a < q; a++)
            for (int c = q - 1; c >= 0; c--)
            {
                double acc = d[c * q + a];
                for (int e = c + 1; e < q; e++) acc -= t[c * q + e] * m[e * q + a];
                m[c * q + a] = acc / t[c * q + c];
            }
        return true;
    }

    /// <summary>A tail term's levels: S_ll = K[:, (l)]ᵀ K[:, (l)] (K's column c is zero above row c).</summary>
    private void TailDiagonalBlocks(int j, int rows)
    {
        int q = _g.Q[j], c0 = _f.TailOffset(j);
        var d = _sumD[j];
        var magnitude = _sumMagnitude[j];
        var k = _k;
        for (int l = 0; l < _g.Levels[j]; l++)
            for (int a = 0; a < q; a++)
            {
                int ca = c0 + l * q + a;
                for (int b = 0; b <= a; b++)
                {
                    int cb = c0 + l * q + b;
                    double s = Dot(k.AsSpan(ca * _ldk + ca, rows - ca), k.AsSpan(cb * _ldk + ca, rows - ca));
                    if (a == b)
                    {
                        d[a * q + a] += 1 - s;
                        magnitude[a] += 1 + s;
                    }
                    else
                    {
                        d[b * q + a] -= s;
                        d[a * q + b] -= s;
                    }
                }
            }
    }

    /// <summary>
    /// The first term's levels: G_l = Y_lᵀ Y_l with Y_l = K L_t0[:, (l)], then with P = L_ll⁻¹ and C = T₀ᵀ W_ll T₀,
    /// I − S_ll = Pᵀ(P C − G_l P), since L_ll L_llᵀ = C + I gives Pᵀ P = (C + I)⁻¹ and I − (C + I)⁻¹ = (C + I)⁻¹ C: no
    /// 1 − S_ll cancellation when T₀ is small.
    /// </summary>
    private void LeadDiagonalBlocks(int rows, bool reml)
    {
        int q0 = _g.Q[0], levels = _g.Levels[0];
        var pattern = LeadPattern(reml);
        var g = pattern.G;
        Array.Clear(g);
        if (rows > 0 && pattern.Row.Length > 0)
        {
            // L_t0's values on each level's rows, in the pattern's order.
            var val = pattern.Value;
            var src = pattern.Sources;
            for (int p = 0; p < pattern.Row.Length; p++)
            {
                var from = src[pattern.Source[p]];
                int off = pattern.Offset[p], stride = pattern.Stride[pattern.Source[p]];
                for (int e = 0; e < q0; e++) val[p * q0 + e] = from[off + e * stride];
            }
            bool twoThreads = pattern.Work >= 2e5 && Environment.ProcessorCount > 1;
            PackPanels(rows, twoThreads);
            if (twoThreads)
                Parallel.Invoke(
                    () => LeadProducts(pattern, rows, 0, pattern.Split),
                    () => LeadProducts(pattern, rows, pattern.Split, levels));
            else LeadProducts(pattern, rows, 0, levels);
        }
        var d = _sumD[0];
        var magnitude = _sumMagnitude[0];
        var t0 = _f.Factor(0);
        if (q0 == 1)
        {
            var l00 = _f.L00.Data;
            var w00 = _g.Diagonal0.Data;
            double t2 = t0[0] * t0[0], sum = 0, mag = 0;
            for (int l = 0; l < levels; l++)
            {
                // 1 − S_ll = (t² w − g) / L², L² = t² w + 1.
                double c = t2 * w00[l], inv = 1 / (l00[l] * l00[l]);
                sum += (c - g[l]) * inv;
                mag += (c + g[l]) * inv;
            }
            d[0] = sum;
            magnitude[0] = mag;
            return;
        }
        LeadDiagonalBlocksVector(g, t0, q0, levels);
    }

    /// <summary>The q₀ &gt; 1 case of <see cref="LeadDiagonalBlocks"/>, level by level on small column-major matrices.</summary>
    private unsafe void LeadDiagonalBlocksVector(double[] gAll, double[] t0, int q0, int levels)
    {
        int qq = q0 * q0;
        double* pinv = stackalloc double[qq], c0 = stackalloc double[qq], tw = stackalloc double[qq],
            x1 = stackalloc double[qq], x2 = stackalloc double[qq];
        fixed (double* l00 = _f.L00.Data, w00 = _g.Diagonal0.Data, gp = gAll, t = t0, d = _sumD[0], magnitude = _sumMagnitude[0])
        {
            for (int l = 0; l < levels; l++)
            {
                double* lb = l00 + l * qq, w = w00 + l * qq, gl = gp + l * qq;
                // P = L_ll⁻¹ (lower): column c solves L x = e_c from row c down.
                for (int c = 0; c < q0; c++)
                    for (int r = 0; r < q0; r++)
                    {
                        if (r < c) { pinv[c * q0 + r] = 0; continue; }
                        double acc = r == c ? 1 : 0;
                        for (int e = c; e < r; e++) acc -= lb[e * q0 + r] * pinv[c * q0 + e];
                        pinv[c * q0 + r] = acc / lb[r * q0 + r];
                    }
                // C = T₀ᵀ W T₀ (W's lower triangle stored): tw = T₀ᵀ W, then C = tw T₀.
                for (int c = 0; c < q0; c++)
                    for (int a = 0; a < q0; a++)
                    {
                        double acc = 0;
                        for (int e = a; e < q0; e++) acc += t[a * q0 + e] * (e >= c ? w[c * q0 + e] : w[e * q0 + c]);
                        tw[c * q0 + a] = acc;
                    }
                for (int c = 0; c < q0; c++)
                    for (int a = 0; a < q0; a++)
                    {
                        double acc = 0;
                        for (int f = c; f < q0; f++) acc += tw[f * q0 + a] * t[c * q0 + f];
                        c0[c * q0 + a] = acc;
                    }
                // x1 = P C (P lower), x2 = G P.
                for (int c = 0; c < q0; c++)
                    for (int a = 0; a < q0; a++)
                    {
                        double s1 = 0, s2 = 0;
                        for (int e = 0; e <= a; e++) s1 += pinv[e * q0 + a] * c0[c * q0 + e];
                        for (int e = c; e < q0; e++) s2 += gl[e * q0 + a] * pinv[c * q0 + e];
                        x1[c * q0 + a] = s1;
                        x2[c * q0 + a] = s2;
                    }
                // I − S_ll = Pᵀ x1 − Pᵀ x2 (Pᵀ[a, e] = P[e, a], zero for e < a).
                for (int c = 0; c < q0; c++)
                    for (int a = 0; a < q0; a++)
                    {
                        double s1 = 0, s2 = 0;
                        for (int e = a; e < q0; e++)
                        {
                            double pea = pinv[a * q0 + e];
                            s1 += pea * x1[c * q0 + e];
                            s2 += pea * x2[c * q0 + e];
                        }
                        d[c * q0 + a] += s1 - s2;
                        if (a == c) magnitude[a] += Math.Abs(s1) + Math.Abs(s2);
                    }
            }
        }
    }

    /// <summary>K's row panels, each contiguous: panel i (rows 64 i .. 64 i + 64) holds its columns 0 .. 64 i + 64 (64 values each).</summary>
    private double[] _panels = [];

    /// <summary>Offset of each row panel in <see cref="_panels"/>.</summary>
    private long[] _panelOffset = [];
    private int _panelRows = -1, _panelBase;

    /// <summary>
    /// Copies K's row panels into <see cref="_panels"/>: the products then read each level's columns from one contiguous
    /// block (column segments of K itself lie a page apart, so every one would cost a TLB miss).
    /// </summary>
    private unsafe void PackPanels(int rows, bool twoThreads)
    {
        int count = (rows + ProductPanel - 1) / ProductPanel;
        if (_panelRows != rows)
        {
            _panelRows = rows;
            _panelOffset = new long[count + 1];
            for (int i = 0; i < count; i++)
                _panelOffset[i + 1] = _panelOffset[i] + (long)ProductPanel * Math.Min(rows, (i + 1) * ProductPanel);
            // Pinned, so that the first panel can start on a 64-byte boundary: 512-bit loads then never split a cache line.
            _panels = GC.AllocateArray<double>((int)_panelOffset[count] + 8, pinned: true);
            fixed (double* p0 = _panels) _panelBase = (int)((64 - (long)p0 % 64) % 64 / sizeof(double));
        }
        int ldk = _ldk;
        void Pack(int first, int step)
        {
            fixed (double* kp = _k, pp = _panels)
                for (int i = first; i < count; i += step)
                {
                    int k0 = i * ProductPanel, columns = Math.Min(rows, k0 + ProductPanel);
                    double* dst = pp + _panelBase + _panelOffset[i];
                    for (int r = 0; r < columns; r++)
                        Buffer.MemoryCopy(kp + (long)r * ldk + k0, dst + (long)r * ProductPanel, ProductPanel * sizeof(double), ProductPanel * sizeof(double));
                }
        }
        if (twoThreads) Parallel.Invoke(() => Pack(0, 2), () => Pack(1, 2));
        else Pack(0, 1);
    }

    /// <summary>
    /// G_l += Y_lᵀ Y_l for the levels [l0, l1), panel by panel of K's rows: Y_l[k0..k1, :] = Σ_r K[k0..k1, r] L_t0[r, (l)]
    /// over the level's rows r &lt; k1 (K[k, r] = 0 for k &lt; r).
    /// </summary>
    private unsafe void LeadProducts(LeadRows pattern, int rows, int l0, int l1)
    {
        int q0 = _g.Q[0], qq = q0 * q0;
        var ptr = pattern.Ptr;
        var rowOf = pattern.Row;
        Span<double> y = stackalloc double[q0 * ProductPanel];
        fixed (double* pp = _panels, val = pattern.Value, g = pattern.G)
        {
            for (int k0 = 0; k0 < rows; k0 += ProductPanel)
            {
                int h = Math.Min(ProductPanel, rows - k0), k1 = k0 + h;
                double* kp = pp + _panelBase + _panelOffset[k0 / ProductPanel];
                bool wide = q0 == 1 && Vector512.IsHardwareAccelerated; // K's padding rows (and so the panels') are zero
                for (int l = l0; l < l1; l++)
                {
                    int p = ptr[l], end = ptr[l + 1];
                    if (p == end || rowOf[p] >= k1) continue;
                    if (wide)
                    {
                        // 64 rows of Y_l in eight registers.
                        Vector512<double> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                        for (; p < end; p++)
                        {
                            int r = rowOf[p];
                            if (r >= k1) break;
                            double* c = kp + (long)r * ProductPanel;
                            var v = Vector512.Create(val[p]);
                            a0 = Vector512.FusedMultiplyAdd(Vector512.Load(c), v, a0);
                            a1 = Vector512.FusedMultiplyAdd(Vector512.Load(c + 8), v, a1);
                            a2 = Vector512.FusedMultiplyAdd(Vector512.Load(c + 16), v, a2);
                            a3 = Vector512.FusedMultiplyAdd(Vector512.Load(c + 24), v, a3);
                            a4 = Vector512.FusedMultiplyAdd(Vector512.Load(c + 32), v, a4);
                            a5 = Vector512.FusedMultiplyAdd(Vector512.Load(c + 40), v, a5);
                            a6 = Vector512.FusedMultiplyAdd(Vector512.Load(c + 48), v, a6);
                            a7 = Vector512.FusedMultiplyAdd(Vector512.Load(c + 56), v, a7);
                        }
                        var s = a0 * a0 + a1 * a1 + a2 * a2 + a3 * a3 + a4 * a4 + a5 * a5 + a6 * a6 + a7 * a7;
                        g[l] += Vector512.Sum(s);
                        continue;
                    }
                    y[..(q0 * ProductPanel)].Clear();
                    for (; p < end; p++)
                    {
                        int r = rowOf[p];
                        if (r >= k1) break;
                        var col = new ReadOnlySpan<double>(kp + (long)r * ProductPanel, h);
                        for (int e = 0; e < q0; e++) Axpy(val[p * q0 + e], col, y.Slice(e * ProductPanel, h));
                    }
                    for (int a = 0; a < q0; a++)
                        for (int b = 0; b <= a; b++)
                        {
                            double dot = Dot(y.Slice(a * ProductPanel, h), y.Slice(b * ProductPanel, h));
                            g[l * qq + b * q0 + a] += dot;
                            if (a != b) g[l * qq + a * q0 + b] += dot;
                        }
                }
            }
        }
    }

    /// <summary>
    /// The rows of L_t0 per first-term level, sorted (tail numbering; X's rows last for REML), where each value lives
    /// in the factor (a block of Lᵢ₀ or L_X0), the values of the current factor, G_l per level, and the level that
    /// splits the products' work in half.
    /// </summary>
    private sealed class LeadRows
    {
        public required int[] Ptr, Row, Source, Offset, Stride;
        public required double[][] Sources;
        public required double[] Value, G;
        public required int Split;
        public required double Work;
    }

    private LeadRows? _leadMl, _leadReml;

    private LeadRows LeadPattern(bool reml)
    {
        if ((reml ? _leadReml : _leadMl) is { } cached) return cached;
        int q0 = _g.Q[0], levels = _g.Levels[0], p = _g.P, mz = _f.TailZ;
        int rows = mz + (reml ? p : 0);
        var ls = _f.Ls0;
        var lxy = _f.LXY0;
        var ptr = new int[levels + 1];
        var entries = new List<(int Row, int Source, int Offset)>();
        var row = new List<int>();
        var source = new List<int>();
        var offset = new List<int>();
        for (int l = 0; l < levels; l++)
        {
            entries.Clear();
            for (int i = 0; i < ls.Length; i++)
            {
                int off = _f.TailOffset(i + 1), rq = ls[i].RowQ;
                for (int b = ls[i].ColPtr[l]; b < ls[i].ColPtr[l + 1]; b++)
                    for (int a = 0; a < rq; a++) entries.Add((off + ls[i].RowLevel[b] * rq + a, i, b * rq * q0 + a));
            }
            if (reml)
                for (int a = 0; a < p; a++) entries.Add((mz + a, ls.Length, l * q0 * lxy.Rows + a));
            entries.Sort((x, y) => x.Row.CompareTo(y.Row));
            foreach (var e in entries)
            {
                row.Add(e.Row);
                source.Add(e.Source);
                offset.Add(e.Offset);
            }
            ptr[l + 1] = row.Count;
        }
        var stride = new int[ls.Length + 1];
        var sources = new double[ls.Length + 1][];
        for (int i = 0; i < ls.Length; i++) { stride[i] = ls[i].RowQ; sources[i] = ls[i].Data; }
        stride[ls.Length] = lxy.Rows;
        sources[ls.Length] = lxy.Data;
        // Work of Y_l: Σ over its rows of K's column length below them; split the levels at half of it.
        var work = new double[levels];
        double total = 0;
        for (int l = 0; l < levels; l++)
        {
            for (int e = ptr[l]; e < ptr[l + 1]; e++) work[l] += rows - row[e];
            total += work[l] * q0;
        }
        int split = 0;
        for (double acc = 0; split < levels && acc < total / q0 / 2; split++) acc += work[split];
        var pattern = new LeadRows
        {
            Ptr = ptr,
            Row = row.ToArray(),
            Source = source.ToArray(),
            Offset = offset.ToArray(),
            Stride = stride,
            Sources = sources,
            Value = new double[row.Count * q0],
            G = new double[levels * q0 * q0],
            Split = split,
            Work = total,
        };
        if (reml) _leadReml = pattern;
        else _leadMl = pattern;
        return pattern;
    }
}
