using TypedMixed.Storage;

namespace TypedMixed.Estimation;

internal sealed partial class MixedModelProblem
{
    /// <summary>
    /// The problem made from aggregated sums instead of rows (DESIGN §5): aliased columns found from X'X, the column
    /// scales and the identifiability test from the per-level Z'Z blocks, the blocked Gram filled from the blocks. The
    /// objective, its optimum and everything computed from the factor are the same as from the rows.
    /// </summary>
    public static MixedModelProblem Create(GramBlocks blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        blocks.Validate();
        int n = (int)blocks.Rows;
        var (kept, dropped) = FindAliasedColumns(blocks);
        if (n <= kept.Length)
            throw new ModelDesignException($"The Gram blocks sum {n} rows but have {kept.Length} fixed-effect columns: more observations than fixed effects are needed.");
        int k = blocks.Terms.Count;
        var templates = new CovarianceTemplate[k];
        int offset = 0;
        for (int t = 0; t < k; t++)
        {
            var term = blocks.Terms[t];
            templates[t] = new CovarianceTemplate(term.Name, term.ColumnNames, term.Covariance, offset);
            offset += templates[t].ThetaCount;
        }
        // Most levels first (stable), as for rows.
        var order = Enumerable.Range(0, k).OrderByDescending(t => blocks.Terms[t].LevelCount).ThenBy(t => t).ToArray();
        var gram = BlockedGram.FromBlocks(blocks, order, kept);
        // Root mean square of each random-effects column: Σ z² is the sum over levels of Z'Z's diagonal.
        var columnScale = blocks.Terms.Select(term =>
        {
            int q = term.ColumnCount;
            var s = new double[q];
            for (int c = 0; c < q; c++)
            {
                double ss = 0;
                for (int l = 0; l < term.LevelCount; l++) ss += term.ZtZ[l * q * q + c * q + c];
                s[c] = ss > 0 ? Math.Sqrt(ss / n) : 1;
            }
            if (term.Covariance == CovarianceStructure.Scalar) Array.Fill(s, 1.0);
            return s;
        }).ToArray();
        var unidentified = new List<string>();
        for (int t = 0; t < k; t++)
        {
            var term = blocks.Terms[t];
            int q = term.ColumnCount;
            var g = new double[term.ZtZ.Length];
            for (int l = 0; l < term.LevelCount; l++)
                for (int b = 0; b < q; b++)
                    for (int a = 0; a < q; a++)
                    {
                        int e = l * q * q + b * q + a;
                        g[e] = term.ZtZ[e] / (columnScale[t][a] * columnScale[t][b]);
                    }
            if (!IdentifiedFromLevelGrams(g, q, term.LevelCount, term.Covariance)) unidentified.Add(term.Name);
        }
        return new MixedModelProblem(null, kept, dropped, order, templates, gram)
        {
            Blocks = blocks,
            LogWeightSum = blocks.LogWeightSum,
            ThetaScale = ThetaScaleOf(templates, columnScale),
            ColumnScale = columnScale,
            UnidentifiedTerms = unidentified.ToArray(),
        };
    }

    /// <summary>The sums the problem was made from; null when it was made from rows.</summary>
    public GramBlocks? Blocks { get; private init; }

    /// <summary>
    /// The Gram–Schmidt test of <see cref="FindAliasedColumns(ModelDesign)"/> on X'X alone: the squared norm of column c
    /// after projection on the kept columns is X'X[c,c] − Σⱼ r_jc² (r from a Cholesky of the kept columns' Gram), and
    /// the column is aliased when that is below <see cref="RankTolerance"/>² of X'X[c,c]. From sums the remainder is
    /// exact to about 1e-15 of X'X[c,c], below the 1e-14 threshold, so a full-rank design keeps every column.
    /// </summary>
    private static (int[] kept, string[] dropped) FindAliasedColumns(GramBlocks blocks)
    {
        int p = blocks.FixedEffectCount;
        var g = blocks.XtX;
        var kept = new List<int>();
        var dropped = new List<string>();
        var r = new List<double[]>(); // r[j][c]: coefficient of kept column j in column c (upper Cholesky factor rows).
        for (int c = 0; c < p; c++)
        {
            double norm0 = g[c * p + c];
            var coeff = new double[kept.Count];
            double remainder = norm0;
            for (int j = 0; j < kept.Count; j++)
            {
                double v = g[c * p + kept[j]];
                for (int i = 0; i < j; i++) v -= coeff[i] * r[i][kept[j]];
                coeff[j] = v / r[j][kept[j]];
                remainder -= coeff[j] * coeff[j];
            }
            if (norm0 == 0 || remainder <= RankTolerance * RankTolerance * norm0)
            {
                dropped.Add(blocks.FixedEffectNames[c]);
                continue;
            }
            for (int j = 0; j < kept.Count; j++) r[j][c] = coeff[j];
            var row = new double[p];
            row[c] = Math.Sqrt(remainder);
            // Coefficients of this new basis vector in the later columns are filled as they are met.
            r.Add(row);
            kept.Add(c);
        }
        return (kept.ToArray(), dropped.ToArray());
    }
}
