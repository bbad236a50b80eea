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

    private readonly GlmmProblem _g;
    private readonly MixedModelProblem _s;
    private readonly double[] _etaFixed, _mu, _muEta, _w, _z, _trialEta;
    private readonly double[][] _t;
    private double[] _startBeta;
    private double[][] _startU;

    public Pirls(GlmmProblem problem)
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
        _t = new double[k][];
        for (int s = 0; s < k; s++) _t[s] = new double[_s.Templates[_s.TermOrder[s]].Q * _s.Templates[_s.TermOrder[s]].Q];
        Beta = new double[problem.P];
        U = new double[k][];
        for (int s = 0; s < k; s++) U[s] = new double[_s.Gram.Sizes[s]];
        _startBeta = new double[problem.P];
        _startU = U.Select(u => new double[u.Length]).ToArray();
    }

    public GlmmProblem Problem => _g;

    /// <summary>β after the last run (solved by the run, or the β it was given).</summary>
    public double[] Beta { get; private set; }

    /// <summary>Spherical modes û per ordered term (levels × q, level-major) after the last run.</summary>
    public double[][] U { get; private set; }

    /// <summary>The linear predictor at the modes.</summary>
    public double[] Eta { get; }

    public ReadOnlySpan<double> Mu => _mu;

    /// <summary>−2 log p(y | û) + ‖û‖² after the last run.</summary>
    public double PenalizedDeviance { get; private set; }

    /// <summary>log p(y | û) after the last run (with all constants).</summary>
    public double ConditionalLogLikelihood { get; private set; }

    /// <summary>Σ ‖û‖².</summary>
    public double SquaredLength { get; private set; }

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
        _startBeta = beta.ToArray();
        _startU = U.Select((x, s) => u is null ? new double[x.Length] : (double[])u[s].Clone()).ToArray();
    }

    /// <summary>
    /// Runs PIRLS at θ: solves for the modes and, when <paramref name="beta"/> is null, for β too (from the start);
    /// otherwise β is held at the given value. Returns false when the system cannot be factored at θ.
    /// </summary>
    public bool Run(ReadOnlySpan<double> theta, ReadOnlySpan<double> beta, bool solveBeta, int maxIterations)
    {
        Runs++;
        int n = _g.N, p = _g.P, k = U.Length;
        var factor = _s.Factor;
        for (int s = 0; s < k; s++) _s.Templates[_s.TermOrder[s]].FillFactor(theta, _t[s]);
        var b = solveBeta ? (double[])_startBeta.Clone() : beta.ToArray();
        var u = _startU.Select(x => (double[])x.Clone()).ToArray();
        LinearPredictor(b, u, Eta);
        double pdev = Evaluate(Eta, u);
        var prevB = new double[p];
        var prevU = u.Select(x => new double[x.Length]).ToArray();
        var newEta = _trialEta;
        Converged = false;
        int iter = 0;
        if (!solveBeta) _g.FixedPredictor(b, _etaFixed);
        while (iter < maxIterations)
        {
            iter++;
            // Weights and working response at the current η; the response column of the Gram is z (or z − Xβ − o).
            for (int i = 0; i < n; i++)
            {
                double eta = Eta[i], muEta = _muEta[i];
                _w[i] = _g.Family.IrlsWeight(_mu[i], muEta, _g.PriorWeights[i]);
                double working = eta + (_g.Y[i] - _mu[i]) / muEta;
                _z[i] = solveBeta ? working - _g.Offset[i] : working - _etaFixed[i];
            }
            _s.Gram.Refill(_z, _w);
            if (!factor.Update(theta)) return false;
            double[] nb = solveBeta ? PenalizedSolution.Beta(factor) : b;
            var nu = PenalizedSolution.SphericalModes(factor, solveBeta ? nb : new double[p]);
            // Step halving on the penalized deviance.
            Array.Copy(b, prevB, p);
            for (int s = 0; s < k; s++) Array.Copy(u[s], prevU[s], u[s].Length);
            double newPdev = double.NaN;
            double step = 1;
            for (int halving = 0; halving < 30; halving++, step /= 2)
            {
                for (int c = 0; c < p && solveBeta; c++) b[c] = prevB[c] + step * (nb[c] - prevB[c]);
                for (int s = 0; s < k; s++)
                    for (int j = 0; j < u[s].Length; j++) u[s][j] = prevU[s][j] + step * (nu[s][j] - prevU[s][j]);
                LinearPredictor(b, u, newEta);
                newPdev = TrialPenalizedDeviance(newEta, u);
                if (newPdev <= pdev + 1e-11 * Math.Abs(pdev)) break;
            }
            double change = 0;
            for (int i = 0; i < n; i++) change = Math.Max(change, Math.Abs(newEta[i] - Eta[i]));
            if (!(newPdev <= pdev + 1e-11 * Math.Abs(pdev)))
            {
                // No step lowers the penalized deviance: stay at the previous point (the factor there is current).
                Array.Copy(prevB, b, p);
                for (int s = 0; s < k; s++) Array.Copy(prevU[s], u[s], u[s].Length);
                Converged = change < 1e-6;
                break;
            }
            Array.Copy(newEta, Eta, n);
            pdev = Evaluate(Eta, u);
            if (change < EtaTolerance * Math.Max(1, MaxAbs(Eta)))
            {
                Converged = true;
                break;
            }
        }
        Iterations = iter;
        TotalIterations += iter;
        Beta = b;
        U = u;
        return true;
    }

    /// <summary>
    /// Refactors the Gram with weights at the current modes — the IRLS weights, or the observed information for the
    /// glmmTMB-style Laplace approximation — and returns log|L_Z|² (+∞ when the system is not positive definite).
    /// </summary>
    public double LogDeterminant(ReadOnlySpan<double> theta, bool observed)
    {
        int n = _g.N;
        for (int i = 0; i < n; i++)
            _w[i] = observed
                ? _g.Family.ObservedWeight(_g.Y[i], Eta[i], _mu[i], _muEta[i], _g.PriorWeights[i])
                : _g.Family.IrlsWeight(_mu[i], _muEta[i], _g.PriorWeights[i]);
        if (observed)
            for (int i = 0; i < n; i++)
                if (_w[i] < 0) return double.PositiveInfinity;
        _s.Gram.Refill(_z, _w);
        if (!_s.Factor.Update(theta)) return double.PositiveInfinity;
        return _s.Factor.LogDetZ;
    }

    /// <summary>The IRLS weights of the last <see cref="Run"/> iteration or <see cref="LogDeterminant"/> call.</summary>
    public ReadOnlySpan<double> Weights => _w;

    /// <summary>μ'(η) at the current modes.</summary>
    public ReadOnlySpan<double> MuEta => _muEta;

    /// <summary>η = Xβ + Σ Z_t Λ_t u_t + offset (T of each ordered term from the last <see cref="Run"/>'s θ).</summary>
    public void LinearPredictor(ReadOnlySpan<double> beta, double[][] u, Span<double> eta)
    {
        _g.FixedPredictor(beta, eta);
        AddRandom(u, eta);
    }

    /// <summary>η += Σ Z_t Λ_t u_t.</summary>
    public void AddRandom(double[][] u, Span<double> eta)
    {
        int n = _g.N;
        var design = _g.Design;
        Span<double> bl = stackalloc double[16];
        for (int s = 0; s < u.Length; s++)
        {
            var term = design.Terms[_s.TermOrder[s]];
            int q = term.ColumnCount;
            var t = _t[s];
            var levels = term.LevelIndex;
            var z = term.Columns;
            if (q == 1)
            {
                double t0 = t[0];
                var us = u[s];
                for (int i = 0; i < n; i++) eta[i] += z[i] * t0 * us[levels[i]];
                continue;
            }
            var b = q <= 16 ? bl[..q] : new double[q];
            for (int i = 0; i < n; i++)
            {
                int l = levels[i];
                // b = T u_l (T lower triangular).
                for (int a = 0; a < q; a++)
                {
                    double acc = 0;
                    for (int e = 0; e <= a; e++) acc += t[e * q + a] * u[s][l * q + e];
                    b[a] = acc;
                }
                double sum = 0;
                for (int a = 0; a < q; a++) sum += z[a * n + i] * b[a];
                eta[i] += sum;
            }
        }
    }

    /// <summary>Sets μ and μ' from η and returns the penalized deviance there (state kept).</summary>
    private double Evaluate(double[] eta, double[][] u)
    {
        var link = _g.Family.Link;
        double ll = _g.ConstantSum;
        for (int i = 0; i < _g.N; i++)
        {
            double mu = Links.Inverse(link, eta[i]);
            _mu[i] = mu;
            _muEta[i] = Links.Derivative(link, eta[i]);
            ll += _g.Family.LogDensityKernel(_g.Y[i], mu, _g.Trials[i], _g.UserWeights[i]);
        }
        double uu = 0;
        foreach (var us in u) uu += DenseKernels.Dot(us, us);
        ConditionalLogLikelihood = ll;
        SquaredLength = uu;
        PenalizedDeviance = -2 * ll + uu;
        return PenalizedDeviance;
    }

    /// <summary>The penalized deviance at η without changing the state.</summary>
    private double TrialPenalizedDeviance(double[] eta, double[][] u)
    {
        var link = _g.Family.Link;
        double ll = _g.ConstantSum;
        for (int i = 0; i < _g.N; i++)
            ll += _g.Family.LogDensityKernel(_g.Y[i], Links.Inverse(link, eta[i]), _g.Trials[i], _g.UserWeights[i]);
        double uu = 0;
        foreach (var us in u) uu += DenseKernels.Dot(us, us);
        double v = -2 * ll + uu;
        return double.IsNaN(v) ? double.PositiveInfinity : v;
    }

    private static double MaxAbs(double[] v)
    {
        double m = 0;
        foreach (double x in v) m = Math.Max(m, Math.Abs(x));
        return m;
    }
}
