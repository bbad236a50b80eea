using System.Globalization;
using TypedMixed.Cli.Data;
using TypedMixed.Cli.Formulas;
using TypedMixed.Data.Sql;

namespace TypedMixed.Cli.Aggregation;

/// <summary>
/// Turns a parsed lme4 formula into an <see cref="AggregateModel"/>: the columns of X and of each random-effects term as
/// SQL expressions, coded inside the query the way the in-memory <see cref="Design.DesignBuilder"/> codes them — factors
/// by treatment contrasts as CASE WHEN dummies (levels sorted numerically or ordinally, the reference first),
/// interactions as products (first variable fastest), R's rule for when a factor is coded by all its levels, and the
/// names R gives the columns. Factor levels come from one SELECT DISTINCT per factor over the complete rows.
/// </summary>
internal static class SqlModelBuilder
{
    public static AggregateModel Build(Formula formula, ISqlEngine engine, string relation, IReadOnlyDictionary<string, string>? referenceLevels = null)
    {
        referenceLevels ??= new Dictionary<string, string>();
        if (formula.Response.Variable is null || formula.Response.IsCbind || formula.Response.Expression is not null)
            throw new CliException($"--aggregate fits a linear mixed model of a plain response column; '{formula.Response.Label}' needs the rows (compute it into a column first, or fit without --aggregate).");
        if (formula.Offsets.Count > 0)
            throw new CliException("--aggregate does not support offset(...) yet: subtract the offset from the response in a column (or a --sql query) first.");
        if (formula.FunctionTerms().FirstOrDefault() is { } function)
            throw new CliException($"--aggregate does not support the function term {function.Label} yet: compute it into a column (or in a --sql query) first.");
        if (formula.RandomTerms.Count == 0)
            throw new CliException("The formula has no random-effects term ( … | group): --aggregate fits linear mixed models.");

        var described = engine.Describe(relation);
        var numeric = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var (name, isNumber) in described) numeric[name] = isNumber;
        var variables = formula.AllVariables().ToList();
        foreach (var v in variables)
            if (!numeric.ContainsKey(v.Column))
                throw new CliException($"Column '{v.Column}' is not in {relation}. Its columns: {string.Join(", ", described.Select(d => d.Name))}.\n" + Design.DesignBuilder.Caret(formula.Text, v.Position));
        string responseColumn = formula.Response.Variable.Column;
        if (!numeric[responseColumn])
            throw new CliException($"Column '{responseColumn}' (the response) is not numeric in {relation}; a linear mixed model needs numbers.");
        var required = variables.Select(v => engine.QuoteIdentifier(v.Column)).Distinct().ToList();
        string where = string.Join(" AND ", required.Select(r => $"{r} IS NOT NULL"));
        var groupingLabels = formula.RandomTerms.SelectMany(b => b.Grouping.SelectMany(g => g)).Select(v => v.Label).ToHashSet();

        // Levels of each factor used in a model matrix (fixed part or random slopes), over the complete rows.
        var levels = new Dictionary<string, IReadOnlyList<(string Key, string Literal)>>(StringComparer.Ordinal);
        IReadOnlyList<(string Key, string Literal)>? LevelsOf(Variable v)
        {
            bool isFactor = v.AsFactor || !numeric[v.Column];
            if (!isFactor) return null;
            if (levels.TryGetValue(v.Label, out var known)) return known;
            string column = engine.QuoteIdentifier(v.Column);
            var values = engine.Query($"SELECT DISTINCT {column} FROM {relation} WHERE {where}").Select(r => r[0]).ToList();
            List<(string Key, string Literal)> sorted = numeric[v.Column]
                ? values.Select(o => Convert.ToDouble(o, CultureInfo.InvariantCulture)).Order()
                    .Select(d => (d.ToString("R", CultureInfo.InvariantCulture), d.ToString("R", CultureInfo.InvariantCulture))).ToList()
                : values.Select(o => Convert.ToString(o, CultureInfo.InvariantCulture)!).Order(StringComparer.Ordinal)
                    .Select(s => (s, "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'")).ToList();
            string? reference = v.Reference ?? (referenceLevels.TryGetValue(v.Column, out var r) ? r : null);
            if (reference is not null)
            {
                int at = sorted.FindIndex(l => l.Key == reference);
                if (at < 0)
                    throw new CliException($"Reference level '{reference}' is not a level of column '{v.Column}'. Its levels: {string.Join(", ", sorted.Select(l => l.Key))}.");
                var first = sorted[at];
                sorted.RemoveAt(at);
                sorted.Insert(0, first);
            }
            levels[v.Label] = sorted;
            return sorted;
        }

        var fixedColumns = ModelMatrix(formula.Fixed, engine, LevelsOf);
        var terms = new List<SqlTerm>();
        foreach (var bar in formula.RandomTerms)
        {
            var columns = ModelMatrix(bar.Effects, engine, LevelsOf);
            if (columns.Count == 0)
                throw new CliException($"The random-effects term at position {bar.Position + 1} has no columns ('0 |' removes the intercept and nothing is left).\n" + Design.DesignBuilder.Caret(formula.Text, bar.Position));
            for (int k = 0; k < bar.Grouping.Count; k++)
                terms.Add(new SqlTerm
                {
                    Name = bar.GroupName(k),
                    KeyExpressions = bar.Grouping[k].Select(v => engine.QuoteIdentifier(v.Column)).ToArray(),
                    Columns = columns,
                    Covariance = bar.Uncorrelated && columns.Count > 1 ? CovarianceStructure.Diagonal : CovarianceStructure.Unstructured,
                });
        }
        return new AggregateModel
        {
            Relation = relation,
            ResponseName = formula.Response.Label,
            Response = engine.QuoteIdentifier(responseColumn),
            FixedEffects = fixedColumns,
            Terms = terms,
            Required = required,
        };
    }

    /// <summary>
    /// R's model.matrix as SQL (the rule of <see cref="Design.DesignBuilder.ModelMatrixCore"/>): the intercept, then per
    /// term the products of its variables' columns, a factor coded by contrasts when the term without it is empty or in
    /// an earlier term, else by all levels; without an intercept the first factor is coded by all its levels.
    /// </summary>
    private static List<SqlColumn> ModelMatrix(TermSet terms, ISqlEngine engine, Func<Variable, IReadOnlyList<(string Key, string Literal)>?> levelsOf)
    {
        var columns = new List<SqlColumn>();
        if (terms.Intercept) columns.Add(new SqlColumn("(Intercept)", "1.0"));
        var info = terms.Variables.Select(levelsOf).ToList();
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
            for (int k = 0; k < terms.Terms.Count; k++)
            {
                int j = Array.FindIndex(terms.Terms[k], v => info[v] is not null);
                if (j >= 0) { code[k][j] = 2; break; }
            }
        for (int k = 0; k < terms.Terms.Count; k++)
        {
            var term = terms.Terms[k];
            var block = new List<(string Name, string? Sql)> { ("", null) };
            for (int j = 0; j < term.Length; j++)
            {
                var variable = terms.Variables[term[j]];
                string column = engine.QuoteIdentifier(variable.Column);
                var parts = new List<(string Name, string Sql)>();
                if (info[term[j]] is not { } lv) parts.Add((variable.Label, column));
                else
                    for (int l = code[k][j] == 1 ? 1 : 0; l < lv.Count; l++)
                        parts.Add((variable.Label + lv[l].Key, $"CASE WHEN {column} = {lv[l].Literal} THEN 1.0 ELSE 0.0 END"));
                var next = new List<(string, string?)>();
                foreach (var (pn, ps) in parts)
                    foreach (var (bn, bs) in block)
                        next.Add((bn.Length == 0 ? pn : bn + ":" + pn, bs is null ? ps : $"({bs}) * ({ps})"));
                block = next;
            }
            foreach (var (name, sql) in block) columns.Add(new SqlColumn(name, sql ?? "1.0"));
        }
        return columns;
    }
}
