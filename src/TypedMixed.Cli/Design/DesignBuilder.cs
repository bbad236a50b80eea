using System.Globalization;
using TypedMixed.Cli.Data;
using TypedMixed.Cli.Formulas;

namespace TypedMixed.Cli.Design;

/// <summary>Settings of <see cref="DesignBuilder.Build"/>.</summary>
internal sealed class DesignOptions
{
    /// <summary>Reference (first) level per column, overriding the sorted order, e.g. <c>schgend → mixed</c>.</summary>
    public IReadOnlyDictionary<string, string> ReferenceLevels { get; init; } = new Dictionary<string, string>();

    /// <summary>The family given with <c>--family</c>; null when none was (a linear mixed model, with notes on count-like responses).</summary>
    public ResponseFamily? Family { get; init; }

    /// <summary>The link of a generalized model (canonical by default).</summary>
    public LinkFunction Link { get; init; } = LinkFunction.Canonical;

    /// <summary>The column of prior weights (<c>--weights</c>), or null.</summary>
    public string? WeightsColumn { get; init; }

    /// <summary>The residual correlation (<c>--correlation</c>), or null for independent residuals.</summary>
    public ResidualCorrelationSpec? Correlation { get; init; }

    /// <summary>The level-1 variance function (<c>--variance</c>), or null for a constant residual variance.</summary>
    public ResidualVarianceSpec? Variance { get; init; }

    /// <summary>Ordinal models: the categories from lowest to highest (<c>--levels</c>); null: R's factor order.</summary>
    public IReadOnlyList<string>? OrdinalLevels { get; init; }

    /// <summary>Ordinal models: the threshold structure.</summary>
    public ThresholdStructure Thresholds { get; init; } = ThresholdStructure.Flexible;
}

/// <summary>
/// A <see cref="ModelDesign"/> built from a formula and a table, with what was done to the data and notes for stderr
/// (e.g. which text level is the binomial event).
/// </summary>
internal sealed record BuiltDesign(ModelDesign Design, int RowsDropped, IReadOnlyDictionary<string, IReadOnlyList<string>> FactorLevels)
{
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>
/// Builds a <see cref="ModelDesign"/> from a <see cref="Formula"/> and a <see cref="CsvTable"/> the way R's
/// <c>model.matrix</c> and lme4's <c>mkReTrms</c> do: complete cases over the columns the formula reads, treatment
/// contrasts (first level the reference) with R's rule for when a factor is coded by all its levels, columns named as R
/// names them (<c>sexM</c>, <c>standLRT:sexM</c>), and random-effects terms ordered by decreasing number of levels.
/// </summary>
internal static partial class DesignBuilder
{
    /// <summary>
    /// A variable's data on the kept rows: numbers, a factor's level index per row and its level keys, or the columns
    /// of a function term with several (<c>poly(age, 2)</c>), each with the suffix R gives it.
    /// </summary>
    private sealed record VariableData(double[]? Numbers, int[]? LevelIndex, IReadOnlyList<string>? Levels)
    {
        public bool IsFactor => LevelIndex is not null;

        public IReadOnlyList<(string Suffix, double[] Values)>? Matrix { get; init; }
    }

    public static BuiltDesign Build(Formula formula, CsvTable table, DesignOptions? options = null)
    {
        options ??= new DesignOptions();
        ResponseBuilder.CheckFamily(formula, options.Family);
        // The columns of --correlation and --variance are read like the formula's: checked, and a missing value drops the row.
        var residualText = ResidualVariableSources(options);
        var variables = formula.AllVariables().Concat(ResidualVariables(options)).DistinctBy(v => v.Label).ToList();
        string SourceOf(Variable v) => residualText.TryGetValue(v.Label, out var t) && !formula.AllVariables().Contains(v) ? t : formula.Text;
        var groupingLabels = formula.RandomTerms.SelectMany(b => b.Grouping.SelectMany(g => g)).Select(v => v.Label).ToHashSet();
        // Columns inside cbind(...) and offset(...) are arithmetic: they must be numbers.
        var arithmetic = new Dictionary<string, string>(StringComparer.Ordinal);
        if (formula.Response.IsCbind)
            foreach (var v in formula.Response.Variables) arithmetic.TryAdd(v.Label, formula.Response.Label);
        foreach (var o in formula.Offsets)
            foreach (var v in o.Variables()) arithmetic.TryAdd(v.Label, $"offset({o})");
        if (formula.Response.Expression is { } responseExpression)
            foreach (var v in responseExpression.Variables()) arithmetic.TryAdd(v.Label, $"the response {formula.Response.Label}");
        foreach (var (label, use) in ResidualArithmetic(options)) arithmetic.TryAdd(label, use);
        var functionTerms = formula.FunctionTerms().Concat(options.Variance?.Terms?.Variables.Where(v => v.Function is not null) ?? []).DistinctBy(v => v.Label).ToList();
        foreach (var f in functionTerms)
            foreach (var v in f.Function!.Inputs()) arithmetic.TryAdd(v.Label, f.Label);
        var plainResponse = formula.Response.Variable;
        CheckResidualRoles(formula, options);

        // 1. Columns exist; decide numeric or factor; a response or covariate that is mostly numbers must be all numbers.
        var asFactor = new Dictionary<string, bool>();
        foreach (var v in variables)
        {
            CsvColumn column;
            try { column = table.Column(v.Column); }
            catch (CliException e) { throw new CliException(e.Message + "\n" + Caret(SourceOf(v), v.Position)); }
            bool isResponse = plainResponse is not null && v.Column == plainResponse.Column && !v.AsFactor && !groupingLabels.Contains(v.Label);
            if (arithmetic.TryGetValue(v.Label, out var inExpression) && !column.IsNumeric && !groupingLabels.Contains(v.Label) && !v.AsFactor)
            {
                int bad = Array.FindIndex(column.Raw, s => s is not null && !CsvColumn.TryParseNumber(s, out _));
                throw new CliException($"Column '{column.Name}' is used in {inExpression}, but its value \"{column.Raw[bad]}\" at {table.DescribeRow(bad)} of {table.Source} is not a number. Fix or blank the value (blank and NA drop the row).");
            }
            if (v.AsFactor || groupingLabels.Contains(v.Label)) { asFactor[v.Label] = true; continue; }
            // An ordinal response is categories, text or integers (in R's factor order, or as --levels gives them).
            if (isResponse && options.Family == ResponseFamily.Ordinal) { asFactor[v.Label] = true; continue; }
            if (column.IsNumeric) { asFactor[v.Label] = false; continue; }
            if (isResponse && options.Family == ResponseFamily.Binomial) { asFactor[v.Label] = true; continue; }
            if (isResponse && options.Family is null)
            {
                var distinct = column.Raw.Where(s => s is not null).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Take(3).ToList();
                if (distinct.Count == 2 || (distinct.Count == 1 && bool.TryParse(distinct[0], out _)))
                    throw new CliException($"Column '{column.Name}' (the response) is text with the values {string.Join(" and ", distinct)}: for a binary response add --family binomial (then '{distinct[^1]}' is the event, the second level in sorted order).");
            }
            if (isResponse || column.ParsedCount * 2 > column.PresentCount)
            {
                int bad = Array.FindIndex(column.Raw, s => s is not null && !CsvColumn.TryParseNumber(s, out _));
                string use = isResponse ? "the response" : "a numeric covariate";
                string hint = isResponse ? "" : $", or write factor({column.Name}) to use the column as categories";
                throw new CliException($"Column '{column.Name}' is used as {use}, but its value \"{column.Raw[bad]}\" at {table.DescribeRow(bad)} is not a number. Fix or blank the value (blank and NA drop the row){hint}.");
            }
            asFactor[v.Label] = true;
        }

        // 2. Complete cases over the columns the formula reads.
        var usedColumns = variables.Select(v => table.Column(v.Column)).Distinct().ToList();
        CsvColumn? weightsColumn = null;
        if (options.WeightsColumn is not null)
        {
            try { weightsColumn = table.Column(options.WeightsColumn); }
            catch (CliException e) { throw new CliException("--weights: " + e.Message); }
            if (!usedColumns.Contains(weightsColumn)) usedColumns.Add(weightsColumn);
        }
        var kept = Enumerable.Range(0, table.RowCount).Where(r => usedColumns.All(c => !c.IsMissing(r))).ToArray();
        int dropped = table.RowCount - kept.Length;
        if (kept.Length == 0)
            throw new CliException($"No row of {table.Source} has values in all the columns the formula uses ({string.Join(", ", usedColumns.Select(c => c.Name))}).");

        // 3. Each variable's data on the kept rows.
        var data = new Dictionary<string, VariableData>();
        var factorLevels = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var v in variables)
        {
            var column = table.Column(v.Column);
            if (!asFactor[v.Label])
            {
                int at = Array.FindIndex(kept, r => !double.IsFinite(column.Values[r]));
                int bad = at < 0 ? -1 : kept[at];
                if (bad >= 0)
                    throw new CliException($"Column '{column.Name}' has the value \"{column.Raw[bad]}\" at {table.DescribeRow(bad)}; the model needs finite numbers. Blank the value (the row is then dropped) or fix it.");
                // With no row dropped the column itself is the variable (read-only from here on): no copy of a large column.
                data[v.Label] = new VariableData(kept.Length == table.RowCount ? column.Values : kept.Select(r => column.Values[r]).ToArray(), null, null);
                continue;
            }
            var (index, levels) = Factor(column, kept, v.Reference is { } reference ? new Dictionary<string, string> { [v.Column] = reference } : options.ReferenceLevels, v.Label);
            data[v.Label] = new VariableData(null, index, levels);
            factorLevels[v.Label] = levels;
        }
        foreach (var f in functionTerms) data[f.Label] = FunctionTerm(f, SourceOf(f), table, kept);

        int n = kept.Length;
        double[]? weights = weightsColumn is null ? null : Weights(weightsColumn, table, kept);
        var built = ResponseBuilder.Build(formula.Response, options.Family, table, kept, v => data[v.Label].Numbers!,
            plainResponse is not null && data[plainResponse.Label].IsFactor ? (data[plainResponse.Label].LevelIndex!, data[plainResponse.Label].Levels!) : null,
            weights, options.OrdinalLevels);
        double[]? offset = formula.Offsets.Count == 0 ? null : Offset(formula, table, kept, v => data[v.Label].Numbers!);

        // 4. Fixed effects: R's model.matrix of the fixed part.
        var ones = Enumerable.Repeat(1.0, n).ToArray(); // one column of ones for every intercept and block
        var (fixedNames, fixedColumns) = ModelMatrix(formula.Fixed, data, n, ones);

        // 5. Random effects: one term per grouping factor of each bar.
        var terms = new List<RandomEffectsTerm>();
        foreach (var bar in formula.RandomTerms)
        {
            var (names, columns) = ModelMatrix(bar.Effects, data, n, ones);
            if (names.Count == 0)
                throw new CliException($"The random-effects term at position {bar.Position + 1} has no columns ('0 |' removes the intercept and nothing is left).\n" + Caret(formula.Text, bar.Position));
            if (bar.Membership is { } membership)
                terms.Add(MembershipBuilder.Term(membership, formula, table, kept, names, Flatten(columns, n),
                    bar.Uncorrelated && names.Count > 1 ? CovarianceStructure.Diagonal : CovarianceStructure.Unstructured));
            for (int k = 0; k < bar.Grouping.Count; k++)
            {
                var (index, keys) = Grouping(bar.Grouping[k].Select(v => (data[v.Label].LevelIndex!, data[v.Label].Levels!)).ToList(), n);
                terms.Add(new RandomEffectsTerm
                {
                    Name = bar.GroupName(k),
                    LevelIndex = index,
                    LevelKeys = keys,
                    ColumnNames = names,
                    Columns = Flatten(columns, n),
                    Covariance = bar.Uncorrelated && names.Count > 1 ? CovarianceStructure.Diagonal : CovarianceStructure.Unstructured,
                });
            }
        }

        var notes = built.Notes.ToList();
        var correlation = options.Correlation is null ? null : Correlation(options.Correlation, formula, terms, data, table, kept, notes);
        var variance = options.Variance is null ? null : Variance(options.Variance, data, table, kept, ones);

        var design = new ModelDesign
        {
            ResponseName = formula.Response.Label,
            Response = built.Values,
            Family = options.Family ?? ResponseFamily.Gaussian,
            Link = options.Link,
            Trials = built.Trials,
            Weights = built.Weights,
            Ordinal = built.Categories is { } categories ? new OrdinalResponse { Categories = categories, Thresholds = options.Thresholds } : null,
            Offset = offset,
            FixedEffects = Flatten(fixedColumns, n),
            FixedEffectNames = fixedNames,
            Terms = OrderAsLme4(terms),
            RowsDropped = dropped,
            ResidualCorrelation = correlation,
            ResidualVariance = variance,
        };
        return new BuiltDesign(design, dropped, factorLevels) { Notes = notes };
    }

    /// <summary>
    /// A function term (<c>log(x)</c>, <c>scale(x)</c>, <c>poly(age, 2)</c>) computed as R's model.frame does, on every
    /// row of the table (so <c>scale</c> and <c>poly</c> see the rows that other columns' missing values drop), then
    /// taken on the kept rows, where each value must be finite.
    /// </summary>
    private static VariableData FunctionTerm(Variable term, string source, CsvTable table, int[] kept)
    {
        var function = term.Function!;
        IReadOnlyList<(string Suffix, double[] Values)> all;
        try { all = function.Compute(v => table.Column(v.Column).Values, table.RowCount); }
        catch (FormulaTermException e) { throw new CliException(e.Message + "\n" + Caret(source, term.Position)); }
        var columns = new List<(string, double[])>();
        foreach (var (suffix, values) in all)
        {
            var onKept = new double[kept.Length];
            for (int i = 0; i < kept.Length; i++)
            {
                double v = values[kept[i]];
                if (!double.IsFinite(v))
                {
                    string inputs = string.Join(", ", function.Inputs().Select(x => x.Column).Distinct().Select(c => $"{c} = {table.Column(c).Raw[kept[i]]}"));
                    string hint = function is ScaleTerm ? "scale() of a column with one distinct value divides by zero" : "log or sqrt of zero or a negative number?";
                    throw new CliException($"{function.Label} is {(double.IsNaN(v) ? "NaN" : v > 0 ? "Inf" : "-Inf")} at {table.DescribeRow(kept[i])} of {table.Source} ({inputs}); the model needs finite values ({hint}). Fix or blank the value (the row is then dropped).\n" + Caret(source, term.Position));
                }
                onKept[i] = v;
            }
            columns.Add((suffix, onKept));
        }
        return columns.Count == 1 && columns[0].Item1.Length == 0
            ? new VariableData(columns[0].Item2, null, null)
            : new VariableData(null, null, null) { Matrix = columns };
    }

    /// <summary>Prior weights on the kept rows: positive finite numbers.</summary>
    private static double[] Weights(CsvColumn column, CsvTable table, int[] kept)
    {
        var w = new double[kept.Length];
        for (int i = 0; i < kept.Length; i++)
        {
            int r = kept[i];
            double v = column.Values[r];
            if (!double.IsFinite(v) || v <= 0)
                throw new CliException($"--weights column '{column.Name}' has the value \"{column.Raw[r]}\" at {table.DescribeRow(r)} of {table.Source}; prior weights must be positive finite numbers. Fix the value, or blank it to drop the row.");
            w[i] = v;
        }
        return w;
    }

    /// <summary>The sum of the formula's offsets on the kept rows; each must be finite.</summary>
    private static double[] Offset(Formula formula, CsvTable table, int[] kept, Func<Variable, double[]> numbers)
    {
        var total = new double[kept.Length];
        foreach (var expression in formula.Offsets)
        {
            var values = expression.Evaluate(numbers, kept.Length);
            for (int i = 0; i < kept.Length; i++)
            {
                if (!double.IsFinite(values[i]))
                {
                    string inputs = string.Join(", ", expression.Variables().Select(v => v.Column).Distinct().Select(c => $"{c} = {table.Column(c).Raw[kept[i]]}"));
                    throw new CliException($"offset({expression}) is {(double.IsNaN(values[i]) ? "NaN" : values[i] > 0 ? "Inf" : "-Inf")} at {table.DescribeRow(kept[i])} of {table.Source} ({inputs}): an offset must be finite (log of zero or a negative number?). Fix or blank the value (the row is then dropped).");
                }
                total[i] += values[i];
            }
        }
        return total;
    }

    /// <summary>
    /// lme4 (mkReTrms) reorders the terms by decreasing number of levels when any term has more levels than the one
    /// before it: <c>rev(order(nl))</c>, which reverses the written order among ties.
    /// </summary>
    internal static IReadOnlyList<RandomEffectsTerm> OrderAsLme4(IReadOnlyList<RandomEffectsTerm> terms)
    {
        var nl = terms.Select(t => t.LevelCount).ToArray();
        bool increases = false;
        for (int i = 1; i < nl.Length; i++) increases |= nl[i] > nl[i - 1];
        if (!increases) return terms;
        var ascending = Enumerable.Range(0, nl.Length).OrderBy(i => nl[i]).ToList(); // stable, as R's order()
        ascending.Reverse();
        return ascending.Select(i => terms[i]).ToList();
    }

    /// <summary>
    /// Levels of a column on the kept rows: numbers sorted numerically, text in ordinal order; reference first. Rows are
    /// mapped to levels through the values themselves (no string per row), so a 10-million-row grouping column costs
    /// one int per row.
    /// </summary>
    private static (int[] Index, IReadOnlyList<string> Levels) Factor(CsvColumn column, int[] kept, IReadOnlyDictionary<string, string> references, string label)
    {
        List<string> levels;
        var index = new int[kept.Length];
        if (column.IsNumeric)
        {
            var values = column.Values;
            var distinct = new HashSet<double>();
            foreach (int r in kept) distinct.Add(values[r]);
            var sorted = distinct.Order().ToList();
            levels = sorted.Select(x => x.ToString("R", CultureInfo.InvariantCulture)).ToList();
            var position = Reorder(levels, column.Name, references, label);
            var byValue = new Dictionary<double, int>(sorted.Count);
            foreach (var x in sorted) byValue[x] = position[x.ToString("R", CultureInfo.InvariantCulture)];
            for (int i = 0; i < kept.Length; i++) index[i] = byValue[values[kept[i]]];
        }
        else
        {
            var raw = column.Raw;
            levels = kept.Select(r => raw[r]!).Distinct().Order(StringComparer.Ordinal).ToList();
            var position = Reorder(levels, column.Name, references, label);
            for (int i = 0; i < kept.Length; i++) index[i] = position[raw[kept[i]]!];
        }
        return (index, levels);
    }

    /// <summary>Moves the reference level (if any) to the front; returns each level's position.</summary>
    internal static Dictionary<string, int> Reorder(List<string> levels, string columnName, IReadOnlyDictionary<string, string> references, string label)
    {
        if (references.TryGetValue(columnName, out var reference))
        {
            int at = levels.IndexOf(reference);
            if (at < 0)
                throw new CliException($"Reference level '{reference}'{(label == columnName ? "" : $" of {label}")} is not a level of column '{columnName}'. Its levels: {string.Join(", ", levels)}.");
            levels.RemoveAt(at);
            levels.Insert(0, reference);
        }
        var position = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < levels.Count; i++) position[levels[i]] = i;
        return position;
    }

    /// <summary>
    /// A grouping factor, or the interaction of several (<c>a:b</c>): the observed combinations, ordered with the first
    /// factor varying slowest, keyed by the levels joined with <c>:</c>.
    /// </summary>
    internal static (int[] Index, IReadOnlyList<string> Keys) Grouping(IReadOnlyList<(int[] LevelIndex, IReadOnlyList<string> Levels)> factors, int n)
    {
        if (factors.Count == 1) return (factors[0].LevelIndex, factors[0].Levels);
        var tuples = new long[n];
        for (int i = 0; i < n; i++)
        {
            long code = 0;
            foreach (var f in factors) code = code * f.Levels.Count + f.LevelIndex[i];
            tuples[i] = code;
        }
        var distinct = tuples.Distinct().Order().ToList();
        var position = new Dictionary<long, int>();
        for (int j = 0; j < distinct.Count; j++) position[distinct[j]] = j;
        var index = tuples.Select(t => position[t]).ToArray();
        var keys = new string[distinct.Count];
        for (int i = 0; i < n; i++)
            keys[index[i]] ??= string.Join(":", factors.Select(f => f.Levels[f.LevelIndex[i]]));
        return (index, keys);
    }

    /// <summary>
    /// R's model.matrix for one set of terms: the intercept, then each term's columns. A factor in a term is coded by
    /// treatment contrasts when the term without it is empty or contained in an earlier term, else by all its levels;
    /// without an intercept the first factor of the first term that has one is coded by all its levels. In an
    /// interaction the first variable varies fastest; names join the parts with <c>:</c>.
    /// </summary>
    internal static (List<string> Names, List<double[]> Columns) ModelMatrixCore(TermSet terms,
        Func<Variable, (double[]? Numbers, int[]? Index, IReadOnlyList<string>? Levels, IReadOnlyList<(string Suffix, double[] Values)>? Matrix)> lookup, int n, double[]? ones = null)
    {
        // One column of ones, shared by the intercept and every block; columns are only read from here on (the design
        // copies them out), so a numeric term is the data column itself and no block starts from a fresh column of ones.
        ones ??= Enumerable.Repeat(1.0, n).ToArray();
        var names = new List<string>();
        var columns = new List<double[]>();
        if (terms.Intercept)
        {
            names.Add("(Intercept)");
            columns.Add(ones);
        }
        var info = terms.Variables.Select(lookup).ToList();
        var code = new int[terms.Terms.Count][];
        for (int k = 0; k < terms.Terms.Count; k++)
        {
            var term = terms.Terms[k];
            code[k] = new int[term.Length];
            for (int j = 0; j < term.Length; j++)
            {
                var rest = term.Where((_, m) => m != j).ToArray();
                bool margin = rest.Length == 0 || terms.Terms.Take(k).Any(t => rest.All(t.Contains));
                code[k][j] = margin ? 1 : 2;
            }
        }
        if (!terms.Intercept)
        {
            for (int k = 0; k < terms.Terms.Count; k++)
            {
                int j = Array.FindIndex(terms.Terms[k], v => info[v].Index is not null);
                if (j >= 0) { code[k][j] = 2; break; }
            }
        }
        for (int k = 0; k < terms.Terms.Count; k++)
        {
            var term = terms.Terms[k];
            // The block starts as the implicit column of ones (null): its first factor's columns are taken as they are.
            var block = new List<(string Name, double[]? Values)> { ("", null) };
            for (int j = 0; j < term.Length; j++)
            {
                var variable = terms.Variables[term[j]];
                var (numbers, index, levels, matrix) = info[term[j]];
                var parts = new List<(string Name, double[] Values)>();
                if (matrix is not null)
                {
                    // A function term with several columns: R appends each column's name, poly(age, 2)1, poly(age, 2)2.
                    foreach (var (suffix, values) in matrix) parts.Add((variable.Label + suffix, values));
                }
                else if (index is null)
                {
                    parts.Add((variable.Label, numbers!));
                }
                else
                {
                    for (int l = code[k][j] == 1 ? 1 : 0; l < levels!.Count; l++)
                    {
                        var dummy = new double[n];
                        for (int i = 0; i < n; i++) dummy[i] = index[i] == l ? 1 : 0;
                        parts.Add((variable.Label + levels[l], dummy));
                    }
                }
                var next = new List<(string, double[]?)>();
                foreach (var (pn, pv) in parts)
                    foreach (var (bn, bv) in block)
                    {
                        if (bv is null) { next.Add((bn.Length == 0 ? pn : bn + ":" + pn, pv)); continue; }
                        var product = new double[n];
                        for (int i = 0; i < n; i++) product[i] = bv[i] * pv[i];
                        next.Add((bn.Length == 0 ? pn : bn + ":" + pn, product));
                    }
                block = next;
            }
            foreach (var (name, values) in block)
            {
                names.Add(name);
                columns.Add(values ?? ones);
            }
        }
        return (names, columns);
    }

    private static (List<string> Names, List<double[]> Columns) ModelMatrix(TermSet terms, Dictionary<string, VariableData> data, int n, double[] ones) =>
        ModelMatrixCore(terms, v => { var d = data[v.Label]; return (d.Numbers, d.LevelIndex, d.Levels, d.Matrix); }, n, ones);

    /// <summary>The columns one after another (column-major); a single column is used as it is (the design only reads it).</summary>
    private static double[] Flatten(List<double[]> columns, int n)
    {
        if (columns.Count == 1 && columns[0].Length == n) return columns[0];
        var flat = new double[columns.Count * n];
        for (int c = 0; c < columns.Count; c++) Array.Copy(columns[c], 0, flat, c * n, n);
        return flat;
    }

    internal static string Caret(string formula, int position) =>
        $"  {formula}\n  {new string(' ', Math.Clamp(position, 0, formula.Length))}^";
}
