namespace TypedMixed.Presentation;

/// <summary>What a rendering of a fit says about where it came from: the formula and the data, when known.</summary>
public sealed class FitReportOptions
{
    /// <summary>The model formula in lme4 notation, printed in the header and written to JSON as <c>formula</c>.</summary>
    public string? Formula { get; init; }

    /// <summary>A name for the data (e.g. the CSV path), printed in the header.</summary>
    public string? DataName { get; init; }

    /// <summary>Significant digits of estimates in printed tables (default 4, as lme4's summary).</summary>
    public int Digits { get; init; } = 4;

    /// <summary>JSON: also write <c>ranef</c>, the conditional modes and conditional SDs of every level of every term.</summary>
    public bool IncludeConditionalModes { get; init; }

    /// <summary>The defaults: no formula, no data name.</summary>
    public static FitReportOptions Default { get; } = new();
}
