namespace TypedMixed;

/// <summary>The estimated covariance of one term's random effects, and the predicted effects of each of its levels.</summary>
public sealed class RandomEffectsTermFit
{
    internal RandomEffectsTermFit(string name, IReadOnlyList<string> columnNames, IReadOnlyList<string> levelKeys,
        CovarianceStructure structure, double[,] covariance, double[,] conditionalModes, Func<double[][,]> conditionalCovariances,
        int[] levelSizes, IReadOnlyList<VarianceComponent> components)
    {
        Name = name;
        LevelSizes = levelSizes;
        Components = components;
        ColumnNames = columnNames;
        LevelKeys = levelKeys;
        Structure = structure;
        Covariance = covariance;
        ConditionalModes = conditionalModes;
        _conditionalCovariances = new Lazy<double[][,]>(conditionalCovariances, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    private readonly Lazy<double[][,]> _conditionalCovariances;

    /// <summary>The classification's name.</summary>
    public string Name { get; }

    /// <summary>Names of the effects (columns), e.g. <c>(Intercept)</c>, <c>Days</c>.</summary>
    public IReadOnlyList<string> ColumnNames { get; }

    /// <summary>The level keys, in the order of the rows of <see cref="ConditionalModes"/>.</summary>
    public IReadOnlyList<string> LevelKeys { get; }

    /// <summary>The covariance structure that was fitted.</summary>
    public CovarianceStructure Structure { get; }

    /// <summary>Number of levels.</summary>
    public int LevelCount => LevelKeys.Count;

    /// <summary>
    /// For a multiple-membership term, the mean over rows of Σ ω² (a row's weights squared and summed): the row's
    /// share of the term's variance is Σ ω² · σ²_u. Null for an ordinary term.
    /// </summary>
    public double? MeanSquaredWeightSum { get; internal init; }

    /// <summary>Whether the term is a multiple-membership term (its rows carry several weighted levels).</summary>
    public bool IsMultipleMembership => MeanSquaredWeightSum is not null;

    /// <summary>Number of observations in each level (cluster sizes; rows that list the level for a multiple-membership term), in level order.</summary>
    public IReadOnlyList<int> LevelSizes { get; }

    /// <summary>This term's rows of <see cref="MixedModelFit.VarianceComponents"/>: variances then covariances, with standard errors.</summary>
    public IReadOnlyList<VarianceComponent> Components { get; }

    /// <summary>Standard error of the variance of effect <paramref name="column"/> (observed information; NaN on the boundary).</summary>
    public double VarianceStdError(int column = 0) =>
        Structure == CovarianceStructure.Scalar ? Components[0].StdError
        : Components.First(c => c.Kind == VarianceComponentKind.Variance && c.Var1 == ColumnNames[column]).StdError;

    /// <summary>Estimated covariance matrix Σ of one level's effects (q × q).</summary>
    public double[,] Covariance { get; }

    /// <summary>Variance of effect <paramref name="column"/>.</summary>
    public double Variance(int column = 0) => Covariance[column, column];

    /// <summary>Standard deviation of effect <paramref name="column"/>.</summary>
    public double StdDev(int column = 0) => Math.Sqrt(Covariance[column, column]);

    /// <summary>Correlation of effects <paramref name="a"/> and <paramref name="b"/> (NaN when a variance is zero).</summary>
    public double Correlation(int a, int b) => Covariance[a, b] / Math.Sqrt(Covariance[a, a] * Covariance[b, b]);

    /// <summary>Conditional modes (BLUPs, shrunken predictions) of the effects: levels × columns.</summary>
    public double[,] ConditionalModes { get; }

    /// <summary>
    /// Conditional covariance matrix of each level's effects given the data at the estimates (lme4's <c>condVar</c>),
    /// one q × q matrix per level. Computed on first use.
    /// </summary>
    public IReadOnlyList<double[,]> ConditionalCovariances => _conditionalCovariances.Value;

    /// <summary>Conditional standard deviation of effect <paramref name="column"/> of level <paramref name="level"/>.</summary>
    public double ConditionalStdDev(int level, int column = 0) => Math.Sqrt(_conditionalCovariances.Value[level][column, column]);
}
