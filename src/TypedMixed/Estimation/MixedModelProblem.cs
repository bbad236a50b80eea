using TypedMixed.Factorization;
using TypedMixed.Storage;

namespace TypedMixed.Estimation;

/// <summary>
/// A design made ready for the estimator: aliased fixed-effect columns dropped, terms ordered by number of levels
/// (most first), the blocked Gram formed once, θ's layout (in the design's term order) and the factor.
/// </summary>
internal sealed class MixedModelProblem
{
    /// <summary>A column is aliased when its norm after projection on the earlier kept columns is below this fraction of its own norm.</summary>
    public const double RankTolerance = 1e-7;

    private MixedModelProblem(ModelDesign design, int[] keptColumns, string[] dropped, int[] order,
        CovarianceTemplate[] templates, BlockedGram gram)
    {
        Design = design;
        KeptColumns = keptColumns;
        DroppedColumns = dropped;
        TermOrder = order;
        Templates = templates;
        ThetaLength = templates.Sum(t => t.ThetaCount);
        Gram = gram;
        Factor = new BlockedCholesky(gram, order.Select(o => templates[o]).ToArray());
    }

    public ModelDesign Design { get; }
    /// <summary>Indices (into the design's fixed-effect columns) of the columns kept.</summary>
    public int[] KeptColumns { get; }
    public string[] DroppedColumns { get; }
    /// <summary>TermOrder[k] = the design index of the k-th term in storage order.</summary>
    public int[] TermOrder { get; }
    /// <summary>Covariance templates in design order.</summary>
    public CovarianceTemplate[] Templates { get; }
    public int ThetaLength { get; }
    public BlockedGram Gram { get; }
    public BlockedCholesky Factor { get; }
    public int N => Design.Rows;
    public int P => KeptColumns.Length;

    public static MixedModelProblem Create(ModelDesign design)
    {
        design.Validate();
        int n = design.Rows;
        var (kept, dropped) = FindAliasedColumns(design);
        if (n <= kept.Length)
            throw new ModelDesignException($"The design has {n} rows but {kept.Length} fixed-effect columns: more observations than fixed effects are needed.");
        var x = new double[n * kept.Length];
        for (int c = 0; c < kept.Length; c++)
            Array.Copy(design.FixedEffects, kept[c] * n, x, c * n, n);

        int k = design.Terms.Count;
        var templates = new CovarianceTemplate[k];
        int offset = 0;
        for (int t = 0; t < k; t++)
        {
            var term = design.Terms[t];
            templates[t] = new CovarianceTemplate(term.Name, term.ColumnNames, term.Covariance, offset);
            offset += templates[t].ThetaCount;
        }
        // Most levels first (stable), so the largest block stays block diagonal.
        var order = Enumerable.Range(0, k).OrderByDescending(t => design.Terms[t].LevelCount).ThenBy(t => t).ToArray();
        var gram = new BlockedGram(n,
            order.Select(t => design.Terms[t].LevelIndex).ToArray(),
            order.Select(t => design.Terms[t].LevelCount).ToArray(),
            order.Select(t => design.Terms[t].Columns).ToArray(),
            order.Select(t => design.Terms[t].ColumnCount).ToArray(),
            x, kept.Length, design.Response);
        var columnScale = design.Terms.Select(term =>
        {
            var s = new double[term.ColumnCount];
            for (int c = 0; c < s.Length; c++)
            {
                double ss = DenseKernels.Dot(term.Columns.AsSpan(c * n, n), term.Columns.AsSpan(c * n, n));
                s[c] = ss > 0 ? Math.Sqrt(ss / n) : 1;
            }
            if (term.Covariance == CovarianceStructure.Scalar) Array.Fill(s, 1.0);
            return s;
        }).ToArray();
        var thetaScale = new double[templates.Sum(t => t.ThetaCount)];
        for (int t = 0; t < k; t++)
        {
            var tp = templates[t];
            int e = tp.ThetaOffset;
            switch (tp.Structure)
            {
                case CovarianceStructure.Unstructured:
                    for (int b = 0; b < tp.Q; b++)
                        for (int a = b; a < tp.Q; a++) thetaScale[e++] = columnScale[t][a];
                    break;
                case CovarianceStructure.Diagonal:
                    for (int a = 0; a < tp.Q; a++) thetaScale[e++] = columnScale[t][a];
                    break;
                default:
                    thetaScale[e] = 1;
                    break;
            }
        }
        return new MixedModelProblem(design, kept, dropped, order, templates, gram)
        {
            ThetaScale = thetaScale,
            ColumnScale = columnScale,
            CollinearTerms = design.Terms.Where((term, t) => term.ColumnCount > 1 && CollinearInEveryLevel(term, columnScale[t])).Select(term => term.Name).ToArray(),
        };
    }

    /// <summary>lme4's starting θ (Λ = I) and its lower bounds (0 on diagonals, −∞ elsewhere).</summary>
    public (double[] Theta, double[] Lower) InitialTheta()
    {
        var theta = new double[ThetaLength];
        var lower = new double[ThetaLength];
        foreach (var t in Templates) t.InitialValues(theta, lower);
        return (theta, lower);
    }

    /// <summary>
    /// Per θ entry, the root mean square of the random-effects column of its row (1 for intercepts and for a scalar
    /// term's shared entry): the optimizer works on θ·scale, which is free of the covariates' units.
    /// </summary>
    public double[] ThetaScale { get; private init; } = [];

    /// <summary>
    /// Names of terms (design order) whose columns are linearly dependent within every one of their levels — e.g. a
    /// random slope on a covariate that is constant within each cluster: its variances are then not all identified.
    /// </summary>
    public string[] CollinearTerms { get; private init; } = [];

    /// <summary>Root mean square of each random-effects column, per term (design order); 1 for an all-zero column.</summary>
    public double[][] ColumnScale { get; private init; } = [];

    /// <summary>Whether diagonal a of term t's T is on its bound, judged on the scaled θ (scale-free, lme4's 1e-4).</summary>
    public bool OnBoundary(ReadOnlySpan<double> factor, int term, int a)
    {
        int q = Templates[term].Q;
        return factor[a * q + a] * ColumnScale[term][a] < LmmEstimator.SingularTolerance;
    }

    /// <summary>True when each level's rows give a rank-deficient block Z_l (columns scaled to unit root mean square).</summary>
    private static bool CollinearInEveryLevel(RandomEffectsTerm term, double[] scale)
    {
        int n = term.LevelIndex.Length, q = term.ColumnCount, levels = term.LevelCount;
        var gram = new double[levels * q * q];
        for (int i = 0; i < n; i++)
        {
            int o = term.LevelIndex[i] * q * q;
            for (int b = 0; b < q; b++)
            {
                double zb = term.Columns[b * n + i] / scale[b];
                for (int a = 0; a < q; a++) gram[o + b * q + a] += term.Columns[a * n + i] / scale[a] * zb;
            }
        }
        var block = new double[q * q];
        for (int l = 0; l < levels; l++)
        {
            Array.Copy(gram, l * q * q, block, 0, q * q);
            double trace = 0;
            for (int a = 0; a < q; a++) trace += block[a * q + a];
            // Positive definite with a margin ⇒ this level alone identifies every direction of the term.
            for (int a = 0; a < q; a++) block[a * q + a] -= 1e-9 * trace;
            if (DenseKernels.UnblockedCholesky(block, q)) return false;
        }
        return true;
    }

    /// <summary>
    /// Modified Gram–Schmidt in column order: a column whose remainder after projection on the kept columns is
    /// below <see cref="RankTolerance"/> of its norm is aliased and dropped (the earlier columns are kept, as lme4 does).
    /// </summary>
    private static (int[] kept, string[] dropped) FindAliasedColumns(ModelDesign design)
    {
        int n = design.Rows, p = design.FixedEffectCount;
        var basis = new List<double[]>();
        var kept = new List<int>();
        var dropped = new List<string>();
        for (int c = 0; c < p; c++)
        {
            var v = design.FixedEffects.AsSpan(c * n, n).ToArray();
            double norm0 = Math.Sqrt(DenseKernels.Dot(v, v));
            foreach (var q in basis) DenseKernels.Axpy(-DenseKernels.Dot(q, v), q, v);
            foreach (var q in basis) DenseKernels.Axpy(-DenseKernels.Dot(q, v), q, v);
            double norm = Math.Sqrt(DenseKernels.Dot(v, v));
            if (norm0 == 0 || norm <= RankTolerance * norm0)
            {
                dropped.Add(design.FixedEffectNames[c]);
                continue;
            }
            for (int i = 0; i < n; i++) v[i] /= norm;
            basis.Add(v);
            kept.Add(c);
        }
        return (kept.ToArray(), dropped.ToArray());
    }
}
