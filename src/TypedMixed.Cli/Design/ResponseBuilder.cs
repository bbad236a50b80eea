using System.Globalization;
using TypedMixed.Cli.Data;
using TypedMixed.Cli.Formulas;

namespace TypedMixed.Cli.Design;

/// <summary>The response of a design as the family needs it: values, binomial trials, prior weights, and notes for stderr.</summary>
internal sealed record BuiltResponse(double[] Values, double[]? Trials, double[]? Weights, IReadOnlyList<string> Notes)
{
    /// <summary>Ordinal responses: the categories from lowest to highest (<see cref="Values"/> holds indices into them).</summary>
    public IReadOnlyList<string>? Categories { get; init; }
}

/// <summary>
/// Turns the formula's left-hand side into the response of a <see cref="ModelDesign"/> for its family, as glmer reads
/// it: <c>cbind(successes, failures)</c> gives successes and trials; a binomial column is 0/1, TRUE/FALSE, two text
/// levels (the second in sorted order is the event, as R's factor) or proportions with the trials as
/// <c>--weights</c>; Poisson and negative binomial responses are counts. Every rejection names the file, row, column
/// and the fix.
/// </summary>
internal static class ResponseBuilder
{
    /// <param name="response">The response term.</param>
    /// <param name="family">The family given on the command line; null when none was (a Gaussian model).</param>
    /// <param name="kept">Rows of <paramref name="table"/> kept (complete cases).</param>
    /// <param name="numbers">A numeric variable's values on the kept rows.</param>
    /// <param name="factor">A text response's level per kept row and its levels (reference first), or null.</param>
    /// <param name="weights">Prior weights on the kept rows, or null.</param>
    /// <param name="ordinalLevels">Ordinal models: the categories from lowest to highest (<c>--levels</c>), or null.</param>
    public static BuiltResponse Build(ResponseTerm response, ResponseFamily? family, CsvTable table, int[] kept,
        Func<Variable, double[]> numbers, (int[] Index, IReadOnlyList<string> Levels)? factor, double[]? weights,
        IReadOnlyList<string>? ordinalLevels = null)
    {
        int n = kept.Length;
        var notes = new List<string>();
        string where(int i) => $"{table.DescribeRow(kept[i])} of {table.Source}";
        var fam = family ?? ResponseFamily.Gaussian;

        if (response.IsCbind)
        {
            // Checked before the data is read (CheckFamily); here the family is binomial.
            var successes = response.Successes!.Evaluate(numbers, n);
            var failures = response.Failures!.Evaluate(numbers, n);
            var trials = new double[n];
            for (int i = 0; i < n; i++)
            {
                double s = successes[i], f = failures[i];
                // Described only when a row is wrong: where() may have to find the row's line in the file.
                string Pair() => $"cbind({response.Successes}, {response.Failures}) is ({Number(s)}, {Number(f)}) at {where(i)}";
                if (!double.IsFinite(s) || !double.IsFinite(f))
                    throw new CliException($"{Pair()}; both parts must be finite numbers. Fix or blank the values (blank and NA drop the row).");
                if (s < 0 || s != Math.Floor(s))
                    throw new CliException($"{Pair()}: the successes must be a count (a non-negative integer). cbind() takes (successes, failures), e.g. cbind(incidence, size - incidence).");
                if (f < 0 || f != Math.Floor(f))
                    throw new CliException(f < 0
                        ? $"{Pair()}: the successes ({Number(s)}) exceed the trials ({Number(s + f)}), so the failures are negative. cbind() takes (successes, failures), e.g. cbind(incidence, size - incidence); fix the row or the formula."
                        : $"{Pair()}: the failures must be a count (a non-negative integer). cbind() takes (successes, failures), e.g. cbind(incidence, size - incidence).");
                trials[i] = s + f;
            }
            return new BuiltResponse(successes, trials, weights, notes);
        }

        if (response.Expression is { } expression)
        {
            // A computed response (log(Reaction)): finite on every kept row.
            var computed = expression.Evaluate(numbers, n);
            for (int i = 0; i < n; i++)
                if (!double.IsFinite(computed[i]))
                {
                    string inputs = string.Join(", ", expression.Variables().Select(v => v.Column).Distinct().Select(c => $"{c} = {table.Column(c).Raw[kept[i]]}"));
                    throw new CliException($"The response {response.Label} is {Number(computed[i])} at {where(i)} ({inputs}); the response must be finite (log or sqrt of zero or a negative number?). Fix or blank the value (the row is then dropped).");
                }
            return Numeric(response.Label, computed, family, where, weights, notes);
        }
        var variable = response.Variable!;
        string name = variable.Column;
        if (fam == ResponseFamily.Ordinal)
        {
            if (factor is not { } categories)
                throw new CliException($"The ordinal response must be a column of categories (text or integers), not {response.Label}.");
            return Ordinal(name, categories.Index, categories.Levels, ordinalLevels, table, weights, notes);
        }
        if (factor is { } text)
        {
            // Only a binomial response may be text (DesignBuilder rejects it otherwise).
            var (index, levels) = text;
            var y = new double[n];
            if (levels.All(l => bool.TryParse(l, out _)))
            {
                // R reads TRUE/FALSE as logical: TRUE is 1 whatever the order.
                var isTrue = levels.Select(l => bool.Parse(l)).ToArray();
                for (int i = 0; i < n; i++) y[i] = isTrue[index[i]] ? 1 : 0;
                return new BuiltResponse(y, null, weights, notes);
            }
            if (levels.Count != 2)
                throw new CliException(
                    $"Column '{name}' of {table.Source} is the binomial response but has {levels.Count} {(levels.Count == 1 ? "level" : "levels")} ({string.Join(", ", levels.Take(6))}{(levels.Count > 6 ? ", …" : "")}); a binary response needs exactly two "
                    + "(the second in sorted order is the event, as R's factor), a 0/1 or TRUE/FALSE column, or cbind(successes, failures).");
            for (int i = 0; i < n; i++) y[i] = index[i];
            notes.Add($"response '{name}': '{levels[1]}' is the event (1) and '{levels[0]}' is 0, the second level in sorted order as R's factor; --reference {name}={levels[1]} swaps them.");
            return new BuiltResponse(y, null, weights, notes);
        }

        return Numeric(name, numbers(variable), family, where, weights, notes);
    }

    /// <summary>
    /// An ordinal response: each row's category index, in R's factor order (sorted text, increasing numbers) or in the
    /// order <c>--levels</c> gives; a value not among the given levels is an error naming its row.
    /// </summary>
    private static BuiltResponse Ordinal(string name, int[] index, IReadOnlyList<string> levels, IReadOnlyList<string>? given, CsvTable table, double[]? weights, List<string> notes)
    {
        int n = index.Length;
        var y = new double[n];
        if (given is null)
        {
            for (int i = 0; i < n; i++) y[i] = index[i];
            notes.Add($"ordinal response '{name}': categories {string.Join(" < ", levels)} (R's factor order; --levels sets another).");
            return new BuiltResponse(y, null, weights, notes) { Categories = levels };
        }
        var position = new int[levels.Count];
        for (int l = 0; l < levels.Count; l++)
        {
            position[l] = given.ToList().IndexOf(levels[l]);
            if (position[l] < 0)
                throw new CliException($"Column '{name}' of {table.Source} has the value \"{levels[l]}\", which --levels ({string.Join(",", given)}) does not list. List every category, lowest first.");
        }
        for (int i = 0; i < n; i++) y[i] = position[index[i]];
        return new BuiltResponse(y, null, weights, notes) { Categories = given };
    }

    /// <summary>
    /// A numeric response (a column or a computed one) checked against the family; <paramref name="where"/> describes
    /// row i of <paramref name="values"/> for messages (called only when one is thrown).
    /// </summary>
    internal static BuiltResponse Numeric(string name, double[] values, ResponseFamily? family, Func<int, string> where, double[]? weights, List<string> notes)
    {
        int n = values.Length;
        var fam = family ?? ResponseFamily.Gaussian;
        switch (fam)
        {
            case ResponseFamily.Binomial:
            {
                bool proportions = false;
                for (int i = 0; i < n; i++)
                {
                    double v = values[i];
                    if (v < 0 || v > 1)
                        throw new CliException($"Column '{name}' has the value {Number(v)} at {where(i)}, outside [0, 1]: a binomial response column must be 0/1 (or TRUE/FALSE, or two text levels). For counts of successes out of trials use cbind(successes, failures), e.g. cbind({name}, n - {name}).");
                    proportions |= v != 0 && v != 1;
                }
                if (!proportions) return new BuiltResponse(values, null, weights, notes);
                if (weights is null)
                {
                    int at = Array.FindIndex(values, v => v != 0 && v != 1);
                    throw new CliException($"Column '{name}' has the value {Number(values[at])} at {where(at)}: a binomial response column must be 0/1. For proportions give the number of trials, as cbind(successes, trials - successes) or with --weights <trials column>.");
                }
                // glmer: a proportion y with prior weights w is y·w successes out of w trials.
                var successes = new double[n];
                for (int i = 0; i < n; i++)
                {
                    double s = values[i] * weights[i];
                    if (Math.Abs(s - Math.Round(s)) > 1e-7 * Math.Max(1, weights[i]))
                        throw new CliException($"Column '{name}' is {Number(values[i])} with weight {Number(weights[i])} at {where(i)}: a proportion times its --weights (the trials) must be a whole number of successes ({Number(s)} is not).");
                    successes[i] = Math.Round(s);
                }
                notes.Add($"response '{name}' holds proportions: read as successes out of the --weights trials (as glmer does).");
                return new BuiltResponse(successes, weights, null, notes);
            }
            case ResponseFamily.Poisson:
            case ResponseFamily.NegativeBinomial:
                for (int i = 0; i < n; i++)
                {
                    double v = values[i];
                    if (v < 0 || v != Math.Floor(v))
                        throw new CliException($"Column '{name}' has the value {Number(v)} at {where(i)}: a {(fam == ResponseFamily.Poisson ? "Poisson" : "negative binomial")} response must be a count (a non-negative integer). Fix the value, or for a continuous response drop --family; for rates model the count with offset(log(exposure)).");
                }
                return new BuiltResponse(values, null, weights, notes);
            default:
                if (family is null && n > 0 && values.All(v => v >= 0 && v == Math.Floor(v)))
                    notes.Add(values.All(v => v is 0 or 1)
                        ? $"note: the response '{name}' is all 0/1; this fits a Gaussian (linear) mixed model, as lmer would. For a binary response add --family binomial."
                        : $"note: the response '{name}' is all non-negative integers (counts?); this fits a Gaussian (linear) mixed model, as lmer would. For counts add --family poisson (or negbin).");
                return new BuiltResponse(values, null, weights, notes);
        }
    }

    /// <summary>
    /// Checks that the formula's GLMM parts fit the family before any data is read: <c>cbind()</c> needs binomial.
    /// Offsets and prior weights go with every family (a linear model's weights make row i's residual variance σ²/wᵢ).
    /// </summary>
    public static void CheckFamily(Formula formula, ResponseFamily? family)
    {
        var fam = family ?? ResponseFamily.Gaussian;
        if (formula.Response.IsCbind && fam != ResponseFamily.Binomial)
            throw new CliException(family is null or ResponseFamily.Gaussian
                ? $"The response {formula.Response.Label} is binomial (successes, failures): add --family binomial."
                : $"The response {formula.Response.Label} is binomial (successes, failures), but --family is {FamilyOption.Name(fam)}: use --family binomial, or a count column as the response.");
    }

    private static string Number(double v) => double.IsNaN(v) ? "NaN" : double.IsPositiveInfinity(v) ? "Inf" : double.IsNegativeInfinity(v) ? "-Inf" : v.ToString("R", CultureInfo.InvariantCulture);
}
