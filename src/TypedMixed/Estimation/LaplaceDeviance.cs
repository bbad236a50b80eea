using TypedMixed.Families;

namespace TypedMixed.Estimation;

/// <summary>
/// The GLMM objective, −2 log L, from a converged PIRLS run (beside <see cref="ProfiledDeviance"/>, which is the LMM's):
/// <list type="bullet">
/// <item>Laplace: −2 log p(y | û) + ‖û‖² + log|L|², L L' = Λ'Z'WZΛ + I with W the IRLS weights at û (glmer) or the
/// observed information (glmmTMB).</item>
/// <item>Adaptive Gauss–Hermite quadrature (one scalar term): per level j, with the mode ûⱼ and the conditional scale
/// sⱼ = 1/Lⱼⱼ, Iⱼ = sⱼ Σₖ wₖ exp(gⱼ(ûⱼ + sⱼxₖ) + xₖ²/2), gⱼ(u) = Σ_{i∈j} log p(yᵢ | u) − u²/2; −2 log L = −2 Σⱼ log Iⱼ.
/// One node is the Laplace approximation.</item>
/// </list>
/// Log-densities carry every constant (binomial coefficients, log y!), so the value is −2 × a log-likelihood
/// comparable with glm's and with other software's.
/// </summary>
internal sealed class LaplaceDeviance
{
    private readonly Pirls _pirls;
    private readonly double[] _levelSums = [];
    private readonly double[] _nodes = [], _weights = [];

    public LaplaceDeviance(Pirls pirls, int quadraturePoints, LaplaceHessian hessian)
    {
        _pirls = pirls;
        QuadraturePoints = quadraturePoints;
        Hessian = hessian;
        if (quadraturePoints > 1)
        {
            var s = pirls.Problem.Structure;
            if (s.Templates.Length != 1 || s.Templates[0].Q != 1)
                throw new ModelDesignException($"Adaptive quadrature with {quadraturePoints} points needs a single random-effects term with one effect (e.g. (1 | g)); this model has {s.Templates.Length} term(s) with {string.Join(", ", s.Templates.Select(t => t.Q))} effect(s). Use the Laplace approximation (1 point).", "QuadraturePoints");
            (_nodes, _weights) = GaussHermite.Rule(quadraturePoints);
            _levelSums = new double[s.Gram.Levels[0] * quadraturePoints];
        }
    }

    public int QuadraturePoints { get; }
    public LaplaceHessian Hessian { get; }
    public Pirls Pirls => _pirls;

    /// <summary>
    /// −2 log L at θ and β (β solved inside PIRLS when <paramref name="solveBeta"/>: glmer's first stage); +∞ where the
    /// system cannot be factored.
    /// </summary>
    public double Evaluate(ReadOnlySpan<double> theta, ReadOnlySpan<double> beta, bool solveBeta, int maxIterations)
    {
        if (!_pirls.Run(theta, beta, solveBeta, maxIterations)) return double.PositiveInfinity;
        return FromModes(theta, solveBeta ? 1 : QuadraturePoints);
    }

    /// <summary>The objective at the modes of the last PIRLS run.</summary>
    public double FromModes(ReadOnlySpan<double> theta, int points)
    {
        bool observed = Hessian == LaplaceHessian.Observed && !_pirls.Problem.Family.IsCanonical;
        double logDet = _pirls.LogDeterminant(theta, observed);
        if (!double.IsFinite(logDet)) return double.PositiveInfinity;
        double laplace = _pirls.PenalizedDeviance + logDet;
        if (points <= 1) return double.IsNaN(laplace) ? double.PositiveInfinity : laplace;
        return Quadrature(theta, points);
    }

    private double Quadrature(ReadOnlySpan<double> theta, int points)
    {
        var g = _pirls.Problem;
        var s = g.Structure;
        var term = g.Design.Terms[s.TermOrder[0]];
        int levels = term.LevelCount, n = g.N;
        var l00 = s.Factor.L00;
        double t = theta[s.Templates[s.TermOrder[0]].ThetaOffset];
        var u = _pirls.U[0];
        Array.Clear(_levelSums);
        var eta = _pirls.Eta;
        var z = term.Columns;
        var lv = term.LevelIndex;
        var fam = g.Family;
        for (int i = 0; i < n; i++)
        {
            int j = lv[i];
            double scale = 1 / l00.Block(j)[0];
            double slope = t * z[i] * scale;
            int o = j * points;
            for (int k = 0; k < points; k++)
            {
                double mu = Links.Inverse(fam.Link, eta[i] + slope * _nodes[k]);
                _levelSums[o + k] += fam.LogDensityKernel(g.Y[i], mu, g.Trials[i], g.UserWeights[i]);
            }
        }
        double total = g.ConstantSum;
        Span<double> terms = stackalloc double[points];
        for (int j = 0; j < levels; j++)
        {
            double scale = 1 / l00.Block(j)[0];
            int o = j * points;
            double max = double.NegativeInfinity;
            for (int k = 0; k < points; k++)
            {
                double uk = u[j] + scale * _nodes[k];
                terms[k] = _levelSums[o + k] - 0.5 * uk * uk + 0.5 * _nodes[k] * _nodes[k];
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
