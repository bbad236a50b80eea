using TypedMixed.Factorization;
using TypedMixed.Storage;

namespace TypedMixed.Estimation;

/// <summary>
/// A design made ready for the estimator: aliased fixed-effect columns dropped, terms ordered by number of levels
/// (most first), the blocked Gram formed once, θ's layout (in the design's term order) and the factor.
/// </summary>
internal sealed partial class MixedModelProblem
{
    /// <summary>A column is aliased when its norm after projection on the earlier kept columns is below this fraction of its own norm.</summary>
    public const double RankTolerance = 1e-7;

    private MixedModelProblem(ModelDesign? design, int[] keptColumns, string[] dropped, int[] order,
        CovarianceTemplate[] templates, BlockedGram gram, SparseTailStructure? sparseTail = null)
    {
        _design = design;
        N = gram.N;
        KeptColumns = keptColumns;
        DroppedColumns = dropped;
        TermOrder = order;
        Templates = templates;
        ThetaLength = templates.Sum(t => t.ThetaCount);
        Gram = gram;
        StorageShift = gram.HasLeadingBlock ? 0 : 1;
        Factor = new BlockedCholesky(gram, [.. Enumerable.Repeat<CovarianceTemplate?>(null, StorageShift), .. order.Select(o => templates[o])], sparseTail);
    }

    private readonly ModelDesign? _design;

    /// <summary>The design whose rows formed the Gram; a problem made from <see cref="GramBlocks"/> has none (see <see cref="HasRows"/>).</summary>
    public ModelDesign Design => _design ?? throw new InvalidOperationException("This problem was made from aggregated Gram blocks: it has no rows.");

    /// <summary>Whether the problem was made from rows (a <see cref="ModelDesign"/>) rather than from <see cref="GramBlocks"/>.</summary>
    public bool HasRows => _design is not null;
    /// <summary>Indices (into the design's fixed-effect columns) of the columns kept.</summary>
    public int[] KeptColumns { get; }
    public string[] DroppedColumns { get; }
    /// <summary>TermOrder[k] = the design index of the k-th term in storage order.</summary>
    public int[] TermOrder { get; }

    /// <summary>
    /// 1 when every term is a multiple-membership one and the Gram starts with an empty block (so term k of
    /// <see cref="TermOrder"/> is block k + 1 of the Gram and the factor), else 0.
    /// </summary>
    public int StorageShift { get; }
    /// <summary>Covariance templates in design order.</summary>
    public CovarianceTemplate[] Templates { get; }
    public int ThetaLength { get; }
    public BlockedGram Gram { get; }
    public BlockedCholesky Factor { get; }
    public int N { get; }
    public int P => KeptColumns.Length;

    public static MixedModelProblem Create(ModelDesign design) => Create(design, TailFactorization.Auto);

    /// <summary>The problem of a design, with the tail factored as <paramref name="tail"/> says (see <see cref="TailFactorization"/>).</summary>
    public static MixedModelProblem Create(ModelDesign design, TailFactorization tail)
    {
        design.Validate();
        int n = design.Rows;
        var (workingResponse, weights, logWeightSum) = PriorWeightsAndOffset(design);
        // A residual structure (which also throws for a non-Gaussian family) takes over the prior weights: they become
        // part of R's diagonal, and the Gram is refilled from whitened rows for every new set of its parameters.
        if ((design.ResidualCorrelation is not null || design.ResidualVariance is not null) && design.Terms.FirstOrDefault(t => t.IsMultipleMembership) is { } mmTerm)
            throw new ModelDesignException($"Term '{mmTerm.Name}' has multiple memberships and the model has a residual correlation or variance function: the two cannot be combined yet. Drop one of them.", mmTerm.Name);
        ResidualWhitening? residual = design.ResidualCorrelation is null && design.ResidualVariance is null && design.ResidualMultivariate is null ? null : new ResidualWhitening(design, weights);
        var (kept, dropped) = FindAliasedColumns(design);
        if (n <= kept.Length)
            throw new ModelDesignException($"The design has {n} rows but {kept.Length} fixed-effect columns: more observations than fixed effects are needed.");
        // The kept columns of X (the design's own array when none is dropped: no copy of n × p values).
        var x = design.FixedEffects;
        if (kept.Length < design.FixedEffectCount)
        {
            x = new double[n * kept.Length];
            for (int c = 0; c < kept.Length; c++)
                Array.Copy(design.FixedEffects, kept[c] * n, x, c * n, n);
        }

        int k = design.Terms.Count;
        var templates = new CovarianceTemplate[k];
        int offset = 0;
        for (int t = 0; t < k; t++)
        {
            var term = design.Terms[t];
            templates[t] = new CovarianceTemplate(term.Name, term.ColumnNames, term.Covariance, offset);
            offset += templates[t].ThetaCount;
        }
        // Most levels first (stable), so the largest block stays block diagonal; multiple-membership terms after every
        // ordinary one (their own block couples levels).
        var order = Enumerable.Range(0, k).OrderBy(t => design.Terms[t].IsMultipleMembership)
            .ThenByDescending(t => design.Terms[t].LevelCount).ThenBy(t => t).ToArray();
        // One membership term, at least as large as all the ordinary ones together: it leads, stored by its envelope,
        // and the (smaller) ordinary terms follow in the dense tail, so its block never becomes dense.
        var membershipTerms = Enumerable.Range(0, k).Where(t => design.Terms[t].IsMultipleMembership).ToArray();
        if (membershipTerms.Length == 1 && k > 1)
        {
            int mt = membershipTerms[0];
            long own = (long)design.Terms[mt].LevelCount * design.Terms[mt].ColumnCount;
            long others = Enumerable.Range(0, k).Where(t => t != mt).Sum(t => (long)design.Terms[t].LevelCount * design.Terms[t].ColumnCount);
            if (others <= own) order = [mt, .. order.Where(t => t != mt)];
        }
        if (residual is { RowsShareEveryLevel: false })
        {
            // Cross products of consecutive rows must stay inside the first term's diagonal blocks: put first the term
            // (with most levels) in which the residual clusters are nested.
            int head = order.First(t => residual.ContainingTerms.Contains(t));
            order = [head, .. order.Where(t => t != head)];
        }
        var rawZ = order.Select(t => design.Terms[t].Columns).ToArray();
        var (gramZ, gramX, gramY) = (rawZ, x, workingResponse);
        if (residual is { MixesRows: true, RowsShareEveryLevel: true })
        {
            // The Gram reads these copies, which ResidualStructureDeviance overwrites with the whitened rows.
            gramZ = rawZ.Select(z => (double[])z.Clone()).ToArray();
            gramX = (double[])x.Clone();
            gramY = (double[])workingResponse.Clone();
        }
        // A single membership term may lead (stored by its envelope); several need the empty leading block.
        bool emptyLead = design.Terms[order[0]].IsMultipleMembership && membershipTerms.Length > 1;
        var sparseTail = ChooseSparseTail(design, order, kept.Length, residual is null && membershipTerms.Length == 0, tail);
        var gram = new BlockedGram(n,
            [.. Lead(emptyLead, Array.Empty<int>()), .. order.Select(t => design.Terms[t].LevelIndex)],
            [.. Lead(emptyLead, 0), .. order.Select(t => design.Terms[t].LevelCount)],
            [.. Lead(emptyLead, Array.Empty<double>()), .. gramZ],
            [.. Lead(emptyLead, 1), .. order.Select(t => design.Terms[t].ColumnCount)],
            gramX, kept.Length, gramY, residual is null ? weights : null,
            [.. Lead<MembershipRows?>(emptyLead, null), .. order.Select(t => design.Terms[t].Memberships is { } mm
                ? new MembershipRows(mm.RowStart, mm.Level, mm.EffectiveWeights()) : null)], compactTail: sparseTail is not null);
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
        var thetaScale = ThetaScaleOf(templates, columnScale);
        return new MixedModelProblem(design, kept, dropped, order, templates, gram, sparseTail)
        {
            LogWeightSum = residual is null ? logWeightSum : 0,
            Residual = residual,
            Rows = new RowColumns(rawZ, x, workingResponse, gramZ, gramX, gramY),
            ThetaScale = thetaScale,
            ColumnScale = columnScale,
            UnidentifiedTerms = design.Terms.Where((term, t) => !Identified(term, columnScale[t])).Select(term => term.Name).ToArray(),
        };
    }

    /// <summary>Per θ entry, the scale of the random-effects column of its row (see <see cref="ThetaScale"/>).</summary>
    private static double[] ThetaScaleOf(CovarianceTemplate[] templates, double[][] columnScale)
    {
        int k = templates.Length;
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
        return thetaScale;
    }

    /// <summary>The level-1 residual structure (correlation and/or variance function); null when residuals are independent and homoscedastic.</summary>
    public ResidualWhitening? Residual { get; private init; }

    /// <summary>A new Gram of the raw rows (storage order as <see cref="Gram"/>) with row weights w (null: all 1).</summary>
    public BlockedGram NewRawGram(double[]? weights) => new(N,
        TermOrder.Select(t => Design.Terms[t].LevelIndex).ToArray(),
        TermOrder.Select(t => Design.Terms[t].LevelCount).ToArray(),
        Rows.RawZ,
        TermOrder.Select(t => Design.Terms[t].ColumnCount).ToArray(),
        Rows.RawX, P, Rows.RawY, weights);

    /// <summary>The raw rows the Gram is formed from and the arrays the Gram reads (the same unless whitening mixes rows).</summary>
    public RowColumns Rows { get; private init; } = null!;

    private static IEnumerable<T> Lead<T>(bool present, T value) => present ? [value] : [];

    /// <summary>Σ log wᵢ over the prior weights (0 without weights): the objectives subtract it, as lme4's <c>ldW</c>.</summary>
    public double LogWeightSum { get; private init; }

    /// <summary>
    /// The response the Gram is formed from, y − offset (a linear model's offset is a known part of the mean), and the
    /// prior weights (row i has residual variance σ²/wᵢ, so the Gram is of √w-scaled rows) with Σ log wᵢ.
    /// </summary>
    private static (double[] Response, double[]? Weights, double LogWeightSum) PriorWeightsAndOffset(ModelDesign design)
    {
        // A generalized model's weights and offset enter through PIRLS, which refills the Gram (GlmmProblem).
        if ((design.Weights is null && design.Offset is null) || design.Family != ResponseFamily.Gaussian) return (design.Response, null, 0);
        design.ValidateFamily();
        int n = design.Rows;
        double logWeightSum = 0;
        if (design.Weights is { } w)
            for (int i = 0; i < n; i++)
            {
                if (!(w[i] > 0))
                    throw new ModelDesignException($"Prior weight is {w[i].ToString(System.Globalization.CultureInfo.InvariantCulture)} at row {i}. A linear mixed model's weights must be positive (the row's residual variance is σ²/w); remove the row or fix the weight.", "Weights", i);
                logWeightSum += Math.Log(w[i]);
            }
        var y = design.Response;
        if (design.Offset is { } o)
        {
            y = new double[n];
            for (int i = 0; i < n; i++) y[i] = design.Response[i] - o[i];
        }
        return (y, design.Weights, logWeightSum);
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
    /// Names of terms (design order) whose covariance parameters the data cannot all identify from where their columns
    /// vary — e.g. a random slope on a covariate that is constant within each cluster.
    /// </summary>
    public string[] UnidentifiedTerms { get; private init; } = [];

    /// <summary>Root mean square of each random-effects column, per term (design order); 1 for an all-zero column.</summary>
    public double[][] ColumnScale { get; private init; } = [];

    /// <summary>Whether diagonal a of term t's T is on its bound, judged on the scaled θ (scale-free, lme4's 1e-4).</summary>
    public bool OnBoundary(ReadOnlySpan<double> factor, int term, int a)
    {
        int q = Templates[term].Q;
        return factor[a * q + a] * ColumnScale[term][a] < LmmEstimator.SingularTolerance;
    }

    /// <summary>
    /// Whether the term's covariance parameters are identified by where its columns vary: cluster l informs only
    /// about P_l Σ P_l, P_l the projector on the row space of its block Z_l (G_l = Z_l'Z_l has the same row space).
    /// Σ is identified when no nonzero parameter direction E (in the term's structure) has G_l E G_l = 0 for every l,
    /// i.e. when F_jk = Σ_l tr(G_l E_j G_l G_l E_k G_l) is positive definite. Columns are scaled to unit root mean
    /// square and each G_l to unit trace, so the test is free of units and cluster sizes.
    /// </summary>
    private static bool Identified(RandomEffectsTerm term, double[] scale)
    {
        int q = term.ColumnCount, levels = term.LevelCount;
        int n = term.Memberships?.Rows ?? term.LevelIndex.Length;
        if (q == 1 || term.Covariance == CovarianceStructure.Scalar) return true;
        var gram = new double[levels * q * q];
        // A multiple-membership row informs each of its levels with weight ω² (the level's own part of Z'Z).
        var mm = term.Memberships;
        var omega = mm?.EffectiveWeights();
        for (int i = 0; i < n; i++)
            for (int e = mm is null ? i : mm.RowStart[i]; e < (mm is null ? i + 1 : mm.RowStart[i + 1]); e++)
            {
                int o = (mm is null ? term.LevelIndex[i] : mm.Level[e]) * q * q;
                double w2 = omega is null ? 1 : omega[e] * omega[e];
                for (int b = 0; b < q; b++)
                {
                    double zb = w2 * term.Columns[b * n + i] / scale[b];
                    for (int a = 0; a < q; a++) gram[o + b * q + a] += term.Columns[a * n + i] / scale[a] * zb;
                }
            }
        return IdentifiedFromLevelGrams(gram, q, levels, term.Covariance);
    }

    /// <summary>
    /// <see cref="Identified(RandomEffectsTerm, double[])"/> from the per-level Gram blocks G_l of the unit-scaled
    /// columns (q × q column-major at offset l·q²), which is all it needs: rows or aggregated sums give the same test.
    /// </summary>
    private static bool IdentifiedFromLevelGrams(double[] gram, int q, int levels, CovarianceStructure covariance)
    {
        if (q == 1 || covariance == CovarianceStructure.Scalar) return true;
        // Basis of the structure's parameter directions: E_aa, and E_ab + E_ba when unstructured.
        var basis = new List<(int a, int b)>();
        for (int a = 0; a < q; a++) basis.Add((a, a));
        if (covariance == CovarianceStructure.Unstructured)
            for (int b = 0; b < q; b++)
                for (int a = b + 1; a < q; a++) basis.Add((a, b));
        int m = basis.Count;
        var f = new double[m * m];
        var images = new double[m][];
        for (int l = 0; l < levels; l++)
        {
            var g = gram.AsSpan(l * q * q, q * q).ToArray();
            double trace = 0;
            for (int a = 0; a < q; a++) trace += g[a * q + a];
            if (trace == 0) continue;
            for (int k = 0; k < g.Length; k++) g[k] /= trace;
            // Image of each direction: G E G, with (G E_ab G)[i, j] = G[i,a]G[b,j] (+ G[i,b]G[a,j]).
            for (int k = 0; k < m; k++)
            {
                var (a, b) = basis[k];
                var img = images[k] ??= new double[q * q];
                for (int j = 0; j < q; j++)
                    for (int i = 0; i < q; i++)
                        img[j * q + i] = g[a * q + i] * g[j * q + b] + (a == b ? 0 : g[b * q + i] * g[j * q + a]);
            }
            for (int j = 0; j < m; j++)
                for (int k = 0; k < m; k++) f[k * m + j] += DenseKernels.Dot(images[j], images[k]);
        }
        double diag = 0;
        for (int k = 0; k < m; k++) diag += f[k * m + k];
        for (int k = 0; k < m; k++) f[k * m + k] -= 1e-10 * diag;
        return DenseKernels.UnblockedCholesky(f, m);
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

/// <summary>
/// Columns of [Z X y] in storage order: the raw ones (y less any offset; X its kept columns) and the arrays the Gram
/// reads, which are copies that hold the whitened rows when a residual correlation mixes rows.
/// </summary>
internal sealed record RowColumns(double[][] RawZ, double[] RawX, double[] RawY, double[][] GramZ, double[] GramX, double[] GramY);
