namespace TypedMixed.Generated;

/// <summary>
/// A covariate as the generated design builder coded it: numeric values, or category codes (0 = first level) with the
/// levels' names. Combined into model-matrix columns by <see cref="ModelMatrixBuilder"/>.
/// </summary>
/// <remarks>
/// A category gives treatment-contrast columns (one per level after the first, which is the reference) unless it is
/// coded by all its levels (<see cref="AllLevels"/>), as R's <c>model.matrix</c> codes the first factor of a model
/// without an intercept and a factor in an interaction whose margin is absent.
/// </remarks>
public sealed class DesignFactor
{
    private readonly int _firstLevel;

    private DesignFactor(string name, double[]? values, int[]? codes, IReadOnlyList<string>? levelNames, int firstLevel)
    {
        Name = name;
        Values = values;
        Codes = codes;
        LevelNames = levelNames;
        _firstLevel = firstLevel;
    }

    /// <summary>The member name.</summary>
    public string Name { get; }

    /// <summary>The values of a numeric covariate (null for a category).</summary>
    public double[]? Values { get; }

    /// <summary>Per-row level codes of a category (null for a numeric covariate).</summary>
    public int[]? Codes { get; }

    /// <summary>Level names of a category, reference first.</summary>
    public IReadOnlyList<string>? LevelNames { get; }

    /// <summary>A numeric covariate: one column named after the member.</summary>
    public static DesignFactor Numeric(string name, double[] values) => new(name, values, null, null, 0);

    /// <summary>A category: one treatment-contrast column per non-reference level, named member + level (lme4's <c>sexM</c>).</summary>
    public static DesignFactor Categorical(string name, int[] codes, IReadOnlyList<string> levelNames) => new(name, null, codes, levelNames, 1);

    /// <summary>
    /// The same category coded by a dummy column for every level, reference included (R's <c>contrasts = FALSE</c>:
    /// <c>sexBoy</c>, <c>sexGirl</c>). A numeric covariate is returned unchanged.
    /// </summary>
    public DesignFactor AllLevels() => Codes is null ? this : new(Name, null, Codes, LevelNames, 0);

    internal int ColumnCount => Values is not null ? 1 : LevelNames!.Count - _firstLevel;

    internal string ColumnName(int c) => Values is not null ? Name : Name + LevelNames![c + _firstLevel];

    internal double Value(int row, int c) => Values is not null ? Values[row] : Codes![row] == c + _firstLevel ? 1.0 : 0.0;
}

/// <summary>
/// Assembles a column-major model matrix (fixed effects X, or one term's random-effects columns Z) from coded covariates,
/// with lme4's column names and order: intercept, main effects, then interactions (first factor varying fastest).
/// </summary>
public sealed class ModelMatrixBuilder
{
    private readonly int _rows;
    private readonly List<double[]> _columns = [];
    private readonly List<string> _names = [];

    /// <summary>Creates a builder for <paramref name="rows"/> rows (coded arrays may be longer; the first rows are used).</summary>
    public ModelMatrixBuilder(int rows) => _rows = rows;

    /// <summary>Adds the intercept, a column of ones named <c>(Intercept)</c>.</summary>
    public void AddIntercept()
    {
        var ones = new double[_rows];
        Array.Fill(ones, 1.0);
        _columns.Add(ones);
        _names.Add("(Intercept)");
    }

    /// <summary>Adds a main effect (one factor) or an interaction (the products of the factors' columns, names joined by <c>:</c>).</summary>
    public void Add(params DesignFactor[] factors)
    {
        var counts = factors.Select(f => f.ColumnCount).ToArray();
        int total = counts.Aggregate(1, (a, b) => a * b);
        var digit = new int[factors.Length];
        for (int k = 0; k < total; k++)
        {
            int rest = k;
            for (int f = 0; f < factors.Length; f++)
            {
                digit[f] = rest % counts[f];
                rest /= counts[f];
            }
            var column = new double[_rows];
            for (int i = 0; i < _rows; i++)
            {
                double v = 1.0;
                for (int f = 0; f < factors.Length; f++)
                    v *= factors[f].Value(i, digit[f]);
                column[i] = v;
            }
            _columns.Add(column);
            _names.Add(string.Join(":", factors.Select((factor, f) => factor.ColumnName(digit[f]))));
        }
    }

    /// <summary>The column names, in order.</summary>
    public IReadOnlyList<string> Names => _names.ToArray();

    /// <summary>The matrix, column-major (rows × <see cref="Names"/>.Count).</summary>
    public double[] ToColumnMajor()
    {
        var values = new double[_rows * _columns.Count];
        for (int c = 0; c < _columns.Count; c++)
            Array.Copy(_columns[c], 0, values, c * _rows, _rows);
        return values;
    }
}
