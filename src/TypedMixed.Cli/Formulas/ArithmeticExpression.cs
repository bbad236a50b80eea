namespace TypedMixed.Cli.Formulas;

/// <summary>
/// Arithmetic on numeric columns, as R evaluates it inside <c>I(...)</c>, a function's argument, <c>cbind(...)</c> and
/// <c>offset(...)</c>: numbers, columns, <c>+ − * / ^</c>, unary minus, parentheses, <c>I()</c> and the functions
/// <see cref="Functions"/>. Evaluated row by row; <see cref="object.ToString"/> deparses as R does (<c>(age + 1)/2</c>,
/// <c>age^2</c>).
/// </summary>
internal abstract record ArithmeticExpression(int Position)
{
    /// <summary>The functions an expression may call.</summary>
    public static readonly IReadOnlyList<string> Functions = ["log", "log2", "log10", "log1p", "exp", "sqrt", "abs"];

    /// <summary>The columns the expression reads, by first appearance.</summary>
    public abstract IEnumerable<Variable> Variables();

    /// <summary>The value on each of <paramref name="n"/> rows, given each column's values on those rows.</summary>
    public abstract double[] Evaluate(Func<Variable, double[]> column, int n);
}

/// <summary>A column.</summary>
internal sealed record ColumnExpression(Variable Variable) : ArithmeticExpression(Variable.Position)
{
    public override IEnumerable<Variable> Variables() => [Variable];

    public override double[] Evaluate(Func<Variable, double[]> column, int n) => (double[])column(Variable).Clone();

    public override string ToString() => Variable.Column.All(c => char.IsLetterOrDigit(c) || c is '.' or '_') ? Variable.Column : $"`{Variable.Column}`";
}

/// <summary>A number.</summary>
internal sealed record ConstantExpression(double Value, string Text, int Pos) : ArithmeticExpression(Pos)
{
    public override IEnumerable<Variable> Variables() => [];

    public override double[] Evaluate(Func<Variable, double[]> column, int n) => Enumerable.Repeat(Value, n).ToArray();

    /// <summary>R's deparse of a number: up to 15 significant digits, <c>2</c> for <c>2.0</c>.</summary>
    public override string ToString() =>
        Value.ToString("G15", System.Globalization.CultureInfo.InvariantCulture).Replace("E+", "e+", StringComparison.Ordinal).Replace("E-", "e-", StringComparison.Ordinal);
}

/// <summary>An expression written in parentheses (kept, as R keeps them when it deparses).</summary>
internal sealed record ParenExpression(ArithmeticExpression Inner, int Pos) : ArithmeticExpression(Pos)
{
    public override IEnumerable<Variable> Variables() => Inner.Variables();

    public override double[] Evaluate(Func<Variable, double[]> column, int n) => Inner.Evaluate(column, n);

    public override string ToString() => $"({Inner})";
}

/// <summary>−x.</summary>
internal sealed record NegateExpression(ArithmeticExpression Operand, int Pos) : ArithmeticExpression(Pos)
{
    public override IEnumerable<Variable> Variables() => Operand.Variables();

    public override double[] Evaluate(Func<Variable, double[]> column, int n)
    {
        var v = Operand.Evaluate(column, n);
        for (int i = 0; i < n; i++) v[i] = -v[i];
        return v;
    }

    public override string ToString() => Operand is BinaryExpression { Op: not '^' } ? $"-({Operand})" : $"-{Operand}";
}

/// <summary>a ∘ b for ∘ one of <c>+ − * / ^</c>.</summary>
internal sealed record BinaryExpression(char Op, ArithmeticExpression Left, ArithmeticExpression Right, int Pos) : ArithmeticExpression(Pos)
{
    public override IEnumerable<Variable> Variables() => Left.Variables().Concat(Right.Variables());

    public override double[] Evaluate(Func<Variable, double[]> column, int n)
    {
        var a = Left.Evaluate(column, n);
        var b = Right.Evaluate(column, n);
        for (int i = 0; i < n; i++)
            a[i] = Op switch { '+' => a[i] + b[i], '-' => a[i] - b[i], '*' => a[i] * b[i], '^' => Math.Pow(a[i], b[i]), _ => a[i] / b[i] };
        return a;
    }

    private static int Precedence(char op) => op switch { '+' or '-' => 1, '*' or '/' => 2, _ => 3 };

    /// <summary>As R deparses: spaces around <c>+ − *</c>, none around <c>/</c> and <c>^</c> (<c>(age + 1)/2</c>, <c>age^2</c>).</summary>
    public override string ToString()
    {
        // ^ is right-associative: a^b^c is a^(b^c).
        bool rightAssociative = Op == '^';
        string left = Left is BinaryExpression l && (Precedence(l.Op) < Precedence(Op) || (rightAssociative && l.Op == '^')) ? $"({Left})" : Left.ToString()!;
        string right = Right is BinaryExpression r && (Precedence(r.Op) < Precedence(Op) || (!rightAssociative && Precedence(r.Op) == Precedence(Op))) ? $"({Right})" : Right.ToString()!;
        if (Op == '^' && Left is NegateExpression) left = $"({left})";
        return Op is '/' or '^' ? $"{left}{Op}{right}" : $"{left} {Op} {right}";
    }
}

/// <summary>f(x) for f one of <see cref="ArithmeticExpression.Functions"/>, or <c>I(x)</c> (x as it is).</summary>
internal sealed record CallExpression(string Function, ArithmeticExpression Argument, int Pos) : ArithmeticExpression(Pos)
{
    public override IEnumerable<Variable> Variables() => Argument.Variables();

    public override double[] Evaluate(Func<Variable, double[]> column, int n)
    {
        var v = Argument.Evaluate(column, n);
        if (Function == "I") return v;
        Func<double, double> f = Function switch
        {
            "log" => Math.Log,
            "log2" => Math.Log2,
            "log10" => Math.Log10,
            "log1p" => x => x > -1 && Math.Abs(x) < 1e-4 ? x - x * x / 2 + x * x * x / 3 : Math.Log(1 + x),
            "exp" => Math.Exp,
            "sqrt" => Math.Sqrt,
            "abs" => Math.Abs,
            _ => throw new InvalidOperationException($"Unknown function {Function}."),
        };
        for (int i = 0; i < n; i++) v[i] = f(v[i]);
        return v;
    }

    public override string ToString() => $"{Function}({Argument})";
}
