using TypedMixed.Families;

namespace TypedMixed.Estimation;

/// <summary>
/// The cumulative link mixed model's objective, −2 log L, at (α, β, θ) from a converged <see cref="OrdinalNewton"/> run:
/// <list type="bullet">
/// <item>Laplace: −2 Σ log p(y | û) + ‖û‖² + log|Λ'Z'HZΛ + I| with H the exact curvatures at û (clmm's nAGQ = 1).</item>
/// <item>Adaptive Gauss–Hermite quadrature (one scalar term): per level j, with the mode ûⱼ and sⱼ = 1/Lⱼⱼ,
/// Iⱼ = sⱼ Σₖ wₖ exp(gⱼ(ûⱼ + sⱼxₖ) + xₖ²/2), gⱼ(u) = Σ_{i∈j} log p(yᵢ | u) − u²/2 (clmm's nAGQ &gt; 1).</item>
/// </list>
/// The probabilities carry no extra constants, as clmm's logLik.
/// </summary>
internal sealed class OrdinalDeviance
{
    private readonly OrdinalNewton _newton;
    private readonly double[] _nodes = [], _weights = [], _levelSums = [], _tau;

    public OrdinalDeviance(OrdinalNewton newton, int quadraturePoints)
    {
        _newton = newton;
        QuadraturePoints = quadraturePoints;
        _tau = new double[newton.Problem.K - 1];
        if (quadraturePoints > 1)
        {
            var s = newton.Problem.Structure;
            if (s.Templates.Length != 1 || s.Templates[0].Q != 1)
                throw new ModelDesignException($"Adaptive quadrature with {quadraturePoints} points needs a single random-effects term with one effect (e.g. (1 | g)); this model has {s.Templates.Length} term(s) with {string.Join(", ", s.Templates.Select(t => t.Q))} effect(s). Use the Laplace approximation (1 point).", "QuadraturePoints");
            (_nodes, _weights) = GaussHermite.Rule(quadraturePoints);
            _levelSums = new double[s.Gram.Levels[0] * quadraturePoints];
        }
    }

    public int QuadraturePoints { get; }
    public OrdinalNewton Newton => _newton;

    /// <summary>Evaluations so far.</summary>
    public int Evaluations { get; private set; }

    /// <summary>−2 log L at threshold parameters α, β and θ; +∞ where τ is not increasing or the system cannot be factored.</summary>
    public double Evaluate(ReadOnlySpan<double> alpha, ReadOnlySpan<double> beta, ReadOnlySpan<double> theta, int maxIterations)
    {
        Evaluations++;
        _newton.Problem.Thresholds(alpha, _tau);
        if (!_newton.Run(theta, _tau, beta, maxIterations)) return double.PositiveInfinity;
        double laplace = _newton.PenalizedDeviance + _newton.LogDeterminant;
        if (QuadraturePoints <= 1) return double.IsFinite(laplace) ? laplace : double.PositiveInfinity;
        return Quadrature(theta);
    }

    private double Quadrature(ReadOnlySpan<double> theta)
    {
        var o = _newton.Problem;
        var s = o.Structure;
        var term = s.Design.Terms[s.TermOrder[0]];
        int levels = term.LevelCount, n = o.N, points = QuadraturePoints;
        if (!_newton.EnsureFactor()) return double.PositiveInfinity;
        var l00 = s.Factor.L00;
        double t = theta[s.Templates[s.TermOrder[0]].ThetaOffset];
        var u = _newton.U[0];
        var eta = _newton.Eta;
        var z = term.Columns;
        var lv = term.LevelIndex;
        var w = o.Weights;
        Array.Clear(_levelSums);
        for (int i = 0; i < n; i++)
        {
            int j = lv[i];
            double slope = t * z[i] / l00.Block(j)[0];
            int b = j * points;
            for (int k = 0; k < points; k++)
                _levelSums[b + k] += w[i] * CumulativeLink.RowLogProbability(o.Link, _tau, o.Y[i], eta[i] + slope * _nodes[k]);
        }
        double total = 0;
        Span<double> terms = stackalloc double[points];
        for (int j = 0; j < levels; j++)
        {
            double scale = 1 / l00.Block(j)[0];
            int b = j * points;
            double max = double.NegativeInfinity;
            for (int k = 0; k < points; k++)
            {
                double uk = u[j] + scale * _nodes[k];
                terms[k] = _levelSums[b + k] - 0.5 * uk * uk + 0.5 * _nodes[k] * _nodes[k];
                if (terms[k] > max) max = terms[k];
            }
            double sum = 0;
            for (int k = 0; k < points; k++) sum += _weights[k] * Math.Exp(terms[k] - max);
            total += Math.Log(scale) + max + Math.Log(sum);
        }
        double v = -2 * total;
        return double.IsNaN(v) ? double.PositiveInfinity : v;
    }
}
