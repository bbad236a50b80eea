namespace TypedMixed.Cli.Formulas;

/// <summary>
/// A parsed <c>--correlation</c> argument, nlme's spelling: <c>corAR1(~ Days | Subject)</c>,
/// <c>corCAR1(form = ~ time | id)</c>, <c>corAR1(~ 1 | Subject)</c> (occasions 1, 2, 3, … in file order within each
/// cluster). Built into a <see cref="ResidualCorrelation"/> by the design builder, which reads the data.
/// </summary>
/// <param name="Text">The argument as given, for messages.</param>
/// <param name="Name">The structure as written, e.g. <c>corAR1</c>.</param>
/// <param name="Time">The time: a column or an arithmetic expression (<c>Days + 1</c>); null for row order (<c>~ 1</c>).</param>
/// <param name="Cluster">
/// The grouping after <c>|</c> (<c>g</c> or <c>a:b</c>; for <c>a/b</c> the innermost, <c>b</c> within <c>a</c>, as
/// nlme); null when not written, then the model's single random-effects classification is used.
/// </param>
internal sealed record ResidualCorrelationSpec(string Text, string Name, ResidualCorrelationStructure Structure, ArithmeticExpression? Time, IReadOnlyList<Variable>? Cluster)
{
    /// <summary>The columns the structure reads (the time's and the cluster's).</summary>
    public IEnumerable<Variable> Variables() => (Time?.Variables() ?? []).Concat(Cluster ?? []);
}

/// <summary>
/// A parsed <c>--variance</c> argument, nlme's spelling: <c>varIdent(~ 1 | sex)</c>, <c>varExp(~ standLRT)</c>,
/// <c>varPower(~ Days + 1)</c>, and the multilevel literature's <c>loglinear(~ sex + standLRT)</c> and MLwiN's
/// <c>quadratic(~ standLRT)</c>. Exactly one of <see cref="Covariate"/>, <see cref="Terms"/> and <see cref="Stratum"/>
/// is set, as <see cref="Kind"/> needs.
/// </summary>
/// <param name="Covariate">varExp and varPower: the one covariate, a column or an expression.</param>
/// <param name="Terms">loglinear and quadratic: model-formula terms (a factor enters as its contrast columns).</param>
/// <param name="Stratum">varIdent: the factor after <c>|</c>.</param>
internal sealed record ResidualVarianceSpec(string Text, string Name, ResidualVarianceFunctionKind Kind, ArithmeticExpression? Covariate, TermSet? Terms, Variable? Stratum)
{
    /// <summary>The columns the function reads; function terms of <see cref="Terms"/> contribute their inputs.</summary>
    public IEnumerable<Variable> Variables()
    {
        IEnumerable<Variable> all = Covariate?.Variables() ?? (Stratum is not null ? [Stratum] : Terms!.Variables);
        return all.SelectMany(v => v.Function is null ? [v] : v.Function.Inputs());
    }
}
