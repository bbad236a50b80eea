using static TypedMixed.Factorization.DenseKernels;

namespace TypedMixed.Factorization;

/// <summary>
/// The first term's part of H⁻¹ on the pattern of Z'Z, one level l at a time, from the blocked factor and the tail's
/// symmetric inverse S_tt: the tail rows R_l where column block l of L_t0 is nonzero, S_t0 = −S_tt[R, R] L_t0[R] L₀₀⁻¹
/// on them and S₀₀ = L₀₀⁻ᵀ (L₀₀⁻¹ − L_t0' S_t0). Shared by the profiled-deviance and the ordinal Laplace gradients.
/// </summary>
internal static class LeadSelectedInverse
{
    /// <summary>Collects R_l (tail numbering) into <paramref name="rowIndex"/>, term by term, block by block.</summary>
    public static void Rows(BlockedCholesky f, int l, List<int> rowIndex)
    {
        rowIndex.Clear();
        var ls = f.Ls0;
        for (int i = 0; i < ls.Length; i++)
        {
            int off = f.TailOffset(i + 1), rq = ls[i].RowQ;
            for (int b = ls[i].ColPtr[l]; b < ls[i].ColPtr[l + 1]; b++)
                for (int a = 0; a < rq; a++) rowIndex.Add(off + ls[i].RowLevel[b] * rq + a);
        }
    }

    /// <summary>
    /// Writes L_t0 on the later terms' rows of R_l into <paramref name="lt0"/> (column-major, leading dimension
    /// <paramref name="nl"/>), in <see cref="Rows"/>' order; returns how many rows that is.
    /// </summary>
    public static int Gather(BlockedCholesky f, int l, int q0, double[] lt0, int nl)
    {
        var ls = f.Ls0;
        int pos = 0;
        for (int i = 0; i < ls.Length; i++)
        {
            int rq = ls[i].RowQ;
            for (int b = ls[i].ColPtr[l]; b < ls[i].ColPtr[l + 1]; b++, pos += rq)
            {
                var blk = ls[i].Block(b);
                for (int e = 0; e < q0; e++)
                    for (int a = 0; a < rq; a++) lt0[e * nl + pos + a] = blk[e * rq + a];
            }
        }
        return pos;
    }

    /// <summary>
    /// From L_t0 on R_l (<paramref name="lt0"/>, nl × q0) and the tail's inverse <paramref name="s"/> (row stride
    /// <paramref name="stride"/>): S_t0 into <paramref name="st0"/> (nl × q0) and S₀₀'s block into <paramref name="s00"/>
    /// (q0 × q0); <paramref name="linv"/> is q0 × q0 scratch.
    /// </summary>
    public static void Solve(ReadOnlySpan<double> l00, int q0, ReadOnlySpan<double> lt0, int nl, List<int> rowIndex,
        ReadOnlySpan<double> s, int stride, Span<double> st0, Span<double> s00, double[] linv)
    {
        // H = S_tt[R, R] L_t0[R], then S_t0 = −H L₀₀⁻¹ (solve X L₀₀ = −H column by column from the last).
        st0[..(nl * q0)].Clear();
        for (int e = 0; e < q0; e++)
            for (int c = 0; c < nl; c++)
            {
                double lv = lt0[e * nl + c];
                if (lv == 0) continue;
                int sc = rowIndex[c] * stride;
                for (int r = 0; r < nl; r++) st0[e * nl + r] -= s[sc + rowIndex[r]] * lv;
            }
        for (int c = q0 - 1; c >= 0; c--)
        {
            var col = st0.Slice(c * nl, nl);
            for (int e = c + 1; e < q0; e++) Axpy(-l00[c * q0 + e], st0.Slice(e * nl, nl), col);
            double inv = 1 / l00[c * q0 + c];
            for (int r = 0; r < nl; r++) col[r] *= inv;
        }
        // S₀₀ = L₀₀⁻ᵀ (L₀₀⁻¹ − L_t0' S_t0).
        Array.Clear(linv);
        for (int c = 0; c < q0; c++)
        {
            linv[c * q0 + c] = 1;
            ForwardSolve(l00, q0, 0, q0, linv.AsSpan(c * q0, q0));
        }
        for (int c = 0; c < q0; c++)
            for (int a = 0; a < q0; a++)
                s00[c * q0 + a] = linv[c * q0 + a] - Dot(lt0.Slice(a * nl, nl), st0.Slice(c * nl, nl));
        for (int c = 0; c < q0; c++) BackSolveTranspose(l00, q0, 0, q0, s00.Slice(c * q0, q0));
    }
}
