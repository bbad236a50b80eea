namespace TypedMixed.Generated;

/// <summary>
/// What every generated random-effects term class shares: the runtime's term, its clusters, the variance of the first
/// column, the predicted effects and sizes per cluster, conditional standard deviations and the term's contribution to
/// predictions. A generated class adds only what its model makes known at compile time (a member per column,
/// correlations, intraclass correlations).
/// </summary>
/// <typeparam name="TKey">The classification's key type (a tuple, outermost first, for a nested classification).</typeparam>
/// <typeparam name="TEffect">One cluster's predicted effects: a double for a single column, a record struct otherwise.</typeparam>
public abstract class TermEffects<TKey, TEffect> where TKey : notnull
{
    private readonly LevelSet<TKey> _levels;

    /// <summary>Reads the term's per-cluster values; <paramref name="effect"/> makes one cluster's effects from its level index.</summary>
    protected TermEffects(RandomEffectsTermFit term, LevelSet<TKey> levels, string classification, Func<RandomEffectsTermFit, int, TEffect> effect)
    {
        ArgumentNullException.ThrowIfNull(term);
        ArgumentNullException.ThrowIfNull(levels);
        ArgumentNullException.ThrowIfNull(effect);
        Term = term;
        _levels = levels;
        Classification = classification;
        var effects = new TEffect[levels.Count];
        var sizes = new int[levels.Count];
        for (int l = 0; l < levels.Count; l++)
        {
            effects[l] = effect(term, l);
            sizes[l] = term.LevelSizes[l];
        }
        Effects = new ClusterDictionary<TKey, TEffect>(levels, effects, classification);
        Sizes = new ClusterDictionary<TKey, int>(levels, sizes, classification);
    }

    /// <summary>The runtime's view of the term: covariance matrix, conditional modes and their variances by level index.</summary>
    public RandomEffectsTermFit Term { get; }

    /// <summary>The classification the effects vary over, as declared (the innermost one of a nested classification).</summary>
    public string Classification { get; }

    /// <summary>The clusters, in level order.</summary>
    public IReadOnlyList<TKey> Levels => _levels;

    /// <summary>Variance of the first column's effects (the intercept's, when the term has one).</summary>
    public double Variance => Term.Variance(0);

    /// <summary>Standard deviation of the first column's effects.</summary>
    public double StdDev => Term.StdDev(0);

    /// <summary>Standard error of <see cref="Variance"/> (observed information; NaN on the boundary or when not computed).</summary>
    public double VarianceStdError => Term.VarianceStdError(0);

    /// <summary>
    /// Each cluster's predicted effects (conditional modes, BLUPs). A key that is not a cluster of the fitted data throws a
    /// <see cref="KeyNotFoundException"/> naming the classification and some valid keys.
    /// </summary>
    public IReadOnlyDictionary<TKey, TEffect> Effects { get; }

    /// <summary>Each cluster's number of observations (rows fitted); they sum to the rows fitted.</summary>
    public IReadOnlyDictionary<TKey, int> Sizes { get; }

    /// <summary>Conditional standard deviation of effect <paramref name="column"/> of cluster <paramref name="key"/>.</summary>
    /// <exception cref="KeyNotFoundException">The key is not a cluster of the fitted data.</exception>
    public double ConditionalStdDev(TKey key, int column = 0) => _levels.TryGetIndex(key, out int level)
        ? Term.ConditionalStdDev(level, column)
        : throw ClusterDictionary<TKey, TEffect>.UnknownKey(_levels, Classification, key);

    /// <summary>
    /// Adds the term's contribution z·b̂ to each row's <paramref name="prediction"/>. <paramref name="term"/> is the term
    /// as the prediction's design coded it: each row's level among <paramref name="levels"/> (the new records' own
    /// clusters) and the term's columns for those rows. Each of those clusters is looked up once among the fitted ones,
    /// not once per row. A cluster not in the fitted data contributes zero when <paramref name="allowNewLevels"/> (lme4's
    /// <c>allow.new.levels</c>: its effects are the population mean); otherwise it is an error naming the classification,
    /// the key and the fix.
    /// </summary>
    /// <exception cref="ModelDesignException">A cluster is not in the fitted data and new levels are not allowed.</exception>
    public void AddContributions(double[] prediction, LevelSet<TKey> levels, RandomEffectsTerm term, bool allowNewLevels)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(levels);
        ArgumentNullException.ThrowIfNull(term);
        var fitted = new int[levels.Count];
        for (int l = 0; l < fitted.Length; l++)
            fitted[l] = _levels.TryGetIndex(levels[l], out int level) ? level : -1;
        int n = prediction.Length;
        var codes = term.LevelIndex;
        var z = term.Columns;
        int q = n == 0 ? 0 : z.Length / n;
        var modes = Term.ConditionalModes;
        for (int i = 0; i < n; i++)
        {
            int level = fitted[codes[i]];
            if (level < 0)
            {
                if (allowNewLevels) continue;
                throw new ModelDesignException(
                    $"Record {i} is in '{Classification}' cluster '{_levels.Format(levels[codes[i]])}', which is not in the fitted data ({_levels.Sample()}). " +
                    "Pass allowNewLevels: true to predict it at the population level (its random effects zero, as lme4's allow.new.levels = TRUE), or predict a fitted cluster.",
                    Classification, i);
            }
            double sum = 0.0;
            for (int c = 0; c < q; c++) sum += modes[level, c] * z[c * n + i];
            prediction[i] += sum;
        }
    }

    /// <summary>
    /// Adds, for each row whose cluster is not in the fitted data (or every row, with <paramref name="all"/>), the variance
    /// z'Σz of the term's contribution, Σ its estimated covariance: the spread over which a prediction for an unknown
    /// cluster integrates (ordinal category probabilities). Rows of fitted clusters add nothing unless <paramref name="all"/>.
    /// </summary>
    public void AddUnknownClusterVariance(double[] variance, LevelSet<TKey> levels, RandomEffectsTerm term, bool all)
    {
        ArgumentNullException.ThrowIfNull(variance);
        ArgumentNullException.ThrowIfNull(levels);
        ArgumentNullException.ThrowIfNull(term);
        var known = new bool[levels.Count];
        for (int l = 0; l < known.Length; l++) known[l] = !all && _levels.TryGetIndex(levels[l], out _);
        int n = variance.Length;
        var codes = term.LevelIndex;
        var z = term.Columns;
        int q = n == 0 ? 0 : z.Length / n;
        var sigma = Term.Covariance;
        for (int i = 0; i < n; i++)
        {
            if (known[codes[i]]) continue;
            double sum = 0.0;
            for (int a = 0; a < q; a++)
                for (int b = 0; b < q; b++) sum += z[a * n + i] * sigma[a, b] * z[b * n + i];
            variance[i] += sum;
        }
    }
}
