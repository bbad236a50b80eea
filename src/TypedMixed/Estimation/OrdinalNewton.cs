using TypedMixed.Factorization;
using TypedMixed.Families;

namespace TypedMixed.Estimation;

/// <summary>
/// The inner problem of a cumulative link mixed model: for given thresholds τ, β and θ, the conditional modes û that
/// maximise Σᵢ wᵢ log p(yᵢ | ηᵢ) − ‖u‖²/2 with ηᵢ = xᵢ'β + zᵢ'Λu, by Newton's method with the exact Hessian. Each row's
/// log-likelihood depends on u only through its scalar ηᵢ, so the Hessian is Λ'Z'HZΛ + I with H the diagonal of
/// hᵢ = −wᵢ ∂²log pᵢ/∂ηᵢ² (positive: F is log-concave). The Newton step is then a weighted penalized least-squares
/// solve on the blocked Gram: with the working response rᵢ = (ηᵢ − xᵢ'β) + gᵢ/hᵢ (gᵢ = wᵢ ∂log pᵢ/∂ηᵢ),
/// (Λ'Z'HZΛ + I) u_new = Λ'Z'H r. Steps that do not lower −2 Σ log p + ‖u‖² are halved. Every run starts from the same
/// point (<see cref="SetStart"/>), so the result is a deterministic function of the parameters.
/// </summary>
internal sealed class OrdinalNewton
{
    /// <summary>Stop when the largest change of η in an iteration is below this (relative to max(1, max |η|)).</summary>
    public const double EtaTolerance = 1e-10;

    private readonly OrdinalProblem _o;
    private readonly MixedModelProblem _s;
    private readonly double[] _etaFixed, _working;
    private double[] _gradient, _curvature, _trialEta, _trialGradient, _trialCurvature;
    private readonly double[][] _b, _t, _columns, _previousU;
    private readonly int[][] _levelIndex;
    private readonly int[] _q;
    private readonly double[] _zeroBeta;
    private readonly double[][] _startU;
    private double _maxAbsEta;

    public OrdinalNewton(OrdinalProblem problem)
    {
        _o = problem;
        _s = problem.Structure;
        int n = problem.N, k = _s.Templates.Length;
        Eta = new double[n];
        _etaFixed = new double[n];
        _gradient = new double[n];
        _curvature = new double[n];
        _working = new double[n];
        _trialEta = new double[n];
        _trialGradient = new double[n];
        _trialCurvature = new double[n];
        var terms = Enumerable.Range(0, k).Select(s => problem.Structure.Design.Terms[_s.TermOrder[s]]).ToArray();
        _levelIndex = terms.Select(t => t.LevelIndex).ToArray();
        _columns = terms.Select(t => t.Columns).ToArray();
        _q = terms.Select(t => t.ColumnCount).ToArray();
        _t = terms.Select(t => new double[t.ColumnCount * t.ColumnCount]).ToArray();
        _b = Enumerable.Range(0, k).Select(s => new double[_s.Gram.Sizes[s]]).ToArray();
        U = Enumerable.Range(0, k).Select(s => new double[_s.Gram.Sizes[s]]).ToArray();
        _previousU = U.Select(u => new double[u.Length]).ToArray();
        _startU = U.Select(u => new double[u.Length]).ToArray();
        _zeroBeta = new double[problem.P];
        Tau = new double[problem.K - 1];
        // One scalar term leading the Gram (e.g. (1 | judge)): Λ'Z'HZΛ + I is diagonal, so each Newton step is a
        // per-level division and the factor is needed only by its readers (EnsureFactor).
        _scalar = k == 1 && _q[0] == 1 && _s.StorageShift == 0 && !terms[0].IsMultipleMembership;
        if (_scalar)
        {
            _levelGradient = new double[_s.Gram.Sizes[0]];
            _levelCurvature = new double[_s.Gram.Sizes[0]];
            _scalarTarget = [new double[_s.Gram.Sizes[0]]];
            _theta = new double[_s.ThetaLength];
        }
    }

    private readonly bool _scalar;
    private readonly double[] _levelGradient = [], _levelCurvature = [];
    private readonly double[][] _scalarTarget = [];
    private double _scalarLogDet;
    private bool _factorStale;
    /// <summary>θ of the last scalar-path run, for <see cref="EnsureFactor"/>.</summary>
    private readonly double[] _theta = [];

    public OrdinalProblem Problem => _o;

    /// <summary>Whether runs take the single-scalar-term path (Λ'Z'HZΛ + I diagonal; the blocked factor left stale).</summary>
    public bool ScalarPath => _scalar;

    /// <summary>Spherical modes û per ordered term (levels × q, level-major) after the last run.</summary>
    public double[][] U { get; }

    /// <summary>The linear predictor xᵢ'β + zᵢ'Λû (+ offset) at the modes.</summary>
    public double[] Eta { get; private set; }

    /// <summary>The thresholds of the last run.</summary>
    public double[] Tau { get; }

    /// <summary>−2 Σ wᵢ log p(yᵢ | û) + ‖û‖² after the last run.</summary>
    public double PenalizedDeviance { get; private set; }

    /// <summary>−2 Σ wᵢ log p(yᵢ | û) after the last run.</summary>
    public double ConditionalDeviance
    {
        get
        {
            double uu = 0;
            foreach (var us in U) uu += DenseKernels.Dot(us, us);
            return PenalizedDeviance - uu;
        }
    }

    /// <summary>Per-row curvature hᵢ at the last run's modes.</summary>
    public ReadOnlySpan<double> Curvature => _curvature;

    /// <summary>Whether the last run met <see cref="EtaTolerance"/>.</summary>
    public bool Converged { get; private set; }

    /// <summary>Iterations of the last run.</summary>
    public int Iterations { get; private set; }

    /// <summary>Runs so far and their total iterations.</summary>
    public int Runs { get; private set; }

    /// <summary>Total Newton iterations over all runs.</summary>
    public long TotalIterations { get; private set; }

    /// <summary>Every later run starts from these spherical modes (copied; null: zero).</summary>
    public void SetStart(double[][]? u)
    {
        // Copied into the start's own arrays: the optimizer calls this at every new best point.
        for (int s = 0; s < _startU.Length; s++)
            if (u is null) Array.Clear(_startU[s]);
            else Array.Copy(u[s], _startU[s], _startU[s].Length);
    }

    /// <summary>
    /// Newton on u at (τ, β, θ); afterwards the factor holds Λ'Z'HZΛ + I with H at û (for the log-determinant and the
    /// quadrature scales). Returns false when τ is not increasing or the system cannot be factored.
    /// </summary>
    public bool Run(ReadOnlySpan<double> theta, ReadOnlySpan<double> tau, ReadOnlySpan<double> beta, int maxIterations)
    {
        Runs++;
        if (!OrdinalProblem.Ordered(tau)) return false;
        tau.CopyTo(Tau);
        int k = U.Length;
        var factor = _s.Factor;
        for (int s = 0; s < k; s++) _s.Templates[_s.TermOrder[s]].FillFactor(theta, _t[s]);
        _o.FixedPredictor(beta, _etaFixed);
        for (int s = 0; s < k; s++) _startU[s].CopyTo(U[s], 0);
        double pdev = Predict(U, Eta, _gradient, _curvature, out _);
        if (!double.IsFinite(pdev)) return false;
        PenalizedDeviance = pdev;
        Converged = false;
        int iter = 0;
        double previousChange = double.PositiveInfinity;
        bool factorCurrent = false;
        _factorStale = _scalar;
        if (_scalar) theta.CopyTo(_theta);
        while (iter < maxIterations)
        {
            iter++;
            double[][] nu;
            if (_scalar)
            {
                // One scalar term: Λ'Z'HZΛ + I is diagonal, so the Newton target of level j is
                // uⱼ + (θGⱼ − uⱼ) / (θ²Hⱼ + 1) with Gⱼ = Σ zᵢgᵢ, Hⱼ = Σ zᵢ²hᵢ over its rows (what the blocked solve gives).
                LevelSums(_gradient, _curvature);
                double t = _t[0][0];
                var u = U[0];
                for (int j = 0; j < u.Length; j++)
                    _scalarTarget[0][j] = u[j] + (t * _levelGradient[j] - u[j]) / (t * t * _levelCurvature[j] + 1);
                nu = _scalarTarget;
            }
            else
            {
                // Working response and weights at the current modes; the Gram holds [Z X r]' H [Z X r].
                for (int i = 0; i < Eta.Length; i++) _working[i] = Eta[i] - _etaFixed[i] + _gradient[i] / _curvature[i];
                _s.Gram.Refill(_working, _curvature);
                if (!factor.Update(theta)) return false;
                nu = PenalizedSolution.SphericalModes(factor, _zeroBeta);
            }
            for (int s = 0; s < k; s++) Array.Copy(U[s], _previousU[s], U[s].Length);
            double newPdev = double.NaN, change = 0, step = 1;
            bool accepted = false;
            for (int halving = 0; halving < 30; halving++, step /= 2)
            {
                for (int s = 0; s < k; s++)
                    for (int j = 0; j < U[s].Length; j++) U[s][j] = _previousU[s][j] + step * (nu[s][j] - _previousU[s][j]);
                newPdev = Predict(U, _trialEta, _trialGradient, _trialCurvature, out change);
                if (newPdev <= pdev + 1e-11 * Math.Abs(pdev)) { accepted = true; break; }
            }
            if (!accepted)
            {
                for (int s = 0; s < k; s++) Array.Copy(_previousU[s], U[s], U[s].Length);
                Converged = change < 1e-6;
                factorCurrent = true;
                break;
            }
            Swap();
            pdev = newPdev;
            PenalizedDeviance = pdev;
            double size = Math.Max(1, _maxAbsEta);
            if (change < EtaTolerance * size)
            {
                // The factor holds the curvatures one step of |Δη| < 1e-10 back: current to that order.
                Converged = true;
                factorCurrent = true;
                break;
            }
            if (change < 1e-7 * size && change <= 1e-3 * previousChange)
            {
                // Quadratic convergence: η is within about change² of the mode; refactor once below.
                Converged = true;
                break;
            }
            previousChange = change;
        }
        Iterations = iter;
        TotalIterations += iter;
        if (_scalar)
        {
            // log|L|² = Σ log(θ²Hⱼ + 1) at the modes; the blocked factor is left to EnsureFactor.
            LevelSums(_gradient, _curvature);
            double t = _t[0][0], logDet = 0;
            for (int j = 0; j < _levelCurvature.Length; j++) logDet += Math.Log(t * t * _levelCurvature[j] + 1);
            _scalarLogDet = logDet;
            return double.IsFinite(logDet);
        }
        if (!factorCurrent)
        {
            _s.Gram.Refill(_working, _curvature);
            if (!factor.Update(theta)) return false;
        }
        return true;
    }

    /// <summary>Per level of the single scalar term: Σ zᵢgᵢ and Σ zᵢ²hᵢ.</summary>
    private void LevelSums(double[] gradient, double[] curvature)
    {
        Array.Clear(_levelGradient);
        Array.Clear(_levelCurvature);
        var level = _levelIndex[0];
        var z = _columns[0];
        for (int i = 0; i < level.Length; i++)
        {
            double zi = z[i];
            _levelGradient[level[i]] += zi * gradient[i];
            _levelCurvature[level[i]] += zi * zi * curvature[i];
        }
    }

    /// <summary>
    /// Makes the blocked factor hold Λ'Z'HZΛ + I at the last run's modes (its readers: quadrature scales, conditional
    /// covariances); a no-op unless the last run took the scalar path.
    /// </summary>
    public bool EnsureFactor()
    {
        if (!_factorStale) return true;
        for (int i = 0; i < Eta.Length; i++) _working[i] = Eta[i] - _etaFixed[i] + _gradient[i] / _curvature[i];
        _s.Gram.Refill(_working, _curvature);
        _factorStale = false;
        return _s.Factor.Update(_theta);
    }

    /// <summary>The trial point becomes the current one (buffers exchanged, nothing copied).</summary>
    private void Swap()
    {
        (Eta, _trialEta) = (_trialEta, Eta);
        (_gradient, _trialGradient) = (_trialGradient, _gradient);
        (_curvature, _trialCurvature) = (_trialCurvature, _curvature);
    }

    /// <summary>log|Λ'Z'HZΛ + I| at the last run's modes.</summary>
    public double LogDeterminant => _scalar ? _scalarLogDet : _s.Factor.LogDetZ;

    /// <summary>
    /// One pass over the rows: η = Xβ + offset + Σ Z_t Λ_t u_t, the gradients and curvatures; returns −2 Σ wᵢ log pᵢ
    /// + ‖u‖² (+∞ when not finite) and the largest change of η from the current one.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private double Predict(double[][] u, double[] etaOut, double[] gradient, double[] curvature, out double change)
    {
        int n = _o.N, k = u.Length;
        for (int s = 0; s < k; s++)
        {
            Array.Copy(u[s], _b[s], u[s].Length);
            PenalizedSolution.ApplyLambda(_b[s], _q[s], _t[s]);
        }
        var link = _o.Link;
        var y = _o.Y;
        var w = _o.Weights;
        var tau = Tau;
        var current = Eta;
        double ll = 0, ch = 0, ma = 0;
        for (int i = 0; i < n; i++)
        {
            double eta = _etaFixed[i];
            for (int s = 0; s < k; s++)
            {
                int q = _q[s], l = _levelIndex[s][i];
                var cols = _columns[s];
                var bs = _b[s];
                if (q == 1) { eta += cols[i] * bs[l]; continue; }
                for (int a = 0; a < q; a++) eta += cols[a * n + i] * bs[l * q + a];
            }
            etaOut[i] = eta;
            ll += w[i] * CumulativeLink.RowLogLikelihood(link, tau, y[i], eta, out double g, out double h);
            gradient[i] = w[i] * g;
            // A zero-weight row adds nothing; a tiny floor keeps the working response defined.
            curvature[i] = Math.Max(w[i] * h, 1e-300);
            double d = Math.Abs(eta - current[i]);
            if (d > ch) ch = d;
            if (Math.Abs(eta) > ma) ma = Math.Abs(eta);
        }
        change = ch;
        _maxAbsEta = ma;
        double uu = 0;
        foreach (var us in u) uu += DenseKernels.Dot(us, us);
        double v = -2 * ll + uu;
        return double.IsNaN(v) ? double.PositiveInfinity : v;
    }
}
