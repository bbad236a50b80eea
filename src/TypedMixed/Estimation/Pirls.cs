using System.Runtime.Intrinsics;
using TypedMixed.Factorization;
using TypedMixed.Families;

namespace TypedMixed.Estimation;

/// <summary>
/// Penalized iteratively reweighted least squares: for given θ (and β, unless β is solved too) the conditional modes
/// û that maximise log p(y | u) − ‖u‖²/2. Each iteration weights the rows of [Z X z] by √W (W the IRLS weights,
/// z the working response), refills the blocked Gram, refactors it and solves the penalized least-squares system
/// for the new (β, u); a step that does not lower the penalized deviance −2 log p(y|u) + ‖u‖² is halved.
/// Every run starts from the same point (<see cref="SetStart"/>), so the result is a deterministic function of the
/// parameters. Buffers are allocated once; a run allocates only per-level vectors.
/// </summary>
internal sealed class Pirls
{
    /// <summary>Stop when the largest change of the linear predictor in an iteration is below this.</summary>
    public const double EtaTolerance = 1e-10;

    /// <summary>Also stop when the change is below this and at most a thousandth of the previous one (see <see cref="Run"/>).</summary>
    public const double QuadraticTolerance = 1e-7;

    /// <summary>With <see cref="Coarse"/>: stop when the change is below this and at most a hundredth of the previous one.</summary>
    public const double CoarseTolerance = 1e-3;

    /// <summary>Whether runs may stop at <see cref="CoarseTolerance"/> (objective accurate to ~1e-6 relative, not 1e-12).</summary>
    public bool Coarse { get; set; }

    private readonly GlmmProblem _g;
    private readonly MixedModelProblem _s;
    private readonly double[] _etaFixed, _w, _z;
    private double[] _mu, _muEta, _trialEta, _trialMu, _trialMuEta;
    private readonly double[][] _b;
    private readonly RandomEffectsTerm[] _orderedTerms;
    /// <summary>Per ordered term: level of each row, columns (column-major), effects per level — read in the row loops.</summary>
    private readonly int[][] _levelIndex;
    private readonly double[][] _columns;
    private readonly int[] _q;
    private readonly double[][] _t;
    private double[] _startBeta;
    private double[][] _startU;

    /// <param name="problem">The problem.</param>
    /// <param name="allowKrylov">Whether steps may be solved by preconditioned conjugate gradients where that is cheaper
    /// than refactoring (<see cref="PirlsKrylovStep.Worthwhile"/>); false: every step refactors (tests compare the two).</param>
    public Pirls(GlmmProblem problem, bool allowKrylov = true)
    {
        _g = problem;
        _s = problem.Structure;
        int n = problem.N, k = _s.Templates.Length;
        Eta = new double[n];
        _etaFixed = new double[n];
        _mu = new double[n];
        _muEta = new double[n];
        _w = new double[n];
        _z = new double[n];
        _trialEta = new double[n];
        _trialMu = new double[n];
        _trialMuEta = new double[n];
        _t = new double[k][];
        for (int s = 0; s < k; s++) _t[s] = new double[_s.Templates[_s.TermOrder[s]].Q * _s.Templates[_s.TermOrder[s]].Q];
        _orderedTerms = Enumerable.Range(0, k).Select(s => problem.Design.Terms[_s.TermOrder[s]]).ToArray();
        _levelIndex = _orderedTerms.Select(t => t.LevelIndex).ToArray();
        _columns = _orderedTerms.Select(t => t.Columns).ToArray();
        _q = _orderedTerms.Select(t => t.ColumnCount).ToArray();
        _b = new double[k][];
        for (int s = 0; s < k; s++) _b[s] = new double[_s.Gram.Sizes[s]];
        Beta = new double[problem.P];
        U = new double[k][];
        for (int s = 0; s < k; s++) U[s] = new double[_s.Gram.Sizes[s]];
        _startBeta = new double[problem.P];
        _startU = U.Select(u => new double[u.Length]).ToArray();
        _previousBeta = new double[problem.P];
        _previousU = U.Select(u => new double[u.Length]).ToArray();
        _zeroBeta = new double[problem.P];
        _zeroOneLogit = ZeroOneLogit(problem);
        if (allowKrylov && PirlsKrylovStep.Worthwhile(_s))
        {
            _krylov = new PirlsKrylovStep(problem, _orderedTerms);
            _krylovBeta = new double[problem.P];
            _krylovU = U.Select(x => new double[x.Length]).ToArray();
        }
    }

    public GlmmProblem Problem => _g;

    /// <summary>β after the last run (solved by the run, or the β it was given).</summary>
    public double[] Beta { get; }

    /// <summary>Spherical modes û per ordered term (levels × q, level-major) after the last run.</summary>
    public double[][] U { get; }

    /// <summary>The linear predictor at the modes.</summary>
    public double[] Eta { get; private set; }

    public ReadOnlySpan<double> Mu => _mu;

    /// <summary>−2 log p(y | û) + ‖û‖² after the last run.</summary>
    public double PenalizedDeviance { get; private set; }

    /// <summary>Iterations of the last run.</summary>
    public int Iterations { get; private set; }

    /// <summary>Whether the last run met <see cref="EtaTolerance"/> within the iteration limit.</summary>
    public bool Converged { get; private set; }

    /// <summary>Runs of PIRLS so far (each is one evaluation's inner loop).</summary>
    public int Runs { get; private set; }

    /// <summary>Total PIRLS iterations over all runs.</summary>
    public long TotalIterations { get; private set; }

    /// <summary>Every later run starts from these β and spherical modes (copied).</summary>
    public void SetStart(ReadOnlySpan<double> beta, double[][]? u)
    {
        _modeSlopes = null;
        _anchorT = null;
        _startBeta = beta.ToArray();
        _startU = U.Select((x, s) => u is null ? new double[x.Length] : (double[])u[s].Clone()).ToArray();
    }

    /// <summary>
    /// Later runs that hold β start from the last run's modes moved to their (θ, β) — a fixed, deterministic function of
    /// the parameters, closer to the new modes than the modes themselves: the random effects b = Λu are kept as θ changes
    /// (well-determined levels barely move), and u follows β to first order, ∂u/∂β = −(L_ZZ L_ZZ')⁻¹ Λ'Z'WX =
    /// −L_ZZ⁻ᵀ L_XZ', read from the current factor. Call after a run at (θ, β), with the factor at its modes.
    /// </summary>
    public void AnchorHeldBetaStart(ReadOnlySpan<double> theta, ReadOnlySpan<double> beta)
    {
        AnchorStart(theta);
        var f = _s.Factor;
        int p = _g.P, s0 = _s.Gram.Sizes[0], mz = f.TailZ, m = f.Tail.Rows;
        _anchorBeta = beta.ToArray();
        var slopes = new double[p][];
        var tail = f.Tail.Data;
        for (int c = 0; c < p; c++)
        {
            var r = new double[s0 + mz];
            for (int j = 0; j < s0; j++) r[j] = f.LXY0[c, j];
            for (int i = 0; i < mz; i++) r[s0 + i] = tail[i * m + mz + c];
            f.SolveTranspose(r, withFixed: false);
            for (int i = 0; i < r.Length; i++) r[i] = -r[i];
            slopes[c] = r;
        }
        _modeSlopes = slopes;
    }

    /// <summary>
    /// Every later run starts from the last run's modes (at <paramref name="theta"/>) with the random effects b = Λu kept
    /// as θ changes — for runs that solve β too (glmer's first stage) and as the base of
    /// <see cref="AnchorHeldBetaStart"/>. Fixed until the next call or <see cref="SetStart"/>.
    /// </summary>
    public void AnchorStart(ReadOnlySpan<double> theta)
    {
        int k = U.Length;
        _startU = U.Select(x => (double[])x.Clone()).ToArray();
        _modeSlopes = null;
        _anchorT = new double[k][];
        for (int s = 0; s < k; s++)
        {
            _anchorT[s] = new double[_t[s].Length];
            _s.Templates[_s.TermOrder[s]].FillFactor(theta, _anchorT[s]);
        }
    }

    private double[]? _anchorBeta;
    private double[][]? _anchorT;
    /// <summary>∂u/∂β at the anchor: per fixed effect, a vector laid out as the ordered terms' modes concatenated.</summary>
    private double[][]? _modeSlopes;

    /// <summary>
    /// u ← the anchored start for the current T (and, <paramref name="withBeta"/>, for β): see
    /// <see cref="AnchorHeldBetaStart"/> and <see cref="AnchorStart"/>.
    /// </summary>
    private void AnchoredStart(ReadOnlySpan<double> beta, double[][] u, bool withBeta)
    {
        int k = u.Length, p = _g.P;
        Span<double> v = stackalloc double[16];
        int offset = 0;
        for (int s = 0; s < k; s++)
        {
            var u0 = _startU[s];
            var us = u[s];
            int q = _q[s];
            var t = _t[s];
            var t0 = _anchorT![s];
            bool invertible = true;
            double largest = 0;
            for (int a = 0; a < q; a++) largest = Math.Max(largest, Math.Abs(t[a * q + a]));
            for (int a = 0; a < q; a++) invertible &= Math.Abs(t[a * q + a]) > 1e-8 * largest && largest > 0;
            var lv = q <= 16 ? v.Slice(0, q) : new double[q];
            for (int l = 0; l < us.Length / q; l++)
            {
                for (int a = 0; a < q; a++)
                {
                    int j = l * q + a;
                    double value = u0[j];
                    if (withBeta)
                        for (int c = 0; c < p; c++) value += _modeSlopes![c][offset + j] * (beta[c] - _anchorBeta![c]);
                    lv[a] = value;
                }
                if (!invertible)
                {
                    lv.CopyTo(us.AsSpan(l * q, q));
                    continue;
                }
                // b = T₀ v, then u = T⁻¹ b (T lower triangular, column-major).
                for (int a = q - 1; a >= 0; a--)
                {
                    double b = 0;
                    for (int e = 0; e <= a; e++) b += t0[e * q + a] * lv[e];
                    lv[a] = b;
                }
                for (int a = 0; a < q; a++)
                {
                    double r = lv[a];
                    for (int e = 0; e < a; e++) r -= t[e * q + a] * us[l * q + e];
                    us[l * q + a] = r / t[a * q + a];
                }
            }
            offset += us.Length;
        }
    }

    /// <summary>
    /// Runs PIRLS at θ: solves for the modes and, when <paramref name="solveBeta"/>, for β too (from the start);
    /// otherwise β is held at the given value. Returns false when the system cannot be factored at θ.
    /// </summary>
    public bool Run(ReadOnlySpan<double> theta, ReadOnlySpan<double> beta, bool solveBeta, int maxIterations)
    {
        Runs++;
        int n = _g.N, p = _g.P, k = U.Length;
        var factor = _s.Factor;
        for (int s = 0; s < k; s++) _s.Templates[_s.TermOrder[s]].FillFactor(theta, _t[s]);
        // β and the modes are worked on in place in Beta and U; the previous step's are kept for step halving.
        var b = Beta;
        var u = U;
        (solveBeta ? _startBeta : beta).CopyTo(b);
        if (_anchorT is not null) AnchoredStart(solveBeta ? default : beta, u, withBeta: !solveBeta && _modeSlopes is not null);
        else for (int s = 0; s < k; s++) _startU[s].CopyTo(u[s], 0);
        var prevB = _previousBeta;
        var prevU = _previousU;
        double pdev = Predict(b, u, Eta, _mu, _muEta, out _);
        PenalizedDeviance = pdev;
        Converged = false;
        _factorIsCurrent = false;
        int iter = 0;
        double previousChange = double.PositiveInfinity;
        if (!solveBeta) _g.FixedPredictor(b, _etaFixed);
        while (iter < maxIterations)
        {
            iter++;
            // Weights and working response at the current η; the response column of the Gram is z − o (or z − Xβ − o).
            WorkingResponse(solveBeta);
            double[] nb;
            double[][] nu;
            if (_krylov is not null && _factorExists && _krylov.Solve(_t, _factorT, _w, _z, b, u, solveBeta, _krylovBeta, _krylovU))
            {
                // Solved without refactoring (see PirlsKrylovStep): the factor stays at earlier weights.
                nb = solveBeta ? _krylovBeta : b;
                nu = _krylovU;
                _lastSolveDirect = false;
                if (_krylov.AlreadySolved)
                {
                    // The step is zero to the solver's tolerance (η within ~1e-11): converged where we stand.
                    Converged = true;
                    _factorIsCurrent = false;
                    break;
                }
            }
            else
            {
                _s.Gram.Refill(_z, _w);
                _factorExists = factor.Update(theta);
                KeepFactorT();
                if (!_factorExists) return false;
                _lastSolveDirect = true;
                nb = solveBeta ? PenalizedSolution.Beta(factor) : b;
                nu = PenalizedSolution.SphericalModes(factor, solveBeta ? nb : _zeroBeta);
            }
            // Step halving on the penalized deviance.
            Array.Copy(b, prevB, p);
            for (int s = 0; s < k; s++) Array.Copy(u[s], prevU[s], u[s].Length);
            double newPdev = double.NaN, change = 0;
            double step = 1;
            bool accepted = false;
            for (int halving = 0; halving < 30; halving++, step /= 2)
            {
                for (int c = 0; c < p && solveBeta; c++) b[c] = prevB[c] + step * (nb[c] - prevB[c]);
                for (int s = 0; s < k; s++)
                    for (int j = 0; j < u[s].Length; j++) u[s][j] = prevU[s][j] + step * (nu[s][j] - prevU[s][j]);
                newPdev = Predict(b, u, _trialEta, _trialMu, _trialMuEta, out change);
                if (newPdev <= pdev + 1e-11 * Math.Abs(pdev)) { accepted = true; break; }
            }
            if (!accepted)
            {
                // No step lowers the penalized deviance: stay at the previous point, where the factor is current.
                Array.Copy(prevB, b, p);
                for (int s = 0; s < k; s++) Array.Copy(prevU[s], u[s], u[s].Length);
                _factorIsCurrent = _lastSolveDirect;
                Converged = change < 1e-6;
                break;
            }
            (Eta, _trialEta) = (_trialEta, Eta);
            (_mu, _trialMu) = (_trialMu, _mu);
            (_muEta, _trialMuEta) = (_trialMuEta, _muEta);
            pdev = newPdev;
            PenalizedDeviance = pdev;
            double size = Math.Max(1, _maxAbsEta);
            if (change < EtaTolerance * size)
            {
                // The factor holds the weights of the η one tiny step back (|Δη| < 1e-10): current to that order.
                Converged = true;
                _factorIsCurrent = _lastSolveDirect;
                break;
            }
            if (Coarse && change < CoarseTolerance * size && change <= 1e-2 * previousChange)
            {
                // Coarse runs (glmer's first stage, which only supplies stage 2's start): stop one Newton step earlier,
                // with η within about change² of the modes; the run is still a fixed function of the parameters.
                Converged = true;
                _factorIsCurrent = false;
                break;
            }
            if (change < QuadraticTolerance * size && change <= 1e-3 * previousChange)
            {
                // Newton's quadratic convergence: a step this small after one a thousand times larger leaves η within
                // about change² of the mode, so the iteration that would confirm it is skipped; the log-determinant
                // then refactors once with the weights here.
                Converged = true;
                _factorIsCurrent = false;
                break;
            }
            previousChange = change;
        }
        Iterations = iter;
        TotalIterations += iter;
        return true;
    }
    private bool _factorIsCurrent;

    /// <summary>Per ordered term, the T (Λ's template) the factor was last computed at: the preconditioner's θ.</summary>
    private double[][]? _factorT;

    private void KeepFactorT()
    {
        if (_krylov is null) return;
        _factorT ??= _t.Select(t => new double[t.Length]).ToArray();
        for (int s = 0; s < _t.Length; s++) _t[s].CopyTo(_factorT[s], 0);
    }
    /// <summary>Steps solved by preconditioned conjugate gradients where refactoring is expensive; null elsewhere.</summary>
    private readonly PirlsKrylovStep? _krylov;
    private readonly double[] _krylovBeta = [];
    private readonly double[][] _krylovU = [];
    /// <summary>Whether the factor holds some earlier weights (the preconditioner), and whether the last step refactored.</summary>
    private bool _factorExists, _lastSolveDirect;

    /// <summary>Conjugate-gradient statistics of the runs so far: steps solved, steps that refactored instead, iterations.</summary>
    public (int Solved, int Abandoned, long Iterations) KrylovSteps => _krylov is null ? (0, 0, 0) : (_krylov.Solved, _krylov.Abandoned, _krylov.Iterations);
    private readonly double[] _previousBeta, _zeroBeta;
    private readonly double[][] _previousU;
    /// <summary>Per half of the rows (see <see cref="ForRows"/>): Σ log-density kernel, largest |Δη|, largest |η|.</summary>
    private readonly double[] _halfSums = new double[2], _halfChanges = new double[2], _halfMaxAbs = new double[2];
    private double _maxAbsEta;


    /// <summary>
    /// Refactors the Gram with weights at the current modes — the IRLS weights, or the observed information for the
    /// glmmTMB-style Laplace approximation — and returns log|L_Z|² (+∞ when the system is not positive definite).
    /// After a converged run with IRLS weights the factor is already current and is not recomputed.
    /// </summary>
    public double LogDeterminant(ReadOnlySpan<double> theta, bool observed)
    {
        if (!observed && _factorIsCurrent) return _s.Factor.LogDetZ;
        int n = _g.N;
        for (int i = 0; i < n; i++)
            _w[i] = observed
                ? _g.Family.ObservedWeight(_g.Y[i], Eta[i], _mu[i], _muEta[i], _g.PriorWeights[i])
                : _g.Family.IrlsWeight(_mu[i], _muEta[i], _g.PriorWeights[i]);
        if (observed)
            for (int i = 0; i < n; i++)
                if (_w[i] < 0) return double.PositiveInfinity;
        _s.Gram.Refill(_z, _w);
        _factorIsCurrent = !observed;
        _factorExists = _s.Factor.Update(theta);
        KeepFactorT();
        if (!_factorExists) return double.PositiveInfinity;
        return _s.Factor.LogDetZ;
    }

    /// <summary>Rows from which the per-row passes split over two threads (in fixed halves: results do not depend on timing).</summary>
    private const int ParallelRows = 100_000;

    private void ForRows(Action<int, int> body)
    {
        int n = _g.N;
        if (n < ParallelRows || Environment.ProcessorCount < 2) body(0, n);
        else Parallel.Invoke(() => body(0, n / 2), () => body(n / 2, n));
    }

    private void WorkingResponse(bool solveBeta)
    {
        ForRows((start, end) => WorkingResponseRows(start, end, solveBeta ? _g.Offset : _etaFixed));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void WorkingResponseRows(int start, int end, double[] shift)
    {
        var fam = _g.Family;
        var y = _g.Y;
        var pw = _g.PriorWeights;
        var eta = Eta;
        var mu = _mu;
        var muEta = _muEta;
        var w = _w;
        var z = _z;
        for (int i = start; i < end; i++)
        {
            double me = muEta[i];
            w[i] = fam.IrlsWeight(mu[i], me, pw[i]);
            z[i] = eta[i] + (y[i] - mu[i]) / me - shift[i];
        }
    }

    /// <summary>
    /// One pass over the rows: η = Xβ + Σ Z_t Λ_t u_t + offset, μ and μ' into the given buffers; returns the penalized
    /// deviance −2 log p(y | u) + ‖u‖² (+∞ when not finite) and the largest change of η from the current one.
    /// </summary>
    private double Predict(double[] beta, double[][] u, double[] etaOut, double[] muOut, double[] muEtaOut, out double change)
    {
        int n = _g.N, p = _g.P, k = u.Length;
        // b = Λu per ordered term, level by level.
        for (int s = 0; s < k; s++)
        {
            Array.Copy(u[s], _b[s], u[s].Length);
            int q = _s.Templates[_s.TermOrder[s]].Q;
            PenalizedSolution.ApplyLambda(_b[s], q, _t[s]);
        }
        var sums = _halfSums;
        var changes = _halfChanges;
        var maxAbs = _halfMaxAbs;
        ForRows((start, end) =>
        {
            int h = start == 0 ? 0 : 1;
            sums[h] = PredictRows(start, end, beta, etaOut, muOut, muEtaOut, out changes[h], out maxAbs[h]);
        });
        change = Math.Max(changes[0], changes[1]);
        _maxAbsEta = Math.Max(maxAbs[0], maxAbs[1]);
        double uu = 0;
        foreach (var us in u) uu += DenseKernels.Dot(us, us);
        double v = -2 * (_g.ConstantSum + sums[0] + sums[1]) + uu;
        return double.IsNaN(v) ? double.PositiveInfinity : v;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private double PredictRows(int start, int end, double[] beta, double[] etaOut, double[] muOut, double[] muEtaOut, out double change, out double maxAbs)
    {
        var fam = _g.Family;
        var link = fam.Link;
        var y = _g.Y;
        var trials = _g.Trials;
        var uw = _g.UserWeights;
        var current = Eta;
        bool canonicalLog = fam.Family == ResponseFamily.Poisson && link == LinkFunction.Log;
        bool bernoulliLogit = fam.Family == ResponseFamily.Binomial && link == LinkFunction.Logit;
        if (_zeroOneLogit) return PredictZeroOneLogitRows(start, end, beta, etaOut, muOut, muEtaOut, out change, out maxAbs);
        double ll = 0, ch = 0, ma = 0;
        for (int i = start; i < end; i++)
        {
            double eta = LinearPredictorAt(i, beta);
            etaOut[i] = eta;
            double yi = y[i];
            if (bernoulliLogit && trials[i] == 1 && (yi == 0 || yi == 1) && Math.Abs(eta) <= 30)
            {
                // A 0/1 response with the logit link: with e = exp(−|η|), μ, dμ/dη and the log-density need one
                // exponential and one logarithm (log μ = −log(1 + e^−η), log(1 − μ) = −log(1 + e^η)).
                double e = Math.Exp(-Math.Abs(eta)), l1 = GlmFamily.Log1p(e);
                muOut[i] = eta >= 0 ? 1 / (1 + e) : e / (1 + e);
                muEtaOut[i] = e / ((1 + e) * (1 + e));
                double logOnePlusExpNegEta = eta >= 0 ? l1 : l1 - eta, logOnePlusExpEta = eta >= 0 ? l1 + eta : l1;
                ll -= uw[i] * (yi == 1 ? logOnePlusExpNegEta : logOnePlusExpEta);
            }
            else if (canonicalLog && Links.Inverse(link, eta) is var mu && mu > Links.Epsilon)
            {
                // Poisson, log link: log μ = η, so the kernel y log μ − μ needs no logarithm.
                muOut[i] = mu;
                muEtaOut[i] = mu;
                ll += uw[i] * (y[i] * eta - mu);
            }
            else ll += GeneralRow(i, eta, muOut, muEtaOut);
            double d = Math.Abs(eta - current[i]);
            if (d > ch) ch = d;
            if (Math.Abs(eta) > ma) ma = Math.Abs(eta);
        }
        change = ch;
        maxAbs = ma;
        return ll;
    }

    /// <summary>η of row i: offset + x'β + Σ z'b over the ordered terms (b = Λu, in <see cref="_b"/>).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private double LinearPredictorAt(int i, double[] beta)
    {
        int n = _g.N, p = _g.P;
        var x = _g.X;
        double eta = _g.Offset[i];
        for (int c = 0; c < p; c++) eta += x[c * n + i] * beta[c];
        for (int s = 0; s < _b.Length; s++)
        {
            int q = _q[s], l = _levelIndex[s][i];
            var cols = _columns[s];
            var bs = _b[s];
            if (q == 1) { eta += cols[i] * bs[l]; continue; }
            for (int a = 0; a < q; a++) eta += cols[a * n + i] * bs[l * q + a];
        }
        return eta;
    }

    /// <summary>Whether every row is a single 0/1 trial with the logit link (<see cref="PredictZeroOneLogitRows"/>).</summary>
    private readonly bool _zeroOneLogit;

    private static bool ZeroOneLogit(GlmmProblem g)
    {
        if (g.Family.Family != ResponseFamily.Binomial || g.Family.Link != LinkFunction.Logit || !Vector256.IsHardwareAccelerated) return false;
        for (int i = 0; i < g.N; i++)
            if (g.Trials[i] != 1 || (g.Y[i] != 0 && g.Y[i] != 1)) return false;
        return true;
    }

    /// <summary>Rows per block of <see cref="PredictZeroOneLogitRows"/>: η by a scalar pass, then μ, dμ/dη and the log-density four rows at a time.</summary>
    private const int PredictBlock = 512;

    /// <summary>
    /// <see cref="PredictRows"/> for 0/1 responses with the logit link (every row one trial): per block of rows, η by the
    /// gathers of a scalar loop, then with e = exp(−|η|) and l = log(1 + e) (as <see cref="GlmFamily.Log1p"/>: log u ·
    /// e/(u − 1), u = 1 + e) four rows at a time: μ = (η ≥ 0 ? 1 : e)/(1 + e), dμ/dη = e/(1 + e)², and the log-density
    /// −(l + max((1 − 2y)η, 0)). Rows with |η| &gt; 30 take the general path.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private double PredictZeroOneLogitRows(int start, int end, double[] beta, double[] etaOut, double[] muOut, double[] muEtaOut, out double change, out double maxAbs)
    {
        var y = _g.Y;
        var uw = _g.UserWeights;
        var current = Eta;
        double ch = 0, ma = 0, llScalar = 0;
        var one = Vector256.Create(1.0);
        var two = Vector256.Create(2.0);
        var limit = Vector256.Create(30.0);
        var acc = Vector256<double>.Zero;
        for (int b0 = start; b0 < end; b0 += PredictBlock)
        {
            int b1 = Math.Min(end, b0 + PredictBlock);
            for (int i = b0; i < b1; i++)
            {
                double eta = LinearPredictorAt(i, beta);
                etaOut[i] = eta;
                double d = Math.Abs(eta - current[i]);
                if (d > ch) ch = d;
                if (Math.Abs(eta) > ma) ma = Math.Abs(eta);
            }
            int iv = b0;
            for (; iv + 4 <= b1; iv += 4)
            {
                var eta = Vector256.Create(etaOut.AsSpan(iv, 4));
                var abs = Vector256.Abs(eta);
                if (Vector256.GreaterThanAny(abs, limit))
                {
                    for (int i = iv; i < iv + 4; i++) llScalar += GeneralRow(i, etaOut[i], muOut, muEtaOut);
                    continue;
                }
                var e = Vector256.Exp(-abs);
                var u = one + e;
                var l1 = Vector256.Log(u) * (e / (u - one));
                var nonNegative = Vector256.GreaterThanOrEqual(eta, Vector256<double>.Zero);
                (Vector256.ConditionalSelect(nonNegative, one, e) / u).CopyTo(muOut.AsSpan(iv, 4));
                (e / (u * u)).CopyTo(muEtaOut.AsSpan(iv, 4));
                var yv = Vector256.Create(y.AsSpan(iv, 4));
                var signed = (one - two * yv) * eta;
                acc -= Vector256.Create(uw.AsSpan(iv, 4)) * (l1 + Vector256.Max(signed, Vector256<double>.Zero));
            }
            for (int i = iv; i < b1; i++) llScalar += GeneralRow(i, etaOut[i], muOut, muEtaOut);
        }
        change = ch;
        maxAbs = ma;
        return Vector256.Sum(acc) + llScalar;
    }

    /// <summary>μ, dμ/dη and the log-density kernel of row i at η by the family's general functions.</summary>
    private double GeneralRow(int i, double eta, double[] muOut, double[] muEtaOut)
    {
        var fam = _g.Family;
        double mu = Links.Inverse(fam.Link, eta);
        muOut[i] = mu;
        muEtaOut[i] = fam.Link == LinkFunction.Log ? mu : Links.Derivative(fam.Link, eta);
        return fam.LogDensityKernel(_g.Y[i], mu, _g.Trials[i], _g.UserWeights[i]);
    }
}
