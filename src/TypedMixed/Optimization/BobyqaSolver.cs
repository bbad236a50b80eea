using System.Globalization;

namespace TypedMixed.Optimization;

/// <summary>
/// State of one BOBYQA run: the interpolation set, the quadratic model and the factored inverse of
/// the interpolation matrix H (BMAT holds its last n columns, ZMAT·ZMATᵀ its leading npt×npt block).
/// All work arrays are allocated here, once per run.
/// </summary>
/// <remarks>
/// Storage (all row-major, zero-based): <c>xpt[k*n+j]</c> point k relative to <c>xbase</c>;
/// <c>bmat[r*n+j]</c> for r &lt; npt+n; <c>zmat[k*nptm+c]</c>; <c>hq</c> packed upper triangle,
/// (i ≤ j) at j(j+1)/2+i. The split into files follows Powell's routines: this file holds the set-up
/// (PRELIM) and evaluation, <c>BobyqaMainLoop.cs</c> the iteration (BOBYQB), <c>BobyqaTrustRegion.cs</c>
/// TRSBOX, <c>BobyqaGeometry.cs</c> ALTMOV and <c>BobyqaUpdate.cs</c> UPDATE and the shift of origin.
/// </remarks>
internal sealed partial class BobyqaSolver
{
    private readonly Objective _objective;
    private readonly CancellationToken _cancellationToken;
    private readonly Action<int, double>? _onEvaluation;
    private readonly int _maxEvaluations;
    private readonly double _rhoBegin;
    private readonly double _rhoEnd;
    private readonly double _functionTolerance;   // 0: stop only at ρ_end

    private readonly int _n;        // free variables
    private readonly int _npt;      // interpolation points
    private readonly int _nptm;     // npt − n − 1: columns of ZMAT
    private readonly int _ndim;     // npt + n: rows of BMAT

    // Problem in the free variables and the map back to the caller's full vector.
    private readonly double[] _full;
    private readonly int[] _freeIndex;
    private readonly double[] _xl, _xu;

    // Interpolation set and model.
    private readonly double[] _xbase, _xpt, _fval, _xopt, _gopt, _hq, _pq, _bmat, _zmat, _sl, _su;
    private readonly double[] _xnew, _xalt, _d, _vlag;

    // Work arrays of the main loop.
    private readonly double[] _wcheck;   // xptᵀ d for each point (used by the model's predicted change)
    private readonly double[] _wbeta;    // (xptᵀd)(½xptᵀd + xptᵀxopt) for each point: the w vector of β
    private readonly double[] _workN, _workN2, _workNpt, _workNpt2, _workNdim;

    // Work arrays of TRSBOX and ALTMOV.
    private readonly double[] _gnew, _s, _hs, _hred;
    private readonly int[] _xbdi;
    private readonly double[] _glag, _hcol, _cauchyStep, _cauchySave;
    private readonly bool[] _cauchyFree;

    // Evaluation bookkeeping.
    private readonly double[] _xeval;    // point passed to f, in free coordinates
    private readonly double[] _bestX;
    private double _bestF = double.PositiveInfinity;
    private double _finiteMin = double.PositiveInfinity, _finiteMax = double.NegativeInfinity;
    private double _lastRawValue;
    private int _evaluations;
    private int _kopt;
    private int _rebuilds;

    /// <summary>Creates the state for minimising over the free coordinates listed in <paramref name="freeIndex"/>.</summary>
    internal BobyqaSolver(Objective objective, double[] full, int[] freeIndex, double[] lower, double[] upper,
        int npt, double rhoBegin, double rhoEnd, int maxEvaluations, double functionTolerance,
        CancellationToken cancellationToken, Action<int, double>? onEvaluation)
    {
        _objective = objective;
        _full = full;
        _freeIndex = freeIndex;
        _xl = lower;
        _xu = upper;
        _n = freeIndex.Length;
        _npt = npt;
        _nptm = npt - _n - 1;
        _ndim = npt + _n;
        _rhoBegin = rhoBegin;
        _rhoEnd = rhoEnd;
        _maxEvaluations = maxEvaluations;
        _functionTolerance = functionTolerance;
        _cancellationToken = cancellationToken;
        _onEvaluation = onEvaluation;

        int n = _n;
        _xbase = new double[n];
        _xpt = new double[npt * n];
        _fval = new double[npt];
        _xopt = new double[n];
        _gopt = new double[n];
        _hq = new double[n * (n + 1) / 2];
        _pq = new double[npt];
        _bmat = new double[_ndim * n];
        _zmat = new double[npt * _nptm];
        _sl = new double[n];
        _su = new double[n];
        _xnew = new double[n];
        _xalt = new double[n];
        _d = new double[n];
        _vlag = new double[_ndim];
        _wcheck = new double[npt];
        _wbeta = new double[npt];
        _workN = new double[n];
        _workN2 = new double[n];
        _workNpt = new double[npt];
        _workNpt2 = new double[npt];
        _workNdim = new double[_ndim];
        _gnew = new double[n];
        _s = new double[n];
        _hs = new double[n];
        _hred = new double[n];
        _xbdi = new int[n];
        _glag = new double[n];
        _hcol = new double[npt];
        _cauchyStep = new double[n];
        _cauchySave = new double[n];
        _cauchyFree = new bool[n];
        _xeval = new double[n];
        _bestX = new double[n];
    }

    /// <summary>Index of (i, j), i ≤ j, in the packed upper triangle of the explicit Hessian part.</summary>
    private static int Packed(int i, int j) => j * (j + 1) / 2 + i;

    /// <summary>Outcome of building the initial interpolation set.</summary>
    private enum SetupStatus { Complete, BudgetExhausted, InvalidStart }

    /// <summary>
    /// Evaluates f at xbase + <paramref name="relative"/>, clipped to the box and snapped exactly onto a
    /// bound wherever the relative coordinate equals the relative bound. Returns the value the model
    /// uses: f itself, or a large finite substitute when f is NaN or infinite.
    /// </summary>
    private double Evaluate(ReadOnlySpan<double> relative)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        for (int i = 0; i < _n; i++)
        {
            double v = Math.Min(Math.Max(_xl[i], _xbase[i] + relative[i]), _xu[i]);
            if (relative[i] == _sl[i]) v = _xl[i];
            if (relative[i] == _su[i]) v = _xu[i];
            _xeval[i] = v;
            _full[_freeIndex[i]] = v;
        }

        double f = _objective(_full);
        _lastRawValue = f;
        _evaluations++;
        _onEvaluation?.Invoke(_evaluations, f);
        if (!double.IsFinite(f))
            return NonFiniteSubstitute();

        _finiteMin = Math.Min(_finiteMin, f);
        _finiteMax = Math.Max(_finiteMax, f);
        if (f < _bestF)
        {
            _bestF = f;
            _xeval.AsSpan().CopyTo(_bestX);
        }
        return f;
    }

    /// <summary>A value above every finite value seen so far, used in place of NaN or ±∞.</summary>
    private double NonFiniteSubstitute()
    {
        if (double.IsNegativeInfinity(_finiteMax)) return 1e300;
        double spread = Math.Max(1.0, Math.Max(Math.Abs(_finiteMax), _finiteMax - _finiteMin));
        return Math.Min(_finiteMax + spread, 1e300);
    }

    /// <summary>
    /// Places the origin xbase at <paramref name="x"/>, moved as Powell does so that each coordinate is
    /// either on a bound or at least <paramref name="radius"/> from it, and sets the relative bounds sl, su.
    /// Requires upper − lower ≥ 2·radius in every coordinate.
    /// </summary>
    private void PlaceBase(ReadOnlySpan<double> x, double radius)
    {
        for (int j = 0; j < _n; j++)
        {
            double width = _xu[j] - _xl[j];
            double xj = Math.Min(Math.Max(x[j], _xl[j]), _xu[j]);
            double sl = _xl[j] - xj, su = _xu[j] - xj;
            if (sl >= -radius)
            {
                // Too close to (or on) the lower bound: move onto it, or to radius above it.
                if (sl >= 0) { xj = _xl[j]; sl = 0; su = width; }
                else { xj = _xl[j] + radius; sl = -radius; su = Math.Max(_xu[j] - xj, radius); }
            }
            else if (su <= radius)
            {
                // Too close to (or on) the upper bound: move onto it, or to radius below it.
                if (su <= 0) { xj = _xu[j]; sl = -width; su = 0; }
                else { xj = _xu[j] - radius; sl = Math.Min(_xl[j] - xj, -radius); su = radius; }
            }
            _xbase[j] = xj;
            _sl[j] = sl;
            _su[j] = su;
        }
    }

    /// <summary>
    /// PRELIM: evaluates f at the initial interpolation points around xbase (steps of ±<paramref name="rho"/>
    /// along the axes, then pairs of axes) and builds the initial quadratic model (gradient at xbase in
    /// gopt, diagonal and off-diagonal second derivatives in hq) and the matrices BMAT and ZMAT.
    /// </summary>
    private SetupStatus BuildInitialSet(double rho, bool firstPointMustBeFinite)
    {
        int n = _n, npt = _npt, nptm = _nptm;
        double rhosq = rho * rho;
        double recip = 1.0 / rhosq;
        Array.Clear(_xpt);
        Array.Clear(_bmat);
        Array.Clear(_hq);
        Array.Clear(_pq);
        Array.Clear(_zmat);
        Array.Clear(_gopt);

        double fbeg = 0, stepa = 0, stepb = 0;
        int ci = 0, cj = 0;
        for (int p = 0; p < npt; p++)
        {
            if (_evaluations >= _maxEvaluations)
                return SetupStatus.BudgetExhausted;

            // Position of point p relative to xbase.
            if (p >= 1 && p <= n)
            {
                int i = p - 1;
                stepa = _su[i] == 0 ? -rho : rho;                       // first step along e_i, inward at an upper bound
                _xpt[p * n + i] = stepa;
            }
            else if (p > n && p <= 2 * n)
            {
                int i = p - n - 1;
                stepa = _xpt[(p - n) * n + i];
                stepb = -rho;                                            // second step opposite to the first
                if (_sl[i] == 0) stepb = Math.Min(2 * rho, _su[i]);      // at a lower bound: go twice as far up
                if (_su[i] == 0) stepb = Math.Max(-2 * rho, _sl[i]);     // at an upper bound: go twice as far down
                _xpt[p * n + i] = stepb;
            }
            else if (p > 2 * n)
            {
                // Pair of axes (ci, cj), cj < ci, enumerated in Powell's order.
                int offset = (p - n - 1) / n;
                int jpt = p - offset * n - n;
                int ipt = jpt + offset;
                if (ipt > n) { int t = jpt; jpt = ipt - n; ipt = t; }
                ci = ipt - 1;
                cj = jpt - 1;
                _xpt[p * n + ci] = _xpt[(ci + 1) * n + ci];
                _xpt[p * n + cj] = _xpt[(cj + 1) * n + cj];
            }

            double f = Evaluate(_xpt.AsSpan(p * n, n));
            if (p == 0)
            {
                if (firstPointMustBeFinite && !double.IsFinite(_lastRawValue))
                    return SetupStatus.InvalidStart;
                fbeg = f;
                _fval[0] = f;
                _kopt = 0;
            }
            else
            {
                _fval[p] = f;
                if (f < _fval[_kopt]) _kopt = p;
            }

            if (p >= 1 && p <= n)
            {
                int i = p - 1;
                _gopt[i] = (f - fbeg) / stepa;                          // forward difference
                if (npt < p + 1 + n)
                {
                    // Only one step along e_i: linear interpolation, H's last block gets −½ρ².
                    _bmat[i] = -1.0 / stepa;
                    _bmat[p * n + i] = 1.0 / stepa;
                    _bmat[(npt + i) * n + i] = -0.5 * rhosq;
                }
            }
            else if (p > n && p <= 2 * n)
            {
                int i = p - n - 1;
                double slopeB = (f - fbeg) / stepb;
                double diff = stepb - stepa;
                _hq[Packed(i, i)] = 2 * (slopeB - _gopt[i]) / diff;        // second divided difference
                _gopt[i] = (_gopt[i] * stepb - slopeB * stepa) / diff;    // gradient of the 1-D quadratic at 0
                if (stepa * stepb < 0 && f < _fval[p - n])
                {
                    // Keep the lower of the two values at the point used by the off-diagonal terms.
                    _fval[p] = _fval[p - n];
                    _fval[p - n] = f;
                    if (_kopt == p) _kopt = p - n;
                    _xpt[(p - n) * n + i] = stepb;
                    _xpt[p * n + i] = stepa;
                }
                _bmat[i] = -(stepa + stepb) / (stepa * stepb);
                _bmat[p * n + i] = -0.5 / _xpt[(p - n) * n + i];
                _bmat[(p - n) * n + i] = -_bmat[i] - _bmat[p * n + i];
                _zmat[i] = Math.Sqrt(2.0) / (stepa * stepb);
                _zmat[p * nptm + i] = Math.Sqrt(0.5) / rhosq;
                _zmat[(p - n) * nptm + i] = -_zmat[i] - _zmat[p * nptm + i];
            }
            else if (p > 2 * n)
            {
                int column = p - n - 1;
                _zmat[column] = recip;
                _zmat[p * nptm + column] = recip;
                _zmat[(ci + 1) * nptm + column] = -recip;
                _zmat[(cj + 1) * nptm + column] = -recip;
                double product = _xpt[p * n + ci] * _xpt[p * n + cj];
                _hq[Packed(cj, ci)] = (fbeg - _fval[ci + 1] - _fval[cj + 1] + f) / product;  // mixed difference
            }
        }
        return SetupStatus.Complete;
    }

    /// <summary>Sets xopt to the best interpolation point and returns ‖xopt‖².</summary>
    private double LoadBestPoint()
    {
        double xoptsq = 0;
        for (int i = 0; i < _n; i++)
        {
            _xopt[i] = _xpt[_kopt * _n + i];
            xoptsq += _xopt[i] * _xopt[i];
        }
        return xoptsq;
    }

    /// <summary>Adds the model Hessian times <paramref name="step"/> to <paramref name="gradient"/>.</summary>
    private void AddHessianTimes(ReadOnlySpan<double> step, Span<double> gradient)
    {
        int n = _n;
        int ih = 0;
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i <= j; i++, ih++)
            {
                if (i < j) gradient[j] += _hq[ih] * step[i];
                gradient[i] += _hq[ih] * step[j];
            }
        }
        for (int k = 0; k < _npt; k++)
        {
            if (_pq[k] == 0) continue;
            double t = 0;
            for (int j = 0; j < n; j++) t += _xpt[k * n + j] * step[j];
            t *= _pq[k];
            for (int i = 0; i < n; i++) gradient[i] += t * _xpt[k * n + i];
        }
    }

    /// <summary>Builds the result from the best point evaluated.</summary>
    private OptimizationResult Result(StopReason reason, string message)
    {
        for (int i = 0; i < _n; i++) _full[_freeIndex[i]] = _bestX[i];
        if (_rebuilds > 0)
            message += string.Create(CultureInfo.InvariantCulture, $" The interpolation set was rebuilt {_rebuilds} time(s) after loss of accuracy.");
        return new OptimizationResult((double[])_full.Clone(), _bestF, _evaluations, reason, message);
    }
}
