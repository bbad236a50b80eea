using System.Globalization;

namespace TypedMixed;

/// <summary>
/// Several responses measured on the same units, in wide form (one value per unit and response, NaN where missing):
/// the input of <see cref="MultivariateMixedModel"/>. Every response gets every fixed-effects column, and every
/// classification one random intercept per response, correlated across responses (unstructured R × R); the residuals of
/// a unit are correlated across its responses (unstructured R × R). A unit that misses some responses contributes the
/// ones it has.
/// </summary>
/// <remarks>Matrices are column-major over units: value (unit u, column c) of <see cref="FixedEffects"/> is <c>FixedEffects[c * Units + u]</c>.</remarks>
public sealed class MultivariateDesign
{
    /// <summary>The responses' names, e.g. <c>written</c>, <c>course</c>.</summary>
    public required IReadOnlyList<string> ResponseNames { get; init; }

    /// <summary>Per response, one value per unit; <see cref="double.NaN"/> marks a missing value.</summary>
    public required IReadOnlyList<double[]> Responses { get; init; }

    /// <summary>The unit-level fixed-effects columns (each response gets all of them), column-major units × names.</summary>
    public required double[] FixedEffects { get; init; }

    /// <summary>Names of the fixed-effects columns, e.g. <c>(Intercept)</c>, <c>female</c>.</summary>
    public required IReadOnlyList<string> FixedEffectNames { get; init; }

    /// <summary>The classifications (e.g. <c>school</c>): each has a random intercept per response.</summary>
    public required IReadOnlyList<MultivariateClassification> Classifications { get; init; }

    /// <summary>Name of the unit level (e.g. <c>pupil</c>), for reporting.</summary>
    public string UnitName { get; init; } = "unit";

    /// <summary>How to name a unit in messages (e.g. "row 17 of Gcsemv.csv"); null: "unit u".</summary>
    public Func<int, string>? DescribeUnit { get; init; }

    /// <summary>Rows dropped before the design was built, reported on the fit.</summary>
    public int RowsDropped { get; init; }

    /// <summary>Number of units.</summary>
    public int Units => Responses is { Count: > 0 } ? Responses[0].Length : 0;

    internal string Unit(int u) => DescribeUnit?.Invoke(u) ?? $"{UnitName} {u}";

    /// <summary>
    /// Checks names, lengths, missingness (no unit without a response, no response without a value) and levels, and
    /// throws a <see cref="ModelDesignException"/> naming the response, column, unit and fix.
    /// </summary>
    public void Validate()
    {
        int r = ResponseNames?.Count ?? 0;
        if (r < 2)
            throw new ModelDesignException($"A multivariate model needs at least two responses; {r} given. Fit a single response with LinearMixedModel.", "ResponseNames");
        if (Responses is null || Responses.Count != r)
            throw new ModelDesignException($"{Responses?.Count ?? 0} response columns for {r} response names: give one column per name.", "Responses");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in ResponseNames!)
            if (!seen.Add(name))
                throw new ModelDesignException($"Response '{name}' is listed twice. List each response once.", name);
        int n = Units;
        if (n == 0) throw new ModelDesignException("The design has no units (the response columns are empty).", "Responses");
        for (int k = 0; k < r; k++)
        {
            if (Responses[k].Length != n)
                throw new ModelDesignException($"Response '{ResponseNames[k]}' has {Responses[k].Length} values but '{ResponseNames[0]}' has {n}: give one value per unit (NaN where missing).", ResponseNames[k]);
            int observed = 0;
            for (int u = 0; u < n; u++)
            {
                double y = Responses[k][u];
                if (double.IsNaN(y)) continue;
                if (!double.IsFinite(y))
                    throw new ModelDesignException($"Response '{ResponseNames[k]}' is {y.ToString(CultureInfo.InvariantCulture)} at {Unit(u)}. Give a finite value, or NaN (missing).", ResponseNames[k], u);
                observed++;
            }
            if (observed == 0)
                throw new ModelDesignException($"Response '{ResponseNames[k]}' is missing for every {UnitName}: it has nothing to model. Remove it from the responses.", ResponseNames[k]);
        }
        for (int u = 0; u < n; u++)
        {
            bool any = false;
            for (int k = 0; k < r && !any; k++) any = !double.IsNaN(Responses[k][u]);
            if (!any)
                throw new ModelDesignException($"{Unit(u)} has no response: {string.Join(", ", ResponseNames)} are all missing. Remove it (a unit contributes only the responses it has, and it has none).", ResponseNames[0], u);
        }
        int p = FixedEffectNames?.Count ?? 0;
        if (FixedEffects is null || FixedEffects.Length != n * p)
            throw new ModelDesignException($"The fixed-effects matrix has {FixedEffects?.Length ?? 0} values, but {n} units × {p} columns need {n * p} (column-major).", "FixedEffects");
        for (int c = 0; c < p; c++)
            for (int u = 0; u < n; u++)
                if (!double.IsFinite(FixedEffects[c * n + u]))
                    throw new ModelDesignException($"Fixed-effects column '{FixedEffectNames![c]}' is {FixedEffects[c * n + u].ToString(CultureInfo.InvariantCulture)} at {Unit(u)}. Remove the unit or give a finite value.", FixedEffectNames[c], u);
        if (Classifications is null || Classifications.Count == 0)
            throw new ModelDesignException("The design has no classification: a multivariate mixed model needs at least one (e.g. school).", "Classifications");
        foreach (var g in Classifications)
        {
            if (g.LevelIndex is null || g.LevelIndex.Length != n)
                throw new ModelDesignException($"Classification '{g.Name}' has {g.LevelIndex?.Length ?? 0} level indices for {n} units: give one level per unit.", g.Name);
            for (int u = 0; u < n; u++)
                if ((uint)g.LevelIndex[u] >= (uint)g.LevelKeys.Count)
                    throw new ModelDesignException($"Classification '{g.Name}' has level index {g.LevelIndex[u]} at {Unit(u)}, outside 0..{g.LevelKeys.Count - 1}.", g.Name, u);
            ValidateSlopes(g, n);
        }
    }

    /// <summary>The random covariates of <paramref name="g"/>: names, lengths, finite values, and not constant within the observed values of every response.</summary>
    private void ValidateSlopes(MultivariateClassification g, int n)
    {
        var names = g.RandomCovariateNames ?? [];
        if (!g.Intercept && names.Count == 0)
            throw new ModelDesignException($"Classification '{g.Name}' has neither a random intercept nor a random covariate: give it RandomCovariateNames, or set Intercept = true.", g.Name);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
            if (string.IsNullOrEmpty(name) || name == "(Intercept)" || !seen.Add(name))
                throw new ModelDesignException($"Classification '{g.Name}' lists the random covariate '{name}' {(string.IsNullOrEmpty(name) ? "without a name" : name == "(Intercept)" ? "as a covariate (the intercept is set by Intercept)" : "twice")}. Give each covariate once, by name.", g.Name);
        if (g.RandomCovariates is null || g.RandomCovariates.Length != n * names.Count)
            throw new ModelDesignException($"Classification '{g.Name}' has {g.RandomCovariates?.Length ?? 0} random-covariate values, but {n} units × {names.Count} covariates need {n * names.Count} (column-major).", g.Name);
        for (int j = 0; j < names.Count; j++)
        {
            for (int u = 0; u < n; u++)
                if (!double.IsFinite(g.RandomCovariates[j * n + u]))
                    throw new ModelDesignException($"Random covariate '{names[j]}' of classification '{g.Name}' is {g.RandomCovariates[j * n + u].ToString(CultureInfo.InvariantCulture)} at {Unit(u)}. Remove the unit or give a finite value.", names[j], u);
            // A covariate constant over the units that have a response (with an intercept beside it) gives that
            // response two identical random-effect columns: the covariance is not identifiable (lme4 stops on such a
            // rank-deficient term too).
            for (int k = 0; k < ResponseNames.Count; k++)
            {
                double first = double.NaN;
                bool varies = false;
                for (int u = 0; u < n && !varies; u++)
                {
                    if (double.IsNaN(Responses[k][u])) continue;
                    double v = g.RandomCovariates[j * n + u];
                    if (double.IsNaN(first)) first = v;
                    else varies = v != first;
                }
                if (!varies && (g.Intercept || first == 0))
                    throw new ModelDesignException(g.Intercept
                        ? $"Random covariate '{names[j]}' of classification '{g.Name}' is {first.ToString(CultureInfo.InvariantCulture)} for every {UnitName} with response '{ResponseNames[k]}': its random slope equals the random intercept there, so the covariance cannot be estimated. Remove '{names[j]}' from ({string.Join(" + ", ["1", .. names])} | {g.Name})."
                        : $"Random covariate '{names[j]}' of classification '{g.Name}' is 0 for every {UnitName} with response '{ResponseNames[k]}': that random effect has no data. Remove '{names[j]}' from the term of '{g.Name}'.",
                        names[j]);
            }
        }
    }
}

/// <summary>
/// A classification of the units (e.g. <c>school</c>). By default each response gets a random intercept; with
/// <see cref="RandomCovariateNames"/> each response k gets an intercept and a slope per covariate (columns
/// <c>k:(Intercept)</c>, <c>k:x</c>, … on response k's values and 0 elsewhere), all R(1 + s) effects correlated
/// (one unstructured covariance).
/// </summary>
public sealed class MultivariateClassification
{
    /// <summary>Its name, e.g. <c>school</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Each unit's level, in 0 .. <see cref="LevelKeys"/>.Count − 1.</summary>
    public required int[] LevelIndex { get; init; }

    /// <summary>The levels' keys as text.</summary>
    public required IReadOnlyList<string> LevelKeys { get; init; }

    /// <summary>Names of the covariates with a random slope per response (e.g. <c>female</c>); empty: intercepts only.</summary>
    public IReadOnlyList<string> RandomCovariateNames { get; init; } = [];

    /// <summary>The random covariates' values, column-major units × <see cref="RandomCovariateNames"/> (value of unit u, covariate j at <c>[j * Units + u]</c>).</summary>
    public double[] RandomCovariates { get; init; } = [];

    /// <summary>Whether each response gets a random intercept (true by default; false for <c>(0 + x | g)</c>, which needs a covariate).</summary>
    public bool Intercept { get; init; } = true;

    /// <summary>Random effects per response: the intercept (if any) and one per covariate.</summary>
    public int ColumnsPerResponse => (Intercept ? 1 : 0) + RandomCovariateNames.Count;

    /// <summary>Whether the classification has more than a random intercept per response.</summary>
    public bool HasSlopes => RandomCovariateNames.Count > 0 || !Intercept;

    /// <summary>
    /// The classification of a univariate random-effects term over the units: <c>(1 | g)</c> gives an intercept per
    /// response, <c>(1 + x | g)</c> an intercept and a slope of x per response, <c>(0 + x | g)</c> slopes only; all of
    /// them correlated.
    /// </summary>
    /// <exception cref="ModelDesignException">The term has multiple memberships or uncorrelated (diagonal) effects.</exception>
    public static MultivariateClassification FromTerm(RandomEffectsTerm term)
    {
        ArgumentNullException.ThrowIfNull(term);
        if (term.IsMultipleMembership)
            throw new ModelDesignException($"Term '{term.Name}' has multiple memberships: a multivariate model takes one level per unit. Give each unit one level of '{term.Name}'.", term.Name);
        if (term.Covariance != CovarianceStructure.Unstructured && term.ColumnCount > 1)
            throw new ModelDesignException($"Term '{term.Name}' has uncorrelated effects: a multivariate model correlates all random effects of a classification (across responses too). Make the term correlated.", term.Name);
        int n = term.LevelIndex.Length;
        bool intercept = term.ColumnCount > 0 && term.ColumnNames[0] == "(Intercept)";
        int first = intercept ? 1 : 0, s = term.ColumnCount - first;
        var values = new double[n * s];
        Array.Copy(term.Columns, first * n, values, 0, n * s);
        return new MultivariateClassification
        {
            Name = term.Name,
            LevelIndex = term.LevelIndex,
            LevelKeys = term.LevelKeys,
            Intercept = intercept,
            RandomCovariateNames = [.. term.ColumnNames.Skip(first)],
            RandomCovariates = values,
        };
    }

    /// <summary>Name of the per-response column j: <c>(Intercept)</c> or a covariate's name.</summary>
    internal string ColumnName(int j) => Intercept ? (j == 0 ? "(Intercept)" : RandomCovariateNames[j - 1]) : RandomCovariateNames[j];

    /// <summary>Unit u's value of per-response column j (1 for the intercept).</summary>
    internal double Value(int j, int u, int units) => Intercept ? (j == 0 ? 1 : RandomCovariates[(j - 1) * units + u]) : RandomCovariates[j * units + u];
}
