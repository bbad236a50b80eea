using TypedMixed.Factorization;
using TypedMixed.Families;
using static TypedMixed.Factorization.DenseKernels;

namespace TypedMixed.Estimation;

/// <summary>
/// The analytic gradient of the ordinal Laplace objective L = −2 Σ ℓᵢ(û) + ‖û‖² + log|H|, H = Λ'Z'WZΛ + I (W the exact
/// per-row curvatures hᵢ at û), with respect to the thresholds τ (mapped to α), β and θ. The modes satisfy
/// G(û) = −Λ'Z'g + û = 0, so by implicit differentiation dû/dφ = −H⁻¹ ∂G/∂φ and, with vᵢ = z̃ᵢ'H⁻¹z̃ᵢ (z̃ᵢ = Λ'zᵢ),
/// <code>
/// dL/dφ = −2 Σ ∂ℓᵢ/∂φ + Σ vᵢ ∂hᵢ/∂φ + [θ] 2 tr(H⁻¹Λ'Z'WZ Λₖ) − r' ∂G/∂φ,   r = H⁻¹ Λ'Z'(h' ∘ v)
/// </code>
/// (partials at fixed u; h' = ∂h/∂η, the third derivative of ℓ). Per row this is, with ρᵢ = z̃ᵢ'r and
/// cᵢ = −2gᵢ + vᵢh'ᵢ − hᵢρᵢ: ∂/∂β = Σ xᵢcᵢ; ∂/∂τ (the row's two thresholds) −2∂ℓ/∂τ + vᵢ∂h/∂τ + ρᵢ∂g/∂τ;
/// ∂/∂θₖ = Σ zᵢ'Eₖ(cᵢuᵢ + gᵢrᵢ + 2hᵢyᵢ) with yᵢ = (H⁻¹Λ'zᵢ) on the row's levels and Eₖ = ∂T/∂θₖ.
/// H⁻¹ is needed only on the pattern of Z'Z: for one scalar term H is diagonal; otherwise the selected inverse comes
/// from the blocked factor as in <see cref="ProfiledDevianceGradient"/> (the dense tail's inverse, then the Takahashi
/// recurrences level by level of the first term).
/// </summary>
internal sealed class OrdinalLaplaceGradient
{
    private readonly OrdinalDeviance _deviance;
    private readonly OrdinalNewton _newton;
    private readonly OrdinalProblem _o;
    private readonly MixedModelProblem _s;
    private readonly int _k, _n;
    private readonly int[] _q;
    private readonly int[][] _levelIndex;
    private readonly double[][] _columns, _t;
    private readonly CovarianceTemplate[] _templates;
    /// <summary>Per tail term t ≥ 1 and row: the block of Ls0[t − 1] at (first term's level, term t's level).</summary>
    private readonly int[][] _pairBlock;
    private readonly RowDerivatives[] _rows;
    private readonly double[] _v, _a, _tau, _dTau;
    private readonly double[][] _y, _zt, _r, _acc;
    private readonly int[] _uOffset;
    private double[] _tailInverse = [], _s00 = [], _levelInverse = [];
    private double[][] _st0 = [];
    // Per-level work of the selected inverse, kept across evaluations.
    private readonly List<int> _leadRows = [];
    private double[] _leadLinv = [], _leadLt0 = [], _leadSt0 = [];
    // ∂T/∂θₑ per term and the unit vector that picks θₑ.
    private double[] _unit = [];
    private readonly double[][] _e;
    private readonly TriangularInverse.Workspace _work = new();

    public OrdinalLaplaceGradient(OrdinalDeviance deviance)
    {
        if (deviance.QuadraturePoints > 1) throw new NotSupportedException("The analytic gradient is of the Laplace objective; adaptive quadrature stays derivative-free.");
        _deviance = deviance;
        _newton = deviance.Newton;
        _o = _newton.Problem;
        _s = _o.Structure;
        if (!Supports(_o)) throw new NotSupportedException("The ordinal gradient needs the factor's usual layout (no envelope-stored or empty leading block).");
        _n = _o.N;
        _k = _s.Templates.Length;
        var terms = Enumerable.Range(0, _k).Select(s => _s.Design.Terms[_s.TermOrder[s]]).ToArray();
        _templates = Enumerable.Range(0, _k).Select(s => _s.Templates[_s.TermOrder[s]]).ToArray();
        _q = terms.Select(t => t.ColumnCount).ToArray();
        _levelIndex = terms.Select(t => t.LevelIndex).ToArray();
        _columns = terms.Select(t => t.Columns).ToArray();
        _t = _q.Select(q => new double[q * q]).ToArray();
        _rows = new RowDerivatives[_n];
        _v = new double[_n];
        _tau = new double[_o.K - 1];
        _dTau = new double[_o.K - 1];
        _y = _q.Select(q => new double[_n * q]).ToArray();
        _zt = _q.Select(q => new double[q]).ToArray();
        _r = _q.Select(q => new double[q]).ToArray();
        _acc = _q.Select(q => new double[q * q]).ToArray();
        _e = _q.Select(q => new double[q * q]).ToArray();
        var g = _s.Gram;
        _uOffset = new int[_k];
        for (int s = 1; s < _k; s++) _uOffset[s] = g.Sizes[0] + _s.Factor.TailOffset(s);
        _a = new double[g.Sizes[0] + _s.Factor.TailZ];
        // Where each row's pair (first term's level, tail term's level) sits in the factor's sparse blocks.
        _pairBlock = new int[_k][];
        for (int s = 1; s < _k; s++)
        {
            var sp = _s.Factor.Ls0[s - 1];
            var map = new int[_n];
            for (int i = 0; i < _n; i++)
            {
                int col = _levelIndex[0][i], row = _levelIndex[s][i], found = -1;
                for (int b = sp.ColPtr[col]; b < sp.ColPtr[col + 1]; b++)
                    if (sp.RowLevel[b] == row) { found = b; break; }
                map[i] = found >= 0 ? found : throw new InvalidOperationException($"Row {i}: the factor has no block for its levels of terms 0 and {s}.");
            }
            _pairBlock[s] = map;
        }
    }

    /// <summary>Whether the gradient covers this problem's storage (no multiple membership: one level per row and term).</summary>
    public static bool Supports(OrdinalProblem o) =>
        o.Structure.StorageShift == 0 && o.Structure.Factor.LEnvelope is null && o.Design.Terms.All(t => !t.IsMultipleMembership);

    /// <summary>
    /// −2 log L by Laplace at (α, β, θ) (<see cref="OrdinalDeviance.Evaluate"/>) and its gradient over (α, β, θ) in that
    /// order; +∞ (gradient untouched) where the objective is not finite.
    /// </summary>
    public double Evaluate(ReadOnlySpan<double> alpha, ReadOnlySpan<double> beta, ReadOnlySpan<double> theta, int maxIterations, Span<double> gradient)
    {
        double value = _deviance.Evaluate(alpha, beta, theta, maxIterations);
        if (!double.IsFinite(value)) return value;
        if (!Gradient(theta, gradient)) return double.PositiveInfinity;
        return value;
    }

    /// <summary>The gradient at the modes of the last evaluation (at this θ).</summary>
    private bool Gradient(ReadOnlySpan<double> theta, Span<double> gradient)
    {
        int n = _n, k = _k, p = _o.P, m = _o.K - 1, a0 = _o.AlphaCount;
        for (int s = 0; s < k; s++) _templates[s].FillFactor(theta, _t[s]);
        _newton.Tau.CopyTo(_tau, 0);
        var link = _o.Link;
        var yCat = _o.Y;
        var w = _o.Weights;
        var eta = _newton.Eta;
        for (int i = 0; i < n; i++)
        {
            var rd = CumulativeLink.RowThirdDerivatives(link, _tau, yCat[i], eta[i]);
            double wi = w[i];
            _rows[i] = wi == 1 ? rd : new RowDerivatives
            {
                LogP = wi * rd.LogP, Gradient = wi * rd.Gradient, Curvature = wi * rd.Curvature, CurvatureEta = wi * rd.CurvatureEta,
                LogPUpper = wi * rd.LogPUpper, LogPLower = wi * rd.LogPLower, GradientUpper = wi * rd.GradientUpper,
                GradientLower = wi * rd.GradientLower, CurvatureUpper = wi * rd.CurvatureUpper, CurvatureLower = wi * rd.CurvatureLower,
            };
        }
        bool scalar = _newton.ScalarPath;
        if (scalar) ScalarInverse();
        else if (!SelectedInverse()) return false;

        // Pass 1: yᵢ = (H⁻¹Λ'zᵢ) on the row's levels, vᵢ = z̃ᵢ'yᵢ, and a = Σ h'ᵢvᵢz̃ᵢ.
        Array.Clear(_a);
        for (int i = 0; i < n; i++)
        {
            for (int s = 0; s < k; s++) Tilde(s, i, _zt[s]);
            double vi = 0;
            for (int s = 0; s < k; s++)
            {
                int q = _q[s];
                var ys = _y[s].AsSpan(i * q, q);
                ys.Clear();
                for (int t = 0; t < k; t++) AddInverseTimes(s, t, i, _zt[t], ys, scalar);
                vi += Dot(_zt[s], ys);
            }
            _v[i] = vi;
            double c = _rows[i].CurvatureEta * vi;
            if (c == 0) continue;
            for (int s = 0; s < k; s++)
            {
                int q = _q[s], o = UIndex(s, _levelIndex[s][i]);
                for (int b = 0; b < q; b++) _a[o + b] += c * _zt[s][b];
            }
        }
        // r = H⁻¹a.
        if (scalar)
            for (int l = 0; l < _a.Length; l++) _a[l] *= _levelInverse[l];
        else _s.Factor.Solve(_a, withFixed: false);

        // Pass 2: ρᵢ = z̃ᵢ'r and the sums.
        Array.Clear(_dTau);
        Span<double> dBeta = gradient.Slice(a0, p);
        dBeta.Clear();
        foreach (var acc in _acc) Array.Clear(acc);
        var x = _o.X;
        var u = _newton.U;
        for (int i = 0; i < n; i++)
        {
            ref readonly var rd = ref _rows[i];
            double rho = 0;
            for (int s = 0; s < k; s++)
            {
                Tilde(s, i, _zt[s]);
                int q = _q[s], o = UIndex(s, _levelIndex[s][i]);
                for (int b = 0; b < q; b++) rho += _zt[s][b] * _a[o + b];
            }
            double vi = _v[i];
            int y = yCat[i];
            if (y < m) _dTau[y] += -2 * rd.LogPUpper + vi * rd.CurvatureUpper + rho * rd.GradientUpper;
            if (y > 0) _dTau[y - 1] += -2 * rd.LogPLower + vi * rd.CurvatureLower + rho * rd.GradientLower;
            double ci = -2 * rd.Gradient + vi * rd.CurvatureEta - rd.Curvature * rho;
            for (int c = 0; c < p; c++) dBeta[c] += x[c * n + i] * ci;
            double gi = rd.Gradient, hi2 = 2 * rd.Curvature;
            for (int s = 0; s < k; s++)
            {
                int q = _q[s], l = _levelIndex[s][i], o = UIndex(s, l);
                var cols = _columns[s];
                var acc = _acc[s];
                var us = u[s];
                var ys = _y[s];
                // acc[a, b] += zᵢₐ (cᵢ u_b + gᵢ r_b + 2hᵢ y_b).
                for (int b = 0; b < q; b++)
                {
                    double vb = ci * us[l * q + b] + gi * _a[o + b] + hi2 * ys[i * q + b];
                    for (int a = 0; a < q; a++) acc[b * q + a] += cols[a * n + i] * vb;
                }
            }
        }
        // α: τ = Jα.
        if (_o.ThresholdStructure == ThresholdStructure.Flexible)
            for (int j = 0; j < m; j++) gradient[j] = _dTau[j];
        else
        {
            double d0 = 0, d1 = 0;
            for (int j = 0; j < m; j++) { d0 += _dTau[j]; d1 += j * _dTau[j]; }
            gradient[0] = d0;
            gradient[1] = d1;
        }
        // θ: ∂/∂θₑ = Σ_(a,b) Eₑ[a, b] acc[a, b], Eₑ = ∂T/∂θₑ (T is linear in θ).
        var thetaGradient = gradient.Slice(a0 + p, theta.Length);
        thetaGradient.Clear();
        if (_unit.Length != theta.Length) _unit = new double[theta.Length];
        var unit = _unit;
        for (int s = 0; s < k; s++)
        {
            var tp = _templates[s];
            int q = _q[s];
            var e = _e[s];
            for (int j = tp.ThetaOffset; j < tp.ThetaOffset + tp.ThetaCount; j++)
            {
                unit[j] = 1;
                tp.FillFactor(unit, e);
                unit[j] = 0;
                double sum = 0;
                for (int c = 0; c < q * q; c++) sum += e[c] * _acc[s][c];
                thetaGradient[j] = sum;
            }
        }
        for (int j = 0; j < gradient.Length; j++)
            if (!double.IsFinite(gradient[j])) return false;
        return true;
    }

    /// <summary>Position of (term s, level l) in the factor's solve layout.</summary>
    private int UIndex(int s, int l) => s == 0 ? l * _q[0] : _uOffset[s] + l * _q[s];

    /// <summary>z̃ = T' z for term s at row i (T lower triangular, column-major).</summary>
    private void Tilde(int s, int i, double[] zt)
    {
        int q = _q[s];
        var t = _t[s];
        var cols = _columns[s];
        if (q == 1) { zt[0] = t[0] * cols[i]; return; }
        for (int a = 0; a < q; a++)
        {
            double acc = 0;
            for (int e = a; e < q; e++) acc += t[a * q + e] * cols[e * _n + i];
            zt[a] = acc;
        }
    }

    /// <summary>ys += S_(s,t) z̃ₜ with S = H⁻¹ at row i's levels of terms s and t.</summary>
    private void AddInverseTimes(int s, int t, int i, double[] zt, Span<double> ys, bool scalar)
    {
        int qs = _q[s], qt = _q[t];
        if (scalar)
        {
            ys[0] += _levelInverse[_levelIndex[0][i]] * zt[0];
            return;
        }
        if (s == 0 && t == 0)
        {
            var blk = _s00.AsSpan(_levelIndex[0][i] * qs * qs, qs * qs);
            for (int b = 0; b < qt; b++)
                for (int a = 0; a < qs; a++) ys[a] += blk[b * qs + a] * zt[b];
            return;
        }
        if (s == 0 || t == 0)
        {
            // S_(tail, 0) block at the row's pair: element (tail row r, first-term column e) at e·rq + r.
            int tail = s == 0 ? t : s, rq = _q[tail], q0 = _q[0];
            var blk = _st0[tail - 1].AsSpan(_pairBlock[tail][i] * rq * q0, rq * q0);
            if (s == 0)
                for (int b = 0; b < rq; b++)
                    for (int a = 0; a < q0; a++) ys[a] += blk[a * rq + b] * zt[b];
            else
                for (int b = 0; b < q0; b++)
                    for (int a = 0; a < rq; a++) ys[a] += blk[b * rq + a] * zt[b];
            return;
        }
        int mz = _s.Factor.TailZ;
        int rs = _s.Factor.TailOffset(s) + _levelIndex[s][i] * qs, ct = _s.Factor.TailOffset(t) + _levelIndex[t][i] * qt;
        for (int b = 0; b < qt; b++)
        {
            double zb = zt[b];
            int col = (ct + b) * mz + rs;
            for (int a = 0; a < qs; a++) ys[a] += _tailInverse[col + a] * zb;
        }
    }

    /// <summary>One scalar term: H is diagonal, Hₗ = θ² Σ zᵢ²hᵢ + 1 over the level's rows (hᵢ as the inner Newton floors it).</summary>
    private void ScalarInverse()
    {
        int levels = _s.Gram.Sizes[0];
        if (_levelInverse.Length != levels) _levelInverse = new double[levels];
        Array.Clear(_levelInverse);
        var lv = _levelIndex[0];
        var z = _columns[0];
        for (int i = 0; i < _n; i++) _levelInverse[lv[i]] += z[i] * z[i] * Math.Max(_rows[i].Curvature, 1e-300);
        double tt = _t[0][0] * _t[0][0];
        for (int l = 0; l < levels; l++) _levelInverse[l] = 1 / (tt * _levelInverse[l] + 1);
    }

    /// <summary>
    /// H⁻¹ on the pattern of Z'Z from the factor at the modes: the tail's inverse S_tt = (L_tt L_tt')⁻¹, then per level l
    /// of the first term S_t0 = −S_tt L_t0 L₀₀⁻¹ on the rows where L_t0 is nonzero and S₀₀ = L₀₀⁻ᵀ(L₀₀⁻¹ − L_t0' S_t0).
    /// </summary>
    private bool SelectedInverse()
    {
        var f = _s.Factor;
        var g = _s.Gram;
        if (!_newton.EnsureFactor()) return false;
        int mz = f.TailZ, q0 = g.Q[0], levels = g.Levels[0];
        if (mz > 0)
        {
            if (_tailInverse.Length != mz * mz) _tailInverse = new double[mz * mz];
            TriangularInverse.SymmetricInverseFromFactor(f.Tail.Data, f.Tail.Rows, mz, _tailInverse, _work);
        }
        if (_s00.Length != g.Sizes[0] * q0) _s00 = new double[g.Sizes[0] * q0];
        var ls = f.Ls0;
        if (_st0.Length != ls.Length) _st0 = ls.Select(sp => new double[sp.Data.Length]).ToArray();
        var rowIndex = _leadRows;
        if (_leadLinv.Length != q0 * q0) _leadLinv = new double[q0 * q0];
        var linv = _leadLinv;
        for (int l = 0; l < levels; l++)
        {
            LeadSelectedInverse.Rows(f, l, rowIndex);
            int nl = rowIndex.Count;
            if (_leadLt0.Length < nl * q0) { _leadLt0 = new double[2 * nl * q0]; _leadSt0 = new double[2 * nl * q0]; }
            double[] ltArr = _leadLt0, st0 = _leadSt0;
            LeadSelectedInverse.Gather(f, l, q0, ltArr, nl);
            LeadSelectedInverse.Solve(f.L00.Block(l), q0, ltArr, nl, rowIndex, _tailInverse, mz, st0,
                _s00.AsSpan(l * q0 * q0, q0 * q0), linv);
            // Keep S_t0 in the sparse blocks' layout.
            int pos = 0;
            for (int i = 0; i < ls.Length; i++)
            {
                int rq = ls[i].RowQ;
                var dst = _st0[i];
                for (int b = ls[i].ColPtr[l]; b < ls[i].ColPtr[l + 1]; b++, pos += rq)
                    for (int e = 0; e < q0; e++)
                        for (int a = 0; a < rq; a++) dst[b * rq * q0 + e * rq + a] = st0[e * nl + pos + a];
            }
        }
        return true;
    }
}
