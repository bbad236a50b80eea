using TypedMixed.Factorization;
using static TypedMixed.Factorization.DenseKernels;

namespace TypedMixed.Estimation;

/// <summary>
/// β̂ and the conditional modes from the factor at θ̂, by back-substitution:
/// L_XX' β̂ = c_β, then L_ZZ' u = c_u − L_XZ' β̂, and b = Λ u. Solved once, at the optimum.
/// </summary>
internal static class PenalizedSolution
{
    /// <summary>The leading p × p block L_XX of the [X y] block (column-major, ld p).</summary>
    public static double[] FixedEffectsFactor(BlockedCholesky f)
    {
        int p = f.Gram.P, x0 = f.TailZ;
        var lxx = new double[p * p];
        for (int j = 0; j < p; j++)
            for (int i = j; i < p; i++)
                lxx[j * p + i] = f.TailEntry(x0 + i, x0 + j);
        return lxx;
    }

    /// <summary>β̂ from L_XX' β = c_β (c_β the first p entries of the y row of the tail).</summary>
    public static double[] Beta(BlockedCholesky f)
    {
        int p = f.Gram.P, x0 = f.TailZ;
        var beta = new double[p];
        for (int c = 0; c < p; c++) beta[c] = f.TailEntry(x0 + p, x0 + c);
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
        int k = g.BlockCount - 1;
        var u = new double[k][];
        for (int t = 0; t < k; t++) u[t] = new double[g.Sizes[t]];
        SphericalModes(f, beta, u, new double[f.TailZ]);
        return u;
    }

    /// <summary>
    /// As <see cref="SphericalModes(BlockedCholesky, double[])"/>, into <paramref name="u"/> (one array per ordered term,
    /// of its size) with <paramref name="uTail"/> (the tail's random-effects rows) as work: no allocation for an
    /// ordinary first term, for callers that need the modes in every evaluation (the gradient).
    /// </summary>
    public static void SphericalModes(BlockedCholesky f, double[] beta, double[][] u, double[] uTail)
    {
        var g = f.Gram;
        int k = g.BlockCount - 1, p = g.P, mz = f.TailZ;
        // Tail part: rhs = c_u − L_XZ' β over the terms after the first, then L_ZZ' u = rhs in one back-substitution.
        for (int c = 0; c < mz; c++)
        {
            double s = f.TailEntry(mz + p, c);
            for (int a = 0; a < p; a++) s -= f.TailEntry(mz + a, c) * beta[a];
            uTail[c] = s;
        }
        f.TailBackSolveTranspose(uTail, mz);
        for (int j = 1; j < k; j++) uTail.AsSpan(f.TailOffset(j), g.Sizes[j]).CopyTo(u[j]);

        // First term: rhs₀ = c₀ − L_X0' β − Σ_i L_i0' u_i, then per level L₀₀,l' u = rhs.
        var lxy0 = f.LXY0;
        var rhs = u[0];
        for (int c = 0; c < rhs.Length; c++)
        {
            double s = lxy0[p, c];
            for (int a = 0; a < p; a++) s -= lxy0[a, c] * beta[a];
            rhs[c] = s;
        }
        for (int i = 1; i < k; i++)
        {
            var sp = f.Ls0[i - 1];
            for (int col = 0; col < sp.ColLevels; col++)
                for (int b = sp.ColPtr[col]; b < sp.ColPtr[col + 1]; b++)
                {
                    var blk = sp.Block(b);
                    int r0 = sp.RowLevel[b] * sp.RowQ;
                    for (int e = 0; e < sp.ColQ; e++)
                    {
                        double acc = 0;
                        for (int a = 0; a < sp.RowQ; a++) acc += blk[e * sp.RowQ + a] * u[i][r0 + a];
                        rhs[col * sp.ColQ + e] -= acc;
                    }
                }
        }
        int q0 = g.Q[0];
        if (f.LEnvelope is { } envelope)
        {
            // Envelope positions back to levels.
            EnvelopeCholesky.BackSolveTranspose(envelope, rhs);
            var byLevel = new double[rhs.Length];
            for (int l = 0; l < g.Levels[0]; l++)
                rhs.AsSpan(envelope.Position[l] * q0, q0).CopyTo(byLevel.AsSpan(l * q0, q0));
            byLevel.CopyTo(rhs);
            return;
        }
        for (int l = 0; l < g.Levels[0]; l++)
            BackSolveTranspose(f.L00.Block(l), q0, rhs.AsSpan(l * q0, q0));
    }

    /// <summary>b = Λu for one ordered term (in place), using the factor's current T.</summary>
    public static void ApplyLambda(Span<double> u, int q, ReadOnlySpan<double> t)
    {
        Span<double> tmp = stackalloc double[q];
        for (int l = 0; l < u.Length / q; l++)
        {
            var ul = u.Slice(l * q, q);
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
    /// Diagonal blocks of (L_ZZ L_ZZ')⁻¹ for a multiple-membership first term with terms after it: per level column a,
    /// w₀ = L₀₀⁻¹ e (envelope), the tail's w = −L_tail⁻¹ Lᵢ₀ w₀, and the block is w₀'w₀ + w'w (one solve per column).
    /// </summary>
    private static double[][] EnvelopeLeadInverseDiagonalBlocks(BlockedCholesky f, Storage.BlockEnvelope envelope)
    {
        var g = f.Gram;
        int k = g.BlockCount - 1, q = g.Q[0], mz = f.TailZ, m0 = g.Sizes[0];
        var result = new double[g.Levels[0]][];
        var w0 = new double[q][];
        var wTail = new double[q][];
        for (int a = 0; a < q; a++) { w0[a] = new double[m0]; wTail[a] = new double[mz]; }
        for (int l = 0; l < g.Levels[0]; l++)
        {
            int pos = envelope.Position[l];
            for (int a = 0; a < q; a++)
            {
                Array.Clear(w0[a]);
                Array.Clear(wTail[a]);
                w0[a][pos * q + a] = 1;
                EnvelopeCholesky.ForwardSolve(envelope, w0[a]);
                for (int i = 1; i < k; i++)
                {
                    var sp = f.Ls0[i - 1];
                    int off = f.TailOffset(i), rq = sp.RowQ;
                    for (int col = 0; col < sp.ColLevels; col++)
                        for (int b = sp.ColPtr[col]; b < sp.ColPtr[col + 1]; b++)
                        {
                            var blk = sp.Block(b);
                            int r0 = off + sp.RowLevel[b] * rq;
                            for (int e = 0; e < q; e++)
                            {
                                double v = w0[a][col * q + e];
                                if (v == 0) continue;
                                for (int r = 0; r < rq; r++) wTail[a][r0 + r] -= blk[e * rq + r] * v;
                            }
                        }
                }
                f.TailForwardSolve(wTail[a], 0, mz);
            }
            var block = new double[q * q];
            for (int a = 0; a < q; a++)
                for (int b = 0; b < q; b++)
                    block[b * q + a] = Dot(w0[a], w0[b]) + Dot(wTail[a], wTail[b]);
            result[l] = block;
        }
        return result;
    }

    /// <summary>
    /// Diagonal q × q blocks of (L_ZZ L_ZZ')⁻¹ for every level of ordered term t: block = W'W with L_ZZ W = E_l
    /// (E_l the identity columns of level l). Rows of W before the level are zero; for the first term the level's own
    /// block is solved with L₀₀ and carried into the tail through L_i0; the tail part is one forward substitution
    /// that starts at the level's first row.
    /// </summary>
    public static double[][] InverseDiagonalBlocks(BlockedCholesky f, int t)
    {
        var g = f.Gram;
        int k = g.BlockCount - 1, q = g.Q[t], mz = f.TailZ;
        if (t == 0 && f.LEnvelope is { } envelope)
        {
            if (mz == 0)
            {
                // A multiple-membership term alone: the envelope's selected inverse, by level.
                var byPosition = EnvelopeCholesky.InverseDiagonalBlocks(envelope);
                return Enumerable.Range(0, g.Levels[0]).Select(l => byPosition[envelope.Position[l]]).ToArray();
            }
            return EnvelopeLeadInverseDiagonalBlocks(f, envelope);
        }
        var result = new double[g.Levels[t]][];
        var w0 = new double[q * q];
        var wTail = new double[mz * q];
        for (int l = 0; l < g.Levels[t]; l++)
        {
            Array.Clear(wTail);
            var block = new double[q * q];
            int start;
            if (t == 0)
            {
                // W₀ = L₀₀,l⁻¹ (q × q), then the tail's right-hand side −L_i0[:, l] W₀.
                Array.Clear(w0);
                for (int a = 0; a < q; a++)
                {
                    w0[a * q + a] = 1;
                    ForwardSolve(f.L00.Block(l), q, w0.AsSpan(a * q, q));
                }
                for (int i = 1; i < k; i++)
                {
                    var sp = f.Ls0[i - 1];
                    int off = f.TailOffset(i);
                    for (int b = sp.ColPtr[l]; b < sp.ColPtr[l + 1]; b++)
                    {
                        var blk = sp.Block(b);
                        int r0 = off + sp.RowLevel[b] * sp.RowQ;
                        for (int a = 0; a < q; a++)
                            for (int e = 0; e < q; e++)
                            {
                                double v = w0[a * q + e];
                                if (v == 0) continue;
                                for (int r = 0; r < sp.RowQ; r++) wTail[a * mz + r0 + r] -= blk[e * sp.RowQ + r] * v;
                            }
                    }
                }
                start = 0;
                for (int a = 0; a < q; a++)
                    for (int b = 0; b < q; b++)
                        block[b * q + a] = Dot(w0.AsSpan(a * q, q), w0.AsSpan(b * q, q));
            }
            else
            {
                start = f.TailOffset(t) + l * q;
                for (int a = 0; a < q; a++) wTail[a * mz + start + a] = 1;
            }
            // A sparse tail's rows are permuted: its solution need not vanish before the level's row, so it solves all of them.
            if (f.SparseTail is not null) start = 0;
            if (mz > start)
                for (int a = 0; a < q; a++)
                    f.TailForwardSolve(wTail.AsSpan(a * mz + start, mz - start), start, mz - start);
            for (int a = 0; a < q; a++)
                for (int b = 0; b < q; b++)
                    block[b * q + a] += Dot(wTail.AsSpan(a * mz + start, mz - start), wTail.AsSpan(b * mz + start, mz - start));
            result[l] = block;
        }
        return result;
    }
}
