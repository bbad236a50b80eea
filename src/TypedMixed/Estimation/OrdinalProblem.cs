using TypedMixed.Families;

namespace TypedMixed.Estimation;

/// <summary>
/// An ordinal design made ready for the cumulative-link estimator: the category of each row, the category names, the
/// link, the threshold map τ = J·α, the columns of X kept (a constant column such as the intercept is absorbed by the
/// thresholds and dropped, as clmm does), and the LMM structure whose blocked Gram the inner Newton refills with the
/// per-row curvatures.
/// </summary>
internal sealed class OrdinalProblem
{
    private OrdinalProblem(ModelDesign design, MixedModelProblem structure, LinkFunction link, int[] y, string[] categories,
        ThresholdStructure thresholds, double[] offset, double[] weights, string[] fixedNames, string[] dropped)
    {
        Design = design;
        Structure = structure;
        Link = link;
        Y = y;
        Categories = categories;
        ThresholdStructure = thresholds;
        Offset = offset;
        Weights = weights;
        FixedNames = fixedNames;
        DroppedColumns = dropped;
        N = y.Length;
        P = structure.P;
        K = categories.Length;
        AlphaCount = thresholds == ThresholdStructure.Flexible ? K - 1 : 2;
    }

    public ModelDesign Design { get; }
    public MixedModelProblem Structure { get; }
    public LinkFunction Link { get; }
    /// <summary>Category index 0..K−1 of each row.</summary>
    public int[] Y { get; }
    public string[] Categories { get; }
    public ThresholdStructure ThresholdStructure { get; }
    public double[] Offset { get; }
    /// <summary>Prior weights (1 when none): each row's log-likelihood is multiplied by its weight.</summary>
    public double[] Weights { get; }
    /// <summary>Names of the kept columns of X.</summary>
    public string[] FixedNames { get; }
    /// <summary>Columns dropped: constant (absorbed by the thresholds) or aliased.</summary>
    public string[] DroppedColumns { get; }
    public int N { get; }
    public int P { get; }
    /// <summary>Number of categories.</summary>
    public int K { get; }
    /// <summary>Number of threshold parameters α (K − 1 flexible, 2 equidistant).</summary>
    public int AlphaCount { get; }
    /// <summary>The kept columns of X, column-major n × P (the structure's Gram holds the same).</summary>
    public double[] X { get; private init; } = [];

    /// <summary>Threshold names as clmm: <c>1|2</c>, <c>2|3</c>, ….</summary>
    public string[] ThresholdNames => Enumerable.Range(0, K - 1).Select(j => Categories[j] + "|" + Categories[j + 1]).ToArray();

    /// <summary>τ from α: flexible τ = α; equidistant τⱼ = α₀ + j·α₁.</summary>
    public void Thresholds(ReadOnlySpan<double> alpha, Span<double> tau)
    {
        if (ThresholdStructure == ThresholdStructure.Flexible) { alpha[..(K - 1)].CopyTo(tau); return; }
        for (int j = 0; j < K - 1; j++) tau[j] = alpha[0] + j * alpha[1];
    }

    /// <summary>∂τⱼ/∂α_a (K − 1 × AlphaCount).</summary>
    public double[,] ThresholdJacobian()
    {
        var jac = new double[K - 1, AlphaCount];
        for (int j = 0; j < K - 1; j++)
            if (ThresholdStructure == ThresholdStructure.Flexible) jac[j, j] = 1;
            else { jac[j, 0] = 1; jac[j, 1] = j; }
        return jac;
    }

    /// <summary>Whether τ is strictly increasing (the likelihood is defined).</summary>
    public static bool Ordered(ReadOnlySpan<double> tau)
    {
        for (int j = 1; j < tau.Length; j++) if (!(tau[j] > tau[j - 1])) return false;
        return true;
    }

    /// <summary>Xβ + offset into <paramref name="eta"/>.</summary>
    public void FixedPredictor(ReadOnlySpan<double> beta, Span<double> eta)
    {
        Offset.AsSpan().CopyTo(eta);
        for (int c = 0; c < P; c++)
            if (beta[c] != 0) Factorization.DenseKernels.Axpy(beta[c], X.AsSpan(c * N, N), eta);
    }

    /// <summary>Rows per category, and the number of distinct clusters of each term's levels per category.</summary>
    public int[] CategoryCounts()
    {
        var counts = new int[K];
        foreach (int y in Y) counts[y]++;
        return counts;
    }

    public static OrdinalProblem Create(ModelDesign design)
    {
        ArgumentNullException.ThrowIfNull(design);
        if (design.Family != ResponseFamily.Ordinal)
            throw new ArgumentException($"The design's family is {design.Family}: an ordinal fit needs Family = Ordinal.", nameof(design));
        var link = CumulativeLink.Resolve(design.Link);
        if (design.Trials is not null)
            throw new ModelDesignException("Trials are given for an ordinal model. Trials belong to binomial responses: drop them.", "Trials");
        int n = design.Response?.Length ?? 0;
        if (n == 0)
            throw new ModelDesignException("The design has no rows: the response is empty.");
        var response = design.Response!;
        for (int i = 0; i < n; i++)
            if (!double.IsFinite(response[i]) || response[i] != Math.Floor(response[i]))
                throw new ModelDesignException($"Response '{design.ResponseName}' is {response[i].ToString(System.Globalization.CultureInfo.InvariantCulture)} at row {i}: an ordinal response holds each row's category index (0, 1, …, K − 1).", design.ResponseName, i);
        string[] categories;
        var y = new int[n];
        if (design.Ordinal is { } spec)
        {
            categories = spec.Categories?.ToArray() ?? [];
            for (int i = 0; i < n; i++)
            {
                if (response[i] < 0 || response[i] >= categories.Length)
                    throw new ModelDesignException($"Response '{design.ResponseName}' is {response[i].ToString(System.Globalization.CultureInfo.InvariantCulture)} at row {i}, outside the category indices 0..{categories.Length - 1} of ({string.Join(", ", categories)}).", design.ResponseName, i);
                y[i] = (int)response[i];
            }
        }
        else
        {
            var values = response.Distinct().Order().ToArray();
            categories = values.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            for (int i = 0; i < n; i++) y[i] = Array.BinarySearch(values, response[i]);
        }
        if (categories.Length < 3)
            throw new ModelDesignException($"Response '{design.ResponseName}' has {categories.Length} categories ({string.Join(", ", categories)}): an ordinal model needs at least three. With two categories the response is binary: fit it with Family = Binomial (logit or probit), which is the same model.", design.ResponseName);
        var counts = new int[categories.Length];
        foreach (int c in y) counts[c]++;
        int empty = Array.IndexOf(counts, 0);
        if (empty >= 0)
            throw new ModelDesignException($"Category '{categories[empty]}' of response '{design.ResponseName}' has no rows: its threshold{(empty == 0 || empty == categories.Length - 1 ? " is" : "s are")} not identified (the estimate would be infinite). Merge it with a neighbouring category or drop it from the levels.", design.ResponseName);
        if (design.ResidualCorrelation is not null || design.ResidualVariance is not null || design.ResidualMultivariate is not null)
            throw new ModelDesignException("Residual correlation and variance functions belong to Gaussian models; an ordinal model has no residual to structure.", "ResidualCorrelation");
        if (design.Terms.FirstOrDefault(t => t.IsMultipleMembership) is { } membership)
            throw new ModelDesignException($"Term '{membership.Name}' is a multiple-membership term, which ordinal models do not fit yet (Gaussian models do): give each row one '{membership.Name}' level, or fit a Gaussian model.", membership.Name);

        // Constant columns (the intercept) are absorbed by the thresholds.
        var keep = new List<int>();
        var constant = new List<string>();
        for (int c = 0; c < design.FixedEffectCount; c++)
        {
            var col = design.FixedEffects.AsSpan(c * n, n);
            bool isConstant = true;
            for (int i = 1; i < n && isConstant; i++) isConstant = col[i] == col[0];
            if (isConstant) constant.Add(design.FixedEffectNames[c]); else keep.Add(c);
        }
        var x = new double[n * keep.Count];
        for (int c = 0; c < keep.Count; c++) Array.Copy(design.FixedEffects, keep[c] * n, x, c * n, n);
        var inner = new ModelDesign
        {
            ResponseName = design.ResponseName,
            Response = new double[n],
            FixedEffects = x,
            FixedEffectNames = keep.Select(c => design.FixedEffectNames[c]).ToArray(),
            Terms = design.Terms,
            Family = ResponseFamily.Ordinal,
            RowsDropped = design.RowsDropped,
        };
        var structure = MixedModelProblem.Create(inner);   // validates lengths, levels and terms
        var weights = design.Weights ?? Enumerable.Repeat(1.0, n).ToArray();
        if (weights.Length != n) throw new ModelDesignException($"Weights has {weights.Length} values but the response has {n} rows.", "Weights");
        for (int i = 0; i < n; i++)
            if (!(weights[i] >= 0) || !double.IsFinite(weights[i]))
                throw new ModelDesignException($"Prior weight is {weights[i].ToString(System.Globalization.CultureInfo.InvariantCulture)} at row {i}: weights must be finite and non-negative.", "Weights", i);
        var offset = design.Offset ?? new double[n];
        if (offset.Length != n) throw new ModelDesignException($"Offset has {offset.Length} values but the response has {n} rows.", "Offset");
        var kept = structure.KeptColumns;
        var xk = x;
        if (kept.Length < keep.Count)
        {
            xk = new double[n * kept.Length];
            for (int c = 0; c < kept.Length; c++) Array.Copy(x, kept[c] * n, xk, c * n, n);
        }
        var names = kept.Select(c => inner.FixedEffectNames[c]).ToArray();
        var dropped = constant.Concat(structure.DroppedColumns).ToArray();
        var thresholds = design.Ordinal?.Thresholds ?? ThresholdStructure.Flexible;
        return new OrdinalProblem(design, structure, link, y, categories, thresholds, offset, weights, names, dropped) { X = xk };
    }
}
