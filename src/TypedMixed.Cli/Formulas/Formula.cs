namespace TypedMixed.Cli.Formulas;

/// <summary>
/// A parsed lme4-style model formula: the response, the fixed-effects terms (expanded as R's <c>terms()</c> does),
/// the random-effects bar terms and the <c>offset(...)</c> terms.
/// </summary>
internal sealed record Formula(
    string Text,
    ResponseTerm Response,
    TermSet Fixed,
    IReadOnlyList<BarTerm> RandomTerms)
{
    /// <summary>The expressions of the <c>offset(...)</c> terms of the fixed part, added to the linear predictor (not columns of X).</summary>
    public IReadOnlyList<ArithmeticExpression> Offsets { get; init; } = [];

    /// <summary>
    /// Every column variable the formula reads (response, fixed, offsets, random slopes, grouping factors), by first
    /// appearance; a function term such as <c>log(x)</c> contributes the columns it reads.
    /// </summary>
    public IEnumerable<Variable> AllVariables()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        IEnumerable<Variable> all = Response.Variables
            .Concat(Fixed.Variables)
            .Concat(Offsets.SelectMany(o => o.Variables()))
            .Concat(RandomTerms.SelectMany(b => b.Effects.Variables.Concat(b.Grouping.SelectMany(g => g))));
        foreach (var v in all.SelectMany(v => v.Function is null ? [v] : v.Function.Inputs()))
            if (seen.Add(v.Label))
                yield return v;
    }

    /// <summary>
    /// The level and weight columns of <c>mm(...)</c> groupings. They are not in <see cref="AllVariables"/>: an empty
    /// cell there means "no membership", not a row to drop.
    /// </summary>
    public IEnumerable<Variable> MembershipVariables() => RandomTerms.SelectMany(b => b.Membership?.Variables ?? []);

    /// <summary>The function terms of the fixed and random parts (<c>poly(age, 2)</c>, <c>log(x)</c>), each once.</summary>
    public IEnumerable<Variable> FunctionTerms() =>
        Fixed.Variables.Concat(RandomTerms.SelectMany(b => b.Effects.Variables)).Where(v => v.Function is not null).DistinctBy(v => v.Label);
}

/// <summary>
/// The left-hand side: a column (<see cref="Variable"/>), or lme4's binomial <c>cbind(successes, failures)</c> whose two
/// parts are arithmetic on columns (<c>cbind(incidence, size - incidence)</c>).
/// </summary>
internal sealed record ResponseTerm(Variable? Variable, ArithmeticExpression? Successes, ArithmeticExpression? Failures, int Position)
{
    /// <summary>A computed response such as <c>log(Reaction)</c> or <c>I(y/10)</c>; null for a column or <c>cbind(...)</c>.</summary>
    public ArithmeticExpression? Expression { get; init; }

    /// <summary>The response column's name, or null for <c>cbind(...)</c> and a computed response.</summary>
    public string? Column => Variable?.Column;

    /// <summary>Whether the response is <c>cbind(successes, failures)</c>.</summary>
    public bool IsCbind => Successes is not null;

    /// <summary>The name of the response as R deparses it: the column, <c>log(Reaction)</c>, or <c>cbind(a, b - a)</c>.</summary>
    public string Label => Variable?.Label ?? Expression?.ToString() ?? $"cbind({Successes}, {Failures})";

    /// <summary>The columns the response reads.</summary>
    public IEnumerable<Variable> Variables =>
        Variable is not null ? [Variable] : Expression is not null ? Expression.Variables() : Successes!.Variables().Concat(Failures!.Variables());
}

/// <summary>
/// A variable in a formula: a data column used as it is (<c>x</c>), forced to a factor (<c>factor(x)</c>), a factor
/// with a chosen reference level (<c>relevel(f, "ref")</c>, <see cref="Reference"/>), or a numeric term computed by a
/// function (<c>I(age^2)</c>, <c>poly(age, 2)</c>, <see cref="Function"/>; then <see cref="Column"/> is its label).
/// <see cref="Position"/> is the character offset in the formula, for error messages.
/// </summary>
internal sealed record Variable(string Column, bool AsFactor, int Position)
{
    /// <summary>The function that computes the term from columns; null for a column.</summary>
    public TermFunction? Function { get; init; }

    /// <summary>The reference (first) level given by <c>relevel(f, "ref")</c>; null otherwise.</summary>
    public string? Reference { get; init; }

    /// <summary>The label when it is not the column's own (<c>relevel(sex, "M")</c>).</summary>
    public string? Text { get; init; }

    /// <summary>
    /// The name R gives the variable (and prefixes to dummy columns): <c>x</c>, <c>factor(x)</c>,
    /// <c>relevel(sex, "M")</c> or a function term's label.
    /// </summary>
    public string Label => Function?.Label ?? Text ?? (AsFactor ? $"factor({Column})" : Column);

    public bool Equals(Variable? other) => other is not null && other.Label == Label;

    public override int GetHashCode() => Label.GetHashCode(StringComparison.Ordinal);
}

/// <summary>
/// A right-hand side expanded into terms, as R's <c>terms.formula</c>: whether there is an intercept, the variables in
/// order of first appearance, and the terms (each a set of variable indices) sorted by order (main effects first),
/// duplicates removed.
/// </summary>
internal sealed record TermSet(bool Intercept, IReadOnlyList<Variable> Variables, IReadOnlyList<int[]> Terms)
{
    /// <summary>R's term label, e.g. <c>standLRT:sex</c> (variables in order of first appearance).</summary>
    public string Label(int[] term) => string.Join(":", term.Select(i => Variables[i].Label));
}

/// <summary>
/// A random-effects term <c>(effects | grouping)</c> or <c>(effects || grouping)</c>. <see cref="Grouping"/> lists the
/// grouping factors the bar expands to: <c>g</c> gives one, <c>a:b</c> one interaction of two variables,
/// <c>a/b</c> two (<c>a</c> and <c>b:a</c>, named as lme4 names them).
/// </summary>
internal sealed record BarTerm(TermSet Effects, bool Uncorrelated, IReadOnlyList<IReadOnlyList<Variable>> Grouping, int Position)
{
    /// <summary>For <c>( ... | mm(a, b, weights = cbind(wa, wb)))</c>, the membership columns; then <see cref="Grouping"/> is empty.</summary>
    public MembershipGrouping? Membership { get; init; }

    /// <summary>lme4's name of grouping factor <paramref name="k"/>: the variables joined by <c>:</c>.</summary>
    public string GroupName(int k) => string.Join(":", Grouping[k].Select(v => v.Column));
}

/// <summary>
/// brms's multiple-membership grouping <c>mm(school1, school2, weights = cbind(w1, w2), scale = TRUE)</c>: the columns
/// that hold a row's levels (an empty cell: no membership), their weight columns (null: equal weights), and how the
/// weights are checked (<c>scale = TRUE</c> normalises, <c>FALSE</c> takes them as given; by default they must sum to 1).
/// </summary>
internal sealed record MembershipGrouping(IReadOnlyList<Variable> Levels, IReadOnlyList<Variable>? Weights, MembershipWeighting Weighting, int Position)
{
    /// <summary>
    /// The term's name: the level columns' common stem (<c>school</c> for school1..school3), else <c>mm(a, b)</c>.
    /// </summary>
    public string Name
    {
        get
        {
            var names = Levels.Select(v => v.Column).ToList();
            string prefix = names[0];
            foreach (var n in names) while (!n.StartsWith(prefix, StringComparison.Ordinal)) prefix = prefix[..^1];
            prefix = prefix.TrimEnd('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '_', '.');
            return names.Count > 1 && prefix.Length > 0 ? prefix : names.Count == 1 ? names[0] : $"mm({string.Join(", ", names)})";
        }
    }

    /// <summary>The columns the grouping reads: levels, then weights.</summary>
    public IEnumerable<Variable> Variables => Levels.Concat(Weights ?? []);
}

/// <summary>A formula that cannot be parsed; <see cref="Position"/> is the offending character offset.</summary>
internal sealed class FormulaException(string message, string formula, int position) : Exception(message)
{
    public string Formula { get; } = formula;

    public int Position { get; } = position;

    /// <summary>The message, the formula, and a caret under the offending position.</summary>
    public string Describe() =>
        $"{Message}\n  {Formula}\n  {new string(' ', Math.Clamp(Position, 0, Formula.Length))}^";
}
