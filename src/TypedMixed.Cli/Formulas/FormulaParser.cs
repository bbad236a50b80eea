using System.Globalization;

namespace TypedMixed.Cli.Formulas;

/// <summary>
/// Parses lme4-style formulas: <c>y ~ x + f + x:f + (1 | g) + (x || h) + (1 | a/b)</c>. Supports <c>+</c>, <c>-</c>
/// (of terms, <c>1</c> or <c>0</c>), <c>*</c>, <c>:</c>, <c>(a + b)^2</c>, parentheses, <c>0 +</c>, <c>- 1</c>,
/// back-quoted names, bar terms with grouping <c>g</c>, <c>a:b</c> or <c>a/b</c>, and the functions of
/// <see cref="SupportedFunctions"/> in the response and in fixed and random terms: <c>I(age^2)</c>, <c>log(x)</c>,
/// <c>scale(x)</c>, <c>poly(x, 2)</c>, <c>factor(x)</c>, <c>relevel(f, "ref")</c>, <c>offset(expression)</c>, and
/// <c>cbind(successes, failures)</c> as a binomial response. Terms are expanded and ordered as R's
/// <c>terms.formula</c> orders them; function terms are labelled as R deparses them (<c>poly(age, 2)</c>).
/// </summary>
internal static partial class FormulaParser
{
    /// <summary>The functions a formula may call, as listed in error messages.</summary>
    public static readonly IReadOnlyList<string> SupportedFunctions =
        ["I", .. ArithmeticExpression.Functions, "scale", "poly", "factor", "as.factor", "relevel", "offset", "cbind"];

    private static string SupportedList => string.Join(", ", SupportedFunctions.Select(f => f + "()"))
        + " (cbind() only as a binomial response, offset() only as a term of the fixed part)";

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

    private enum Kind { Name, Number, String, Tilde, Plus, Minus, Star, Colon, Slash, Caret, Equals, Bar, DoubleBar, LParen, RParen, Comma, End }

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
                    case '^': list.Add(new(Kind.Caret, "^", i++)); continue;
                    case '=' when i + 1 >= s.Length || s[i + 1] != '=': list.Add(new(Kind.Equals, "=", i++)); continue;
                    case '"' or '\'':
                    {
                        int close = s.IndexOf(c, i + 1);
                        if (close < 0) throw new FormulaException("Unclosed quoted string.", s, i);
                        list.Add(new(Kind.String, s[(i + 1)..close], i));
                        i = close + 1;
                        continue;
                    }
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
    private sealed record BarNode(Node Effects, bool Double, IReadOnlyList<IReadOnlyList<Variable>> Grouping, int Pos) : Node(Pos)
    {
        public MembershipGrouping? Membership { get; init; }
    }
    private sealed record OffsetNode(ArithmeticExpression Expression, int Pos) : Node(Pos);

    private sealed partial class Parser(string text, List<Token> tokens)
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
            if (t.Kind is not (Kind.Name or Kind.LParen or Kind.Minus or Kind.Number))
                throw Error($"Expected the response (a column name or an expression such as log(y)), found {Describe(t)}.", t.Position);
            ResponseTerm response;
            if (t.Kind == Kind.Name && t.Text == "cbind" && Peek.Kind == Kind.LParen)
            {
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
                // A column, or an expression R evaluates as the response: log(Reaction), I(y/10), sqrt(y + 1).
                _i--;
                var expression = ParseArithmetic("the response");
                response = expression is ColumnExpression column
                    ? new ResponseTerm(column.Variable, null, null, t.Position)
                    : new ResponseTerm(null, null, null, t.Position) { Expression = expression };
            }
            var tilde = Next();
            if (tilde.Kind != Kind.Tilde) throw Error($"Expected '~' after the response, found {Describe(tilde)}.", tilde.Position);
            return response;
        }

        // arithmetic := aterm (('+'|'-') aterm)*, aterm := afactor (('*'|'/') afactor)*,
        // afactor := ('-'|'+') afactor | power, power := primary ['^' afactor] (R: -a^2 is -(a^2), a^-1 is allowed),
        // primary := number | name | function '(' arithmetic ')' | '(' arithmetic ')'
        private ArithmeticExpression ParseArithmetic(string context = "an expression")
        {
            var left = ParseArithmeticTerm(context);
            while (Peek.Kind is Kind.Plus or Kind.Minus)
            {
                var op = Next();
                left = new BinaryExpression(op.Kind == Kind.Plus ? '+' : '-', left, ParseArithmeticTerm(context), op.Position);
            }
            return left;
        }

        private ArithmeticExpression ParseArithmeticTerm(string context)
        {
            var left = ParseArithmeticFactor(context);
            while (Peek.Kind is Kind.Star or Kind.Slash)
            {
                var op = Next();
                left = new BinaryExpression(op.Kind == Kind.Star ? '*' : '/', left, ParseArithmeticFactor(context), op.Position);
            }
            return left;
        }

        private ArithmeticExpression ParseArithmeticFactor(string context)
        {
            if (Peek.Kind == Kind.Minus)
            {
                var minus = Next();
                return new NegateExpression(ParseArithmeticFactor(context), minus.Position);
            }
            if (Peek.Kind == Kind.Plus)
            {
                Next();
                return ParseArithmeticFactor(context);
            }
            var primary = ParseArithmeticPrimary(context);
            if (Peek.Kind != Kind.Caret) return primary;
            var caret = Next();
            return new BinaryExpression('^', primary, ParseArithmeticFactor(context), caret.Position);
        }

        private ArithmeticExpression ParseArithmeticPrimary(string context)
        {
            var t = Next();
            switch (t.Kind)
            {
                case Kind.Number:
                    if (!double.TryParse(t.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                        throw Error($"'{t.Text}' is not a number.", t.Position);
                    return new ConstantExpression(value, t.Text, t.Position);
                case Kind.Name:
                    if (Peek.Kind != Kind.LParen) return new ColumnExpression(new Variable(t.Text, false, t.Position));
                    if (t.Text != "I" && !ArithmeticExpression.Functions.Contains(t.Text))
                        throw Error(SupportedFunctions.Contains(t.Text)
                            ? $"{t.Text}() cannot be used inside {context}. Inside {context} use arithmetic (+ - * / ^), I() and {string.Join(", ", ArithmeticExpression.Functions.Select(f => f + "()"))}."
                            : $"Unsupported function '{t.Text}()' in {context}. Supported: I(), {string.Join(", ", ArithmeticExpression.Functions.Select(f => f + "()"))}.", t.Position);
                    var open = Next();
                    var argument = ParseArithmetic(context);
                    if (Peek.Kind == Kind.Comma)
                        throw Error($"{t.Text}() takes one argument here{(t.Text == "log" ? " (log(x, base) is not supported: write log(x)/log(base))" : "")}.", Peek.Position);
                    Close(open);
                    return new CallExpression(t.Text, argument, t.Position);
                case Kind.LParen:
                    var inner = ParseArithmetic(context);
                    Close(t);
                    return new ParenExpression(inner, t.Position);
                default:
                    throw Error($"Expected a number, a column or a function such as log(...) in {context}, found {Describe(t)}.", t.Position);
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

        // interaction := power (':' power)*
        private Node ParseInteraction()
        {
            var left = ParsePower();
            while (Peek.Kind == Kind.Colon)
            {
                var op = Next();
                left = new BinaryNode(Kind.Colon, left, ParsePower(), op.Position);
            }
            return left;
        }

        // power := atom ['^' integer]: (a + b + c)^2 crosses the terms up to order 2, as R's formula operator.
        private Node ParsePower()
        {
            var left = ParseAtom();
            if (Peek.Kind != Kind.Caret) return left;
            var caret = Next();
            if (left is NameNode name)
                throw Error($"In a formula, {name.Variable.Label}^... crosses {name.Variable.Label} with itself, which R reduces to {name.Variable.Label}. For the power write I({name.Variable.Label}^2), or poly({name.Variable.Label}, 2) for orthogonal polynomials.", caret.Position);
            var k = Next();
            if (k.Kind != Kind.Number || !int.TryParse(k.Text, NumberStyles.None, CultureInfo.InvariantCulture, out int order) || order < 1)
                throw Error($"'^' in a formula takes a positive whole number, as in (a + b + c)^2; found {Describe(k)}. For arithmetic write I(...).", k.Position);
            return new BinaryNode(Kind.Caret, left, new NumberNode(order, k.Text, k.Position), caret.Position);
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
                        if (Peek.Kind == Kind.Name && Peek.Text == "mm" && tokens[_i + 1].Kind == Kind.LParen)
                        {
                            var membership = ParseMembership();
                            Close(t);
                            return new BarNode(inner, dbl, [], t.Position) { Membership = membership };
                        }
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
                case Kind.Caret:
                    throw Error("Unexpected '^': a power of a column is written I(x^2) (or poly(x, 2)); in a formula '^' follows a parenthesised sum, as in (a + b)^2.", t.Position);
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
            switch (name.Text)
            {
                case "factor" or "as.factor":
                {
                    var arg = Next();
                    if (arg.Kind != Kind.Name || Peek.Kind == Kind.LParen) throw Error($"{name.Text}() takes a column name, found {Describe(arg)}.", arg.Position);
                    Close(open);
                    return new NameNode(new Variable(arg.Text, true, name.Position));
                }
                case "relevel":
                    return ParseRelevel(name, open);
                case "I":
                {
                    var args = ParseArguments(open, name);
                    if (args.Count != 1 || args[0].Name is not null || args[0].Value is null)
                        throw Error("I() takes one expression, e.g. I(age^2) or I((x + 1)/2).", name.Position);
                    return Function(name, new ExpressionTerm($"I({args[0].Value})", args[0].Value!));
                }
                case "scale":
                    return ParseScale(name, open);
                case "poly":
                    return ParsePoly(name, open);
            }
            if (!ArithmeticExpression.Functions.Contains(name.Text))
                throw Error($"Unsupported function '{name.Text}()'. Supported: {SupportedList}.", name.Position);
            var call = ParseArguments(open, name);
            if (call.Count != 1 || call[0].Name is not null || call[0].Value is null)
                throw Error($"{name.Text}() takes one argument here{(name.Text == "log" ? " (log(x, base) is not supported: write I(log(x)/log(base)))" : "")}, e.g. {name.Text}(x).", name.Position);
            var callExpression = new CallExpression(name.Text, call[0].Value!, name.Position);
            return Function(name, new ExpressionTerm(callExpression.ToString(), callExpression));
        }

        private static NameNode Function(Token name, TermFunction function) =>
            new(new Variable(function.Label, false, name.Position) { Function = function });

        /// <summary>An argument of a function call: optionally named, an expression or a quoted string.</summary>
        private sealed record Argument(string? Name, ArithmeticExpression? Value, string? Text, int Position)
        {
            /// <summary>As R deparses it: <c>center = FALSE</c>, <c>"M"</c>, <c>age</c>.</summary>
            public override string ToString() =>
                (Name is null ? "" : Name + " = ") + (Value?.ToString() ?? "\"" + Text!.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"");

            /// <summary>TRUE/T → true, FALSE/F → false, otherwise null.</summary>
            public bool? Logical => Value is ColumnExpression { Variable.Column: var c } ? c switch { "TRUE" or "T" => true, "FALSE" or "F" => false, _ => null } : null;

            /// <summary>The value of a constant expression (a number, −2, 1/2), or null.</summary>
            public double? Constant => Value is not null && !Value.Variables().Any() ? Value.Evaluate(_ => [], 1)[0] : null;
        }

        // arguments := [argument (',' argument)*] ')', argument := [name '='] (arithmetic | string)
        private List<Argument> ParseArguments(Token open, Token function)
        {
            var args = new List<Argument>();
            if (Peek.Kind == Kind.RParen)
            {
                Next();
                return args;
            }
            while (true)
            {
                string? argName = null;
                int position = Peek.Position;
                if (Peek.Kind == Kind.Name && tokens[_i + 1].Kind == Kind.Equals)
                {
                    argName = Next().Text;
                    Next();
                }
                if (Peek.Kind == Kind.String) args.Add(new Argument(argName, null, Next().Text, position));
                else args.Add(new Argument(argName, ParseArithmetic($"the argument of {function.Text}()"), null, position));
                if (Peek.Kind != Kind.Comma) break;
                Next();
            }
            Close(open);
            return args;
        }

        /// <summary>Matches arguments to parameters as R does for these functions: by name, then the rest by position.</summary>
        private Argument?[] Match(Token function, List<Argument> args, string[] parameters, int positional, string usage)
        {
            var matched = new Argument?[parameters.Length];
            foreach (var a in args.Where(a => a.Name is not null))
            {
                int k = Array.IndexOf(parameters, a.Name);
                if (k < 0) throw Error($"{function.Text}() has no argument '{a.Name}'. Usage: {usage}.", a.Position);
                if (matched[k] is not null) throw Error($"{function.Text}(): argument '{a.Name}' is given twice.", a.Position);
                matched[k] = a;
            }
            int next = 0;
            foreach (var a in args.Where(a => a.Name is null))
            {
                while (next < positional && matched[next] is not null) next++;
                if (next >= positional) throw Error($"{function.Text}() takes at most {positional} unnamed argument{(positional == 1 ? "" : "s")}. Usage: {usage}.", a.Position);
                matched[next++] = a;
            }
            if (matched[0]?.Value is null) throw Error($"{function.Text}() needs a numeric column or expression first. Usage: {usage}.", function.Position);
            return matched;
        }

        private string Label(Token function, List<Argument> args) => $"{function.Text}({string.Join(", ", args)})";

        // scale(x, center = TRUE, scale = TRUE): each TRUE, FALSE or a number.
        private NameNode ParseScale(Token name, Token open)
        {
            const string usage = "scale(x), scale(x, center = FALSE), scale(x, center = 2.5, scale = 10)";
            var args = ParseArguments(open, name);
            var m = Match(name, args, ["x", "center", "scale"], 3, usage);
            // TRUE (or absent): from the data; FALSE: the identity (subtract 0, divide by 1); a number: that number.
            (double? Value, bool FromData) Setting(Argument? a, string what, double identity)
            {
                if (a is null) return (null, true);
                if (a.Logical is { } b) return (b ? null : identity, b);
                if (a.Constant is { } c) return (c, false);
                throw Error($"scale(): {what} must be TRUE, FALSE or a number. Usage: {usage}.", a.Position);
            }
            var (center, byMean) = Setting(m[1], "center", 0);
            var (scale, byRms) = Setting(m[2], "scale", 1);
            return Function(name, new ScaleTerm(Label(name, args), m[0]!.Value!, center, byMean, scale, byRms));
        }

        // poly(x, degree = 1, raw = FALSE)
        private NameNode ParsePoly(Token name, Token open)
        {
            const string usage = "poly(x, 2) or poly(x, 3, raw = TRUE)";
            var args = ParseArguments(open, name);
            var m = Match(name, args, ["x", "degree", "raw"], 2, usage);
            int degree = 1;
            if (m[1] is { } d)
            {
                if (d.Constant is not { } value || value != Math.Floor(value) || value < 1 || value > 20)
                    throw Error($"poly(): the degree must be a whole number from 1 to 20. Usage: {usage}.", d.Position);
                degree = (int)value;
            }
            bool raw = false;
            if (m[2] is { } r)
                raw = r.Logical ?? throw Error($"poly(): raw must be TRUE or FALSE. Usage: {usage}.", r.Position);
            return Function(name, new PolyTerm(Label(name, args), m[0]!.Value!, degree, raw));
        }

        // relevel(f, "ref") or relevel(factor(f), ref = "ref")
        private NameNode ParseRelevel(Token name, Token open)
        {
            const string usage = "relevel(column, \"reference level\"), e.g. relevel(sex, \"M\") or relevel(factor(schgend), \"mixed\")";
            var first = Next();
            if (first.Kind != Kind.Name) throw Error($"relevel() takes a column first. Usage: {usage}.", first.Position);
            string column = first.Text, inner = first.Text;
            if (Peek.Kind == Kind.LParen)
            {
                if (first.Text is not ("factor" or "as.factor")) throw Error($"relevel() takes a column or factor(column) first. Usage: {usage}.", first.Position);
                var innerOpen = Next();
                var arg = Next();
                if (arg.Kind != Kind.Name) throw Error($"{first.Text}() takes a column name, found {Describe(arg)}.", arg.Position);
                Close(innerOpen);
                column = arg.Text;
                inner = $"{first.Text}({arg.Text})";
            }
            if (Peek.Kind != Kind.Comma) throw Error($"relevel() needs the reference level. Usage: {usage}.", Peek.Position);
            Next();
            bool named = false;
            if (Peek.Kind == Kind.Name && Peek.Text == "ref" && tokens[_i + 1].Kind == Kind.Equals)
            {
                Next();
                Next();
                named = true;
            }
            var reference = Next();
            if (reference.Kind != Kind.String) throw Error($"relevel(): the reference level is a quoted string. Usage: {usage}.", reference.Position);
            Close(open);
            string label = $"relevel({inner}, {(named ? "ref = " : "")}\"{reference.Text}\")";
            return new NameNode(new Variable(column, true, name.Position) { Reference = reference.Text, Text = label });
        }

        // mm(a, b, c [, weights = cbind(wa, wb, wc)] [, scale = TRUE|FALSE]): brms's multiple-membership grouping.
        private MembershipGrouping ParseMembership()
        {
            const string usage = "mm(school1, school2, school3, weights = cbind(w1, w2, w3))";
            var mm = Next();
            var open = Next();
            var levels = new List<Variable>();
            List<Variable>? weights = null;
            MembershipWeighting weighting = MembershipWeighting.SumToOne;
            while (true)
            {
                var t = Next();
                if (t.Kind != Kind.Name)
                    throw Error($"mm() lists the columns of the levels a row belongs to, found {Describe(t)}. Usage: {usage}.", t.Position);
                if (Peek.Kind == Kind.Equals)
                {
                    Next();
                    if (t.Text == "weights")
                    {
                        if (weights is not null) throw Error("mm(): weights are given twice.", t.Position);
                        var cbind = Next();
                        if (cbind.Kind == Kind.Name && Peek.Kind != Kind.LParen)
                            weights = [new Variable(cbind.Text, false, cbind.Position)];
                        else
                        {
                            if (cbind.Kind != Kind.Name || cbind.Text != "cbind")
                                throw Error($"mm(): weights are given as cbind(w1, w2, ...), one column per level column. Usage: {usage}.", cbind.Position);
                            var wopen = Next();
                            weights = [];
                            while (true)
                            {
                                var w = Next();
                                if (w.Kind != Kind.Name)
                                    throw Error($"mm(): a weight is a column name, found {Describe(w)}.", w.Position);
                                weights.Add(new Variable(w.Text, false, w.Position));
                                if (Peek.Kind != Kind.Comma) break;
                                Next();
                            }
                            Close(wopen);
                        }
                    }
                    else if (t.Text == "scale")
                    {
                        var v = Next();
                        weighting = v.Text switch
                        {
                            "TRUE" or "T" => MembershipWeighting.Normalize,
                            "FALSE" or "F" => MembershipWeighting.AsGiven,
                            _ => throw Error($"mm(): scale is TRUE (divide each row's weights by their sum) or FALSE (use them as given), found {Describe(v)}.", v.Position),
                        };
                    }
                    else throw Error($"mm() has no argument '{t.Text}': it takes the level columns, weights = cbind(...) and scale = TRUE/FALSE. Usage: {usage}.", t.Position);
                }
                else
                {
                    if (weights is not null)
                        throw Error("mm(): list the level columns before weights = ....", t.Position);
                    if (Peek.Kind == Kind.LParen)
                        throw Error("mm(): a level column is a column name; functions are not supported there.", t.Position);
                    if (levels.Any(l => l.Column == t.Text))
                        throw Error($"mm(): column '{t.Text}' is listed twice.", t.Position);
                    levels.Add(new Variable(t.Text, true, t.Position));
                }
                if (Peek.Kind != Kind.Comma) break;
                Next();
            }
            Close(open);
            if (levels.Count == 0) throw Error($"mm() needs at least one level column. Usage: {usage}.", mm.Position);
            if (weights is not null && weights.Count != levels.Count)
                throw Error($"mm() has {levels.Count} level column(s) but {weights.Count} weight column(s): give one weight column per level column, in the same order.", mm.Position);
            return new MembershipGrouping(levels, weights, weighting, mm.Position);
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
            if (Peek.Kind is not (Kind.RParen or Kind.End or Kind.Comma))
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
                    bars.Add(new BarTerm(Expand(text, bar.Effects, []), bar.Double, bar.Grouping, bar.Position) { Membership = bar.Membership });
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
        internal static TermSet Expand(string text, Node node, IReadOnlyList<Variable> leading)
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
                    if (b.Op == Kind.Caret)
                    {
                        // (a + b + c)^k: the sum crossed with itself k times (a*a = a), terms up to order k.
                        var power = left;
                        for (int j = 1; j < (int)((NumberNode)b.Right).Value; j++)
                        {
                            var crossedPower = new List<List<Variable>>(power);
                            foreach (var l in power)
                                foreach (var r in left)
                                {
                                    var t = l.Concat(r.Where(v => !l.Contains(v))).ToList();
                                    if (!crossedPower.Any(u => SameSet(u, t))) crossedPower.Add(t);
                                }
                            power = crossedPower;
                        }
                        return power;
                    }
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
