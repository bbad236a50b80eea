using System.Globalization;
using static TypedMixed.Presentation.NumberText;

namespace TypedMixed.Presentation;

public static partial class FitSummary
{
    /// <summary>lme4 prints the correlation of fixed effects only up to this many coefficients (<c>p &gt; 12</c> is left out).</summary>
    internal const int MaxCorrelationColumns = 12;

    /// <summary>
    /// lme4's "Scaled residuals" block: R's default (type 7) quantiles 0, ¼, ½, ¾, 1 of the finite residuals, to
    /// <paramref name="digits"/> significant digits.
    /// </summary>
    internal static ReportTable ScaledResidualsTable(IEnumerable<double> residuals, int digits)
    {
        var table = new ReportTable(["Min", "1Q", "Median", "3Q", "Max"], [true, true, true, true, true]);
        var sorted = residuals.Where(double.IsFinite).Order().ToArray();
        table.Add([.. new[] { 0, 0.25, 0.5, 0.75, 1 }.Select(p => Sig(Distributions.SampleQuantile(sorted, p), digits))]);
        return table;
    }

    /// <summary>The correlation matrix of the fixed-effect estimates, cov2cor(vcov): Cᵢⱼ = Vᵢⱼ / √(Vᵢᵢ Vⱼⱼ).</summary>
    public static double[,] FixedEffectsCorrelation(MixedModelFit fit)
    {
        ArgumentNullException.ThrowIfNull(fit);
        var v = fit.FixedEffectsCovariance;
        int p = v.GetLength(0);
        var c = new double[p, p];
        for (int i = 0; i < p; i++)
            for (int j = 0; j < p; j++)
                c[i, j] = v[i, j] / Math.Sqrt(v[i, i] * v[j, j]);
        return c;
    }

    /// <summary>
    /// lme4's "Correlation of Fixed Effects": the lower triangle to 3 decimals, rows named by the coefficients after the
    /// first (abbreviated to 11 characters), columns by the coefficients before the last (abbreviated to 6), as R's
    /// <c>abbreviate</c> does. Null with one coefficient; with more than 12, a note instead of the table (as lme4).
    /// </summary>
    internal static (ReportTable? Table, string? Note) CorrelationTable(MixedModelFit fit)
    {
        int p = fit.FixedEffects.Count;
        if (p < 2 || fit.FixedEffectsCovariance.GetLength(0) != p) return (null, null);
        if (p > MaxCorrelationColumns)
            return (null, $"Correlation matrix not shown, as p = {Count(p)} > {Count(MaxCorrelationColumns)} (as lme4); the JSON output (--json) has vcov.");
        var names = fit.FixedEffects.Select(f => f.Name).ToArray();
        var rows = RAbbreviation.Abbreviate(names, 11);
        var columns = RAbbreviation.Abbreviate(names, 6);
        var corr = FixedEffectsCorrelation(fit);
        var headers = new List<string> { "" };
        headers.AddRange(columns.Take(p - 1));
        var table = new ReportTable(headers, headers.Select((_, c) => c > 0).ToArray());
        for (int i = 1; i < p; i++)
        {
            var cells = new string[p];
            cells[0] = rows[i];
            for (int j = 0; j < p - 1; j++)
                cells[j + 1] = j < i ? Math.Round(corr[i, j], 3).ToString("F3", CultureInfo.InvariantCulture) : "";
            table.Add(cells);
        }
        return (table, null);
    }
}

/// <summary>
/// R's <c>abbreviate(names, minlength)</c> (method "left.kept", not strict): from the end, drop lower-case vowels
/// that end a word, then lower-case vowels, then lower-case letters that end a word, then lower-case letters, then any
/// character — never a word's first — until the name is short enough; names that collide are abbreviated again with
/// one more character.
/// </summary>
internal static class RAbbreviation
{
    public static string[] Abbreviate(IReadOnlyList<string> names, int minLength)
    {
        var result = names.Select(n => Strip(n, minLength)).ToArray();
        int length = minLength;
        while (length < 1000)
        {
            var duplicated = Enumerable.Range(0, result.Length).Where(i => result.Count(r => r == result[i]) > 1).ToArray();
            if (duplicated.Length == 0) break;
            length++;
            foreach (int i in duplicated) result[i] = Strip(names[i], length);
        }
        return result;
    }

    /// <summary>R's C routine <c>stripchars</c> for one name.</summary>
    internal static string Strip(string name, int minLength)
    {
        var b = new System.Text.StringBuilder(name.TrimStart());
        if (b.Length <= minLength) return b.ToString();
        // Trailing blanks go; inner blanks are word boundaries, counted out of the length and removed at the end.
        while (b.Length > 0 && char.IsWhiteSpace(b[^1])) b.Length--;
        int spaces = b.ToString().Count(char.IsWhiteSpace);
        bool Short() => b.Length - spaces <= minLength;
        bool First(int i) => char.IsWhiteSpace(b[i - 1]);
        bool Last(int i) => !char.IsWhiteSpace(b[i - 1]) && (i + 1 >= b.Length || char.IsWhiteSpace(b[i + 1]));
        static bool Vowel(char c) => c is 'a' or 'e' or 'i' or 'o' or 'u';
        Func<int, bool>[] passes =
        [
            i => Vowel(b[i]) && Last(i),
            i => Vowel(b[i]) && !First(i),
            i => char.IsLower(b[i]) && Last(i),
            i => char.IsLower(b[i]) && !First(i),
            i => !First(i) && !char.IsWhiteSpace(b[i]),
        ];
        if (!Short())
        {
            foreach (var drop in passes)
            {
                bool done = false;
                for (int i = b.Length - 1; i > 0; i--)
                {
                    if (i < b.Length && drop(i)) b.Remove(i, 1);
                    if (Short()) { done = true; break; }
                }
                if (done) break;
            }
        }
        if (b.Length > minLength)
            for (int i = b.Length - 1; i > 0; i--)
                if (char.IsWhiteSpace(b[i])) b.Remove(i, 1);
        return b.ToString();
    }
}
