using System.Globalization;
using TypedMixed.Cli.Data;
using TypedMixed.Cli.Formulas;

namespace TypedMixed.Cli.Design;

/// <summary>What <see cref="PredictionDesign.Predict"/> computes: lme4's <c>predict(fit, newdata, re.form, allow.new.levels, type)</c>.</summary>
internal sealed class PredictionOptions
{
    /// <summary>re.form = NA: the fixed part only (population level).</summary>
    public bool PopulationLevel { get; init; }

    /// <summary>allow.new.levels: a level the fit has not seen gets random effects 0 (its term's population value).</summary>
    public bool AllowNewLevels { get; init; }

    /// <summary>type = "response": the inverse link of the linear predictor (GLMMs; the same for LMMs).</summary>
    public bool ResponseScale { get; init; }
}

/// <summary>
/// Predictions for the rows of a table from a fit: the model matrices of the new rows built with the fitted data's
/// factor levels (so the columns are the fit's), η = offset + Xβ̂ + Σ Z b̂ with b̂ the conditional modes of each row's
/// level, on the link or response scale. A row with a missing value in a column the prediction needs gets NaN (lme4's
/// NA). Terms whose value depends on the whole column (<c>scale(x)</c> by its mean or SD, orthogonal <c>poly(x, k)</c>)
/// are refused: the new rows' values would be computed on the new data, not as the fit saw them.
/// </summary>
internal static class PredictionDesign
{
    /// <param name="unknownVariance">
    /// When given (one entry per row, zero on entry), receives for each row the variance z'Σz of the random effects of
    /// levels the fit has not seen (with allow.new.levels): what ordinal category probabilities integrate over.
    /// </param>
    public static double[] Predict(Formula formula, BuiltDesign fitted, MixedModelFit fit, CsvTable table, PredictionOptions options, double[]? unknownVariance = null)
    {
        foreach (var f in formula.FunctionTerms())
            if (f.Function is ScaleTerm { CenterByMean: true } or ScaleTerm { ScaleByRms: true } or PolyTerm { Raw: false })
                throw new CliException($"predict with {f.Label} is not supported yet: its values depend on the mean, SD or orthogonal basis of the fitted data, "
                    + "which new rows would not reproduce. Use scale(x, center = <number>, scale = <number>) or poly(x, k, raw = TRUE), or compute the column in the data.");

        int n = table.RowCount;
        var fixedVariables = formula.Fixed.Variables.Concat(formula.Offsets.SelectMany(o => o.Variables()));
        var bars = options.PopulationLevel ? [] : formula.RandomTerms;
        if (bars.FirstOrDefault(b => b.Membership is not null) is { } mmBar)
            throw new CliException($"predict with the multiple-membership term {mmBar.Membership!.Name} is not supported yet; use --re-form NA for population-level predictions.");
        var needed = fixedVariables.Concat(bars.SelectMany(b => b.Effects.Variables.Concat(b.Grouping.SelectMany(g => g))))
            .SelectMany(v => v.Function is null ? [v] : v.Function.Inputs()).DistinctBy(v => v.Label).ToList();

        // Columns exist; a row missing any needed value is predicted as NaN.
        var columns = new Dictionary<string, CsvColumn>(StringComparer.Ordinal);
        foreach (var v in needed)
        {
            try { columns[v.Label] = table.Column(v.Column); }
            catch (CliException e) { throw new CliException($"--newdata: {e.Message} The prediction needs it{(options.PopulationLevel || !formula.RandomTerms.Any(b => b.Grouping.Any(g => g.Contains(v))) ? "" : " (with --re-form NA the grouping columns are not needed)")}."); }
        }
        var missing = new bool[n];
        for (int r = 0; r < n; r++) missing[r] = columns.Values.Any(c => c.IsMissing(r));

        // Each variable on the new rows: numbers, or the index of the row's level among the fitted levels.
        var numbers = new Dictionary<string, double[]>(StringComparer.Ordinal);
        var indices = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var v in needed)
        {
            var column = columns[v.Label];
            if (!fitted.FactorLevels.TryGetValue(v.Label, out var levels))
            {
                var values = new double[n];
                for (int r = 0; r < n; r++)
                {
                    if (missing[r]) { values[r] = double.NaN; continue; }
                    values[r] = column.Values[r];
                    if (!double.IsFinite(values[r]))
                        throw new CliException($"--newdata column '{column.Name}' has the value \"{column.Raw[r]}\" at {table.DescribeRow(r)} of {table.Source}, but the model uses it as a number.");
                }
                numbers[v.Label] = values;
                continue;
            }
            var position = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int l = 0; l < levels.Count; l++) position[levels[l]] = l;
            bool grouping = formula.RandomTerms.Any(b => b.Grouping.Any(g => g.Contains(v)));
            var index = new int[n];
            for (int r = 0; r < n; r++)
            {
                if (missing[r]) { index[r] = -1; continue; }
                string key = Key(column, r);
                if (position.TryGetValue(key, out int l)) index[r] = l;
                else if (grouping) index[r] = -1; // a new level of a grouping factor: decided per term below
                else throw new CliException($"--newdata: {v.Label} has the level '{key}' at {table.DescribeRow(r)} of {table.Source}, which the fitted data does not have (its levels: {string.Join(", ", levels)}). A fixed effect cannot be predicted for a new level.");
            }
            indices[v.Label] = index;
        }
        var matrices = new Dictionary<string, IReadOnlyList<(string Suffix, double[] Values)>>(StringComparer.Ordinal);
        foreach (var f in formula.FunctionTerms().Where(f => f.Function!.Inputs().All(i => numbers.ContainsKey(i.Label))))
        {
            try { matrices[f.Label] = f.Function!.Compute(i => numbers[i.Label], n); }
            catch (FormulaTermException e) { throw new CliException("--newdata: " + e.Message); }
        }

        (double[]?, int[]?, IReadOnlyList<string>?, IReadOnlyList<(string Suffix, double[] Values)>?) Lookup(Variable v)
        {
            if (matrices.TryGetValue(v.Label, out var m))
                return m.Count == 1 && m[0].Suffix.Length == 0 ? (m[0].Values, null, null, null) : (null, null, null, m);
            if (numbers.TryGetValue(v.Label, out var x)) return (x, null, null, null);
            // A factor: rows whose level is new get index -1, hence 0 in every dummy column (never used: they fail above or are grouping).
            return (null, indices[v.Label], fitted.FactorLevels[v.Label], null);
        }

        // η = offset + Xβ̂ (the fit's coefficients by name; columns the fit dropped count 0).
        var eta = new double[n];
        var (xNames, xColumns) = DesignBuilder.ModelMatrixCore(formula.Fixed, Lookup, n);
        foreach (var fe in fit.FixedEffects)
        {
            int c = xNames.IndexOf(fe.Name);
            if (c < 0) throw new CliException($"The new rows give no column '{fe.Name}' of the fixed effects (columns: {string.Join(", ", xNames)}).");
            for (int r = 0; r < n; r++) eta[r] += fe.Estimate * xColumns[c][r];
        }
        foreach (var o in formula.Offsets)
        {
            var off = o.Evaluate(v => numbers[v.Label], n);
            for (int r = 0; r < n; r++) eta[r] += off[r];
        }

        // + Σ Z b̂: each term's conditional modes at the row's level; a new level only with allow.new.levels (b = 0).
        foreach (var bar in bars)
        {
            var (zNames, zColumns) = DesignBuilder.ModelMatrixCore(bar.Effects, Lookup, n);
            for (int k = 0; k < bar.Grouping.Count; k++)
            {
                string name = bar.GroupName(k);
                var term = fit.RandomEffects.FirstOrDefault(t => t.Name == name)
                    ?? throw new CliException($"The fit has no random-effects term '{name}'.");
                var levelPosition = new Dictionary<string, int>(StringComparer.Ordinal);
                for (int l = 0; l < term.LevelCount; l++) levelPosition[term.LevelKeys[l]] = l;
                for (int r = 0; r < n; r++)
                {
                    if (missing[r]) continue;
                    string key = string.Join(":", bar.Grouping[k].Select(v => Key(columns[v.Label], r)));
                    if (!levelPosition.TryGetValue(key, out int level))
                    {
                        if (options.AllowNewLevels)
                        {
                            if (unknownVariance is not null) unknownVariance[r] += UnknownLevelVariance(term, zNames, zColumns, r, name);
                            continue;
                        }
                        throw new CliException($"--newdata: {name} has the level '{key}' at {table.DescribeRow(r)} of {table.Source}, which the fit has not seen "
                            + $"(classification {name}, key {key}). Add --allow-new-levels to predict it at the population level of that term (lme4's allow.new.levels = TRUE), or --re-form NA for population-level predictions of every row.");
                    }
                    for (int j = 0; j < term.ColumnNames.Count; j++)
                    {
                        int c = zNames.IndexOf(term.ColumnNames[j]);
                        if (c < 0) throw new CliException($"The new rows give no column '{term.ColumnNames[j]}' of the random-effects term {name}.");
                        eta[r] += term.ConditionalModes[level, j] * zColumns[c][r];
                    }
                }
            }
        }

        var result = new double[n];
        for (int r = 0; r < n; r++)
            result[r] = missing[r] ? double.NaN
                : options.ResponseScale && fit is GeneralizedLinearMixedModelFit g ? g.InverseLink(eta[r]) : eta[r];
        return result;
    }

    /// <summary>z'Σz for row <paramref name="r"/>: the variance of the term's contribution at a level the fit has not seen.</summary>
    private static double UnknownLevelVariance(RandomEffectsTermFit term, List<string> zNames, IReadOnlyList<double[]> zColumns, int r, string name)
    {
        int q = term.ColumnNames.Count;
        var z = new double[q];
        for (int j = 0; j < q; j++)
        {
            int c = zNames.IndexOf(term.ColumnNames[j]);
            if (c < 0) throw new CliException($"The new rows give no column '{term.ColumnNames[j]}' of the random-effects term {name}.");
            z[j] = zColumns[c][r];
        }
        double sum = 0;
        for (int a = 0; a < q; a++)
            for (int b = 0; b < q; b++) sum += z[a] * term.Covariance[a, b] * z[b];
        return sum;
    }

    /// <summary>A row's level key as the design builder writes it: numbers in round-trip form, text as it is.</summary>
    private static string Key(CsvColumn column, int r)
    {
        string raw = column.Raw[r]!;
        return CsvColumn.TryParseNumber(raw, out double x) ? x.ToString("R", CultureInfo.InvariantCulture) : raw;
    }
}
