using System.Globalization;

namespace TypedMixed.Presentation;

/// <summary>Invariant-culture number formatting for printed tables (R-like significant digits, p-values).</summary>
internal static class NumberText
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>
    /// <paramref name="x"/> with <paramref name="digits"/> significant digits, fixed notation for magnitudes in
    /// [1e-4, 1e7), otherwise scientific (<c>1.234e-05</c>); <c>NA</c> for NaN.
    /// </summary>
    public static string Sig(double x, int digits = 4)
    {
        if (double.IsNaN(x)) return "NA";
        if (double.IsInfinity(x)) return x > 0 ? "Inf" : "-Inf";
        if (x == 0) return "0";
        int e = (int)Math.Floor(Math.Log10(Math.Abs(x)));
        if (Math.Abs(Math.Round(x, Math.Clamp(digits - 1 - e, 0, 15))) >= Math.Pow(10, e + 1)) e++; // 9.9999 rounds up to 10
        if (e < -4 || e >= 7) return Scientific(x, digits);
        int decimals = Math.Max(0, digits - 1 - e);
        return x.ToString("F" + decimals.ToString(Inv), Inv);
    }

    /// <summary>Scientific notation as R prints it: <c>-1.23e-05</c>.</summary>
    public static string Scientific(double x, int digits)
    {
        if (x == 0) return "0";
        int e = (int)Math.Floor(Math.Log10(Math.Abs(x)));
        double m = x / Math.Pow(10, e);
        string mantissa = m.ToString("F" + Math.Max(0, digits - 1).ToString(Inv), Inv);
        if (mantissa.TrimStart('-').StartsWith("10", StringComparison.Ordinal)) // rounding carried to the next power
        {
            e++;
            mantissa = (m / 10).ToString("F" + Math.Max(0, digits - 1).ToString(Inv), Inv);
        }
        return mantissa + "e" + (e < 0 ? "-" : "+") + Math.Abs(e).ToString("00", Inv);
    }

    /// <summary>Fixed notation with <paramref name="decimals"/> decimals; <c>NA</c> for NaN.</summary>
    public static string Fixed(double x, int decimals) =>
        double.IsNaN(x) ? "NA" : double.IsInfinity(x) ? (x > 0 ? "Inf" : "-Inf") : x.ToString("F" + decimals.ToString(Inv), Inv);

    /// <summary>A p-value as R's <c>format.pval</c> prints it: three significant digits, <c>&lt;2e-16</c> below machine precision.</summary>
    public static string PValue(double p)
    {
        if (double.IsNaN(p)) return "NA";
        if (p < 2.2e-16) return "<2e-16";
        if (p < 1e-4) return Scientific(p, 2);
        return Sig(p, 3);
    }

    /// <summary>An integer count, invariant.</summary>
    public static string Count(int n) => n.ToString(Inv);

    /// <summary>A number for SVG attributes: at most two decimals, invariant.</summary>
    public static string Svg(double x) => Math.Round(x, 2).ToString("0.##", Inv);
}
