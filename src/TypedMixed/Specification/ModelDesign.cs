namespace TypedMixed;

/// <summary>
/// The contract between generated code (or a hand-written caller) and the estimator: the response, the
/// fixed-effects matrix with column names, and the random-effects terms. The runtime never sees the user's types.
/// </summary>
/// <remarks>
/// Matrices are column-major: value (row i, column c) of <see cref="FixedEffects"/> is
/// <c>FixedEffects[c * Rows + i]</c>. Call <see cref="Validate"/> (the estimator does) to get a
/// <see cref="ModelDesignException"/> naming the column and row of the first problem.
/// </remarks>
public sealed class ModelDesign
{
    /// <summary>Name of the response, for reporting.</summary>
    public string ResponseName { get; init; } = "y";

    /// <summary>The response, one value per row.</summary>
    public required double[] Response { get; init; }

    /// <summary>The fixed-effects model matrix X, column-major (rows × <see cref="FixedEffectNames"/>.Count).</summary>
    public required double[] FixedEffects { get; init; }

    /// <summary>Names of the columns of X, e.g. <c>(Intercept)</c>, <c>standLRT</c>, <c>sexM</c>.</summary>
    public required IReadOnlyList<string> FixedEffectNames { get; init; }

    /// <summary>The random-effects terms, in the order they are reported.</summary>
    public required IReadOnlyList<RandomEffectsTerm> Terms { get; init; }

    /// <summary>
    /// The response's distribution given the random effects. <see cref="ResponseFamily.Gaussian"/> (the default) is a
    /// linear mixed model; the others are fitted by <see cref="GeneralizedLinearMixedModel"/>.
    /// </summary>
    public ResponseFamily Family { get; init; } = ResponseFamily.Gaussian;

    /// <summary>The link function; <see cref="LinkFunction.Canonical"/> (the default) takes the family's canonical link.</summary>
    public LinkFunction Link { get; init; } = LinkFunction.Canonical;

    /// <summary>
    /// Binomial only: the number of trials of each row, with <see cref="Response"/> the number of successes
    /// (lme4's <c>cbind(successes, trials − successes)</c>). Null: the response is 0/1 (Bernoulli).
    /// </summary>
    public double[]? Trials { get; init; }

    /// <summary>
    /// Ordinal models only: the ordered category names and the threshold structure. Null for an ordinal model: the
    /// categories are the distinct response values in increasing order.
    /// </summary>
    public OrdinalResponse? Ordinal { get; init; }

    /// <summary>A known term added to the linear predictor of each row (e.g. log exposure for counts); null: none.</summary>
    public double[]? Offset { get; init; }

    /// <summary>
    /// Prior weights, one per row, non-negative (lme4's <c>weights</c>): each row's log-likelihood is multiplied by its
    /// weight. Binomial proportions with <c>weights = trials</c> are better given as <see cref="Trials"/>. Null: all 1.
    /// </summary>
    public double[]? Weights { get; init; }

    /// <summary>
    /// Gaussian models only: correlation of the level-1 residuals within clusters (AR(1), continuous-time AR(1)).
    /// Null: residuals are independent.
    /// </summary>
    public ResidualCorrelation? ResidualCorrelation { get; init; }

    /// <summary>Gaussian models only: a level-1 variance function (varIdent, varExp, varPower, log-linear, quadratic). Null: constant σ².</summary>
    public ResidualVarianceFunction? ResidualVariance { get; init; }

    /// <summary>
    /// Gaussian models only: the rows are several responses of the same units, stacked, with residuals correlated within a
    /// unit across responses (see <see cref="MultivariateResidual"/>). Null: a single response.
    /// </summary>
    public MultivariateResidual? ResidualMultivariate { get; init; }

    /// <summary>Rows dropped before the design was built (e.g. missing values), reported on the fit.</summary>
    public int RowsDropped { get; init; }

    /// <summary>Number of rows (observations).</summary>
    public int Rows => Response.Length;

    /// <summary>Number of fixed-effects columns.</summary>
    public int FixedEffectCount => FixedEffectNames.Count;

    /// <summary>
    /// Checks lengths, finiteness and level indices, and throws a <see cref="ModelDesignException"/>
    /// naming the first offending column and row.
    /// </summary>
    public void Validate()
    {
        var response = Response;
        int n = response?.Length ?? 0;
        if (response is null || n == 0)
            throw new ModelDesignException("The design has no rows: the response is empty. Pass at least one observation per level and more observations than parameters.");
        if (FixedEffectNames is null || FixedEffects is null)
            throw new ModelDesignException("The fixed-effects matrix or its names are missing.");
        int p = FixedEffectNames.Count;
        if (FixedEffects.Length != n * p)
            throw new ModelDesignException($"The fixed-effects matrix has {FixedEffects.Length} values, but {n} rows × {p} columns ({string.Join(", ", FixedEffectNames)}) need {n * p}. It must be column-major, one column per name.");
        for (int i = 0; i < n; i++)
            if (!double.IsFinite(response[i]))
                throw new ModelDesignException($"Response '{ResponseName}' is {Format(response[i])} at row {i}. Remove the row or replace the value; the response must be finite.", ResponseName, i);
        for (int c = 0; c < p; c++)
            for (int i = 0; i < n; i++)
            {
                double v = FixedEffects[c * n + i];
                if (!double.IsFinite(v))
                    throw new ModelDesignException($"Fixed-effects column '{FixedEffectNames[c]}' is {Format(v)} at row {i}. Remove the row or replace the value; covariates must be finite.", FixedEffectNames[c], i);
            }
        if (ResidualMultivariate is not null && Family != ResponseFamily.Gaussian)
            throw new ModelDesignException($"A multivariate design (ResidualMultivariate) is Gaussian; this design's family is {Family}. Fit each response alone with its family, or drop ResidualMultivariate.", "ResidualMultivariate");
        if (Terms is null || Terms.Count == 0)
            throw new ModelDesignException("The design has no random-effects term. A mixed model needs at least one classification; for a single-level model use ordinary least squares.");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var term in Terms)
        {
            if (string.IsNullOrEmpty(term.Name))
                throw new ModelDesignException("A random-effects term has no name.");
            if (term.Memberships is null && (term.LevelIndex is null || term.LevelIndex.Length != n))
                throw new ModelDesignException($"Term '{term.Name}' has {term.LevelIndex?.Length ?? 0} level indices but the response has {n} rows: give one level per row.", term.Name);
            int q = term.ColumnNames?.Count ?? 0;
            if (q == 0)
                throw new ModelDesignException($"Term '{term.Name}' has no columns: add an intercept (a column of ones) or a slope.", term.Name);
            if (term.Columns is null || term.Columns.Length != n * q)
                throw new ModelDesignException($"Term '{term.Name}' has {term.Columns?.Length ?? 0} column values, but {n} rows × {q} columns need {n * q} (column-major).", term.Name);
            if (!seen.Add(term.Name + "|" + string.Join(",", term.ColumnNames!)))
                throw new ModelDesignException($"Term '{term.Name}' with columns ({string.Join(", ", term.ColumnNames!)}) appears twice. Remove the duplicate.", term.Name);
            int levels = term.LevelKeys?.Count ?? 0;
            if (levels == 0)
                throw new ModelDesignException($"Term '{term.Name}' has no levels.", term.Name);
            if (term.Memberships is { } memberships)
            {
                if (term.LevelIndex is { Length: > 0 })
                    throw new ModelDesignException($"Term '{term.Name}' has both level indices and memberships. A multiple-membership term gives only Memberships.", term.Name);
                if (Family != ResponseFamily.Gaussian)
                    throw new ModelDesignException($"Term '{term.Name}' is a multiple-membership term; these are fitted for Gaussian (linear) models only so far.", term.Name);
                memberships.Validate(term.Name, n, term.LevelKeys!);
            }
            var used = new bool[levels];
            for (int i = 0; i < n && term.Memberships is null; i++)
            {
                int l = term.LevelIndex[i];
                if ((uint)l >= (uint)levels)
                    throw new ModelDesignException($"Term '{term.Name}' has level index {l} at row {i}, outside 0..{levels - 1}.", term.Name, i);
                used[l] = true;
            }
            int unused = term.Memberships is null ? Array.IndexOf(used, false) : -1;
            if (unused >= 0)
                throw new ModelDesignException($"Level '{term.LevelKeys![unused]}' of term '{term.Name}' has no rows. Drop unused levels before fitting.", term.Name);
            if (levels < 2)
                throw new ModelDesignException($"Term '{term.Name}' has a single level ('{term.LevelKeys![0]}'): its variance cannot be estimated. Remove the term or use data with at least two clusters.", term.Name);
            if ((long)levels * q >= n && !AllowsObservationLevelEffects)
                throw new ModelDesignException(
                    $"Term '{term.Name}' has {levels} levels × {q} effect(s) = {(long)levels * q} random effects for {n} observations: its variances cannot be separated from the residual variance (with one observation per cluster, a cluster effect and the residual are the same thing). " +
                    "Remove the term, drop its random slopes, or use data with several observations per cluster (lme4 stops here too).", term.Name);
            for (int c = 0; c < q; c++)
                for (int i = 0; i < n; i++)
                {
                    double v = term.Columns[c * n + i];
                    if (!double.IsFinite(v))
                        throw new ModelDesignException($"Random-effects column '{term.ColumnNames![c]}' of term '{term.Name}' is {Format(v)} at row {i}. Remove the row or replace the value.", term.ColumnNames[c], i);
                }
        }
    }

    /// <summary>
    /// A generalized model whose rows carry more than one Bernoulli trial (binomial counts, Poisson, negative binomial)
    /// identifies an effect per observation (lme4 users add one for overdispersion); a linear or 0/1 model does not.
    /// </summary>
    private bool AllowsObservationLevelEffects =>
        Family is ResponseFamily.Poisson or ResponseFamily.NegativeBinomial || (Family == ResponseFamily.Binomial && Trials is not null);

    /// <summary>
    /// Checks the response, trials, offset and prior weights against the family: counts are non-negative integers,
    /// successes lie between 0 and the trials, a 0/1 response is 0 or 1 (a proportion needs trials or weights), the
    /// response is not the same in every row; throws a <see cref="ModelDesignException"/> naming the member, row and fix.
    /// </summary>
    public void ValidateFamily()
    {
        int n = Rows;
        CheckFinite(Offset, "Offset", "offsets");
        CheckFinite(Weights, "Weights", "prior weights");
        CheckFinite(Trials, "Trials", "trials");
        if (Weights is { } w)
            for (int i = 0; i < n; i++)
                if (w[i] < 0)
                    throw new ModelDesignException($"Prior weight is {w[i].ToString(System.Globalization.CultureInfo.InvariantCulture)} at row {i}. Weights must be non-negative; remove the row or fix the weight.", "Weights", i);
        if (Trials is not null && Family != ResponseFamily.Binomial)
            throw new ModelDesignException($"Trials are given for a {FamilyName} model. Trials belong to binomial responses (successes out of trials): set Family = Binomial or drop the trials.", "Trials");
        var y = Response;
        string name = ResponseName;
        switch (Family)
        {
            case ResponseFamily.Binomial when Trials is { } m:
                for (int i = 0; i < n; i++)
                {
                    if (!(m[i] > 0) || m[i] != Math.Floor(m[i]))
                        throw new ModelDesignException($"Trials are {Text(m[i])} at row {i}: each row needs a positive whole number of trials. Remove the row or fix the count.", "Trials", i);
                    if (y[i] < 0 || y[i] > m[i] || y[i] != Math.Floor(y[i]))
                        throw new ModelDesignException($"Response '{name}' (successes) is {Text(y[i])} at row {i} with {Text(m[i])} trials: successes must be a whole number from 0 to the trials. Check that the response counts successes, not a proportion.", name, i);
                }
                CheckNotConstant(y, m, name);
                break;
            case ResponseFamily.Binomial:
                for (int i = 0; i < n; i++)
                {
                    if (y[i] < 0 || y[i] > 1)
                        throw new ModelDesignException($"Response '{name}' is {Text(y[i])} at row {i}, outside [0, 1]. A binomial response without trials is 0/1 (or a proportion with weights = trials); for counts of successes give the trials.", name, i);
                    if (y[i] != 0 && y[i] != 1 && Weights is null)
                        throw new ModelDesignException($"Response '{name}' is {Text(y[i])} at row {i}: a 0/1 response must be 0 or 1. A proportion needs its number of trials: give Trials (successes as the response) or the trials as Weights.", name, i);
                }
                CheckNotConstant(y, null, name);
                break;
            case ResponseFamily.Poisson or ResponseFamily.NegativeBinomial:
                for (int i = 0; i < n; i++)
                    if (y[i] < 0 || y[i] != Math.Floor(y[i]))
                        throw new ModelDesignException($"Response '{name}' is {Text(y[i])} at row {i}: a {FamilyName} response is a count, a whole number ≥ 0. Fix the value or use another family.", name, i);
                bool allZero = true;
                for (int i = 0; i < n && allZero; i++) allZero = y[i] == 0;
                if (allZero)
                    throw new ModelDesignException($"Response '{name}' is 0 in every row: there is nothing to model (the rate's estimate would be 0, its logarithm −∞).", name);
                break;
        }
    }

    private string FamilyName => Family switch
    {
        ResponseFamily.Binomial => "binomial",
        ResponseFamily.Poisson => "Poisson",
        ResponseFamily.NegativeBinomial => "negative binomial",
        ResponseFamily.Ordinal => "ordinal",
        _ => "Gaussian",
    };

    private void CheckFinite(double[]? values, string member, string what)
    {
        if (values is null) return;
        if (values.Length != Rows)
            throw new ModelDesignException($"{member} has {values.Length} values but the response has {Rows} rows: give one per row.", member);
        for (int i = 0; i < values.Length; i++)
            if (!double.IsFinite(values[i]))
                throw new ModelDesignException($"{member} is {Format(values[i])} at row {i}. Remove the row or replace the value; {what} must be finite.", member, i);
    }

    private static void CheckNotConstant(double[] y, double[]? trials, string name)
    {
        bool allZero = true, allOne = true;
        for (int i = 0; i < y.Length; i++)
        {
            if (y[i] != 0) allZero = false;
            if (y[i] != (trials is null ? 1 : trials[i])) allOne = false;
        }
        if (allZero || allOne)
            throw new ModelDesignException($"Response '{name}' is {(allZero ? "a failure (0)" : "a success")} in every row: a binomial model needs both outcomes (the log-odds would be {(allZero ? "−∞" : "+∞")}).", name);
    }

    private static string Text(double v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Format(double v) => double.IsNaN(v) ? "NaN" : v > 0 ? "+∞" : "−∞";
}

/// <summary>A <see cref="ModelDesign"/> that cannot be fitted; the message names the member, the row and the fix.</summary>
public sealed class ModelDesignException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public ModelDesignException(string message, string? member = null, int? row = null) : base(message)
    {
        Member = member;
        Row = row;
    }

    /// <summary>The column, term or member at fault, if one.</summary>
    public string? Member { get; }

    /// <summary>The zero-based row at fault, if one.</summary>
    public int? Row { get; }
}
