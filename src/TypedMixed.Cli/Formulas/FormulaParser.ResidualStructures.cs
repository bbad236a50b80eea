namespace TypedMixed.Cli.Formulas;

/// <summary>
/// The <c>--correlation</c> and <c>--variance</c> arguments, in nlme's spelling, read with the formula's tokenizer and
/// expression grammar so that a time or a covariate may be any expression a formula takes (<c>Days + 1</c>,
/// <c>log(x)</c>). Every problem is a <see cref="FormulaException"/> pointing into the argument.
/// </summary>
internal static partial class FormulaParser
{
    /// <summary>The correlation structures <c>--correlation</c> takes, as nlme names them.</summary>
    public static readonly IReadOnlyList<string> CorrelationStructures = ["corAR1", "corCAR1"];

    /// <summary>The variance functions <c>--variance</c> takes (nlme's names, then the two of the multilevel literature).</summary>
    public static readonly IReadOnlyList<string> VarianceFunctions = ["varIdent", "varExp", "varPower", "loglinear", "quadratic"];

    /// <summary>nlme structures and functions we know of but do not fit, named in the message when one is asked for.</summary>
    private static readonly IReadOnlyList<string> OtherNlmeCorrelations = ["corCompSymm", "corSymm", "corARMA", "corExp", "corGaus", "corLin", "corRatio", "corSpher"];

    private static readonly IReadOnlyList<string> OtherNlmeVariances = ["varFixed", "varConstPower", "varConstProp", "varComb"];

    /// <summary>Parses a <c>--correlation</c> argument such as <c>corAR1(~ Days | Subject)</c>.</summary>
    public static ResidualCorrelationSpec ParseCorrelation(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var p = new Parser(text, Lexer.Tokenize(text));
        var (name, position) = p.ParseStructureName("--correlation", CorrelationStructures, VarianceFunctions, "--variance", OtherNlmeCorrelations);
        var structure = name == "corAR1" ? ResidualCorrelationStructure.Ar1 : ResidualCorrelationStructure.ContinuousAr1;
        string usage = $"{name}(~ time | cluster), e.g. {name}(~ Days | Subject), or {name}(~ 1 | Subject) for occasions 1, 2, 3, … in file order";
        var form = p.ParseFormArgument(name, position, usage, required: false);
        if (form is null) return new ResidualCorrelationSpec(text, name, structure, null, null);
        var time = p.ParseTimeOrCovariate(name, usage);
        IReadOnlyList<Variable>? cluster = null;
        if (p.AtBar())
        {
            var groups = p.ParseClusterGrouping();
            cluster = groups[^1]; // a/b: the innermost grouping, b within a, as nlme takes it
        }
        p.CloseStructure(name, form.Value, usage);
        bool rowOrder = time is ConstantExpression { Value: 1 };
        if (!rowOrder && !time.Variables().Any())
            throw new FormulaException($"{name}(): the time must be a column or an expression of columns (or 1 for the file order within each cluster), not the constant {time}. Usage: {usage}.", text, time.Position);
        return new ResidualCorrelationSpec(text, name, structure, rowOrder ? null : time, cluster);
    }

    /// <summary>Parses a <c>--variance</c> argument such as <c>varIdent(~ 1 | sex)</c> or <c>loglinear(~ sex + standLRT)</c>.</summary>
    public static ResidualVarianceSpec ParseVariance(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var p = new Parser(text, Lexer.Tokenize(text));
        var (name, position) = p.ParseStructureName("--variance", VarianceFunctions, CorrelationStructures, "--correlation", OtherNlmeVariances);
        switch (name)
        {
            case "varIdent":
            {
                const string usage = "varIdent(~ 1 | factor), e.g. varIdent(~ 1 | sex)";
                var form = p.ParseFormArgument(name, position, usage, required: true)!.Value;
                var one = p.ParseTimeOrCovariate(name, usage);
                if (one is not ConstantExpression { Value: 1 })
                    throw new FormulaException($"varIdent() takes ~ 1 | factor: one variance per level of the factor after '|' (a covariate before '|' is not supported). Usage: {usage}.", text, one.Position);
                if (!p.AtBar())
                    throw new FormulaException($"varIdent() needs the factor whose levels get their own variance after '|'. Usage: {usage}.", text, p.Position);
                var groups = p.ParseClusterGrouping();
                if (groups.Count != 1 || groups[0].Count != 1)
                    throw new FormulaException($"varIdent(): give one factor after '|' (an interaction such as a:b or a*b is not supported; make a column of its combinations). Usage: {usage}.", text, groups[0][0].Position);
                p.CloseStructure(name, form, usage);
                return new ResidualVarianceSpec(text, name, ResidualVarianceFunctionKind.Ident, null, null, groups[0][0]);
            }
            case "varExp" or "varPower":
            {
                string usage = $"{name}(~ covariate), e.g. {(name == "varExp" ? "varExp(~ standLRT)" : "varPower(~ Days + 1)")}";
                var form = p.ParseFormArgument(name, position, usage, required: true)!.Value;
                var covariate = p.ParseTimeOrCovariate(name, usage);
                if (p.AtBar())
                    throw new FormulaException($"{name}(): a stratified form (~ x | g, one parameter per stratum) is not supported; give one covariate. Usage: {usage}.", text, p.Position);
                if (!covariate.Variables().Any())
                    throw new FormulaException($"{name}() needs a covariate (a column or an expression of columns), not the constant {covariate}; nlme's default, the fitted values, is not supported. Usage: {usage}.", text, covariate.Position);
                p.CloseStructure(name, form, usage);
                var kind = name == "varExp" ? ResidualVarianceFunctionKind.Exponential : ResidualVarianceFunctionKind.Power;
                return new ResidualVarianceSpec(text, name, kind, covariate, null, null);
            }
            default:
            {
                string usage = $"{name}(~ covariates), e.g. {(name == "loglinear" ? "loglinear(~ sex + standLRT)" : "quadratic(~ standLRT)")}";
                var form = p.ParseFormArgument(name, position, usage, required: true)!.Value;
                var terms = p.ParseCovariateTerms(name, usage);
                if (p.AtBar())
                    throw new FormulaException($"{name}() takes covariates only, no '| group'. Usage: {usage}.", text, p.Position);
                p.CloseStructure(name, form, usage);
                var kind = name == "loglinear" ? ResidualVarianceFunctionKind.LogLinear : ResidualVarianceFunctionKind.Quadratic;
                return new ResidualVarianceSpec(text, name, kind, null, terms, null);
            }
        }
    }

    private sealed partial class Parser
    {
        /// <summary>The current character offset.</summary>
        public int Position => Peek.Position;

        public bool AtBar() => Peek.Kind == Kind.Bar;

        /// <summary>
        /// The structure's name and its '(' : one of <paramref name="supported"/> (case as written or not), with a message
        /// that lists them for anything else, and one that points to <paramref name="otherOption"/> for its names.
        /// </summary>
        public (string Name, int Position) ParseStructureName(string option, IReadOnlyList<string> supported, IReadOnlyList<string> other, string otherOption, IReadOnlyList<string> unsupported)
        {
            string list = string.Join(", ", supported);
            var t = Next();
            if (t.Kind != Kind.Name)
                throw Error($"{option} takes a structure such as {supported[0]}(...), found {Describe(t)}. Supported: {list}.", t.Position);
            string? name = supported.FirstOrDefault(s => s.Equals(t.Text, StringComparison.OrdinalIgnoreCase));
            if (name is null)
            {
                if (other.FirstOrDefault(s => s.Equals(t.Text, StringComparison.OrdinalIgnoreCase)) is { } elsewhere)
                    throw Error($"{elsewhere} is a {(otherOption == "--variance" ? "variance function" : "correlation structure")}: give it with {otherOption}. {option} takes {list}.", t.Position);
                if (unsupported.FirstOrDefault(s => s.Equals(t.Text, StringComparison.OrdinalIgnoreCase)) is { } known)
                    throw Error($"{known} is not supported. {option} takes {list}.", t.Position);
                throw Error($"Unknown {(option == "--variance" ? "variance function" : "correlation structure")} '{t.Text}'. {option} takes {list}.", t.Position);
            }
            if (Peek.Kind != Kind.LParen)
                throw Error($"Expected '(' after {name}, e.g. {name}(~ ...), found {Describe(Peek)}.", Peek.Position);
            Next();
            return (name, t.Position);
        }

        /// <summary>
        /// The one-sided formula argument, written <c>~ ...</c> or <c>form = ~ ...</c>; returns the '(' token's position for
        /// the closing check, or null for an empty call when <paramref name="required"/> is false. nlme's other
        /// arguments (value, fixed) are rejected by name.
        /// </summary>
        public int? ParseFormArgument(string name, int namePosition, string usage, bool required)
        {
            if (Peek.Kind == Kind.RParen)
            {
                if (required) throw Error($"{name}() needs its form. Usage: {usage}.", Peek.Position);
                Next();
                ExpectSpecEnd(name, usage);
                return null;
            }
            if (Peek.Kind == Kind.Name && tokens[_i + 1].Kind == Kind.Equals)
            {
                var argument = Next();
                if (argument.Text != "form")
                    throw Error($"{name}(): the argument '{argument.Text}' is not supported (starting or fixed values are not taken); give only the form. Usage: {usage}.", argument.Position);
                Next();
            }
            if (Peek.Kind != Kind.Tilde)
                throw Error($"{name}() takes a one-sided formula starting with '~', found {Describe(Peek)}. Usage: {usage}.", Peek.Position);
            Next();
            return namePosition;
        }

        /// <summary>A time or covariate: an arithmetic expression of columns (<c>Days</c>, <c>Days + 1</c>, <c>log(x)</c>) or <c>1</c>.</summary>
        public ArithmeticExpression ParseTimeOrCovariate(string name, string usage)
        {
            if (Peek.Kind is Kind.Bar or Kind.RParen or Kind.End)
                throw Error($"{name}(): expected a column or an expression after '~', found {Describe(Peek)}. Usage: {usage}.", Peek.Position);
            return ParseArithmetic($"the form of {name}()");
        }

        /// <summary>The grouping after '|': <c>g</c>, <c>a:b</c> or <c>a/b</c>, as in a random-effects term.</summary>
        public IReadOnlyList<IReadOnlyList<Variable>> ParseClusterGrouping()
        {
            Next(); // '|'
            return ParseGrouping();
        }

        /// <summary>Covariate terms as in a formula's fixed part: columns, factors, interactions and function terms.</summary>
        public TermSet ParseCovariateTerms(string name, string usage)
        {
            if (Peek.Kind is Kind.Bar or Kind.RParen or Kind.End)
                throw Error($"{name}(): expected covariates after '~', found {Describe(Peek)}. Usage: {usage}.", Peek.Position);
            var sum = ParseSum();
            foreach (var item in sum is SumNode s ? s.Items.Select(i => i.Item) : [sum])
                if (item is BarNode or OffsetNode)
                    throw Error($"{name}() takes covariates, not {(item is BarNode ? "a random-effects term" : "an offset")}. Usage: {usage}.", item.Position);
            return Evaluator.Expand(text, sum, []);
        }

        /// <summary>The closing ')' of the structure and the end of the argument; anything else is named.</summary>
        public void CloseStructure(string name, int open, string usage)
        {
            var t = Next();
            if (t.Kind == Kind.Comma)
                throw Error($"{name}() takes one argument, the form (starting or fixed values are not taken). Usage: {usage}.", t.Position);
            if (t.Kind == Kind.End) throw Error($"Unclosed '(' of {name}(.", open);
            if (t.Kind != Kind.RParen) throw Error($"Unexpected {Describe(t)} in {name}(). Usage: {usage}.", t.Position);
            ExpectSpecEnd(name, usage);
        }

        private void ExpectSpecEnd(string name, string usage)
        {
            if (Peek.Kind != Kind.End) throw Error($"Unexpected {Describe(Peek)} after {name}(...). Usage: {usage}.", Peek.Position);
        }
    }
}
