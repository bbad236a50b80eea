using ScottPlot;

namespace TypedMixed.Plotting;

/// <summary>Colours, fonts and the panel set-up every figure shares.</summary>
internal static class FigureStyle
{
    public static readonly Color Interval = Color.FromHex("#5b7fb5");
    public static readonly Color Excluding = Color.FromHex("#c2452d");
    public static readonly Color Point = Color.FromHex("#1d1d1d");
    public static readonly Color Reference = Color.FromHex("#444444");
    public static readonly Color Grid = Color.FromHex("#e8e8e8");

    /// <summary>Ten distinguishable colours (matplotlib's tab10) for series with a legend entry each.</summary>
    public static readonly Color[] Palette =
        [.. new[] { "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf" }.Select(Color.FromHex)];

    /// <summary>DejaVu Sans where installed (most Linux systems), else ScottPlot's sans-serif choice.</summary>
    private static readonly string SansFont = Fonts.GetTypeface("DejaVu Sans", bold: false, italic: false) is { FamilyName: "DejaVu Sans" } ? "DejaVu Sans" : Fonts.Sans;

    /// <summary>A white panel with light grid lines, axis labels in a common sans-serif font, an optional title.</summary>
    public static Plot NewPanel(string? title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Grid.MajorLineColor = Grid;
        if (!string.IsNullOrEmpty(title)) plot.Title(title, 15);
        plot.XLabel(xLabel, 13);
        plot.YLabel(yLabel, 13);
        plot.Axes.Bottom.TickLabelStyle.FontSize = 11;
        plot.Axes.Left.TickLabelStyle.FontSize = 11;
        plot.Font.Set(SansFont);
        return plot;
    }

    /// <summary>A legend entry drawn as a line (always solid: SkiaSharp's SVG writer cannot draw dashes, so no figure uses them).</summary>
    public static LegendItem LineItem(string label, Color color, float width = 2) => new()
    {
        LabelText = label,
        LineColor = color,
        LineWidth = width,
        LinePattern = LinePattern.Solid,
        MarkerShape = MarkerShape.None,
    };

    /// <summary>A legend entry drawn as a marker.</summary>
    public static LegendItem MarkerItem(string label, Color color, float size = 7, MarkerShape shape = MarkerShape.FilledCircle) => new()
    {
        LabelText = label,
        LineWidth = 0,
        MarkerShape = shape,
        MarkerSize = size,
        MarkerFillColor = color,
        MarkerLineColor = color,
    };

    /// <summary>Shows <paramref name="items"/> as the panel's legend, outside the data (below by default) so it hides nothing. Call once per panel.</summary>
    public static void Legend(Plot plot, IEnumerable<LegendItem> items, Edge edge = Edge.Bottom)
    {
        plot.Legend.ManualItems.Clear();
        plot.Legend.ManualItems.AddRange(items);
        plot.Legend.DisplayPlottableLegendItems = false;
        plot.Legend.FontSize = 11;
        plot.ShowLegend(edge);
    }
}
