using TypedMixed.Factorization;
using static TypedMixed.Factorization.DenseKernels;

namespace TypedMixed.Estimation;

/// <summary>
/// β̂ and the conditional modes from the factor at θ̂, by back-substitution:
/// L_XX' β̂ = c_β, then L_ZZ' u = c_u − L_XZ' β̂, and b = Λ u. Solved once, at the optimum.
/// </summary>
internal static class PenalizedSolution
{
    /// <summary>The leading p × p block L_XX of the last diagonal block (column-major, ld p).</summary>
    public static double[] FixedEffectsFactor(BlockedCholesky f)
    {
        int k = f.Gram.BlockCount - 1, p = f.Gram.P;
        var lkk = f.LD[k][k]!;
        var lxx = new double[p * p];
        for (int j = 0; j < p; j++)
            for (int i = j; i < p; i++)
                lxx[j * p + i] = lkk[i, j];
        return lxx;
    }

    /// <summary>β̂ from L_XX' β = c_β (c_β the first p entries of the y row of the last block).</summary>
    public static double[] Beta(BlockedCholesky f)
    {
        int k = f.Gram.BlockCount - 1, p = f.Gram.P;
        var lkk = f.LD[k][k]!;
        var beta = new double[p];
        for (int c = 0; c < p; c++) beta[c] = lkk[p, c];
        BackSolveTranspose(FixedEffectsFactor(f), p, beta);
        return beta;
    }

    /// <summary>(L_XX L_XX')⁻¹ = L_XX⁻ᵀ L_XX⁻¹; multiply by σ² for Var(β̂).</summary>
    public static double[,] UnscaledFixedCovariance(BlockedCholesky f)
    {
        int p = f.Gram.P;
        var lxx = FixedEffectsFactor(f);
        // inv = L_XX⁻¹ by columns: L inv[:, j] = e_j.
        var inv = new double[p * p];
        for (int j = 0; j < p; j++)
        {
            inv[j * p + j] = 1;
            ForwardSolve(lxx, p, inv.AsSpan(j * p, p));
        }
        var v = new double[p, p];
        for (int a = 0; a < p; a++)
            for (int b = 0; b <= a; b++)
            {
                double s = 0;
                for (int r = 0; r < p; r++) s += inv[a * p + r] * inv[b * p + r];
                v[a, b] = v[b, a] = s;
            }
        return v;
    }

    /// <summary>The spherical modes u per ordered term (levels × q, level-major), given β̂.</summary>
    public static double[][] SphericalModes(BlockedCholesky f, double[] beta)
    {
        var g = f.Gram;
        int k = g.BlockCount - 1, p = g.P;
        var u = new double[k][];
        // rhs_j = c_j − L_Kj[0..p−1, :]' β.
        for (int j = 0; j < k; j++)
        {
            var lkj = j == 0 ? f.LXY0 : f.LD[k][j]!;
            var rhs = new double[g.Sizes[j]];
            for (int c = 0; c < rhs.Length; c++)
            {
                double s = lkj[p, c];
                for (int a = 0; a < p; a++) s -= lkj[a, c] * beta[a];
                rhs[c] = s;
            }
            u[j] = rhs;
        }
        // Back-substitution with L_ZZ', last term first.
        for (int j = k - 1; j >= 0; j--)
        {
            var rhs = u[j];
            for (int i = j + 1; i < k; i++)
            {
                if (j == 0)
                {
                    var s = f.Ls0[i - 1];
                    for (int col = 0; col < s.ColLevels; col++)
                        for (int b = s.ColPtr[col]; b < s.ColPtr[col + 1]; b++)
                        {
                            var blk = s.Block(b);
                            int r0 = s.RowLevel[b] * s.RowQ;
                            for (int e = 0; e < s.ColQ; e++)
                            {
                                double acc = 0;
                                for (int a = 0; a < s.RowQ; a++) acc += blk[e * s.RowQ + a] * u[i][r0 + a];
                                rhs[col * s.ColQ + e] -= acc;
                            }
                        }
                }
                else
                {
                    var lij = f.LD[i][j]!;
                    for (int c = 0; c < lij.Cols; c++) rhs[c] -= Dot(lij.Column(c), u[i]);
                }
            }
            if (j == 0)
            {
                int q0 = g.Q[0];
                for (int l = 0; l < g.Levels[0]; l++)
                    BackSolveTranspose(f.L00.Block(l), q0, rhs.AsSpan(l * q0, q0));
            }
            else
            {
                BackSolveTranspose(f.LD[j][j]!.Data, g.Sizes[j], rhs);
            }
        }
        return u;
    }

    /// <summary>b = Λu for one ordered term (in place), using the factor's current T.</summary>
    public static void ApplyLambda(double[] u, int q, ReadOnlySpan<double> t)
    {
        Span<double> tmp = stackalloc double[q];
        for (int l = 0; l < u.Length / q; l++)
        {
            var ul = u.AsSpan(l * q, q);
            for (int a = 0; a < q; a++)
            {
                double s = 0;
                for (int e = 0; e <= a; e++) s += t[e * q + a] * ul[e];
                tmp[a] = s;
            }
            tmp.CopyTo(ul);
        }
    }

    /// <summary>
    /// Diagonal q × q blocks of (L_ZZ L_ZZ')⁻¹ for every level of ordered term t: block = W'W with L_ZZ W = E_l
    /// (E_l the identity columns of level l). Rows of W before term t are zero; the first nonzero part is solved
    /// within term t and propagated through the later terms.
    /// </summary>
    public static double[][] InverseDiagonalBlocks(BlockedCholesky f, int t)
    {
        var g = f.Gram;
        int k = g.BlockCount - 1, q = g.Q[t];
        var result = new double[g.Levels[t]][];
        var w = new double[k][];
        for (int i = t; i < k; i++) w[i] = new double[g.Sizes[i] * q];
        for (int l = 0; l < g.Levels[t]; l++)
        {
            for (int i = t; i < k; i++) Array.Clear(w[i]);
            var block = new double[q * q];
            // Term t: L_tt W_t = E_l.
            for (int a = 0; a < q; a++)
            {
                if (t == 0)
                {
                    var col = w[0].AsSpan(a * g.Sizes[0], g.Sizes[0]);
                    var piece = col.Slice(l * q, q);
                    piece[a] = 1;
                    ForwardSolve(f.L00.Block(l), q, piece);
                }
                else
                {
                    var col = w[t].AsSpan(a * g.Sizes[t], g.Sizes[t]);
                    col[l * q + a] = 1;
                    ForwardSolve(f.LD[t][t]!.Data, g.Sizes[t], col);
                }
            }
            // Later terms: L_ii W_i = −Σ_{t ≤ c < i} L_ic W_c.
            for (int i = t + 1; i < k; i++)
            {
                int mi = g.Sizes[i];
                for (int a = 0; a < q; a++)
                {
                    var wi = w[i].AsSpan(a * mi, mi);
                    for (int c = t; c < i; c++)
                    {
                        var wc = w[c].AsSpan(a * g.Sizes[c], g.Sizes[c]);
                        if (c == 0)
                        {
                            var s = f.Ls0[i - 1];
                            for (int b = s.ColPtr[l]; b < s.ColPtr[l + 1]; b++)
                            {
                                var blk = s.Block(b);
                                int r0 = s.RowLevel[b] * s.RowQ;
                                for (int e = 0; e < s.ColQ; e++)
                                {
                                    double v = wc[l * s.ColQ + e];
                                    if (v == 0) continue;
                                    for (int r = 0; r < s.RowQ; r++) wi[r0 + r] -= blk[e * s.RowQ + r] * v;
                                }
                            }
                        }
                        else
                        {
                            var lic = f.LD[i][c]!;
                            for (int cc = 0; cc < lic.Cols; cc++)
                                if (wc[cc] != 0) Axpy(-wc[cc], lic.Column(cc), wi);
                        }
                    }
                    ForwardSolve(f.LD[i][i]!.Data, mi, wi);
                }
            }
            for (int a = 0; a < q; a++)
                for (int b = 0; b < q; b++)
                {
                    double s = 0;
                    for (int i = t; i < k; i++)
                        s += Dot(w[i].AsSpan(a * g.Sizes[i], g.Sizes[i]), w[i].AsSpan(b * g.Sizes[i], g.Sizes[i]));
                    block[b * q + a] = s;
                }
            result[l] = block;
        }
        return result;
    }
}
