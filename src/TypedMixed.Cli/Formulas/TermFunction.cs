using System.Globalization;

namespace TypedMixed.Cli.Formulas;

/// <summary>
/// A numeric term computed from columns by a function, as R's <c>model.frame</c> evaluates it: on every row of the data
/// (before incomplete rows are dropped), giving one column (<c>I(age^2)</c>, <c>log(x)</c>, <c>scale(x)</c>) or several
/// (<c>poly(age, 2)</c>, whose columns R names <c>poly(age, 2)1</c>, <c>poly(age, 2)2</c>; <c>poly(age)</c> is one
/// column named <c>poly(age)</c>).
/// </summary>
internal abstract record TermFunction(string Label, ArithmeticExpression Argument)
{
    /// <summary>The columns the function reads.</summary>
    public IEnumerable<Variable> Inputs() => Argument.Variables();

    /// <summary>
    /// The term's columns on all <paramref name="rows"/> rows, each with the suffix R appends to <see cref="Label"/>
    /// (empty for a single column). <paramref name="column"/> gives each input's values, NaN where missing; rows whose
    /// argument is not a finite number are NaN in the result and take no part in means, scales or polynomials.
    /// </summary>
    public abstract IReadOnlyList<(string Suffix, double[] Values)> Compute(Func<Variable, double[]> column, int rows);
}

/// <summary><c>I(expression)</c> or a function such as <c>log(x)</c>: row by row.</summary>
internal sealed record ExpressionTerm(string Label, ArithmeticExpression Argument) : TermFunction(Label, Argument)
{
    public override IReadOnlyList<(string Suffix, double[] Values)> Compute(Func<Variable, double[]> column, int rows) =>
        [("", Argument.Evaluate(column, rows))];
}

/// <summary>
/// R's <c>scale(x, center, scale)</c>: <c>center = TRUE</c> subtracts the mean, a number subtracts that number;
/// <c>scale = TRUE</c> divides by √(Σx²/(n − 1)) of the centred values (the standard deviation when centred), a number
/// divides by it; FALSE skips the step. Missing values are left out of the mean and the scale, as R's
/// <c>na.rm = TRUE</c>.
/// </summary>
internal sealed record ScaleTerm(string Label, ArithmeticExpression Argument, double? Center, bool CenterByMean, double? Scale, bool ScaleByRms)
    : TermFunction(Label, Argument)
{
    public override IReadOnlyList<(string Suffix, double[] Values)> Compute(Func<Variable, double[]> column, int rows)
    {
        var x = Argument.Evaluate(column, rows);
        double center = Center ?? 0;
        if (CenterByMean)
        {
            double sum = 0;
            int count = 0;
            foreach (double v in x)
                if (double.IsFinite(v)) { sum += v; count++; }
            center = sum / count;
        }
        for (int i = 0; i < rows; i++) x[i] -= center;
        double scale = Scale ?? 1;
        if (ScaleByRms)
        {
            double ss = 0;
            int count = 0;
            foreach (double v in x)
                if (double.IsFinite(v)) { ss += v * v; count++; }
            scale = Math.Sqrt(ss / (count - 1));
        }
        for (int i = 0; i < rows; i++) x[i] /= scale;
        return [("", x)];
    }
}

/// <summary>
/// R's <c>poly(x, degree)</c>: orthogonal polynomials on the centred x by the three-term recurrence
/// P₀ = 1, P₁ = x − α₀, P_{j+1} = (x − α_j)P_j − (‖P_j‖²/‖P_{j−1}‖²)P_{j−1} with α_j = Σ x P_j²/‖P_j‖², each column
/// scaled to unit length — the columns R's QR construction gives. With <c>raw = TRUE</c>, x, x², …, x^degree.
/// Rows whose x is missing are left out (R's <c>poly</c> refuses missing values; here it fits the rows that have one).
/// </summary>
internal sealed record PolyTerm(string Label, ArithmeticExpression Argument, int Degree, bool Raw) : TermFunction(Label, Argument)
{
    public override IReadOnlyList<(string Suffix, double[] Values)> Compute(Func<Variable, double[]> column, int rows)
    {
        var x = Argument.Evaluate(column, rows);
        var present = Enumerable.Range(0, rows).Where(i => double.IsFinite(x[i])).ToArray();
        var result = new (string, double[])[Degree];
        for (int d = 0; d < Degree; d++)
        {
            var values = new double[rows];
            Array.Fill(values, double.NaN);
            // R's model.matrix appends a matrix term's column names (1, 2, …) unless it has a single column.
            result[d] = (Degree == 1 ? "" : (d + 1).ToString(CultureInfo.InvariantCulture), values);
        }
        if (Raw)
        {
            foreach (int i in present)
                for (int d = 0; d < Degree; d++) result[d].Item2[i] = Math.Pow(x[i], d + 1);
            return result;
        }
        int unique = present.Select(i => x[i]).Distinct().Count();
        if (Degree >= unique)
            throw new FormulaTermException($"{Label}: the degree must be less than the number of distinct values of {Argument} ({unique}), as R's poly() requires.");
        int n = present.Length;
        double mean = present.Sum(i => x[i]) / n;
        var xc = present.Select(i => x[i] - mean).ToArray();
        var previous = new double[n];
        var current = Enumerable.Repeat(1.0, n).ToArray();
        double previousNorm = 1, currentNorm = n;
        for (int d = 0; d < Degree; d++)
        {
            // α_d = Σ x P_d² / ‖P_d‖²; P_{d+1} = (x − α_d) P_d − (‖P_d‖²/‖P_{d−1}‖²) P_{d−1}.
            double alpha = 0;
            for (int i = 0; i < n; i++) alpha += xc[i] * current[i] * current[i];
            alpha /= currentNorm;
            double ratio = d == 0 ? 0 : currentNorm / previousNorm;
            var next = new double[n];
            for (int i = 0; i < n; i++) next[i] = (xc[i] - alpha) * current[i] - ratio * previous[i];
            double nextNorm = 0;
            for (int i = 0; i < n; i++) nextNorm += next[i] * next[i];
            double length = Math.Sqrt(nextNorm);
            for (int k = 0; k < n; k++) result[d].Item2[present[k]] = next[k] / length;
            previous = current;
            previousNorm = currentNorm;
            current = next;
            currentNorm = nextNorm;
        }
        return result;
    }
}

/// <summary>A function term that cannot be computed on the data (e.g. a polynomial degree above the distinct values).</summary>
internal sealed class FormulaTermException(string message) : Exception(message);
