using TypedMixed.Factorization;
using static TypedMixed.Factorization.DenseKernels;

namespace TypedMixed.Estimation;

/// <summary>
/// The PIRLS step without refactoring: solves the penalized weighted least-squares system of one iteration,
/// <code>
/// [ Λ'Z'WZΛ + I   Λ'Z'WX ] [u]   [ Λ'Z'W z ]
/// [ X'WZΛ         X'WX   ] [β] = [ X'W z   ]
/// </code>
/// (the β rows only when β is solved), by conjugate gradients preconditioned with the last blocked Cholesky factor
/// (taken at earlier weights, or an earlier θ). A product with the matrix is two passes over the rows and the
/// preconditioner two triangular solves, so a step costs a few passes where a refactorization costs a dense Cholesky of
/// the tail: for crossed terms with many levels (a tail of a thousand rows) that is the difference. The factor is
/// still computed once per evaluation, at the modes, for the log-determinant.
/// Starting from the current iterate, the initial residual is the gradient of the penalized deviance, so near the
/// modes few iterations are needed. Deterministic: fixed row halves, no timing-dependent choices.
/// </summary>
internal sealed class PirlsKrylovStep
{
    /// <summary>Target accuracy of the linear predictor in each row (in the weighted mean-square sense).</summary>
    public const double Tolerance = 1e-11;

    /// <summary>Give up (and refactor) after this many iterations: beyond it a factorization is cheaper.</summary>
    public const int MaxIterations = 12;

    /// <summary>Tail orders (random-effects rows after the first term) from which this path is used.</summary>
    public const int MinimumTailOrder = 256;

    private const int ParallelRows = 100_000;

    private readonly GlmmProblem _g;
    private readonly MixedModelProblem _s;
    private readonly RandomEffectsTerm[] _terms;
    private readonly int[][] _levelIndex;
    private readonly double[][] _columns;
    private readonly int[] _q;
    private readonly bool _twoScalarTerms;
    private readonly int[] _offset; // start of each ordered term in the vector
    private readonly int _betaOffset;
    private readonly double[] _x, _r, _z, _p, _ap;
    private readonly double[][] _scaled; // Λ v per term
    private readonly double[][] _halves;  // accumulators per row half
    private readonly double[] _weightSum = new double[2];

    public PirlsKrylovStep(GlmmProblem problem, RandomEffectsTerm[] orderedTerms)
    {
        _g = problem;
        _s = problem.Structure;
        _terms = orderedTerms;
        int k = orderedTerms.Length;
        _levelIndex = orderedTerms.Select(t => t.LevelIndex).ToArray();
        _columns = orderedTerms.Select(t => t.Columns).ToArray();
        _q = orderedTerms.Select(t => t.ColumnCount).ToArray();
        _twoScalarTerms = k == 2 && _q[0] == 1 && _q[1] == 1;
        _offset = new int[k];
        int d = 0;
        for (int s = 0; s < k; s++) { _offset[s] = d; d += _s.Gram.Sizes[s]; }
        _betaOffset = d;
        d += problem.P;
        _x = new double[d];
        _r = new double[d];
        _z = new double[d];
        _p = new double[d];
        _ap = new double[d];
        _scaled = Enumerable.Range(0, k).Select(s => new double[_s.Gram.Sizes[s]]).ToArray();
        _halves = [new double[d], new double[d]];
        _rescale = new double[k][];
        _rescaleBuffers = _q.Select(q => new double[q * q]).ToArray();
    }

    /// <summary>Whether the structure is one where a refactorization costs far more than a pass over the rows.</summary>
    public static bool Worthwhile(MixedModelProblem s) => s.Factor.TailZ >= MinimumTailOrder;

    /// <summary>Whether the last <see cref="Solve"/> found the current iterate already within tolerance (a zero step).</summary>
    public bool AlreadySolved { get; private set; }

    /// <summary>Conjugate-gradient iterations so far.</summary>
    public long Iterations { get; private set; }

    /// <summary>Steps solved (and steps that fell back to a refactorization).</summary>
    public int Solved { get; private set; }
    public int Abandoned { get; private set; }

    /// <summary>
    /// Solves the system at weights <paramref name="w"/> and working response <paramref name="z"/> (with the offset,
    /// or Xβ + offset, already subtracted), from the current (β, u). On success writes the solution to
    /// <paramref name="newBeta"/> (when <paramref name="solveBeta"/>) and <paramref name="newU"/>; returns false when
    /// the iterations run out (the caller refactors).
    /// </summary>
    public bool Solve(double[][] t, double[][]? factorT, double[] w, double[] z, double[] beta, double[][] u, bool solveBeta,
        double[] newBeta, double[][] newU)
    {
        int k = _terms.Length, p = _g.P;
        PrepareRescaling(t, factorT);
        int dim = solveBeta ? _betaOffset + p : _betaOffset;
        for (int s = 0; s < k; s++) u[s].CopyTo(_x, _offset[s]);
        if (solveBeta) beta.AsSpan(0, p).CopyTo(_x.AsSpan(_betaOffset));
        // r = rhs − A x = [Λ'Z'W e − u; X'W e] with e = z − ZΛu − Xβ: one pass.
        double weightSum = Residual(t, w, z, _x, solveBeta, _r);
        // Stop when the preconditioned residual, ≈ ‖x − x*‖²_A ≥ Σ wᵢ δηᵢ², is below Σ wᵢ × Tolerance²: the linear
        // predictor is then within about Tolerance of the step's target in every row (M ≈ A within a small factor).
        double target = Tolerance * Tolerance * weightSum;
        _r.AsSpan(0, dim).CopyTo(_z);
        Precondition(_z.AsSpan(0, dim), solveBeta);
        double rz = Dot(_r.AsSpan(0, dim), _z.AsSpan(0, dim));
        bool done = rz <= target;
        AlreadySolved = done;
        // Inexact Newton: rz ≈ ‖step‖²_A, so δ² = rz / Σw is the step's mean-square size in η. Far from the modes the
        // step need not be solved to 1e-11: an error below min(1e-2 δ, 0.1 δ²) keeps the iteration's quadratic
        // convergence, and the last steps (δ tiny) are still solved to the full tolerance.
        if (!done) target = Math.Max(target, Math.Min(1e-4 * rz, 1e-2 * rz * rz / weightSum));
        if (!done)
        {
            _z.AsSpan(0, dim).CopyTo(_p);
            for (int it = 0; it < MaxIterations && !done; it++)
            {
                Iterations++;
                Multiply(t, w, _p, solveBeta, _ap);
                double pap = Dot(_p.AsSpan(0, dim), _ap.AsSpan(0, dim));
                if (!(pap > 0)) break;
                double alpha = rz / pap;
                for (int i = 0; i < dim; i++)
                {
                    _x[i] += alpha * _p[i];
                    _r[i] -= alpha * _ap[i];
                }
                _r.AsSpan(0, dim).CopyTo(_z);
                Precondition(_z.AsSpan(0, dim), solveBeta);
                double rzNew = Dot(_r.AsSpan(0, dim), _z.AsSpan(0, dim));
                if (rzNew <= target) { done = true; break; }
                double b = rzNew / rz;
                rz = rzNew;
                for (int i = 0; i < dim; i++) _p[i] = _z[i] + b * _p[i];
            }
        }
        if (!done)
        {
            Abandoned++;
            return false;
        }
        Solved++;
        for (int s = 0; s < k; s++) Array.Copy(_x, _offset[s], newU[s], 0, newU[s].Length);
        if (solveBeta) Array.Copy(_x, _betaOffset, newBeta, 0, p);
        return true;
    }

    /// <summary>
    /// Per ordered term, R⁻¹ = T⁻¹T₀ (q × q, lower, column-major) from the factor's T₀ to the step's T, or null where they
    /// are equal or T₀ is singular. The factor is of Λ₀'Z'W₀ZΛ₀ + I; with Λ = Λ₀R the system's random-effects block is
    /// R'(Λ₀'Z'WZΛ₀)R + I, so R'(L₀L₀')R is the better preconditioner when θ moved since the factor (stage 1's steps):
    /// exact in the data-dominated directions. Still symmetric positive definite (R is invertible).
    /// </summary>
    private void PrepareRescaling(double[][] t, double[][]? factorT)
    {
        int k = _terms.Length;
        for (int s = 0; s < k; s++)
        {
            _rescale[s] = null;
            if (factorT is null) continue;
            int q = _q[s];
            var t0 = factorT[s];
            var ts = t[s];
            if (t0.AsSpan().SequenceEqual(ts)) continue;
            double largest0 = 0, largest = 0;
            for (int a = 0; a < q; a++) { largest0 = Math.Max(largest0, Math.Abs(t0[a * q + a])); largest = Math.Max(largest, Math.Abs(ts[a * q + a])); }
            bool invertible = largest0 > 0 && largest > 0;
            for (int a = 0; a < q; a++) invertible &= Math.Abs(t0[a * q + a]) > 1e-8 * largest0 && Math.Abs(ts[a * q + a]) > 1e-8 * largest;
            if (!invertible) continue;
            // Column by column: solve T x = T₀ e_c (forward substitution, T lower).
            var r = _rescaleBuffers[s];
            Array.Clear(r);
            for (int c = 0; c < q; c++)
                for (int a = c; a < q; a++)
                {
                    double v = t0[c * q + a];
                    for (int e = c; e < a; e++) v -= ts[e * q + a] * r[c * q + e];
                    r[c * q + a] = v / ts[a * q + a];
                }
            _rescale[s] = r;
        }
    }

    /// <summary>v ← R⁻¹ M₀⁻¹ R⁻ᵀ v on the random-effects part (see <see cref="PrepareRescaling"/>); M₀⁻¹ alone on β.</summary>
    private void Precondition(Span<double> v, bool solveBeta)
    {
        for (int s = 0; s < _terms.Length; s++)
            if (_rescale[s] is { } r) ApplyLambdaTranspose(v.Slice(_offset[s], _scaled[s].Length), _q[s], r);
        _s.Factor.SolvePreconditioner(v, solveBeta);
        for (int s = 0; s < _terms.Length; s++)
            if (_rescale[s] is { } r) PenalizedSolution.ApplyLambda(v.Slice(_offset[s], _scaled[s].Length), _q[s], r);
    }

    private readonly double[]?[] _rescale;
    private readonly double[][] _rescaleBuffers;

    /// <summary>
    /// r = [Λ'Z'W e − u; X'W e], e = z − ZΛu − Xβ (β only when solved), in one pass; returns Σ wᵢ.
    /// </summary>
    private double Residual(double[][] t, double[] w, double[] z, double[] x, bool solveBeta, double[] r)
    {
        int k = _terms.Length;
        for (int s = 0; s < k; s++)
        {
            Array.Copy(x, _offset[s], _scaled[s], 0, _scaled[s].Length);
            PenalizedSolution.ApplyLambda(_scaled[s], _q[s], t[s]);
        }
        Pass(t, w, z, x, solveBeta, r);
        for (int s = 0; s < k; s++)
            for (int j = 0; j < _scaled[s].Length; j++) r[_offset[s] + j] -= x[_offset[s] + j];
        return _weightSum[0] + _weightSum[1];
    }

    /// <summary>result = A v: [Λ'Z'W(ZΛv_u + Xv_β) + v_u; X'W(ZΛv_u + Xv_β)].</summary>
    private void Multiply(double[][] t, double[] w, double[] v, bool solveBeta, double[] result)
    {
        int k = _terms.Length;
        for (int s = 0; s < k; s++)
        {
            Array.Copy(v, _offset[s], _scaled[s], 0, _scaled[s].Length);
            PenalizedSolution.ApplyLambda(_scaled[s], _q[s], t[s]);
        }
        Pass(t, w, null, v, solveBeta, result);
        for (int s = 0; s < k; s++)
            for (int j = 0; j < _scaled[s].Length; j++) result[_offset[s] + j] += v[_offset[s] + j];
    }

    /// <summary>
    /// One pass over the rows: e = z (when given) or ZΛv_u + Xv_β (from <see cref="_scaled"/>), then
    /// result = [Λ'Z'W e; X'W e].
    /// </summary>
    private void Pass(double[][] t, double[] w, double[]? z, double[]? v, bool solveBeta, double[] result)
    {
        _weightSum[0] = _weightSum[1] = 0;
        int n = _g.N, dim = solveBeta ? _betaOffset + _g.P : _betaOffset;
        if (n < ParallelRows || Environment.ProcessorCount < 2)
        {
            Array.Clear(_halves[0], 0, dim);
            _weightSum[0] = Rows(0, n, w, z, v, solveBeta, _halves[0]);
            Array.Copy(_halves[0], result, dim);
        }
        else
        {
            Array.Clear(_halves[0], 0, dim);
            Array.Clear(_halves[1], 0, dim);
            Parallel.Invoke(() => _weightSum[0] = Rows(0, n / 2, w, z, v, solveBeta, _halves[0]), () => _weightSum[1] = Rows(n / 2, n, w, z, v, solveBeta, _halves[1]));
            for (int i = 0; i < dim; i++) result[i] = _halves[0][i] + _halves[1][i];
        }
        // Λ' on the random-effects part.
        for (int s = 0; s < _terms.Length; s++)
            ApplyLambdaTranspose(result.AsSpan(_offset[s], _scaled[s].Length), _q[s], t[s]);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private double Rows(int start, int end, double[] w, double[]? z, double[]? v, bool solveBeta, double[] acc)
    {
        if (_twoScalarTerms && v is not null) return TwoScalarRows(start, end, w, z, v, solveBeta, acc);
        int n = _g.N, p = _g.P, k = _terms.Length, bo = _betaOffset;
        var x = _g.X;
        var levelIndex = _levelIndex;
        var columns = _columns;
        var qs = _q;
        var offsets = _offset;
        var scaled = _scaled;
        double weightSum = 0;
        for (int i = start; i < end; i++)
        {
            double e = 0;
            if (v is not null)
            {
                for (int s = 0; s < k; s++)
                {
                    int q = qs[s], l = levelIndex[s][i];
                    var cols = columns[s];
                    var bs = scaled[s];
                    if (q == 1) { e += cols[i] * bs[l]; continue; }
                    for (int a = 0; a < q; a++) e += cols[a * n + i] * bs[l * q + a];
                }
                if (solveBeta)
                    for (int c = 0; c < p; c++) e += x[c * n + i] * v[bo + c];
            }
            // e = z − (ZΛv + Xv) when z is given, else ZΛv + Xv.
            if (z is not null) e = z[i] - e;
            double wi = w[i];
            weightSum += wi;
            double we = wi * e;
            for (int s = 0; s < k; s++)
            {
                int q = qs[s], l = levelIndex[s][i], o = offsets[s];
                var cols = columns[s];
                if (q == 1) { acc[o + l] += cols[i] * we; continue; }
                for (int a = 0; a < q; a++) acc[o + l * q + a] += cols[a * n + i] * we;
            }
            if (solveBeta)
                for (int c = 0; c < p; c++) acc[bo + c] += x[c * n + i] * we;
        }
        return weightSum;
    }

    /// <summary><see cref="Rows"/> for two crossed scalar terms (the large crossed case), with no inner loops over terms.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private double TwoScalarRows(int start, int end, double[] w, double[]? z, double[] v, bool solveBeta, double[] acc)
    {
        int n = _g.N, p = _g.P, bo = _betaOffset, o1 = _offset[1];
        var x = _g.X;
        int[] l0 = _levelIndex[0], l1 = _levelIndex[1];
        double[] z0 = _columns[0], z1 = _columns[1], b0 = _scaled[0], b1 = _scaled[1];
        double weightSum = 0;
        for (int i = start; i < end; i++)
        {
            int a = l0[i], b = l1[i];
            double c0 = z0[i], c1 = z1[i];
            double e = c0 * b0[a] + c1 * b1[b];
            if (solveBeta)
                for (int c = 0; c < p; c++) e += x[c * n + i] * v[bo + c];
            if (z is not null) e = z[i] - e;
            double wi = w[i];
            weightSum += wi;
            double we = wi * e;
            acc[a] += c0 * we;
            acc[o1 + b] += c1 * we;
            if (solveBeta)
                for (int c = 0; c < p; c++) acc[bo + c] += x[c * n + i] * we;
        }
        return weightSum;
    }

    /// <summary>g ← (I ⊗ T)' g, level by level (T lower, column-major).</summary>
    private static void ApplyLambdaTranspose(Span<double> g, int q, ReadOnlySpan<double> t)
    {
        if (q == 1)
        {
            double s = t[0];
            for (int j = 0; j < g.Length; j++) g[j] *= s;
            return;
        }
        for (int l = 0; l < g.Length / q; l++)
        {
            var gl = g.Slice(l * q, q);
            for (int e = 0; e < q; e++)
            {
                double s = 0;
                for (int a = e; a < q; a++) s += t[e * q + a] * gl[a];
                gl[e] = s; // rows e' > e still hold g (read later only for a ≥ e' > e)
            }
        }
    }
}
