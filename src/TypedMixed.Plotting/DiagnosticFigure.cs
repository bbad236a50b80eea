using System.Globalization;
using ScottPlot;

namespace TypedMixed.Plotting;

/// <summary>Settings of a <see cref="DiagnosticFigure"/>.</summary>
public sealed class DiagnosticOptions
{
    /// <summary>Title above each panel; none by default.</summary>
    public string? Title { get; init; }

    /// <summary>Width of each panel in pixels.</summary>
    public int PanelWidth { get; init; } = 520;

    /// <summary>Height of the image in pixels.</summary>
    public int Height { get; init; } = 500;
}

/// <summary>
/// Residual diagnostics of a fit: residuals against fitted values, a normal QQ plot of the residuals, and normal QQ
/// plots of a term's conditional modes (one panel per effect). QQ plots follow R's <c>qqnorm</c>/<c>qqline</c>.
/// </summary>
public static class DiagnosticFigure
{
    /// <summary>Two panels: residuals against fitted values (with a zero line), and the residuals' normal QQ plot.</summary>
    public static Figure Residuals(MixedModelFit fit, DiagnosticOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(fit);
        var o = options ?? new DiagnosticOptions();
        string kind = ResidualKind(fit);
        return new Figure([ResidualsVsFitted(fit, o, kind), Qq(fit.Residuals, kind, "residuals", o)], o.PanelWidth, o.Height);
    }

    /// <summary>One panel: the residuals' normal QQ plot.</summary>
    public static Figure ResidualQq(MixedModelFit fit, DiagnosticOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(fit);
        var o = options ?? new DiagnosticOptions();
        return new Figure([Qq(fit.Residuals, ResidualKind(fit), "residuals", o)], o.PanelWidth, o.Height);
    }

    /// <summary>Normal QQ plots of the conditional modes of term <paramref name="term"/>, one panel per effect.</summary>
    /// <exception cref="KeyNotFoundException">The fit has no term of that name (the message lists the terms).</exception>
    public static Figure ConditionalModesQq(MixedModelFit fit, string term, DiagnosticOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(fit);
        return ConditionalModesQq(fit.Term(term), options);
    }

    /// <summary>Normal QQ plots of the conditional modes of a fitted term, one panel per effect.</summary>
    public static Figure ConditionalModesQq(RandomEffectsTermFit term, DiagnosticOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(term);
        var o = options ?? new DiagnosticOptions();
        var panels = new Plot[term.ColumnNames.Count];
        for (int c = 0; c < panels.Length; c++)
        {
            var modes = new double[term.LevelCount];
            for (int l = 0; l < modes.Length; l++) modes[l] = term.ConditionalModes[l, c];
            panels[c] = Qq(modes, $"{term.Name}: {term.ColumnNames[c]} conditional modes", $"conditional modes ({term.LevelCount.ToString(CultureInfo.InvariantCulture)} levels)", o);
        }
        return new Figure(panels, o.PanelWidth, o.Height);
    }

    private static string ResidualKind(MixedModelFit fit) => fit is GeneralizedLinearMixedModelFit ? "deviance residuals" : "residuals";

    private static Plot ResidualsVsFitted(MixedModelFit fit, DiagnosticOptions o, string kind)
    {
        var plot = FigureStyle.NewPanel(o.Title, $"fitted {fit.ResponseName}", kind);
        plot.Add.Markers(fit.Fitted, fit.Residuals, MarkerShape.OpenCircle, fit.Residuals.Length <= 200 ? 7 : 4, FigureStyle.Interval.WithAlpha(0.7));
        plot.Add.HorizontalLine(0, 1, FigureStyle.Reference);
        FigureStyle.Legend(plot,
        [
            FigureStyle.MarkerItem($"{kind} ({fit.Residuals.Length.ToString(CultureInfo.InvariantCulture)} rows)", FigureStyle.Interval, 6, MarkerShape.OpenCircle),
            FigureStyle.LineItem("zero", FigureStyle.Reference, 1),
        ]);
        return plot;
    }

    private static Plot Qq(IEnumerable<double> values, string what, string sampleAxis, DiagnosticOptions o)
    {
        var (z, sample) = NormalScores.Qq(values);
        var plot = FigureStyle.NewPanel(o.Title, "standard normal quantiles", $"sample quantiles of the {sampleAxis}");
        plot.Add.Markers(z, sample, MarkerShape.OpenCircle, z.Length <= 200 ? 7 : 4, FigureStyle.Interval);
        var (intercept, slope) = NormalScores.QuartileLine(sample);
        if (z.Length > 1 && double.IsFinite(slope))
        {
            var line = plot.Add.Line(z[0], intercept + slope * z[0], z[^1], intercept + slope * z[^1]);
            line.LineColor = FigureStyle.Excluding;
            line.LineWidth = 1.5f;
            line.MarkerSize = 0;
        }
        FigureStyle.Legend(plot,
        [
            FigureStyle.MarkerItem(what, FigureStyle.Interval, 6, MarkerShape.OpenCircle),
            FigureStyle.LineItem("line through the quartiles", FigureStyle.Excluding, 1.5f),
        ]);
        return plot;
    }
}
