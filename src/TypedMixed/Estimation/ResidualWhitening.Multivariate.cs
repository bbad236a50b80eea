namespace TypedMixed.Estimation;

/// <summary>
/// Multivariate responses as a residual structure: the rows of one unit (one per observed response) have covariance
/// σ² M_O, M = L L' the R × R relative residual covariance (L lower triangular, L₀₀ = 1 so σ² is the first response's
/// residual variance) and O the unit's observed responses. Whitening a unit by chol(M_O)⁻¹ mixes its rows, so the Gram
/// of whitened rows is Σ over missingness patterns p and pairs j ≤ k of O_p of (M_Oₚ⁻¹)ⱼₖ times a fixed piece: the Gram
/// of the response-j rows of pattern-p units (j = k), or their cross products with the response-k rows (j &lt; k).
/// log|R| = Σₚ (units of p) log|M_Oₚ|.
/// </summary>
/// <remarks>η holds L below the first diagonal entry row by row: L_ij (j &lt; i) as it is, log L_ii on the diagonal.</remarks>
internal sealed partial class ResidualWhitening
{
    private MultivariateResidual? _multivariate;
    private double[] _responseSd = [];
    private int[] _patternMask = [];
    private int[] _patternUnits = [];
    private (int Pattern, int J, int K, int[] First, int[]? Second)[] _pieces = [];

    /// <summary>The multivariate structure, if the design stacks several responses.</summary>
    public MultivariateResidual? Multivariate => _multivariate;

    /// <summary>Number of multivariate coordinates: R(R + 1)/2 − 1, or 0.</summary>
    public int MultivariateCount => _multivariate is null ? 0 : ResponseCount * (ResponseCount + 1) / 2 - 1;

    private int ResponseCount => _multivariate!.ResponseNames.Count;

    /// <summary>Per missingness pattern: the bit mask of observed responses and the number of units with it.</summary>
    public IReadOnlyList<(int Mask, int Units)> Patterns => _patternMask.Zip(_patternUnits).ToArray();

    /// <summary>
    /// The pieces of the whitened Gram: the rows of a diagonal piece (Second null) or the row pairs of a cross piece,
    /// in the order of <see cref="MultivariateCoefficients"/>.
    /// </summary>
    public IReadOnlyList<(int[] First, int[]? Second)> MultivariatePieces => _pieces.Select(p => (p.First, p.Second)).ToArray();

    /// <summary>Each piece's coefficient (M_Oₚ⁻¹)ⱼₖ at the last successful <see cref="Compute"/>.</summary>
    public double[] MultivariateCoefficients { get; private set; } = [];

    private void SetUpMultivariate(ModelDesign design, MultivariateResidual mv, double[]? priorWeights)
    {
        int n = _n;
        if (_correlation is not null || _variance is not null)
            throw new ModelDesignException("A multivariate design (ResidualMultivariate) cannot also have a residual correlation or variance function: the unit's R × R residual covariance already gives each response its own variance. Remove ResidualCorrelation/ResidualVariance.", "ResidualMultivariate");
        if (priorWeights is not null)
            throw new ModelDesignException("A multivariate design (ResidualMultivariate) cannot have prior weights yet. Remove Weights.", "Weights");
        int r = mv.ResponseNames?.Count ?? 0;
        if (r < 2 || r > 30)
            throw new ModelDesignException($"ResidualMultivariate.ResponseNames has {r} names: a multivariate model needs 2 to 30 responses.", "ResidualMultivariate.ResponseNames");
        if (mv.ResponseIndex is null || mv.ResponseIndex.Length != n)
            throw new ModelDesignException($"ResidualMultivariate.ResponseIndex has {mv.ResponseIndex?.Length ?? 0} values but the design has {n} rows: give each row's response.", "ResidualMultivariate.ResponseIndex");
        if (mv.UnitIndex is null || mv.UnitIndex.Length != n)
            throw new ModelDesignException($"ResidualMultivariate.UnitIndex has {mv.UnitIndex?.Length ?? 0} values but the design has {n} rows: give each row's unit.", "ResidualMultivariate.UnitIndex");
        foreach (var term in design.Terms)
            if (term.IsMultipleMembership)
                throw new ModelDesignException($"Term '{term.Name}' has multiple memberships and the design is multivariate: the two cannot be combined yet. Drop one of them.", term.Name);
        int units = mv.UnitCount;
        var rowOf = new int[(long)units * r];
        Array.Fill(rowOf, -1);
        var count = new int[r];
        var sum = new double[r];
        var sumSquares = new double[r];
        for (int i = 0; i < n; i++)
        {
            int k = mv.ResponseIndex[i], u = mv.UnitIndex[i];
            if ((uint)k >= (uint)r)
                throw new ModelDesignException($"ResidualMultivariate.ResponseIndex is {k} at row {i}, outside 0..{r - 1}.", "ResidualMultivariate.ResponseIndex", i);
            if ((uint)u >= (uint)units)
                throw new ModelDesignException($"ResidualMultivariate.UnitIndex is {u} at row {i}, outside 0..{units - 1}.", "ResidualMultivariate.UnitIndex", i);
            long slot = (long)u * r + k;
            if (rowOf[slot] >= 0)
                throw new ModelDesignException($"Rows {rowOf[slot]} and {i} both hold response '{mv.ResponseNames![k]}' of {mv.UnitName} {u}: each unit has at most one value of each response. Remove the duplicate row.", "ResidualMultivariate.UnitIndex", i);
            rowOf[slot] = i;
            double y = design.Response[i];
            count[k]++;
            sum[k] += y;
            sumSquares[k] += y * y;
        }
        _responseSd = new double[r];
        for (int k = 0; k < r; k++)
        {
            if (count[k] == 0)
                throw new ModelDesignException($"Response '{mv.ResponseNames![k]}' has no observed value: every unit misses it. Remove it from the responses.", mv.ResponseNames[k]);
            double mean = sum[k] / count[k], v = Math.Max(sumSquares[k] / count[k] - mean * mean, 0);
            _responseSd[k] = v > 0 ? Math.Sqrt(v) : 1;
        }
        // The rows of a unit must share the level of every term (the unit is nested in each classification), so its
        // cross products stay in one level's blocks.
        foreach (var term in design.Terms)
            for (int u = 0; u < units; u++)
            {
                int first = -1;
                for (int k = 0; k < r; k++)
                {
                    int i = rowOf[(long)u * r + k];
                    if (i < 0) continue;
                    if (first < 0) first = i;
                    else if (term.LevelIndex[i] != term.LevelIndex[first])
                        throw new ModelDesignException($"Rows {first} and {i} of {mv.UnitName} {u} are in different levels of term '{term.Name}' ('{term.LevelKeys[term.LevelIndex[first]]}' and '{term.LevelKeys[term.LevelIndex[i]]}'): the responses of one unit must share its classifications. Check the unit and level columns.", term.Name, i);
                }
            }
        // Missingness patterns and the rows (pairs) of each piece.
        var patternOf = new Dictionary<int, int>();
        var masks = new List<int>();
        var unitsOf = new List<List<int>>();
        for (int u = 0; u < units; u++)
        {
            int mask = 0;
            for (int k = 0; k < r; k++)
                if (rowOf[(long)u * r + k] >= 0) mask |= 1 << k;
            if (mask == 0) continue;
            if (!patternOf.TryGetValue(mask, out int p))
            {
                patternOf[mask] = p = masks.Count;
                masks.Add(mask);
                unitsOf.Add([]);
            }
            unitsOf[p].Add(u);
        }
        var order = Enumerable.Range(0, masks.Count).OrderByDescending(p => unitsOf[p].Count).ThenBy(p => masks[p]).ToArray();
        _patternMask = order.Select(p => masks[p]).ToArray();
        _patternUnits = order.Select(p => unitsOf[p].Count).ToArray();
        var pieces = new List<(int, int, int, int[], int[]?)>();
        for (int pi = 0; pi < order.Length; pi++)
        {
            var list = unitsOf[order[pi]];
            int mask = masks[order[pi]];
            for (int j = 0; j < r; j++)
            {
                if ((mask & (1 << j)) == 0) continue;
                pieces.Add((pi, j, j, list.Select(u => rowOf[(long)u * r + j]).ToArray(), null));
                for (int k = j + 1; k < r; k++)
                    if ((mask & (1 << k)) != 0)
                        pieces.Add((pi, j, k, list.Select(u => rowOf[(long)u * r + k]).ToArray(), list.Select(u => rowOf[(long)u * r + j]).ToArray()));
            }
        }
        _pieces = [.. pieces];
        MultivariateCoefficients = new double[_pieces.Length];
        _multivariate = mv;
    }

    /// <summary>Start: uncorrelated residuals with each response's variance relative to the first one's (from the raw responses).</summary>
    private double[] MultivariateInitial()
    {
        var eta = new double[Count];
        int r = ResponseCount, e = 0;
        for (int i = 1; i < r; i++)
            for (int j = 0; j <= i; j++, e++)
                if (i == j) eta[e] = Math.Log(_responseSd[i] / _responseSd[0]);
        return eta;
    }

    /// <summary>The factor L (row-major R × R) of the relative residual covariance M = L L' at coordinates η.</summary>
    public double[] MultivariateFactor(ReadOnlySpan<double> eta)
    {
        int r = ResponseCount, e = CorrelationCount + VarianceCount;
        var l = new double[r * r];
        l[0] = 1;
        for (int i = 1; i < r; i++)
            for (int j = 0; j <= i; j++, e++)
                l[i * r + j] = i == j ? Math.Exp(eta[e]) : eta[e];
        return l;
    }

    /// <summary>The relative residual covariance M = L L' (Σ = σ² M) at coordinates η.</summary>
    public double[,] RelativeResidualCovariance(ReadOnlySpan<double> eta)
    {
        int r = ResponseCount;
        var l = MultivariateFactor(eta);
        var m = new double[r, r];
        for (int i = 0; i < r; i++)
            for (int j = 0; j < r; j++)
            {
                double s = 0;
                for (int c = 0; c <= Math.Min(i, j); c++) s += l[i * r + c] * l[j * r + c];
                m[i, j] = s;
            }
        return m;
    }

    /// <summary>The coordinates η of a relative residual covariance M (M₀₀ = 1); false when M is not positive definite.</summary>
    public bool MultivariateCoordinates(double[,] m, Span<double> eta)
    {
        int r = ResponseCount;
        var l = new double[r * r];
        for (int i = 0; i < r; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = m[i, j];
                for (int c = 0; c < j; c++) s -= l[i * r + c] * l[j * r + c];
                if (i == j)
                {
                    if (!(s > 0)) return false;
                    l[i * r + i] = Math.Sqrt(s);
                }
                else l[i * r + j] = s / l[j * r + j];
            }
        int e = 0;
        for (int i = 1; i < r; i++)
            for (int j = 0; j <= i; j++, e++)
                eta[e] = i == j ? Math.Log(l[i * r + i]) : l[i * r + j];
        return true;
    }

    private bool ComputeMultivariate(ReadOnlySpan<double> eta)
    {
        int r = ResponseCount;
        var m = RelativeResidualCovariance(eta);
        double logDet = 0;
        var coefficient = MultivariateCoefficients;
        var inverse = new double[_patternMask.Length][,];
        for (int p = 0; p < _patternMask.Length; p++)
        {
            // M_O⁻¹ through its Cholesky factor.
            var observed = Enumerable.Range(0, r).Where(k => (_patternMask[p] & (1 << k)) != 0).ToArray();
            int o = observed.Length;
            var c = new double[o, o];
            for (int a = 0; a < o; a++)
                for (int b = 0; b < o; b++) c[a, b] = m[observed[a], observed[b]];
            if (!CholeskyInverse(c, out double logDetO)) return false;
            logDet += _patternUnits[p] * logDetO;
            inverse[p] = c;
        }
        for (int s = 0; s < _pieces.Length; s++)
        {
            var (p, j, k, _, _) = _pieces[s];
            int a = 0, b = 0;
            for (int x = 0; x < r; x++)
            {
                if ((_patternMask[p] & (1 << x)) == 0) continue;
                if (x < j) a++;
                if (x < k) b++;
            }
            coefficient[s] = inverse[p][a, b];
        }
        if (!double.IsFinite(logDet)) return false;
        LogDetR = logDet;
        return true;
    }

    /// <summary>Replaces a small SPD matrix by its inverse; false when it is not positive definite.</summary>
    private static bool CholeskyInverse(double[,] a, out double logDet)
    {
        int o = a.GetLength(0);
        var l = new double[o, o];
        logDet = 0;
        for (int i = 0; i < o; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = a[i, j];
                for (int c = 0; c < j; c++) s -= l[i, c] * l[j, c];
                if (i == j)
                {
                    if (!(s > 0)) return false;
                    l[i, i] = Math.Sqrt(s);
                    logDet += Math.Log(s);
                }
                else l[i, j] = s / l[j, j];
            }
        // L⁻¹ by forward substitution, then A⁻¹ = L⁻ᵀ L⁻¹.
        var li = new double[o, o];
        for (int c = 0; c < o; c++)
        {
            li[c, c] = 1 / l[c, c];
            for (int i = c + 1; i < o; i++)
            {
                double s = 0;
                for (int x = c; x < i; x++) s -= l[i, x] * li[x, c];
                li[i, c] = s / l[i, i];
            }
        }
        for (int i = 0; i < o; i++)
            for (int j = 0; j < o; j++)
            {
                double s = 0;
                for (int x = Math.Max(i, j); x < o; x++) s += li[x, i] * li[x, j];
                a[i, j] = s;
            }
        return true;
    }
}
