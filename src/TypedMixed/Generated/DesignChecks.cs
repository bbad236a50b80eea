using System.Globalization;

namespace TypedMixed.Generated;

/// <summary>Run-time checks called by generated design builders; each failure names the row, the member and the fix.</summary>
public static class DesignChecks
{
    /// <summary>Returns <paramref name="value"/>, or throws when it is NaN or infinite.</summary>
    public static double Finite(double value, string member, int row)
    {
        if (double.IsFinite(value)) return value;
        string text = double.IsNaN(value) ? "NaN" : value > 0 ? "+∞" : "−∞";
        throw new ModelDesignException(
            $"'{member}' is {text} at row {row}. Remove the row or replace the value (use a nullable member and null for a missing value).",
            member, row);
    }

    /// <summary>
    /// Returns the prior weight <paramref name="value"/> of a linear mixed model, or throws unless it is positive: the
    /// row's residual variance is σ²/w, so a zero or negative weight has no meaning there.
    /// </summary>
    public static double PositiveWeight(double value, string member, int row)
    {
        if (value > 0) return value;
        throw new ModelDesignException(
            $"'{member}' (a prior weight) is {value.ToString("R", CultureInfo.InvariantCulture)} at row {row}, but a linear mixed model's weights must be positive (the row's residual variance is σ²/w). Remove the row (or make '{member}' null there), or correct the weight.",
            member, row);
    }

    /// <summary>The exception for a null record in the input.</summary>
    public static ModelDesignException NullRecord(int row) =>
        new($"The record at row {row} is null. Remove null records before building the design.", null, row);

    /// <summary>The exception for an enum value that is not one of the enum's declared members.</summary>
    public static ModelDesignException UndefinedEnumValue<TEnum>(string member, TEnum value, int row) where TEnum : struct, Enum =>
        new($"'{member}' has the value {Convert.ToString(value, CultureInfo.InvariantCulture)} at row {row}, which is not a declared member of {typeof(TEnum).Name}. Use one of: {string.Join(", ", Enum.GetNames<TEnum>())}.",
            member, row);
}

/// <summary>
/// Checks that a covariate declared <see cref="MeasuredOnAttribute">measured on</see> a classification is constant
/// within each of its clusters.
/// </summary>
public sealed class MeasuredOnCheck<TKey, TValue> where TKey : notnull
{
    private readonly Dictionary<TKey, (TValue Value, int Row)> _first;
    private readonly string _member;
    private readonly string _classification;

    /// <summary>Creates the check for <paramref name="member"/> measured on <paramref name="classification"/>.</summary>
    public MeasuredOnCheck(string member, string classification, IEqualityComparer<TKey>? equality = null)
    {
        _first = new Dictionary<TKey, (TValue, int)>(equality);
        _member = member;
        _classification = classification;
    }

    /// <summary>Records the value of row <paramref name="row"/> in cluster <paramref name="cluster"/>; throws when it differs from the cluster's first value.</summary>
    public void Observe(TKey cluster, TValue value, int row)
    {
        if (!_first.TryGetValue(cluster, out var first))
        {
            _first.Add(cluster, (value, row));
            return;
        }
        if (EqualityComparer<TValue>.Default.Equals(first.Value, value)) return;
        throw new ModelDesignException(
            $"'{_member}' is declared measured on '{_classification}' but varies within {_classification} {Text(cluster)}: {Text(first.Value)} at row {first.Row} and {Text(value)} at row {row}. Correct the data, or remove [MeasuredOn] if the covariate is not constant within a {_classification}.",
            _member, row);
    }

    private static string Text<T>(T value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null";
}

/// <summary>Invariant text of level keys, for level names and messages.</summary>
public static class LevelText
{
    /// <summary>The key as invariant-culture text (enum member names for enums).</summary>
    public static string Of<T>(T key) => Convert.ToString(key, CultureInfo.InvariantCulture) ?? "";
}
