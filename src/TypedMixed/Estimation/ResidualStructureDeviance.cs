using TypedMixed.Storage;

namespace TypedMixed.Estimation;

/// <summary>
/// The profiled objective of a linear mixed model with a level-1 residual structure R(φ), over x = (θ, η), η the
/// unbounded coordinates of φ (<see cref="ResidualWhitening"/>). With the rows of [Z X y] premultiplied by R^{-1/2}
/// the model has independent homoscedastic residuals, so
/// ML  d(θ, φ) = log|L_Z|² + n (1 + log(2π r²/n)) + log|R|,
/// REML d_R(θ, φ) = log|L_Z|² + log|L_X|² + (n − p)(1 + log(2π r²/(n − p))) + log|R|,
/// with L and r² from the Gram of the whitened rows. The Gram is recomputed when η changes and kept while only θ moves:
/// from precomputed pieces where the structure allows (equally spaced AR(1)/CAR(1) occasions; varIdent alone), else in
/// one pass over the rows (a row-weight refill for a variance function; whitened rows, or squares and cross products
/// of consecutive rows when a term is crossed with the clusters).
/// </summary>
internal sealed class ResidualStructureDeviance
{
    private readonly MixedModelProblem _problem;
    private readonly ResidualWhitening _whitening;
    private readonly double[] _current;
    private bool _valid;
    private double[]? _weights;
    private double[]? _pairWeights;

    /// <param name="problem">The problem (with a residual structure).</param>
    /// <param name="reml">REML criterion instead of the ML deviance.</param>
    /// <param name="usePieces">
    /// Form the Gram of AR(1)/CAR(1)-whitened rows from four precomputed pieces when every cluster's occasions are
    /// equally spaced and there is no variance function (<see cref="ResidualWhitening.CommonLag"/>); false: always one
    /// pass over the rows (for measurements).
    /// </param>
    public ResidualStructureDeviance(MixedModelProblem problem, bool reml, bool usePieces = true)
    {
        _problem = problem;
        _whitening = problem.Residual ?? throw new InvalidOperationException("The problem has no residual structure.");
        Inner = new ProfiledDeviance(problem.Factor, problem.N, problem.P, reml);
        _current = new double[_whitening.Count];
        _lag = usePieces ? _whitening.CommonLag : double.NaN;
        _strata = usePieces && _whitening.StrataOnly;
    }

    private readonly bool _strata;
    private BlockedGram[]? _multivariatePieces;

    private readonly double _lag;
    private BlockedGram[]? _pieces;

    /// <summary>
    /// Whether the Gram is combined from precomputed pieces: AR(1)/CAR(1) over equally spaced occasions without a
    /// variance function, or varIdent alone (one Gram per stratum).
    /// </summary>
    public bool UsesPieces => !double.IsNaN(_lag) || _strata || _whitening.Multivariate is not null;

    /// <summary>
    /// The pieces, formed once: A_first, A_nonfirst, A_nonlast (row-indicator Grams) and A_cross = Σ (rⱼrⱼ₋₁' + rⱼ₋₁rⱼ');
    /// for varIdent one Gram per stratum.
    /// </summary>
    private BlockedGram[] Pieces()
    {
        if (_pieces is not null) return _pieces;
        if (_strata) return _pieces = _whitening.StratumIndicators().Select(_problem.NewRawGram).ToArray();
        var (first, nonFirst, nonLast) = _whitening.OccasionIndicators();
        var cross = _problem.NewRawGram(new double[_problem.N]);
        cross.AddRowPairs(_whitening.PairFirst, _whitening.PairSecond, Enumerable.Repeat(1.0, _whitening.PairFirst.Length).ToArray(), _problem.Rows.RawY);
        return _pieces = [_problem.NewRawGram(first), _problem.NewRawGram(nonFirst), _problem.NewRawGram(nonLast), cross];
    }

    /// <summary>The objective of the whitened model at fixed φ (without log|R|).</summary>
    public ProfiledDeviance Inner { get; }

    public ResidualWhitening Whitening => _whitening;

    public int ThetaLength => _problem.ThetaLength;

    /// <summary>Number of residual-structure coordinates η (after θ in x).</summary>
    public int Count => _whitening.Count;

    /// <summary>log|R| at the current η.</summary>
    public double LogDetR => _whitening.LogDetR;

    /// <summary>The η the Gram currently holds.</summary>
    public ReadOnlySpan<double> Current => _current;

    /// <summary>Number of Gram refills (one per new η).</summary>
    public int Refills { get; private set; }

    /// <summary>Whitens the rows at η and refills the Gram (nothing when η is the current one). False when R(η) is not positive definite.</summary>
    public bool SetResidualParameters(ReadOnlySpan<double> eta)
    {
        if (Refills > 0 && eta.SequenceEqual(_current)) return _valid;
        eta.CopyTo(_current);
        Refills++;
        _valid = _whitening.Compute(eta);
        if (!_valid) return false;
        var rows = _problem.Rows;
        var gram = _problem.Gram;
        if (_whitening.Multivariate is not null)
        {
            // Multivariate responses: Σ over patterns and response pairs of (M_O⁻¹)ⱼₖ × a fixed piece.
            _multivariatePieces ??= _whitening.MultivariatePieces.Select(piece =>
            {
                if (piece.Second is null)
                {
                    var indicator = new double[_problem.N];
                    foreach (int i in piece.First) indicator[i] = 1;
                    return _problem.NewRawGram(indicator);
                }
                var cross = _problem.NewRawGram(new double[_problem.N]);
                cross.AddRowPairs(piece.First, piece.Second, Enumerable.Repeat(1.0, piece.First.Length).ToArray(), _problem.Rows.RawY);
                return cross;
            }).ToArray();
            gram.SetLinearCombination(_multivariatePieces, _whitening.MultivariateCoefficients);
            return true;
        }
        if (_strata)
        {
            // varIdent alone: Σₛ A_s / δₛ² (δ₀ = 1).
            var coefficients = new double[_whitening.Variance!.StratumKeys!.Count];
            coefficients[0] = 1;
            for (int k = 1; k < coefficients.Length; k++) coefficients[k] = Math.Exp(-2 * eta[k - 1]);
            gram.SetLinearCombination(Pieces(), coefficients);
            return true;
        }
        if (UsesPieces)
        {
            // Equally spaced occasions: A(ρ) = A_first + (A_nonfirst + r² A_nonlast − r A_cross)/(1 − r²), r = ρ^Δ.
            double r = Math.Pow(_whitening.Rho(eta[0]), _lag), s = 1 / (1 - r * r);
            gram.SetLinearCombination(Pieces(), [1, s, r * r * s, -r * s]);
            return true;
        }
        if (!_whitening.MixesRows)
        {
            // A variance function alone: the Gram of rows weighted by 1/sᵢ².
            _weights ??= new double[_problem.N];
            _whitening.Weights(_weights);
            gram.Refill(rows.RawY, _weights);
            return true;
        }
        if (!_whitening.RowsShareEveryLevel)
        {
            // A term crossed with the clusters: squares as a row-weight refill, then the cross products of consecutive rows.
            _weights ??= new double[_problem.N];
            _pairWeights ??= new double[_whitening.PairFirst.Length];
            _whitening.SquareAndCrossWeights(_weights, _pairWeights);
            gram.Refill(rows.RawY, _weights);
            gram.AddRowPairs(_whitening.PairFirst, _whitening.PairSecond, _pairWeights, rows.RawY);
            return true;
        }
        int n = _problem.N;
        for (int t = 0; t < rows.RawZ.Length; t++)
            for (int c = 0; c < rows.RawZ[t].Length / n; c++)
                _whitening.Whiten(rows.RawZ[t].AsSpan(c * n, n), rows.GramZ[t].AsSpan(c * n, n));
        for (int c = 0; c < _problem.P; c++)
            _whitening.Whiten(rows.RawX.AsSpan(c * n, n), rows.GramX.AsSpan(c * n, n));
        _whitening.Whiten(rows.RawY, rows.GramY);
        gram.Refill(rows.GramY, null);
        return true;
    }

    /// <summary>The profiled objective at x = (θ, η) (+∞ where R or the factorization is not positive definite).</summary>
    public double Evaluate(ReadOnlySpan<double> x)
    {
        int d = ThetaLength;
        if (!SetResidualParameters(x[d..])) return double.PositiveInfinity;
        if (!_problem.Factor.Update(x[..d])) return double.PositiveInfinity;
        return Inner.ObjectiveFromFactor(Inner.Reml) + LogDetR;
    }

    /// <summary>The ML deviance (reml = false) or REML criterion of the current factor and η.</summary>
    public double ObjectiveFromFactor(bool reml) => Inner.ObjectiveFromFactor(reml) + LogDetR;

    /// <summary>The (REML) log-likelihood at θ, η and a given σ², β profiled out; NaN where not defined.</summary>
    public double LogLikelihood(ReadOnlySpan<double> theta, ReadOnlySpan<double> eta, double sigma2)
    {
        if (!SetResidualParameters(eta)) return double.NaN;
        return Inner.LogLikelihood(theta, sigma2) - 0.5 * LogDetR;
    }
}
