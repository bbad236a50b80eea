using TypedMixed.Storage;

namespace TypedMixed.Factorization;

/// <summary>
/// Cholesky factorization and triangular solves on a <see cref="BlockEnvelope"/> (row-oriented: each block row is
/// finished from the rows above it, so fill stays inside the envelope), and the diagonal blocks of the inverse by
/// Takahashi's recurrence restricted to the envelope.
/// </summary>
internal static class EnvelopeCholesky
{
    /// <summary>A = L L' in place (lower blocks). Returns false when a pivot is not positive; adds Σ 2 log diag to <paramref name="logDet"/>.</summary>
    public static bool Factor(BlockEnvelope a, ref double logDet)
    {
        int m = a.Levels, q = a.Q;
        var data = a.Data;
        if (q == 1)
        {
            for (int k = 0; k < m; k++)
            {
                int fk = a.First[k], rk = a.RowStart[k];
                // L_kj = (A_kj − Σ_i L_ki L_ji) / L_jj for First[k] ≤ j < k; then L_kk.
                for (int j = fk; j < k; j++)
                {
                    int fj = a.First[j], lo = Math.Max(fk, fj);
                    double s = data[rk + j - fk];
                    if (j > lo) s -= DenseKernels.Dot(data.AsSpan(rk + lo - fk, j - lo), data.AsSpan(a.RowStart[j] + lo - fj, j - lo));
                    data[rk + j - fk] = s / data[a.RowStart[j] + j - fj];
                }
                var row = data.AsSpan(rk, k - fk);
                double d = data[rk + k - fk] - DenseKernels.Dot(row, row);
                if (!(d > 0)) return false;
                d = Math.Sqrt(d);
                data[rk + k - fk] = d;
                logDet += 2 * Math.Log(d);
            }
            return true;
        }
        for (int k = 0; k < m; k++)
        {
            int fk = a.First[k];
            for (int j = fk; j <= k; j++)
            {
                var s = a.Block(k, j);
                int lo = Math.Max(fk, a.First[j]);
                // S −= Σ_i L_ki L_ji'.
                for (int i = lo; i < j; i++)
                {
                    var lki = a.Block(k, i);
                    var lji = a.Block(j, i);
                    for (int bcol = 0; bcol < q; bcol++)
                        for (int arow = 0; arow < q; arow++)
                        {
                            double acc = 0;
                            for (int c = 0; c < q; c++) acc += lki[c * q + arow] * lji[c * q + bcol];
                            s[bcol * q + arow] -= acc;
                        }
                }
                if (j < k)
                {
                    // L_kj = S L_jj⁻ᵀ: each row x of S solves L_jj x' = s'.
                    var ljj = a.Block(j, j);
                    for (int arow = 0; arow < q; arow++)
                        for (int c = 0; c < q; c++)
                        {
                            double v = s[c * q + arow];
                            for (int e = 0; e < c; e++) v -= ljj[e * q + c] * s[e * q + arow];
                            s[c * q + arow] = v / ljj[c * q + c];
                        }
                }
                else
                {
                    for (int c = 0; c < q; c++)
                        for (int r = 0; r < c; r++) s[c * q + r] = 0; // only the lower triangle is kept
                    if (!DenseKernels.UnblockedCholesky(s, q)) return false;
                    for (int c = 0; c < q; c++) logDet += 2 * Math.Log(s[c * q + c]);
                }
            }
        }
        return true;
    }

    /// <summary>x ← L⁻¹ x (x in position order, q entries per position).</summary>
    public static void ForwardSolve(BlockEnvelope l, Span<double> x)
    {
        int m = l.Levels, q = l.Q;
        var data = l.Data;
        for (int k = 0; k < m; k++)
        {
            int fk = l.First[k];
            if (q == 1)
            {
                int rk = l.RowStart[k];
                double s = x[k] - DenseKernels.Dot(data.AsSpan(rk, k - fk), x.Slice(fk, k - fk));
                x[k] = s / data[rk + k - fk];
                continue;
            }
            var xk = x.Slice(k * q, q);
            for (int j = fk; j < k; j++)
            {
                var b = l.Block(k, j);
                for (int c = 0; c < q; c++)
                {
                    double v = x[j * q + c];
                    if (v == 0) continue;
                    for (int r = 0; r < q; r++) xk[r] -= b[c * q + r] * v;
                }
            }
            var d = l.Block(k, k);
            for (int r = 0; r < q; r++)
            {
                double v = xk[r];
                for (int c = 0; c < r; c++) v -= d[c * q + r] * xk[c];
                xk[r] = v / d[r * q + r];
            }
        }
    }

    /// <summary>
    /// X ← X L⁻ᵀ for a column-major <paramref name="rows"/> × levels matrix and q = 1: column k becomes
    /// (X[:, k] − Σ_j X[:, j] L_kj) / L_kk over the envelope of row k — every right-hand side at once, contiguous.
    /// </summary>
    public static void RightSolveTranspose(BlockEnvelope l, Span<double> x, int rows)
    {
        if (l.Q != 1) throw new ArgumentException("RightSolveTranspose needs q = 1.");
        var data = l.Data;
        for (int k = 0; k < l.Levels; k++)
        {
            int fk = l.First[k], rk = l.RowStart[k];
            var colK = x.Slice(k * rows, rows);
            for (int j = fk; j < k; j++)
            {
                double v = data[rk + j - fk];
                if (v != 0) DenseKernels.Axpy(-v, x.Slice(j * rows, rows), colK);
            }
            double inv = 1 / data[rk + k - fk];
            for (int r = 0; r < rows; r++) colK[r] *= inv;
        }
    }

    /// <summary>x ← L⁻ᵀ x.</summary>
    public static void BackSolveTranspose(BlockEnvelope l, Span<double> x)
    {
        int m = l.Levels, q = l.Q;
        var data = l.Data;
        for (int k = m - 1; k >= 0; k--)
        {
            int fk = l.First[k];
            var xk = x.Slice(k * q, q);
            var d = l.Block(k, k);
            for (int r = q - 1; r >= 0; r--)
            {
                double v = xk[r];
                for (int c = r + 1; c < q; c++) v -= d[r * q + c] * xk[c];
                xk[r] = v / d[r * q + r];
            }
            if (q == 1)
            {
                int rk = l.RowStart[k];
                double xv = xk[0];
                if (xv != 0) DenseKernels.Axpy(-xv, data.AsSpan(rk, k - fk), x.Slice(fk, k - fk));
                continue;
            }
            for (int j = fk; j < k; j++)
            {
                var b = l.Block(k, j);
                for (int c = 0; c < q; c++)
                {
                    double v = 0;
                    for (int r = 0; r < q; r++) v += b[c * q + r] * xk[r];
                    x[j * q + c] -= v;
                }
            }
        }
    }

    /// <summary>
    /// The diagonal q × q blocks of (L L')⁻¹ per position. For q = 1, Takahashi's recurrence on the envelope
    /// (Z_jj = 1/L_jj² − Σ_{k>j} L_kj Z_kj / L_jj, Z_kj = −Σ_{i>j} Z_ki L_ij / L_jj, both over the envelope, which
    /// is closed under it); for q > 1, one forward solve per column.
    /// </summary>
    public static double[][] InverseDiagonalBlocks(BlockEnvelope l)
    {
        int m = l.Levels, q = l.Q;
        var result = new double[m][];
        if (q == 1)
        {
            // Columns of L: rows k > j with First[k] ≤ j.
            var colRows = new List<int>[m];
            for (int j = 0; j < m; j++) colRows[j] = [];
            for (int k = 0; k < m; k++)
                for (int j = l.First[k]; j < k; j++) colRows[j].Add(k);
            var z = new double[l.Data.Length]; // Z in the envelope layout (lower: Z_kj at k ≥ j)
            double Zat(int a, int b) => a >= b ? z[l.RowStart[a] + b - l.First[a]] : z[l.RowStart[b] + a - l.First[b]];
            for (int j = m - 1; j >= 0; j--)
            {
                double ljj = l.Data[l.RowStart[j] + j - l.First[j]];
                var rowsJ = colRows[j];
                // Off-diagonal Z_kj for k in the column pattern, from the larger indices down.
                for (int t = rowsJ.Count - 1; t >= 0; t--)
                {
                    int k = rowsJ[t];
                    double s = 0;
                    foreach (int i in rowsJ) s += Zat(k, i) * l.Data[l.RowStart[i] + j - l.First[i]];
                    z[l.RowStart[k] + j - l.First[k]] = -s / ljj;
                }
                double d = 1 / (ljj * ljj);
                foreach (int k in rowsJ) d -= l.Data[l.RowStart[k] + j - l.First[k]] * z[l.RowStart[k] + j - l.First[k]] / ljj;
                z[l.RowStart[j] + j - l.First[j]] = d;
                result[j] = [d];
            }
            return result;
        }
        var w = new double[m * q];
        for (int k = 0; k < m; k++)
        {
            var block = new double[q * q];
            var cols = new double[q][];
            for (int a = 0; a < q; a++)
            {
                Array.Clear(w);
                w[k * q + a] = 1;
                ForwardSolve(l, w);
                cols[a] = (double[])w.Clone();
            }
            for (int a = 0; a < q; a++)
                for (int b = 0; b < q; b++) block[b * q + a] = DenseKernels.Dot(cols[a], cols[b]);
            result[k] = block;
        }
        return result;
    }
}
