using System.Globalization;

namespace TypedMixed.Estimation;

/// <summary>
/// The level-1 residual structure of a design, R = S C S (S diagonal: the variance function's SD factors and the prior
/// weights' 1/√w; C block diagonal over the residual clusters: AR(1) or CAR(1) correlation), and its inverse Cholesky
/// factor. For an AR(1)/CAR(1) correlation that factor is bidiagonal within a cluster: with rows in time order,
/// the first row is kept and row j becomes (eⱼ − ρ^Δ eⱼ₋₁)/√(1 − ρ^{2Δ}), Δ = tⱼ − tⱼ₋₁ (a Prais–Winsten transform
/// that follows gaps). With S in front, a whitened row is aⱼ vⱼ − bⱼ vⱼ₋₁ with aⱼ = 1/(sⱼ cⱼ), bⱼ = ρ^Δ/(sⱼ₋₁ cⱼ),
/// cⱼ = √(1 − ρ^{2Δ}). log|R| = Σ log sⱼ² + Σ log(1 − ρ^{2Δⱼ}).
/// </summary>
/// <remarks>
/// The optimizer sees unbounded coordinates η: AR(1) ρ = tanh η; CAR(1) ρ = logistic(η); varIdent log δₛ; varExp and
/// varPower δ; log-linear γₕ; quadratic the ratios cₕ = σₑ₀ₕ/σ²ₑ₀ and dₕ = σ²ₑₕ/σ²ₑ₀ (Var = σ²(1 + 2Σcₕxₕ + Σdₕxₕ²)).
/// The residual variance σ² itself is profiled out, as without a residual structure.
/// </remarks>
internal sealed partial class ResidualWhitening
{
    private readonly int _n;
    private readonly ResidualCorrelation? _correlation;
    private readonly ResidualVarianceFunction? _variance;
    private readonly double[]? _priorWeights;
    /// <summary>The previous row of the same residual cluster (−1 for a cluster's first row, and without a correlation).</summary>
    private readonly int[] _previous;
    /// <summary>Time step to the previous row of the cluster (0 for first rows).</summary>
    private readonly double[] _lag;
    private readonly double[] _sd;

    /// <summary>Row coefficient aⱼ of the whitened row aⱼ vⱼ − bⱼ vⱼ₋₁.</summary>
    public double[] A { get; }

    /// <summary>Row coefficient bⱼ (0 for a cluster's first row).</summary>
    public double[] B { get; }

    /// <summary>log|R| at the parameters of the last successful <see cref="Compute"/>.</summary>
    public double LogDetR { get; private set; }

    /// <summary>Whether whitening mixes rows (a correlation is present); otherwise it is a row weighting 1/sⱼ².</summary>
    public bool MixesRows => _correlation is not null;

    /// <summary>Number of optimizer coordinates η.</summary>
    public int Count { get; }

    /// <summary>Number of correlation coordinates (0 or 1); they come first in η.</summary>
    public int CorrelationCount => _correlation is null ? 0 : 1;

    /// <summary>The correlation structure, if any.</summary>
    public ResidualCorrelation? Correlation => _correlation;

    /// <summary>The variance function, if any.</summary>
    public ResidualVarianceFunction? Variance => _variance;

    /// <summary>Row of each cluster's previous occasion (−1 for first rows).</summary>
    public ReadOnlySpan<int> Previous => _previous;

    public ResidualWhitening(ModelDesign design, double[]? priorWeights)
    {
        _n = design.Rows;
        _correlation = design.ResidualCorrelation;
        _variance = design.ResidualVariance;
        _priorWeights = priorWeights;
        if (design.Family != ResponseFamily.Gaussian)
            throw new ModelDesignException($"Residual correlation and variance functions apply to Gaussian (linear) models only; this design's family is {design.Family}. Remove ResidualCorrelation/ResidualVariance or fit a linear model.",
                design.ResidualCorrelation is not null ? "ResidualCorrelation" : "ResidualVariance");
        _previous = new int[_n];
        Array.Fill(_previous, -1);
        _lag = new double[_n];
        _sd = new double[_n];
        A = new double[_n];
        B = new double[_n];
        if (_correlation is not null) CheckCorrelation(design, _correlation);
        if (_variance is not null) CheckVariance(design, _variance);
        if (design.ResidualMultivariate is { } multivariate) SetUpMultivariate(design, multivariate, priorWeights);
        Count = CorrelationCount + VarianceCount + MultivariateCount;
    }

    /// <summary>Number of variance-function coordinates.</summary>
    public int VarianceCount => _variance is null ? 0 : _variance.Kind switch
    {
        ResidualVarianceFunctionKind.Ident => _variance.StratumKeys!.Count - 1,
        ResidualVarianceFunctionKind.Exponential or ResidualVarianceFunctionKind.Power => 1,
        ResidualVarianceFunctionKind.LogLinear => _variance.CovariateNames.Count,
        _ => 2 * _variance.CovariateNames.Count,
    };

    /// <summary>Starting coordinates: independence (ρ = 0; CAR(1) ρ = 0.2, nlme's default) and a constant variance.</summary>
    public double[] Initial()
    {
        if (_multivariate is not null) return MultivariateInitial();
        var eta = new double[Count];
        if (_correlation?.Structure == ResidualCorrelationStructure.ContinuousAr1) eta[0] = Math.Log(0.2 / 0.8);
        return eta;
    }

    /// <summary>
    /// The size of a unit change of each coordinate η, free of the covariates' units: 1 for ρ's and log δ's; 1/rms(x)
    /// for a coefficient of x (1/rms(x²) for a quadratic's squared term; 1/rms(log|x|) for a power). The optimizer and
    /// the numerical derivatives step in η / scale.
    /// </summary>
    public double[] CoordinateScale()
    {
        var scale = new double[Count];
        Array.Fill(scale, 1.0);
        if (_variance is null || _variance.Kind == ResidualVarianceFunctionKind.Ident) return scale;
        int n = _n, o = CorrelationCount, h = _variance.CovariateNames.Count;
        var x = _variance.Covariates;
        for (int c = 0; c < h; c++)
        {
            double s1 = 0, s2 = 0, sl = 0;
            int nl = 0;
            for (int i = 0; i < n; i++)
            {
                double v = x[c * n + i];
                s1 += v * v;
                s2 += v * v * v * v;
                if (v != 0) { double l = Math.Log(Math.Abs(v)); sl += l * l; nl++; }
            }
            double r1 = Math.Sqrt(s1 / n), r2 = Math.Sqrt(s2 / n), rl = nl > 0 ? Math.Sqrt(sl / nl) : 0;
            static double Inverse(double r) => r > 0 ? 1 / r : 1;
            switch (_variance.Kind)
            {
                case ResidualVarianceFunctionKind.Power: scale[o + c] = Inverse(rl); break;
                case ResidualVarianceFunctionKind.Quadratic:
                    scale[o + c] = Inverse(r1);
                    scale[o + h + c] = Inverse(r2);
                    break;
                default: scale[o + c] = Inverse(r1); break;
            }
        }
        return scale;
    }

    /// <summary>ρ from its coordinate.</summary>
    public double Rho(double eta) => _correlation!.Structure == ResidualCorrelationStructure.Ar1 ? Math.Tanh(eta) : 1 / (1 + Math.Exp(-eta));

    /// <summary>dρ/dη.</summary>
    public double RhoDerivative(double eta)
    {
        double r = Rho(eta);
        return _correlation!.Structure == ResidualCorrelationStructure.Ar1 ? 1 - r * r : r * (1 - r);
    }

    /// <summary>
    /// The variance factor g(vᵢ) = Var(eᵢ)/σ² of row i at coordinates η (prior weights not included); NaN or ≤ 0 where
    /// the function is not positive.
    /// </summary>
    public double VarianceFactor(ReadOnlySpan<double> eta, int i)
    {
        var v = _variance!;
        var phi = eta[CorrelationCount..];
        var x = v.Covariates;
        int n = _n;
        switch (v.Kind)
        {
            case ResidualVarianceFunctionKind.Ident:
            {
                int s = v.StratumIndex![i];
                return s == 0 ? 1 : Math.Exp(2 * phi[s - 1]);
            }
            case ResidualVarianceFunctionKind.Exponential:
                return Math.Exp(2 * phi[0] * x[i]);
            case ResidualVarianceFunctionKind.Power:
            {
                double sd = Math.Pow(Math.Abs(x[i]), phi[0]);
                return sd * sd;
            }
            case ResidualVarianceFunctionKind.LogLinear:
            {
                double s = 0;
                for (int h = 0; h < phi.Length; h++) s += phi[h] * x[h * n + i];
                return Math.Exp(s);
            }
            default:
            {
                int m = phi.Length / 2;
                double g = 1;
                for (int h = 0; h < m; h++)
                {
                    double xh = x[h * n + i];
                    g += 2 * phi[h] * xh + phi[m + h] * xh * xh;
                }
                return g;
            }
        }
    }

    /// <summary>
    /// Computes the row coefficients and log|R| at coordinates η. False (and nothing usable) when R is not positive
    /// definite there: a variance factor ≤ 0 or not finite, or |ρ| = 1 in floating point.
    /// </summary>
    public bool Compute(ReadOnlySpan<double> eta)
    {
        if (_multivariate is not null) return ComputeMultivariate(eta);
        int n = _n;
        double logDet = 0;
        for (int i = 0; i < n; i++)
        {
            double g = _variance is null ? 1 : VarianceFactor(eta, i);
            if (_priorWeights is not null) g /= _priorWeights[i];
            if (!(g > 0) || !double.IsFinite(g)) return false;
            _sd[i] = Math.Sqrt(g);
            logDet += Math.Log(g);
        }
        if (_correlation is null)
        {
            for (int i = 0; i < n; i++) { A[i] = 1 / _sd[i]; B[i] = 0; }
        }
        else
        {
            double rho = Rho(eta[0]);
            for (int i = 0; i < n; i++)
            {
                int prev = _previous[i];
                if (prev < 0) { A[i] = 1 / _sd[i]; B[i] = 0; continue; }
                double r = Math.Pow(rho, _lag[i]);
                double c2 = 1 - r * r;
                if (!(c2 > 0)) return false;
                double c = Math.Sqrt(c2);
                A[i] = 1 / (_sd[i] * c);
                B[i] = r / (_sd[prev] * c);
                logDet += Math.Log(c2);
            }
        }
        if (!double.IsFinite(logDet)) return false;
        LogDetR = logDet;
        return true;
    }

    /// <summary>target = R^{-1/2} source for one column of n rows (rows in design order).</summary>
    public void Whiten(ReadOnlySpan<double> source, Span<double> target)
    {
        var a = A;
        var b = B;
        var prev = _previous;
        for (int i = 0; i < source.Length; i++)
        {
            int j = prev[i];
            target[i] = j < 0 ? a[i] * source[i] : a[i] * source[i] - b[i] * source[j];
        }
    }

    /// <summary>Row weights 1/sⱼ² (the whitening when no correlation mixes rows).</summary>
    public void Weights(double[] target)
    {
        for (int i = 0; i < _n; i++) target[i] = A[i] * A[i];
    }

    private static string Text(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private void CheckCorrelation(ModelDesign design, ResidualCorrelation c)
    {
        int n = _n;
        if (c.Time is null || c.Time.Length != n)
            throw new ModelDesignException($"ResidualCorrelation.Time has {c.Time?.Length ?? 0} values but the response has {n} rows: give one time per row.", "ResidualCorrelation.Time");
        if (c.ClusterIndex is null || c.ClusterIndex.Length != n)
            throw new ModelDesignException($"ResidualCorrelation.ClusterIndex has {c.ClusterIndex?.Length ?? 0} values but the response has {n} rows: give one cluster per row.", "ResidualCorrelation.ClusterIndex");
        int clusters = c.ClusterKeys?.Count ?? 0;
        var last = new int[clusters];
        Array.Fill(last, -1);
        for (int i = 0; i < n; i++)
        {
            double t = c.Time[i];
            if (!double.IsFinite(t))
                throw new ModelDesignException($"Time '{c.TimeName}' (ResidualCorrelation.Time) is {Text(t)} at row {i}. Remove the row or give a finite time.", "ResidualCorrelation.Time", i);
            if (c.Structure == ResidualCorrelationStructure.Ar1 && t != Math.Floor(t))
                throw new ModelDesignException($"Time '{c.TimeName}' (ResidualCorrelation.Time) is {Text(t)} at row {i}: AR(1) needs integer occasions. Use the continuous-time AR(1) (corCAR1) for real times, or give occasion numbers.", "ResidualCorrelation.Time", i);
            int k = c.ClusterIndex[i];
            if ((uint)k >= (uint)clusters)
                throw new ModelDesignException($"ResidualCorrelation.ClusterIndex is {k} at row {i}, outside 0..{clusters - 1} ('{c.ClusterName}' has {clusters} clusters).", "ResidualCorrelation.ClusterIndex", i);
            int prev = last[k];
            if (prev >= 0)
            {
                double dt = t - c.Time[prev];
                if (dt == 0)
                    throw new ModelDesignException($"Time '{c.TimeName}' (ResidualCorrelation.Time) is {Text(t)} at row {i} and at row {prev}, both in cluster '{c.ClusterKeys![k]}' of '{c.ClusterName}': times within a cluster must be distinct. Remove or merge the duplicated occasion.", "ResidualCorrelation.Time", i);
                if (dt < 0)
                    throw new ModelDesignException($"Time '{c.TimeName}' (ResidualCorrelation.Time) is {Text(t)} at row {i}, before {Text(c.Time[prev])} at row {prev} of the same cluster '{c.ClusterKeys![k]}' of '{c.ClusterName}': rows of a cluster must be in increasing time order (the estimator does not reorder them). Sort the data by cluster and time.", "ResidualCorrelation.Time", i);
                _previous[i] = prev;
                _lag[i] = dt;
            }
            last[k] = i;
        }

        // The residual clusters must be nested in a classification of the model: all rows of a cluster in one level.
        var terms = design.Terms;
        var violation = new (int row, int other)?[terms.Count];
        for (int t = 0; t < terms.Count; t++)
        {
            var level = new int[clusters];
            var first = new int[clusters];
            Array.Fill(level, -1);
            var li = terms[t].LevelIndex;
            for (int i = 0; i < n && violation[t] is null; i++)
            {
                int k = c.ClusterIndex[i];
                if (level[k] < 0) { level[k] = li[i]; first[k] = i; }
                else if (level[k] != li[i]) violation[t] = (i, first[k]);
            }
        }
        if (violation.All(v => v is not null))
        {
            var parts = terms.Select((term, t) =>
            {
                var (row, other) = violation[t]!.Value;
                return $"row {row} of cluster '{c.ClusterKeys![c.ClusterIndex[row]]}' is in level '{term.LevelKeys[term.LevelIndex[row]]}' of term '{term.Name}', row {other} of the same cluster in level '{term.LevelKeys[term.LevelIndex[other]]}'";
            });
            var (r0, _) = violation[0]!.Value;
            throw new ModelDesignException($"The residual clusters '{c.ClusterName}' (ResidualCorrelation.ClusterIndex) are not a classification of the model nor nested in one: {string.Join("; ", parts)}. Correlate residuals within a grouping of the random effects (e.g. corAR1(~ time | Subject) with a Subject term).", "ResidualCorrelation.ClusterIndex", r0);
        }
        ContainingTerms = Enumerable.Range(0, terms.Count).Where(t => violation[t] is null).ToArray();
        // Whitening mixes consecutive rows of a cluster; when a term (crossed with the clusters) changes level between
        // them, a whitened row has two levels of it and the Gram is formed from the rows' squares and cross products.
        RowsShareEveryLevel = true;
        for (int t = 0; t < terms.Count && RowsShareEveryLevel; t++)
        {
            var li = terms[t].LevelIndex;
            for (int i = 0; i < n; i++)
                if (_previous[i] >= 0 && li[_previous[i]] != li[i]) { RowsShareEveryLevel = false; break; }
        }
        var pairs = Enumerable.Range(0, n).Where(i => _previous[i] >= 0).ToArray();
        PairFirst = pairs;
        PairSecond = pairs.Select(i => _previous[i]).ToArray();
        _next = new int[n];
        Array.Fill(_next, -1);
        foreach (int i in pairs) _next[_previous[i]] = i;
    }

    private int[] _next = [];

    /// <summary>
    /// The single time step between consecutive occasions of every cluster when there is one (e.g. 1 for AR(1) over
    /// consecutive occasions) and neither a variance function nor prior weights: the whitened Gram is then
    /// A_first + (A_nonfirst + r² A_nonlast − r A_cross)/(1 − r²), r = ρ^Δ, from four fixed pieces. NaN otherwise.
    /// </summary>
    public double CommonLag
    {
        get
        {
            if (_correlation is null || _variance is not null || _priorWeights is not null || PairFirst.Length == 0) return double.NaN;
            double lag = _lag[PairFirst[0]];
            foreach (int i in PairFirst)
                if (_lag[i] != lag) return double.NaN;
            return lag;
        }
    }

    /// <summary>
    /// varIdent alone (no correlation, no prior weights): the Gram is Σₛ A_s / δₛ², one fixed Gram per stratum.
    /// </summary>
    public bool StrataOnly => _correlation is null && _priorWeights is null && _variance?.Kind == ResidualVarianceFunctionKind.Ident;

    /// <summary>varIdent: per stratum, the indicator of its rows.</summary>
    public double[][] StratumIndicators()
    {
        var v = _variance!;
        var result = new double[v.StratumKeys!.Count][];
        for (int s = 0; s < result.Length; s++) result[s] = new double[_n];
        for (int i = 0; i < _n; i++) result[v.StratumIndex![i]][i] = 1;
        return result;
    }

    /// <summary>Row indicators of the pieces: first occasions of a cluster, later occasions, occasions followed by another.</summary>
    public (double[] First, double[] NonFirst, double[] NonLast) OccasionIndicators()
    {
        var first = new double[_n];
        var nonFirst = new double[_n];
        var nonLast = new double[_n];
        for (int i = 0; i < _n; i++)
        {
            if (_previous[i] < 0) first[i] = 1; else nonFirst[i] = 1;
            if (_next.Length > 0 && _next[i] >= 0) nonLast[i] = 1;
        }
        return (first, nonFirst, nonLast);
    }

    /// <summary>Design indices of the terms in which the residual clusters are nested (every cluster within one level).</summary>
    public int[] ContainingTerms { get; private set; } = [];

    /// <summary>
    /// True when consecutive rows of every residual cluster share the level of every term (or there is no
    /// correlation): whitened rows then keep one level per term and the Gram is formed from them directly.
    /// </summary>
    public bool RowsShareEveryLevel { get; private set; } = true;

    /// <summary>Rows j with a previous occasion (the pairs (j, prev j) of the cross products).</summary>
    public int[] PairFirst { get; private set; } = [];

    /// <summary>prev j for each <see cref="PairFirst"/> row.</summary>
    public int[] PairSecond { get; private set; } = [];

    /// <summary>
    /// The Gram of the whitened rows as squares and cross products of raw rows: row weights aᵢ² + b²_next(i) and, per
    /// pair (j, prev j), the weight −aⱼbⱼ of rⱼrⱼ₋₁' + rⱼ₋₁rⱼ'.
    /// </summary>
    public void SquareAndCrossWeights(double[] rowWeights, double[] pairWeights)
    {
        for (int i = 0; i < _n; i++)
        {
            int next = _next.Length == 0 ? -1 : _next[i];
            rowWeights[i] = A[i] * A[i] + (next >= 0 ? B[next] * B[next] : 0);
        }
        for (int m = 0; m < PairFirst.Length; m++) pairWeights[m] = -A[PairFirst[m]] * B[PairFirst[m]];
    }

    private void CheckVariance(ModelDesign design, ResidualVarianceFunction v)
    {
        int n = _n;
        int h = v.CovariateNames?.Count ?? 0;
        switch (v.Kind)
        {
            case ResidualVarianceFunctionKind.Ident:
            {
                int strata = v.StratumKeys?.Count ?? 0;
                if (v.StratumIndex is null || v.StratumIndex.Length != n)
                    throw new ModelDesignException($"ResidualVariance.StratumIndex has {v.StratumIndex?.Length ?? 0} values but the response has {n} rows: varIdent needs each row's stratum.", "ResidualVariance.StratumIndex");
                if (strata < 2)
                    throw new ModelDesignException($"ResidualVariance.StratumKeys has {strata} strata: varIdent needs at least two (one variance per stratum).", "ResidualVariance.StratumKeys");
                var used = new bool[strata];
                for (int i = 0; i < n; i++)
                {
                    int s = v.StratumIndex[i];
                    if ((uint)s >= (uint)strata)
                        throw new ModelDesignException($"ResidualVariance.StratumIndex is {s} at row {i}, outside 0..{strata - 1} ('{v.StratumName}' has {strata} strata).", "ResidualVariance.StratumIndex", i);
                    used[s] = true;
                }
                int unused = Array.IndexOf(used, false);
                if (unused >= 0)
                    throw new ModelDesignException($"Stratum '{v.StratumKeys![unused]}' of '{v.StratumName}' (ResidualVariance.StratumKeys) has no rows: its variance cannot be estimated. Drop unused strata.", "ResidualVariance.StratumKeys");
                return;
            }
            case ResidualVarianceFunctionKind.Exponential or ResidualVarianceFunctionKind.Power when h != 1:
                throw new ModelDesignException($"ResidualVariance.CovariateNames has {h} names: {(v.Kind == ResidualVarianceFunctionKind.Power ? "varPower" : "varExp")} takes exactly one covariate.", "ResidualVariance.CovariateNames");
            case ResidualVarianceFunctionKind.LogLinear or ResidualVarianceFunctionKind.Quadratic when h == 0:
                throw new ModelDesignException($"ResidualVariance.CovariateNames is empty: a {v.Kind} variance function needs at least one covariate.", "ResidualVariance.CovariateNames");
        }
        if (v.Covariates is null || v.Covariates.Length != n * h)
            throw new ModelDesignException($"ResidualVariance.Covariates has {v.Covariates?.Length ?? 0} values, but {n} rows × {h} covariates ({string.Join(", ", v.CovariateNames!)}) need {n * h} (column-major).", "ResidualVariance.Covariates");
        for (int c = 0; c < h; c++)
            for (int i = 0; i < n; i++)
                if (!double.IsFinite(v.Covariates[c * n + i]))
                    throw new ModelDesignException($"Variance covariate '{v.CovariateNames![c]}' (ResidualVariance.Covariates) is {Text(v.Covariates[c * n + i])} at row {i}. Remove the row or give a finite value.", "ResidualVariance.Covariates", i);
    }
}
