using System.Globalization;

namespace LondonSchools;

/// <summary>How a published number was rounded from the full-precision value.</summary>
public enum Rounding
{
    /// <summary>Rounded to the published number of decimals, halves away from zero.</summary>
    Nearest,

    /// <summary>Truncated toward zero to the published number of decimals (the paper's deviances).</summary>
    Truncated,
}

/// <summary>
/// Compares published numbers with ours, each of ours rounded to the published number of decimals, and remembers every
/// number that differs so that the program can fail when a published digit is not reproduced.
/// </summary>
public sealed class PublishedCheck
{
    private readonly List<string> _mismatches = [];
    private readonly List<string> _known = [];

    /// <summary>How many published numbers were compared.</summary>
    public int Compared { get; private set; }

    /// <summary>The published numbers that our fit does not reproduce, each with its label and both values.</summary>
    public IReadOnlyList<string> Mismatches => _mismatches;

    /// <summary>
    /// Published numbers that differ from ours in a way that is understood and stated (see <see cref="KnownDifference"/>);
    /// they are printed but do not fail the run while our value stays the one recorded.
    /// </summary>
    public IReadOnlyList<string> KnownDifferences => _known;

    /// <summary>
    /// Formats <paramref name="ours"/> with as many decimals as <paramref name="published"/> (invariant culture) and
    /// records whether the two texts are equal.
    /// </summary>
    /// <returns>Our value as text, and whether it equals the published text.</returns>
    public (string Text, bool Same) Compare(string label, string published, double ours, Rounding rounding = Rounding.Nearest,
        KnownDifference? known = null)
    {
        int decimals = Decimals(published);
        double scale = Math.Pow(10, decimals);
        double rounded = rounding == Rounding.Truncated
            ? Math.Truncate(ours * scale) / scale
            : Math.Round(ours, decimals, MidpointRounding.AwayFromZero);
        string text = Format(rounded, decimals);
        bool same = text == Format(double.Parse(published, CultureInfo.InvariantCulture), decimals);
        Compared++;
        string line = $"{label}: published {published}, ours {text} ({ours.ToString("G6", CultureInfo.InvariantCulture)})";
        if (!same && known is not null && known.Ours == text) _known.Add($"{line}: {known.Reason}");
        else if (!same) _mismatches.Add(line);
        return (text, same);
    }

    /// <summary>The number of decimals written in <paramref name="published"/>.</summary>
    public static int Decimals(string published) =>
        published.IndexOf('.') is var dot and >= 0 ? published.Length - dot - 1 : 0;

    /// <summary><paramref name="value"/> with <paramref name="decimals"/> decimals, invariant culture, no negative zero.</summary>
    public static string Format(double value, int decimals)
    {
        string text = value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return text.StartsWith('-') && text.Trim('-', '0', '.').Length == 0 ? text[1..] : text;
    }
}

/// <summary>
/// A published number we do not reproduce, with the value we get instead and why. If our value ever changes from
/// <paramref name="Ours"/>, the difference counts as a failure again.
/// </summary>
/// <param name="Ours">Our value, rounded as the published one.</param>
/// <param name="Reason">What was tried and why the published number is not reproduced.</param>
public sealed record KnownDifference(string Ours, string Reason);
