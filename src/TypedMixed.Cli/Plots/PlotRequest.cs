using TypedMixed.Cli.Data;
using TypedMixed.Plotting;

namespace TypedMixed.Cli.Plots;

/// <summary>The kinds of figure <c>--plot</c> draws.</summary>
internal enum PlotKind
{
    /// <summary>Conditional modes with 95 % intervals, one panel per effect of a term.</summary>
    Caterpillar,

    /// <summary>Fitted values over a covariate, one line per level of a term.</summary>
    Trajectory,

    /// <summary>Residuals against fitted values, and the residuals' normal QQ plot.</summary>
    Residuals,

    /// <summary>Normal QQ plot of a term's conditional modes, or of the residuals when no term is given.</summary>
    Qq,
}

/// <summary>
/// One <c>--plot KIND[:TERM] FILE</c> as written on the command line. <c>TERM</c> is a grouping factor, optionally with
/// an effect in brackets: <c>caterpillar:Subject[Days]</c> draws that effect only; <c>trajectory:Subject[Days]</c> draws
/// the fitted values over the column <c>Days</c>.
/// </summary>
internal sealed record PlotRequest(PlotKind Kind, string? Group, string? Inner, string Path, string Spec)
{
    public const string Kinds = "caterpillar, trajectory, residuals, qq";

    /// <summary>Parses the two arguments of <c>--plot</c> (or <c>--caterpillar TERM FILE</c>, as <c>caterpillar:TERM</c>).</summary>
    public static PlotRequest Parse(string spec, string path)
    {
        int colon = spec.IndexOf(':', StringComparison.Ordinal);
        string kindText = colon < 0 ? spec : spec[..colon];
        string? term = colon < 0 ? null : spec[(colon + 1)..];
        var kind = kindText.ToLowerInvariant() switch
        {
            "caterpillar" => PlotKind.Caterpillar,
            "trajectory" or "trajectories" => PlotKind.Trajectory,
            "residuals" => PlotKind.Residuals,
            "qq" => PlotKind.Qq,
            _ => throw new CliException($"--plot: unknown kind '{kindText}'. Kinds: {Kinds}; e.g. --plot caterpillar:school schools.png."),
        };
        if (term is { Length: 0 }) term = null;
        if (term is null && kind is PlotKind.Caterpillar or PlotKind.Trajectory)
            throw new CliException($"--plot {kindText} needs a random-effects term: {kindText}:TERM, e.g. --plot {kindText}:Subject out.png.");
        if (term is not null && kind == PlotKind.Residuals)
            throw new CliException($"--plot residuals takes no term (it plots the residuals of the whole model); got '{spec}'. For a term's conditional modes use qq:{term}.");
        try
        {
            Figure.FormatOf(path);
        }
        catch (ArgumentException)
        {
            throw new CliException($"--plot {spec}: write figures as .png or .svg; got '{path}'.");
        }
        string? group = term, inner = null;
        int open = term?.IndexOf('[', StringComparison.Ordinal) ?? -1;
        if (term is not null && open > 0 && term.EndsWith(']'))
        {
            group = term[..open];
            inner = term[(open + 1)..^1];
        }
        return new PlotRequest(kind, group, inner, path, spec);
    }
}
