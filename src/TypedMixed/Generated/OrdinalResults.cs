using TypedMixed.Presentation;

namespace TypedMixed.Generated;

/// <summary>
/// The K probabilities of an ordinal response's categories for one record, keyed by the response's enum member in the
/// order of the categories (lowest first). They sum to 1.
/// </summary>
/// <typeparam name="TCategory">The enum whose members are the ordered categories.</typeparam>
public sealed class CategoryProbabilities<TCategory> : IReadOnlyDictionary<TCategory, double> where TCategory : struct, Enum
{
    private readonly IReadOnlyList<TCategory> _categories;
    private readonly double[] _probabilities;

    /// <summary>Pairs each category (lowest first) with its probability.</summary>
    public CategoryProbabilities(IReadOnlyList<TCategory> categories, double[] probabilities)
    {
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(probabilities);
        if (categories.Count != probabilities.Length)
            throw new ArgumentException($"{categories.Count} categories but {probabilities.Length} probabilities.", nameof(probabilities));
        _categories = categories;
        _probabilities = probabilities;
    }

    /// <summary>The probability of <paramref name="category"/>.</summary>
    /// <exception cref="KeyNotFoundException">The value is not one of the model's categories.</exception>
    public double this[TCategory category] => TryGetValue(category, out double p)
        ? p
        : throw new KeyNotFoundException($"{category} is not a category of the model ({string.Join(", ", _categories)}).");

    /// <summary>P(Y ≤ <paramref name="category"/>): the probabilities of it and every lower category.</summary>
    /// <exception cref="KeyNotFoundException">The value is not one of the model's categories.</exception>
    public double AtMost(TCategory category)
    {
        int index = IndexOf(category);
        if (index < 0) _ = this[category];
        double sum = 0;
        for (int j = 0; j <= index; j++) sum += _probabilities[j];
        return sum;
    }

    /// <summary>The category with the highest probability (the lower one on a tie).</summary>
    public TCategory MostLikely
    {
        get
        {
            int best = 0;
            for (int j = 1; j < _probabilities.Length; j++) if (_probabilities[j] > _probabilities[best]) best = j;
            return _categories[best];
        }
    }

    /// <summary>The categories, lowest first.</summary>
    public IEnumerable<TCategory> Keys => _categories;

    /// <summary>The probabilities in category order.</summary>
    public IEnumerable<double> Values => _probabilities;

    /// <summary>Number of categories.</summary>
    public int Count => _probabilities.Length;

    /// <summary>Whether <paramref name="key"/> is one of the categories.</summary>
    public bool ContainsKey(TCategory key) => IndexOf(key) >= 0;

    /// <summary>The probability of <paramref name="key"/>, when it is a category.</summary>
    public bool TryGetValue(TCategory key, out double value)
    {
        int index = IndexOf(key);
        value = index >= 0 ? _probabilities[index] : 0;
        return index >= 0;
    }

    /// <summary>The (category, probability) pairs, lowest category first.</summary>
    public IEnumerator<KeyValuePair<TCategory, double>> GetEnumerator()
    {
        for (int j = 0; j < _probabilities.Length; j++) yield return new(_categories[j], _probabilities[j]);
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The probabilities as <c>Category=p</c> pairs.</summary>
    public override string ToString() =>
        string.Join(", ", this.Select(p => p.Key + "=" + p.Value.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)));

    private int IndexOf(TCategory category)
    {
        for (int j = 0; j < _categories.Count; j++)
            if (EqualityComparer<TCategory>.Default.Equals(_categories[j], category)) return j;
        return -1;
    }
}

/// <summary>
/// The thresholds τ₁ &lt; … &lt; τ_{K−1} of a generated ordinal model, P(Y ≤ j) = F(τⱼ − η). A generated subclass adds a
/// member per threshold named <c>Lower_Upper</c> after the two adjacent enum members it separates.
/// </summary>
/// <typeparam name="TCategory">The enum whose members are the ordered categories.</typeparam>
public abstract class OrdinalThresholds<TCategory> where TCategory : struct, Enum
{
    private readonly IReadOnlyList<TCategory> _categories;

    /// <summary>Keeps the fit's thresholds and the categories they separate.</summary>
    protected OrdinalThresholds(OrdinalMixedModelFit fit, IReadOnlyList<TCategory> categories)
    {
        ArgumentNullException.ThrowIfNull(fit);
        ArgumentNullException.ThrowIfNull(categories);
        All = fit.Thresholds;
        _categories = categories;
    }

    /// <summary>Every threshold, lowest first, named as clmm (<c>Lower|Upper</c>), with standard errors.</summary>
    public IReadOnlyList<FixedEffectEstimate> All { get; }

    /// <summary>The threshold between <paramref name="category"/> and the next higher category.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The category is the highest one (no threshold above it) or not a category.</exception>
    public FixedEffectEstimate Above(TCategory category)
    {
        for (int j = 0; j < _categories.Count - 1; j++)
            if (EqualityComparer<TCategory>.Default.Equals(_categories[j], category)) return All[j];
        throw new ArgumentOutOfRangeException(nameof(category), category,
            $"No threshold above {category}: the thresholds lie above {string.Join(", ", _categories.Take(_categories.Count - 1))}.");
    }
}

/// <summary>
/// The shared part of a generated ordinal (cumulative link) model's <c>Result</c>: the categories, predicted category
/// probabilities keyed by the response's enum, the clmm-style summary.
/// </summary>
/// <typeparam name="TData">The model's data type.</typeparam>
/// <typeparam name="TCategory">The response's enum, whose members are the ordered categories.</typeparam>
public abstract class OrdinalModelResult<TData, TCategory> : ModelResult<OrdinalMixedModelFit, TData> where TCategory : struct, Enum
{
    /// <summary>Keeps the fit, its design and the categories in order.</summary>
    protected OrdinalModelResult(OrdinalMixedModelFit fit, ModelDesign design, string formula, IReadOnlyList<TCategory> categories) : base(fit, design, formula)
    {
        ArgumentNullException.ThrowIfNull(categories);
        Categories = categories;
    }

    /// <summary>The categories, lowest first (the enum's members in declaration order).</summary>
    public IReadOnlyList<TCategory> Categories { get; }

    /// <summary>
    /// The linear predictors η of <paramref name="records"/> and, per record, the variance of the random effects that are
    /// integrated out: those of clusters not in the fitted data (<paramref name="allowNewLevels"/>), or of every cluster
    /// (<paramref name="averageAll"/>: then no conditional mode enters η). The generated result implements it with its encoder.
    /// </summary>
    protected abstract double[] LatentPredictions(IEnumerable<TData> records, bool allowNewLevels, bool averageAll, out double[] variance);

    /// <summary>
    /// The linear predictor η = xβ̂ (+ offset) + zb̂ of <paramref name="record"/> at its clusters' conditional modes, so that
    /// P(Y ≤ j) = F(τⱼ − η); the intercept is absorbed by the thresholds. A cluster not in the fitted data is an error
    /// unless <paramref name="allowNewLevels"/>; then its effects are zero.
    /// </summary>
    /// <exception cref="ModelDesignException">A member the prediction uses is null or undefined, or a cluster is new and not allowed.</exception>
    public double PredictLink(TData record, bool allowNewLevels = false) => Predictions(new[] { record }, fixedOnly: false, allowNewLevels)[0];

    /// <summary><see cref="PredictLink(TData, bool)"/> for many records, in their order; the records are encoded in one pass.</summary>
    /// <exception cref="ModelDesignException">As for one record.</exception>
    public double[] PredictLink(IEnumerable<TData> records, bool allowNewLevels = false) => Predictions(records, fixedOnly: false, allowNewLevels);

    /// <summary>
    /// The category probabilities of <paramref name="record"/> in its clusters: F(τⱼ − η) differences at the conditional
    /// modes. A cluster not in the fitted data is an error unless <paramref name="allowNewLevels"/>; then its random
    /// effects are integrated out (40-point Gauss–Hermite over N(0, z'Σz)), the prediction for an unknown cluster.
    /// </summary>
    /// <exception cref="ModelDesignException">A member the prediction uses is null or undefined, or a cluster is new and not allowed.</exception>
    public CategoryProbabilities<TCategory> Predict(TData record, bool allowNewLevels = false) => Predict(new[] { record }, allowNewLevels)[0];

    /// <summary><see cref="Predict(TData, bool)"/> for many records, in their order; the records are encoded in one pass.</summary>
    /// <exception cref="ModelDesignException">As for one record.</exception>
    public IReadOnlyList<CategoryProbabilities<TCategory>> Predict(IEnumerable<TData> records, bool allowNewLevels = false) =>
        Probabilities(LatentPredictions(records, allowNewLevels, averageAll: false, out var variance), variance);

    /// <summary>
    /// The category probabilities of <paramref name="record"/> in a typical cluster, every random effect zero (η = xβ̂):
    /// clmm's and lme4's <c>re.form = NA</c>. Only the fixed effects' covariates (and the offset) are read.
    /// </summary>
    /// <exception cref="ModelDesignException">A fixed-effect covariate is null or undefined.</exception>
    public CategoryProbabilities<TCategory> PredictFixed(TData record) => PredictFixed(new[] { record })[0];

    /// <summary><see cref="PredictFixed(TData)"/> for many records, in their order.</summary>
    /// <exception cref="ModelDesignException">A fixed-effect covariate is null or undefined.</exception>
    public IReadOnlyList<CategoryProbabilities<TCategory>> PredictFixed(IEnumerable<TData> records)
    {
        var eta = Predictions(records, fixedOnly: true, allowNewLevels: true);
        return Probabilities(eta, new double[eta.Length]);
    }

    /// <summary>
    /// The population-averaged category probabilities of <paramref name="record"/>: every random effect integrated out
    /// (40-point Gauss–Hermite over N(0, Σ z'Σz)), whatever its clusters; the share of such records in each category
    /// across clusters. The classification members are read for the random slopes' columns, their values are not used.
    /// </summary>
    /// <exception cref="ModelDesignException">A member the prediction uses is null or undefined.</exception>
    public CategoryProbabilities<TCategory> PredictPopulationAveraged(TData record) => PredictPopulationAveraged(new[] { record })[0];

    /// <summary><see cref="PredictPopulationAveraged(TData)"/> for many records, in their order.</summary>
    /// <exception cref="ModelDesignException">A member the prediction uses is null or undefined.</exception>
    public IReadOnlyList<CategoryProbabilities<TCategory>> PredictPopulationAveraged(IEnumerable<TData> records) =>
        Probabilities(LatentPredictions(records, allowNewLevels: true, averageAll: true, out var variance), variance);

    /// <summary>Variance of the standard latent distribution of the link: π²/3 (logit), 1 (probit), π²/6 (cloglog).</summary>
    public double LatentResidualVariance => Underlying.LatentResidualVariance;

    /// <summary>The summary in clmm's layout as plain text, headed by the declaration's formula unless <paramref name="options"/> name another.</summary>
    public string Summary(FitReportOptions? options = null) => FitSummary.ToText(Underlying, WithFormula(options));

    /// <summary>The summary as Markdown, headed by the declaration's formula.</summary>
    public string SummaryMarkdown(FitReportOptions? options = null) => FitSummary.ToMarkdown(Underlying, WithFormula(options));

    private CategoryProbabilities<TCategory>[] Probabilities(double[] eta, double[] variance)
    {
        var result = new CategoryProbabilities<TCategory>[eta.Length];
        for (int i = 0; i < eta.Length; i++)
            result[i] = new CategoryProbabilities<TCategory>(Categories, Underlying.CategoryProbabilities(eta[i], variance[i]));
        return result;
    }
}
