using System.Globalization;

namespace TypedMixed.Cli.Formulas;

/// <summary>
/// Parses lme4-style formulas: <c>y ~ x + f + x:f + (1 | g) + (x || h) + (1 | a/b)</c>. Supports <c>+</c>, <c>-</c>
/// (of terms, <c>1</c> or <c>0</c>), <c>*</c>, <c>:</c>, parentheses, <c>0 +</c>, <c>- 1</c>, <c>factor(x)</c>,
/// back-quoted names, and bar terms with grouping <c>g</c>, <c>a:b</c> or <c>a/b</c>. Terms are expanded and ordered
/// as R's <c>terms.formula</c> orders them. For generalized models the response may be
/// <c>cbind(successes, failures)</c> and the fixed part may hold <c>offset(expression)</c> terms; both take arithmetic
/// on columns (<see cref="ArithmeticExpression"/>).
/// </summary>
internal static class FormulaParser
{
    public static Formula Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = Lexer.Tokenize(text);
        var p = new Parser(text, tokens);
        var response = p.ParseResponse();
        var rhs = p.ParseSum();
        p.ExpectEnd();
        return Evaluator.Build(text, response, rhs);
    }

    // ---- tokens ----

    private enum Kind { Name, Number, Tilde, Plus, Minus, Star, Colon, Slash, Bar, DoubleBar, LParen, RParen, Comma, End }

    private readonly record struct Token(Kind Kind, string Text, int Position);

    private static class Lexer
    {
        public static List<Token> Tokenize(string s)
        {
            var list = new List<Token>();
            int i = 0;
            while (i < s.Length)
            {
                char c = s[i];
                if (char.IsWhiteSpace(c)) { i++; continue; }
                int start = i;
                switch (c)
                {
                    case '~': list.Add(new(Kind.Tilde, "~", i++)); continue;
                    case '+': list.Add(new(Kind.Plus, "+", i++)); continue;
                    case '-': list.Add(new(Kind.Minus, "-", i++)); continue;
                    case '*': list.Add(new(Kind.Star, "*", i++)); continue;
                    case ':': list.Add(new(Kind.Colon, ":", i++)); continue;
                    case '/': list.Add(new(Kind.Slash, "/", i++)); continue;
                    case '(': list.Add(new(Kind.LParen, "(", i++)); continue;
                    case ')': list.Add(new(Kind.RParen, ")", i++)); continue;
                    case ',': list.Add(new(Kind.Comma, ",", i++)); continue;
                    case '|':
                        if (i + 1 < s.Length && s[i + 1] == '|') { list.Add(new(Kind.DoubleBar, "||", i)); i += 2; }
                        else list.Add(new(Kind.Bar, "|", i++));
                        continue;
                    case '`':
                    {
                        int close = s.IndexOf('`', i + 1);
                        if (close < 0) throw new FormulaException("Unclosed back-quoted name.", s, i);
                        if (close == i + 1) throw new FormulaException("Empty back-quoted name.", s, i);
                        list.Add(new(Kind.Name, s[(i + 1)..close], i));
                        i = close + 1;
                        continue;
                    }
                }
                if (char.IsDigit(c) || (c == '.' && i + 1 < s.Length && char.IsDigit(s[i + 1])))
                {
                    while (i < s.Length && (char.IsDigit(s[i]) || s[i] == '.')) i++;
                    if (i < s.Length && (char.IsLetter(s[i]) || s[i] == '_'))
                        throw new FormulaException("A name cannot start with a digit; back-quote it (`2x`).", s, start);
                    list.Add(new(Kind.Number, s[start..i], start));
                    continue;
                }
                if (char.IsLetter(c) || c == '.' || c == '_')
                {
                    while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] == '.' || s[i] == '_')) i++;
                    list.Add(new(Kind.Name, s[start..i], start));
                    continue;
                }
                throw new FormulaException($"Unexpected character '{c}'.", s, i);
            }
            list.Add(new(Kind.End, "", s.Length));
            return list;
        }
    }

    // ---- syntax tree ----

    private abstract record Node(int Position);
    private sealed record NameNode(Variable Variable) : Node(Variable.Position);
    private sealed record NumberNode(double Value, string Text, int Pos) : Node(Pos);
    private sealed record SumNode(IReadOnlyList<(bool Minus, Node Item)> Items, int Pos) : Node(Pos);
    private sealed record BinaryNode(Kind Op, Node Left, Node Right, int Pos) : Node(Pos);
    private sealed record BarNode(Node Effects, bool Double, IReadOnlyList<IReadOnlyList<Variable>> Grouping, int Pos) : Node(Pos);
    private sealed record OffsetNode(ArithmeticExpression Expression, int Pos) : Node(Pos);

    private sealed class Parser(string text, List<Token> tokens)
    {
        private int _i;

        private Token Peek => tokens[_i];

        private Token Next() => tokens[_i++];

        private FormulaException Error(string message, int position) => new(message, text, position);

        private static string Describe(Token t) => t.Kind == Kind.End ? "the end of the formula" : $"'{t.Text}'";

        public ResponseTerm ParseResponse()
        {
            var t = Next();
            if (t.Kind == Kind.Tilde) throw Error("The formula needs a response before '~', e.g. 'y ~ x + (1 | g)'.", t.Position);
            if (t.Kind != Kind.Name) throw Error($"Expected the response (a column name), found {Describe(t)}.", t.Position);
            ResponseTerm response;
            if (Peek.Kind == Kind.LParen)
            {
                if (t.Text != "cbind")
                    throw Error($"Unsupported function '{t.Text}()' in the response. The response is a column, or cbind(successes, failures) for a binomial model, e.g. cbind(incidence, size - incidence).", t.Position);
                var open = Next();
                var successes = ParseArithmetic();
                if (Peek.Kind != Kind.Comma)
                    throw Error($"cbind() takes two arguments, successes and failures, e.g. cbind(incidence, size - incidence); found {Describe(Peek)}.", Peek.Position);
                Next();
                var failures = ParseArithmetic();
                if (Peek.Kind == Kind.Comma)
                    throw Error("cbind() takes exactly two arguments: successes and failures (not trials), e.g. cbind(incidence, size - incidence).", Peek.Position);
                Close(open);
                response = new ResponseTerm(null, successes, failures, t.Position);
            }
            else
            {
                response = new ResponseTerm(new Variable(t.Text, false, t.Position), null, null, t.Position);
            }
            var tilde = Next();
            if (tilde.Kind != Kind.Tilde) throw Error($"Expected '~' after the response, found {Describe(tilde)}.", tilde.Position);
            return response;
        }

        // arithmetic := aterm (('+'|'-') aterm)*, aterm := afactor (('*'|'/') afactor)*,
        // afactor := ('-'|'+') afactor | number | name | function '(' arithmetic ')' | '(' arithmetic ')'
        private ArithmeticExpression ParseArithmetic()
        {
            var left = ParseArithmeticTerm();
            while (Peek.Kind is Kind.Plus or Kind.Minus)
            {
                var op = Next();
                left = new BinaryExpression(op.Kind == Kind.Plus ? '+' : '-', left, ParseArithmeticTerm(), op.Position);
            }
            return left;
        }

        private ArithmeticExpression ParseArithmeticTerm()
        {
            var left = ParseArithmeticFactor();
            while (Peek.Kind is Kind.Star or Kind.Slash)
            {
                var op = Next();
                left = new BinaryExpression(op.Kind == Kind.Star ? '*' : '/', left, ParseArithmeticFactor(), op.Position);
            }
            return left;
        }

        private ArithmeticExpression ParseArithmeticFactor()
        {
            var t = Next();
            switch (t.Kind)
            {
                case Kind.Minus:
                    return new NegateExpression(ParseArithmeticFactor(), t.Position);
                case Kind.Plus:
                    return ParseArithmeticFactor();
                case Kind.Number:
                    if (!double.TryParse(t.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                        throw Error($"'{t.Text}' is not a number.", t.Position);
                    return new ConstantExpression(value, t.Text, t.Position);
                case Kind.Name:
                    if (Peek.Kind != Kind.LParen) return new ColumnExpression(new Variable(t.Text, false, t.Position));
                    if (!ArithmeticExpression.Functions.Contains(t.Text))
                        throw Error($"Unsupported function '{t.Text}()' in an expression. Supported: {string.Join(", ", ArithmeticExpression.Functions.Select(f => f + "()"))}.", t.Position);
                    var open = Next();
                    var argument = ParseArithmetic();
                    Close(open);
                    return new CallExpression(t.Text, argument, t.Position);
                case Kind.LParen:
                    var inner = ParseArithmetic();
                    Close(t);
                    return inner;
                default:
                    throw Error($"Expected a number, a column or a function such as log(...) in the expression, found {Describe(t)}.", t.Position);
            }
        }

        public void ExpectEnd()
        {
            var t = Peek;
            if (t.Kind == Kind.RParen) throw Error("Unmatched ')'.", t.Position);
            if (t.Kind != Kind.End) throw Error($"Unexpected {Describe(t)}; expected '+', '-', '*' or ':' between terms.", t.Position);
        }

        // sum := ['+'|'-'] product (('+'|'-') product)*
        public Node ParseSum()
        {
            int pos = Peek.Position;
            var items = new List<(bool, Node)>();
            bool minus = false;
            if (Peek.Kind is Kind.Plus or Kind.Minus) minus = Next().Kind == Kind.Minus;
            items.Add((minus, ParseProduct()));
            while (Peek.Kind is Kind.Plus or Kind.Minus)
            {
                minus = Next().Kind == Kind.Minus;
                items.Add((minus, ParseProduct()));
            }
            return items.Count == 1 && !items[0].Item1 ? items[0].Item2 : new SumNode(items, pos);
        }

        // product := interaction (('*'|'/') interaction)*
        private Node ParseProduct()
        {
            var left = ParseInteraction();
            while (Peek.Kind is Kind.Star or Kind.Slash)
            {
                var op = Next();
                if (op.Kind == Kind.Slash)
                    throw Error("'/' (nesting) is supported only in a grouping factor, e.g. '(1 | school/class)'. In the fixed part write 'a + a:b'.", op.Position);
                left = new BinaryNode(Kind.Star, left, ParseInteraction(), op.Position);
            }
            return left;
        }

        // interaction := atom (':' atom)*
        private Node ParseInteraction()
        {
            var left = ParseAtom();
            while (Peek.Kind == Kind.Colon)
            {
                var op = Next();
                left = new BinaryNode(Kind.Colon, left, ParseAtom(), op.Position);
            }
            return left;
        }

        private Node ParseAtom()
        {
            var t = Next();
            switch (t.Kind)
            {
                case Kind.Name:
                    if (Peek.Kind == Kind.LParen) return ParseCall(t);
                    return new NameNode(new Variable(t.Text, false, t.Position));
                case Kind.Number:
                    if (!double.TryParse(t.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                        throw Error($"'{t.Text}' is not a number.", t.Position);
                    return new NumberNode(value, t.Text, t.Position);
                case Kind.LParen:
                {
                    var inner = ParseSum();
                    if (Peek.Kind is Kind.Bar or Kind.DoubleBar)
                    {
                        bool dbl = Next().Kind == Kind.DoubleBar;
                        var grouping = ParseGrouping();
                        Close(t);
                        return new BarNode(inner, dbl, grouping, t.Position);
                    }
                    Close(t);
                    return inner;
                }
                case Kind.RParen:
                    throw Error("Unexpected ')': a term is missing.", t.Position);
                case Kind.End:
                    throw Error("The formula ends where a term is expected.", t.Position);
                default:
                    throw Error($"Unexpected {Describe(t)}: a term (a column name, 1, 0 or a '(... | g)' term) is expected here.", t.Position);
            }
        }

        private void Close(Token open)
        {
            var t = Next();
            if (t.Kind == Kind.RParen) return;
            if (t.Kind == Kind.End) throw Error("Unclosed '('.", open.Position);
            throw Error($"Expected ')' to close the '(' at position {open.Position + 1}, found {Describe(t)}.", t.Position);
        }

        private Node ParseCall(Token name)
        {
            var open = Next();
            if (name.Text == "offset")
            {
                var expression = ParseArithmetic();
                Close(open);
                return new OffsetNode(expression, name.Position);
            }
            if (name.Text == "cbind")
                throw Error("cbind(successes, failures) is a response: write it before '~', e.g. cbind(incidence, size - incidence) ~ period + (1 | herd).", name.Position);
            if (name.Text is not ("factor" or "as.factor"))
                throw Error($"Unsupported function '{name.Text}()'. Supported: factor(column), offset(expression).", name.Position);
            var arg = Next();
            if (arg.Kind != Kind.Name) throw Error($"factor() takes a column name, found {Describe(arg)}.", arg.Position);
            Close(open);
            return new NameNode(new Variable(arg.Text, true, name.Position));
        }

        // grouping := segment ('/' segment)*, segment := name (':' name)*
        private IReadOnlyList<IReadOnlyList<Variable>> ParseGrouping()
        {
            var segments = new List<List<Variable>>();
            while (true)
            {
                var segment = new List<Variable>();
                while (true)
                {
                    var t = Next();
                    if (t.Kind != Kind.Name)
                        throw Error($"Expected a grouping factor (a column name) after '|', found {Describe(t)}.", t.Position);
                    if (Peek.Kind == Kind.LParen)
                        throw Error("A grouping factor is a column name; functions are not supported there (columns are always treated as categories).", t.Position);
                    segment.Add(new Variable(t.Text, true, t.Position));
                    if (Peek.Kind != Kind.Colon) break;
                    Next();
                }
                segments.Add(segment);
                if (Peek.Kind != Kind.Slash) break;
                Next();
            }
            if (Peek.Kind is not (Kind.RParen or Kind.End))
                throw Error($"Unexpected {Describe(Peek)} in the grouping factor: use 'g', 'a:b' or 'a/b'.", Peek.Position);
            // a/b/c expands (as lme4) to a, b:a, c:b:a.
            var groups = new List<IReadOnlyList<Variable>>();
            for (int k = 0; k < segments.Count; k++)
            {
                var vars = new List<Variable>();
                for (int j = k; j >= 0; j--) vars.AddRange(segments[j]);
                groups.Add(vars);
            }
            return groups;
        }
    }

    // ---- expansion into terms ----

    private static class Evaluator
    {
        public static Formula Build(string text, ResponseTerm responseTerm, Node rhs)
        {
            var bars = new List<BarTerm>();
            var offsets = new List<ArithmeticExpression>();
            var items = rhs is SumNode s ? s.Items : [(false, rhs)];
            var fixedItems = new List<(bool, Node)>();
            foreach (var (minus, item) in items)
            {
                if (item is OffsetNode offset)
                {
                    if (minus) throw new FormulaException("An offset cannot be subtracted; write offset(-x) instead.", text, offset.Position);
                    offsets.Add(offset.Expression);
                }
                else if (item is BarNode bar)
                {
                    if (minus) throw new FormulaException("A random-effects term cannot be subtracted.", text, bar.Position);
                    bars.Add(new BarTerm(Expand(text, bar.Effects, []), bar.Double, bar.Grouping, bar.Position));
                }
                else
                {
                    fixedItems.Add((minus, item));
                }
            }
            // A column response may not reappear on the right; cbind()'s columns may (R's response is then the cbind call).
            var response = responseTerm.Variable;
            var responseUse = response is null ? null : fixedItems.SelectMany(i => Walk(i.Item2)).FirstOrDefault(v => v == response);
            if (responseUse is not null)
                throw new FormulaException($"The response '{response!.Column}' also appears on the right-hand side.", text, responseUse.Position);
            var fixedSet = fixedItems.Count == 0
                ? new TermSet(true, [], [])
                : Expand(text, new SumNode(fixedItems, fixedItems[0].Item2.Position), response is null ? [] : [response]);
            if (bars.Count == 0)
                throw new FormulaException("The formula has no random-effects term such as '(1 | group)'; a mixed model needs at least one.", text, text.Length);
            return new Formula(text, responseTerm, fixedSet, bars) { Offsets = offsets };
        }

        /// <summary>Expands a sum into R's terms: intercept flag, variables by first appearance, terms by order.</summary>
        private static TermSet Expand(string text, Node node, IReadOnlyList<Variable> leading)
        {
            bool intercept = true;
            var terms = new List<List<Variable>>();
            var items = node is SumNode s ? s.Items : [(false, node)];
            foreach (var (minus, item) in items)
            {
                if (item is NumberNode num)
                {
                    if (num.Value == 1) intercept = !minus;
                    else if (num.Value == 0) intercept = minus;
                    else throw new FormulaException($"Only 0 and 1 can stand as terms ('0 +' or '- 1' removes the intercept), not {num.Text}.", text, num.Position);
                    continue;
                }
                var value = Eval(text, item);
                if (minus) terms.RemoveAll(t => value.Any(v => SameSet(t, v)));
                else
                    foreach (var t in value)
                        if (!terms.Any(u => SameSet(u, t))) terms.Add(t);
            }

            // Variables in order of first appearance (the response first, as R's terms()).
            var variables = new List<Variable>(leading);
            foreach (var v in Walk(node))
                if (!variables.Contains(v)) variables.Add(v);
            var indexed = terms
                .Select(t => t.Select(v => variables.IndexOf(v)).Order().ToArray())
                .OrderBy(t => t.Length) // stable: R sorts terms by order, keeping the written order within an order
                .ToList();
            if (leading.Count > 0)
            {
                // Drop the response from the variable list, shifting indices.
                int drop = variables.IndexOf(leading[0]);
                variables.RemoveAt(drop);
                indexed = indexed.Select(t => t.Select(i => i > drop ? i - 1 : i).ToArray()).ToList();
            }
            return new TermSet(intercept, variables, indexed);
        }

        private static IEnumerable<Variable> Walk(Node node) => node switch
        {
            NameNode n => [n.Variable],
            SumNode s => s.Items.SelectMany(i => Walk(i.Item)),
            BinaryNode b => Walk(b.Left).Concat(Walk(b.Right)),
            _ => [],
        };

        private static List<List<Variable>> Eval(string text, Node node)
        {
            switch (node)
            {
                case NameNode n:
                    return [[n.Variable]];
                case NumberNode num:
                    throw new FormulaException($"The number {num.Text} cannot be part of an interaction or a parenthesised sum; '0 +' and '- 1' work only at the top level.", text, num.Position);
                case BarNode bar:
                    throw new FormulaException("A random-effects term '( ... | g)' must stand on its own in the sum, not inside an interaction or parentheses.", text, bar.Position);
                case OffsetNode offset:
                    throw new FormulaException("offset(...) must stand on its own in the fixed part of the formula, e.g. 'y ~ x + offset(log(n)) + (1 | g)', not inside an interaction, parentheses or a random-effects term.", text, offset.Position);
                case SumNode sum:
                {
                    var result = new List<List<Variable>>();
                    foreach (var (minus, item) in sum.Items)
                    {
                        var value = Eval(text, item);
                        if (minus) result.RemoveAll(t => value.Any(v => SameSet(t, v)));
                        else result.AddRange(value.Where(t => !result.Any(u => SameSet(u, t))));
                    }
                    return result;
                }
                case BinaryNode b:
                {
                    var left = Eval(text, b.Left);
                    var right = Eval(text, b.Right);
                    var product = new List<List<Variable>>();
                    foreach (var l in left)
                        foreach (var r in right)
                        {
                            var t = l.Concat(r.Where(v => !l.Contains(v))).ToList();
                            if (!product.Any(u => SameSet(u, t))) product.Add(t);
                        }
                    if (b.Op == Kind.Colon) return product;
                    var crossed = new List<List<Variable>>();
                    foreach (var t in left.Concat(right).Concat(product))
                        if (!crossed.Any(u => SameSet(u, t))) crossed.Add(t);
                    return crossed;
                }
                default:
                    throw new FormulaException("Unsupported term.", text, node.Position);
            }
        }

        private static bool SameSet(List<Variable> a, List<Variable> b) => a.Count == b.Count && a.All(b.Contains);
    }
}
