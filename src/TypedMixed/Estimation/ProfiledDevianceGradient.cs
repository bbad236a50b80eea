using TypedMixed.Factorization;
using TypedMixed.Storage;
using static TypedMixed.Factorization.DenseKernels;

namespace TypedMixed.Estimation;

/// <summary>
/// The analytic gradient of the profiled deviance and REML criterion with respect to θ, from the blocked factor.
/// With A = Λ'WΛ + D (W the Gram of [Z X] — for the ML criterion of Z alone —, Λ = diag(I ⊗ Tᵢ, I_X), D = diag(I_Z, 0))
/// and Λₖ = ∂Λ/∂θₖ (nonzero only in the level blocks of θₖ's term, each Eₖ = ∂T/∂θₖ):
/// <code>
/// ∂ log|A| / ∂θₖ = 2 tr(A⁻¹ Λ'W Λₖ) = 2 Σ_l tr(Eₖ M_l),   M_l = S[:, (l)]' (Λ'W)[:, (l)],  S = A⁻¹
/// ∂ r² / ∂θₖ     = −2 ρ'Z Λₖ u = −2 Σ_l (Z'ρ)_l' Eₖ u_l    (envelope theorem at the penalized least-squares solution)
/// </code>
/// (log|A| is log|L_Z|², plus log|L_X|² for REML.) <b>Diagonal blocks suffice.</b> Λ is block diagonal, so over a level's
/// columns (Λ'WΛ)[:, (l)] = (Λ'W)[:, (l)] T, and Λ'WΛ = A − D; where T is invertible,
/// (Λ'W)[:, (l)] = (A − D)[:, (l)] T⁻¹. With S A = I and D = I on the level's own columns,
/// <code>
/// M_l = S[:, (l)]' (A − D)[:, (l)] T⁻¹ = (I − S_ll) T⁻¹      (scalar term: ∂ log|A|/∂θ = 2 Σ_l (1 − S_ll) / θ)
/// </code>
/// so only the diagonal blocks S_ll of A⁻¹ are needed. With K = L_tt⁻¹ (the tail's triangular inverse): a tail
/// level's block is K[:, (l)]' K[:, (l)]; a first-term level's is S_ll = P'(I + Y_l'Y_l) P with P = L_ll⁻¹ and
/// Y_l = K L_t0[:, (l)], whose columns have nonzeros only on the level's rows R_l of L_t0, so I − S_ll =
/// P'(P·T'W_ll T − Y_l'Y_l P) (using P'P = (T'W_ll T + I)⁻¹) without the cancellation of 1 − S_ll at small T.
/// <para>
/// Where a term's T has a zero diagonal (θ on its bound), or the rounding of I − S_ll, amplified by T⁻¹, could exceed
/// about 1e-12 relative (<see cref="AmplificationLimit"/>), that term takes the general path instead: the full tail
/// inverse S_tt = Kᵀ K, then per first-term level the Takahashi recurrences S_t0 = −S_tt L_t0 L₀₀⁻¹ on R_l and
/// S₀₀ = L₀₀⁻ᵀ(L₀₀⁻¹ − L_t0' S_t0), and M_l from W's blocks directly. Z'ρ = Z'y − Z'Xβ̂ − Z'ZΛû comes from the Gram.
/// </para>
/// Covers every term layout the factor has except a multiple-membership first term stored by its envelope, a sparse
/// tail, and models with a residual structure (<see cref="Supports"/>); those use finite differences.
/// </summary>
internal sealed partial class ProfiledDevianceGradient
{
    private readonly MixedModelProblem _problem;
    private readonly ProfiledDeviance _deviance;
    private readonly BlockedCholesky _f;
    private readonly BlockedGram _g;
    /// <summary>Per factor block (0 .. K−1) its template; null for an empty leading block.</summary>
    private readonly CovarianceTemplate?[] _blockTemplates;

    public ProfiledDevianceGradient(MixedModelProblem problem, ProfiledDeviance deviance)
    {
        if (!Supports(problem)) throw new NotSupportedException("The analytic gradient covers independent-residual models whose first term is not a multiple-membership envelope.");
        _problem = problem;
        _deviance = deviance;
        _f = problem.Factor;
        _g = problem.Gram;
        int k = _g.BlockCount - 1;
        _blockTemplates = new CovarianceTemplate?[k];
        for (int b = 0; b < k; b++)
            _blockTemplates[b] = b < problem.StorageShift ? null : problem.Templates[problem.TermOrder[b - problem.StorageShift]];
        _m = new double[k][];
        _nr = new double[k][];
        _sumD = new double[k][];
        _sumMagnitude = new double[k][];
        for (int b = 0; b < k; b++)
        {
            int q = _g.Q[b];
            _m[b] = new double[q * q];
            _nr[b] = new double[q * q];
            _sumD[b] = new double[q * q];
            _sumMagnitude[b] = new double[q];
        }
        _general = new bool[k];
        _fromGram = new bool[k];
        if (_f.SparseTail is null)
            for (int i = 0; i < _f.Ls0.Length; i++)
            {
                var ls = _f.Ls0[i];
                int off = _f.TailOffset(i + 1);
                for (int b = 0; b < ls.RowLevel.Length; b++)
                    for (int a = 0; a < ls.RowQ; a++) _productWork += (_f.TailOrder - off - ls.RowLevel[b] * ls.RowQ - a) * (double)_g.Q[0];
            }
    }

    /// <summary>
    /// Estimated cost of one evaluation with the gradient, in evaluations of the objective alone, on the diagonal-block
    /// path (θ inside its bounds); deterministic, from the sizes:
    /// <code>
    /// 1 + (1.2 m³/3 + (1 + 3 m / (m + 256)) P + 6 G) / (m³/3 + 10 G)
    /// </code>
    /// with m the dense tail's order (m³/3: the Cholesky's flops; K = L_tt⁻¹ has as many, on the same kernel, plus a
    /// copy), P = Σ_l Σ_(r ∈ R_l) (m − r) q₀ the multiply-adds of the first term's products Y_l = K L_t0[:, l] (about four
    /// flops' time each once K's panels no longer stay in L1, one for a small tail), G the Gram's stored size (per-level
    /// work, about 0.6 of the evaluation's own per element). Calibrated on the phases <c>gradient-cost</c> prints
    /// (factor, triangular inverse, diagonal blocks, residual products), load average about 2: InstEval (m = 1,145)
    /// estimate 2.5, measured 2.5–2.6; sleepstudy, Penicillin, inner-London Model 3 and a 1,000,000-row nested model
    /// estimate 1.6–1.9, measured 1.3–1.7.
    /// </summary>
    public double RelativeCost
    {
        get
        {
            double m = _f.Tail.Rows;
            double tail = m * m * m / 3;
            double gram = _g.Diagonal0.Data.Length + _g.Sparse0.Sum(sp => (double)sp.Data.Length) + _g.XY0.Data.Length + m * m;
            return 1 + (1.2 * tail + (1 + 3 * m / (m + 256)) * _productWork + 6 * gram) / (tail + 10 * gram);
        }
    }

    /// <summary>P of <see cref="RelativeCost"/>: Σ over the first term's levels and their rows r in L_t0 of (m − r) q₀.</summary>
    private readonly double _productWork;

    /// <summary>Whether the analytic gradient covers this problem (no residual structure, no envelope-stored first term).</summary>
    public static bool Supports(MixedModelProblem problem) =>
        problem.Residual is null && problem.Factor.LEnvelope is null && problem.Factor.SparseTail is null; // a sparse tail has no dense inverse: finite differences


    /// <summary>
    /// The objective (<see cref="ProfiledDeviance.Evaluate"/>) at θ and its gradient; +∞ (gradient untouched) where the
    /// factorization fails.
    /// </summary>
    public double Evaluate(ReadOnlySpan<double> theta, Span<double> gradient)
    {
        int d = theta.Length;
        Span<double> dLogDet = d <= 64 ? stackalloc double[d] : new double[d];
        Span<double> dRss = d <= 64 ? stackalloc double[d] : new double[d];
        if (!Derivatives(theta, _deviance.Reml, dLogDet, dRss)) return double.PositiveInfinity;
        double r2 = _f.PenalizedRss;
        int df = _deviance.ResidualDf;
        for (int e = 0; e < d; e++) gradient[e] = dLogDet[e] + df * dRss[e] / r2;
        return _deviance.ObjectiveFromFactor(_deviance.Reml);
    }

    /// <summary>
    /// Factors at θ and writes ∂/∂θ of the log-determinant (log|L_Z|², plus log|L_X|² when <paramref name="reml"/>) and
    /// of r², the penalized residual sum of squares. False when the factorization fails.
    /// </summary>
    public bool Derivatives(ReadOnlySpan<double> theta, bool reml, Span<double> dLogDet, Span<double> dRss)
    {
        long start = Timings is null ? 0 : System.Diagnostics.Stopwatch.GetTimestamp();
        if (!_f.Update(theta)) return false;
        Timings?.Add(0, ref start);
        int k = _g.BlockCount - 1;
        for (int b = 0; b < k; b++)
        {
            Array.Clear(_m[b]);
            Array.Clear(_nr[b]);
        }
        int rows = _f.TailZ + (reml ? _g.P : 0);
        // K = L_tt⁻¹ over the tail's leading rows (the Z rows, then X's for REML).
        // Leading dimension rounded up to the product panel, the padding rows zero: every panel of K is whole.
        if (_kRows != rows)
        {
            _kRows = rows;
            _ldk = (rows + ProductPanel - 1) / ProductPanel * ProductPanel;
            _k = new double[_ldk * rows];
        }
        if (rows > 0) TriangularInverse.InvertLower(_f.Tail.Data, _f.Tail.Rows, rows, _k, _ldk);
        Timings?.Add(1, ref start);
        // Per term: the diagonal-block path where T is invertible and I − S_ll is accurate, else the general one.
        bool anyGeneral = false;
        for (int b = 0; b < k; b++)
        {
            if (_blockTemplates[b] is null) { _general[b] = false; continue; }
            _general[b] = ForceGeneralPath || !Invertible(_f.Factor(b), _g.Q[b]);
            if (!_general[b])
            {
                DiagonalBlocks(b, rows, reml);
                _general[b] = !FromDiagonalBlocks(b);
            }
            anyGeneral |= _general[b];
        }
        Timings?.Add(2, ref start);
        if (anyGeneral)
        {
            if (_tailInverse.Length != rows * rows) _tailInverse = new double[rows * rows];
            if (rows > 0) TriangularInverse.SymmetricInverseFromInverse(_k, _ldk, rows, _tailInverse, _work);
            AddTail(_tailInverse, rows, _m);
            AddLead(_tailInverse, rows, reml, _m);
        }
        Timings?.Add(3, ref start);
        AddResidualProducts(_nr);
        Timings?.Add(4, ref start);
        dLogDet.Clear();
        dRss.Clear();
        for (int b = 0; b < k; b++)
        {
            if (_blockTemplates[b] is not { } tp) continue;
            int q = tp.Q, o = tp.ThetaOffset;
            var mb = _m[b];
            var nb = _nr[b];
            switch (tp.Structure)
            {
                case CovarianceStructure.Unstructured:
                    // θ entry (i, j), i ≥ j: Eₖ = e_i e_j', tr(Eₖ M) = M[j, i]; (Z'ρ)' Eₖ u = N[i, j].
                    for (int j = 0, e = o; j < q; j++)
                        for (int i = j; i < q; i++, e++)
                        {
                            dLogDet[e] = 2 * mb[i * q + j];
                            dRss[e] = -2 * nb[j * q + i];
                        }
                    break;
                case CovarianceStructure.Diagonal:
                    for (int j = 0; j < q; j++)
                    {
                        dLogDet[o + j] = 2 * mb[j * q + j];
                        dRss[o + j] = -2 * nb[j * q + j];
                    }
                    break;
                default:
                    for (int j = 0; j < q; j++)
                    {
                        dLogDet[o] += 2 * mb[j * q + j];
                        dRss[o] -= 2 * nb[j * q + j];
                    }
                    break;
            }
        }
        return true;
    }

    /// <summary>When set, <see cref="Derivatives"/> adds the time of each of its phases (for <c>gradient-cost</c>).</summary>
    internal PhaseTimings? Timings { get; set; }

    /// <summary>
    /// Seconds spent per phase of <see cref="Derivatives"/>, summed over calls: the factorization (the evaluation itself),
    /// K = L_tt⁻¹, the diagonal blocks, the general path, the residual products.
    /// </summary>
    internal sealed class PhaseTimings
    {
        /// <summary>Names of the phases, in order.</summary>
        public static readonly string[] Names = ["factor", "triangular_inverse", "diagonal_blocks", "general_path", "residual_products"];

        /// <summary>Seconds per phase.</summary>
        public double[] Seconds { get; } = new double[5];

        /// <summary>Adds the time since <paramref name="start"/> to phase i and restarts the clock.</summary>
        public void Add(int i, ref long start)
        {
            long now = System.Diagnostics.Stopwatch.GetTimestamp();
            Seconds[i] += (now - start) / (double)System.Diagnostics.Stopwatch.Frequency;
            start = now;
        }
    }

    /// <summary>Per term: M = Σ_l M_l (q × q, column-major) and N = Σ_l (Z'ρ)_l u_l'.</summary>
    private readonly double[][] _m, _nr;

    /// <summary>Per term, whether the last evaluation took the general path (the full inverse) for it.</summary>
    private readonly bool[] _general;

    /// <summary>K = L_tt⁻¹ over the tail's leading rows (leading dimension _ldk, rows _kRows).</summary>
    private double[] _k = [];
    private int _kRows = -1, _ldk;

    /// <summary>Whether the term at each factor block took the general path in the last evaluation (for tests).</summary>
    internal IReadOnlyList<bool> GeneralPath => _general;

    /// <summary>
    /// Forces the general path (the full inverse) for every term: the reference the diagonal-block path is tested against.
    /// </summary>
    internal bool ForceGeneralPath { get; init; }

    private double[] _tailInverse = [];
    private readonly TriangularInverse.Workspace _work = new();

    /// <summary>The tail's part of each general term's M: Σ_r S[r, (l, a)] (Λ'W)[r, (l, b)] over its levels.</summary>
    private void AddTail(double[] s, int rows, double[][] m)
    {
        int k = _g.BlockCount - 1, mz = _f.TailZ;
        if (mz == 0) return;
        // V = Λ'W over the tail rows (terms left-scaled by Tᵢ', X rows as they are) and the general terms' columns,
        // copied from the Gram's blocks by columns (the diagonal blocks store their lower triangle).
        if (_v.Length != rows * mz) _v = new double[rows * mz];
        var v = _v;
        for (int j = 1; j < k; j++)
        {
            if (!_general[j]) continue;
            int cj = _f.TailOffset(j), nj = _g.Sizes[j];
            for (int i = 1; i <= k; i++)
            {
                int ri = _f.TailOffset(i);
                int ni = i < k ? _g.Sizes[i] : Math.Max(0, rows - mz);
                if (ni == 0) continue;
                if (i > j)
                {
                    var w = _g.Dense[i][j]!;
                    for (int c = 0; c < nj; c++) w.Data.AsSpan(c * w.Rows, ni).CopyTo(v.AsSpan((cj + c) * rows + ri, ni));
                }
                else if (i < j)
                {
                    var w = _g.Dense[j][i]!.Data;
                    for (int c = 0; c < nj; c++)
                    {
                        var col = v.AsSpan((cj + c) * rows + ri, ni);
                        for (int r = 0; r < ni; r++) col[r] = w[r * nj + c];
                    }
                }
                else
                {
                    var w = _g.Dense[i][i]!.Data;
                    for (int c = 0; c < nj; c++)
                    {
                        var col = v.AsSpan((cj + c) * rows + ri, ni);
                        for (int r = 0; r < c; r++) col[r] = w[r * nj + c];
                        w.AsSpan(c * nj + c, ni - c).CopyTo(col[c..]);
                    }
                }
                if (i < k) LeftScaleTranspose(v, rows, ri, _g.Sizes[i], cj, nj, _g.Q[i], _f.Factor(i));
            }
            int q = _g.Q[j];
            var mj = m[j];
            for (int l = 0; l < _g.Levels[j]; l++)
                for (int b = 0; b < q; b++)
                {
                    var vb = v.AsSpan((cj + l * q + b) * rows, rows);
                    for (int a = 0; a < q; a++)
                        mj[b * q + a] += Dot(s.AsSpan((cj + l * q + a) * rows, rows), vb);
                }
        }
    }

    private double[] _v = [];

    /// <summary>Rows [r0, r0 + nr) of the columns [c0, c0 + nc) of V (ld rows) ← (I ⊗ T)' times themselves.</summary>
    private static void LeftScaleTranspose(double[] v, int ld, int r0, int nr, int c0, int nc, int q, double[] t)
    {
        for (int c = c0; c < c0 + nc; c++)
        {
            var col = v.AsSpan(c * ld + r0, nr);
            for (int l = 0; l < nr / q; l++)
                for (int a = 0; a < q; a++)
                {
                    double acc = 0;
                    for (int e = a; e < q; e++) acc += t[a * q + e] * col[l * q + e];
                    col[l * q + a] = acc;
                }
        }
    }

    /// <summary>
    /// The first term's part of the general terms' M: per level l, S_t0 on the rows where L_t0 is nonzero, S₀₀'s
    /// diagonal block, and the contributions of W's blocks in column l (its own block, the sparse blocks against later
    /// terms, X for REML) — to M₀ when the first term is general, to Mᵢ when term i is.
    /// </summary>
    private void AddLead(double[] s, int rows, bool reml, double[][] m)
    {
        int q0 = _g.Q[0], levels = _g.Levels[0], mz = _f.TailZ, p = _g.P;
        if (levels == 0) return;
        var ls = _f.Ls0;
        bool lead = _general[0], anyTail = false;
        for (int i = 0; i < ls.Length; i++) anyTail |= _general[i + 1];
        if (!lead && !anyTail) return;
        var t0 = _f.Factor(0);
        var m0 = m[0];
        var rowIndex = _rowIndex;
        var ws = _g.Sparse0;
        var lxy = _f.LXY0;
        var wxy = _g.XY0;
        var linv = new double[q0 * q0];
        var y = new double[q0 * q0];
        var tw = new double[q0 * q0];
        double[] lt0 = _lt0, st0 = _st0;
        for (int l = 0; l < levels; l++)
        {
            // R_l: the tail rows where column block l of L_t0 is nonzero (then X's rows for REML), L_t0 on them.
            LeadSelectedInverse.Rows(_f, l, rowIndex);
            if (reml)
                for (int a = 0; a < p; a++) rowIndex.Add(mz + a);
            int nl = rowIndex.Count;
            if (lt0.Length < nl * q0) { _lt0 = lt0 = new double[2 * nl * q0]; _st0 = st0 = new double[2 * nl * q0]; }
            int pos = LeadSelectedInverse.Gather(_f, l, q0, lt0, nl);
            if (reml)
                for (int a = 0; a < p; a++)
                    for (int e = 0; e < q0; e++) lt0[e * nl + pos + a] = lxy[a, l * q0 + e];
            LeadSelectedInverse.Solve(_f.L00.Block(l), q0, lt0, nl, rowIndex, s, rows, st0, y, linv);
            if (lead)
            {
                // Own block: M₀ += S₀₀,l T₀' W₀₀,l.
                var w00 = _g.Diagonal0.Block(l);
                for (int c = 0; c < q0; c++)
                    for (int a = 0; a < q0; a++)
                    {
                        double acc = 0;
                        for (int e = a; e < q0; e++) acc += t0[a * q0 + e] * (e >= c ? w00[c * q0 + e] : w00[e * q0 + c]);
                        tw[c * q0 + a] = acc;
                    }
                MultiplyAdd(y, tw, m0, q0);
            }
            // Sparse blocks W_(i,m),(0,l) (qᵢ × q₀): M₀ += S_t0[rows]' Tᵢ' W; Mᵢ += S_t0[rows] T₀' W'.
            pos = 0;
            for (int i = 0; i < ls.Length; i++)
            {
                int rq = ls[i].RowQ;
                var ti = _f.Factor(i + 1);
                var mi = m[i + 1];
                bool tailGeneral = _general[i + 1];
                for (int b = ls[i].ColPtr[l]; b < ls[i].ColPtr[l + 1]; b++, pos += rq)
                {
                    var w = ws[i].Block(b);
                    if (lead)
                        for (int c = 0; c < q0; c++)
                            for (int a = 0; a < q0; a++)
                            {
                                // (S_t0[rows]' Tᵢ' W)[a, c] = Σ_r S_t0[r, a] Σ_{e ≥ r} Tᵢ[e, r] W[e, c]
                                double acc = 0;
                                for (int r = 0; r < rq; r++)
                                {
                                    double tw0 = 0;
                                    for (int e = r; e < rq; e++) tw0 += ti[r * rq + e] * w[c * rq + e];
                                    acc += st0[a * nl + pos + r] * tw0;
                                }
                                m0[c * q0 + a] += acc;
                            }
                    if (tailGeneral)
                        for (int c = 0; c < rq; c++)
                            for (int a = 0; a < rq; a++)
                            {
                                // (S_t0[rows] T₀' W')[a, c] = Σ_e S_t0[a, e] Σ_{f ≥ e} T₀[f, e] W[c, f]
                                double acc = 0;
                                for (int e = 0; e < q0; e++)
                                {
                                    double tw1 = 0;
                                    for (int f = e; f < q0; f++) tw1 += t0[e * q0 + f] * w[f * rq + c];
                                    acc += st0[e * nl + pos + a] * tw1;
                                }
                                mi[c * rq + a] += acc;
                            }
                }
            }
            if (reml && lead)
                // X rows: M₀ += S_X0' W_X0 (X's T is the identity).
                for (int c = 0; c < q0; c++)
                    for (int a = 0; a < q0; a++)
                    {
                        double acc = 0;
                        for (int r = 0; r < p; r++) acc += st0[a * nl + pos + r] * wxy[r, l * q0 + c];
                        m0[c * q0 + a] += acc;
                    }
        }
    }

    private readonly List<int> _rowIndex = [];
    private double[] _lt0 = [], _st0 = [];

    /// <summary>C += A B for small q × q column-major matrices.</summary>
    private static void MultiplyAdd(double[] a, double[] b, double[] c, int q)
    {
        for (int j = 0; j < q; j++)
            for (int i = 0; i < q; i++)
            {
                double acc = 0;
                for (int e = 0; e < q; e++) acc += a[e * q + i] * b[j * q + e];
                c[j * q + i] += acc;
            }
    }

    /// <summary>
    /// N_t[a, b] = Σ_l (Z'ρ)_(l, a) u_(l, b) per term, with u the spherical modes at the current factor. At the
    /// penalized least-squares solution u = Λ'Z'ρ, so where T is invertible and well conditioned (κ(T) ≤
    /// <see cref="AmplificationLimit"/>) (Z'ρ)_l = T⁻ᵀ u_l and N = T⁻ᵀ Σ_l u_l u_l' needs no pass over the Gram; other
    /// terms read Z'ρ = Z'y − Z'Xβ̂ − Z'Z Λu from the Gram's blocks.
    /// </summary>
    private void AddResidualProducts(double[][] nr)
    {
        int k = _g.BlockCount - 1, p = _g.P;
        var beta = PenalizedSolution.Beta(_f);
        if (_u is null)
        {
            _u = new double[k][];
            for (int t = 0; t < k; t++) _u[t] = new double[_g.Sizes[t]];
            _uTail = new double[_f.TailZ];
        }
        var u = _u;
        PenalizedSolution.SphericalModes(_f, beta, u, _uTail);
        bool anyFromGram = false;
        for (int t = 0; t < k; t++)
        {
            int q = _g.Q[t];
            var t0 = _f.Factor(t);
            _fromGram[t] = ForceGeneralPath || !WellConditioned(t0, q);
            anyFromGram |= _fromGram[t];
            if (_fromGram[t]) continue;
            // U = Σ_l u_l u_l', then N = T⁻ᵀ U (Tᵀ N = U by back substitution, T lower).
            var n = nr[t];
            var ut = u[t];
            for (int l = 0; l < _g.Levels[t]; l++)
                for (int bb = 0; bb < q; bb++)
                {
                    double ub = ut[l * q + bb];
                    for (int a = 0; a < q; a++) n[bb * q + a] += ut[l * q + a] * ub;
                }
            for (int c = 0; c < q; c++)
                for (int a = q - 1; a >= 0; a--)
                {
                    double acc = n[c * q + a];
                    for (int e = a + 1; e < q; e++) acc -= t0[a * q + e] * n[c * q + e];
                    n[c * q + a] = acc / t0[a * q + a];
                }
        }
        if (anyFromGram) AddResidualProductsFromGram(nr, beta, u);
    }

    /// <summary>The spherical modes per factor block, and the tail's work array, reused between evaluations.</summary>
    private double[][]? _u;
    private double[] _uTail = [];

    /// <summary>Per factor block, whether the last evaluation read Z'ρ from the Gram.</summary>
    private readonly bool[] _fromGram;

    /// <summary>T's diagonal is nonzero and max |T_ij| / min |T_dd| ≤ <see cref="AmplificationLimit"/>.</summary>
    private static bool WellConditioned(double[] t, int q)
    {
        double largest = 0, smallest = double.PositiveInfinity;
        for (int c = 0; c < q; c++)
        {
            smallest = Math.Min(smallest, Math.Abs(t[c * q + c]));
            for (int r = c; r < q; r++) largest = Math.Max(largest, Math.Abs(t[c * q + r]));
        }
        return smallest > 0 && double.IsFinite(largest) && largest <= AmplificationLimit * smallest;
    }

    /// <summary>N for the terms marked in <see cref="_fromGram"/>, with Z'ρ from the Gram's blocks.</summary>
    private void AddResidualProductsFromGram(double[][] nr, double[] beta, double[][] u)
    {
        int k = _g.BlockCount - 1, p = _g.P;
        var need = _fromGram;
        var b = new double[k][];
        for (int t = 0; t < k; t++)
        {
            b[t] = (double[])u[t].Clone();
            PenalizedSolution.ApplyLambda(b[t], _g.Q[t], _f.Factor(t));
        }
        // zr_t = Z_t'(y − Xβ) − Σ_j W_tj b_j, for the terms that need it.
        var zr = new double[k][];
        for (int t = 0; t < k; t++)
        {
            zr[t] = new double[_g.Sizes[t]];
            if (!need[t]) continue;
            var xy = t == 0 ? _g.XY0 : _g.Dense[k][t]!;
            for (int c = 0; c < _g.Sizes[t]; c++)
            {
                double acc = xy[p, c];
                for (int a = 0; a < p; a++) acc -= xy[a, c] * beta[a];
                zr[t][c] = acc;
            }
        }
        // Term 0's own block and the sparse blocks against later terms.
        int q0 = _g.Q[0];
        if (need[0])
            for (int l = 0; l < _g.Levels[0]; l++)
            {
                var w = _g.Diagonal0.Block(l);
                for (int c = 0; c < q0; c++)
                    for (int a = 0; a < q0; a++)
                        zr[0][l * q0 + a] -= (a >= c ? w[c * q0 + a] : w[a * q0 + c]) * b[0][l * q0 + c];
            }
        for (int i = 0; i < _g.Sparse0.Length; i++)
        {
            if (!need[0] && !need[i + 1]) continue;
            var sp = _g.Sparse0[i];
            int rq = sp.RowQ;
            for (int col = 0; col < sp.ColLevels; col++)
                for (int blk = sp.ColPtr[col]; blk < sp.ColPtr[col + 1]; blk++)
                {
                    var w = sp.Block(blk);
                    int r0 = sp.RowLevel[blk] * rq;
                    for (int e = 0; e < q0; e++)
                        for (int a = 0; a < rq; a++)
                        {
                            double v = w[e * rq + a];
                            zr[i + 1][r0 + a] -= v * b[0][col * q0 + e];
                            zr[0][col * q0 + e] -= v * b[i + 1][r0 + a];
                        }
                }
        }
        // Tail blocks (lower triangle stored; diagonal blocks mirrored).
        for (int j = 1; j < k; j++)
            for (int i = j; i < k; i++)
            {
                if (!need[i] && !need[j]) continue;
                var w = _g.Dense[i][j]!;
                for (int c = 0; c < w.Cols; c++)
                {
                    var col = w.Column(c);
                    double bc = b[j][c];
                    for (int r = i == j ? c : 0; r < w.Rows; r++)
                    {
                        double v = col[r];
                        if (v == 0) continue;
                        zr[i][r] -= v * bc;
                        if (i != j || r != c) zr[j][c] -= v * b[i][r];
                    }
                }
            }
        for (int t = 0; t < k; t++)
        {
            if (!need[t]) continue;
            int q = _g.Q[t];
            var n = nr[t];
            for (int l = 0; l < _g.Levels[t]; l++)
                for (int bb = 0; bb < q; bb++)
                {
                    double ub = u[t][l * q + bb];
                    for (int a = 0; a < q; a++) n[bb * q + a] += zr[t][l * q + a] * ub;
                }
        }
    }
}
