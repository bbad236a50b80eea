using static TypedMixed.Presentation.NumberText;

namespace TypedMixed.Presentation;

/// <summary>One series of a <see cref="LinePlot"/>: (x, y) points joined in order, with an optional legend name.</summary>
public sealed record LineSeries(string? Name, IReadOnlyList<double> X, IReadOnlyList<double> Y)
{
    /// <summary>Stroke colour (any SVG colour); default from the plot's palette.</summary>
    public string? Color { get; init; }

    /// <summary>Draw the line dashed.</summary>
    public bool Dashed { get; init; }

    /// <summary>Draw a marker at each point.</summary>
    public bool Markers { get; init; }

    /// <summary>Line width in pixels.</summary>
    public double Width { get; init; } = 1.8;
}

/// <summary>
/// A small SVG line plot: series of (x, y) polylines on shared axes with nice ticks, axis labels and a legend
/// (for example predicted trajectories over time). Non-finite points break a line.
/// </summary>
public sealed class LinePlot
{
    private static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    /// <summary>Title above the plot.</summary>
    public string? Title { get; init; }

    /// <summary>Label of the horizontal axis.</summary>
    public string? XLabel { get; init; }

    /// <summary>Label of the vertical axis.</summary>
    public string? YLabel { get; init; }

    /// <summary>Width of the image in pixels.</summary>
    public double Width { get; init; } = 720;

    /// <summary>Height of the image in pixels.</summary>
    public double Height { get; init; } = 460;

    /// <summary>Most legend entries shown; the rest are summarised as "+ k more".</summary>
    public int MaxLegendEntries { get; init; } = 12;

    /// <summary>The series, drawn in order.</summary>
    public List<LineSeries> Series { get; } = [];

    /// <summary>Adds a series and returns the plot, for chaining.</summary>
    public LinePlot Add(LineSeries series)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.X.Count != series.Y.Count) throw new ArgumentException($"Series '{series.Name}' has {series.X.Count} x values and {series.Y.Count} y values.", nameof(series));
        Series.Add(series);
        return this;
    }

    /// <summary>The plot as an SVG document.</summary>
    public string ToSvg()
    {
        var points = Series.SelectMany(s => s.X.Zip(s.Y)).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second)).ToList();
        var xs = AxisScale.Nice(points.Count == 0 ? 0 : points.Min(p => p.First), points.Count == 0 ? 1 : points.Max(p => p.First), 7);
        var ys = AxisScale.Nice(points.Count == 0 ? 0 : points.Min(p => p.Second), points.Count == 0 ? 1 : points.Max(p => p.Second), 6);
        var named = Series.Where(s => !string.IsNullOrEmpty(s.Name)).ToList();
        int shown = Math.Min(named.Count, MaxLegendEntries);
        double legendWidth = shown == 0 ? 0 : Math.Min(200, 34 + named.Take(shown).Max(s => SvgBuilder.TextWidth(s.Name!, 11)));
        double yLabelWidth = ys.Ticks().Max(t => SvgBuilder.TextWidth(ys.Label(t), 10.5));
        double left = 34 + yLabelWidth + 8, right = 16 + legendWidth, top = Title is null ? 20 : 44, bottom = 56;
        double pw = Math.Max(120, Width - left - right), ph = Math.Max(100, Height - top - bottom);
        double X(double v) => left + (v - xs.Min) / (xs.Max - xs.Min) * pw;
        double Y(double v) => top + ph - (v - ys.Min) / (ys.Max - ys.Min) * ph;

        var svg = new SvgBuilder(Width, Height);
        if (Title is not null) svg.Text(left, 26, Title, 15, extra: "font-weight=\"bold\"");
        foreach (var t in xs.Ticks())
        {
            svg.Line(X(t), top, X(t), top + ph, "#ececec", 1);
            svg.Line(X(t), top + ph, X(t), top + ph + 5, "#444", 1);
            svg.Text(X(t), top + ph + 18, xs.Label(t), 10.5, "middle");
        }
        foreach (var t in ys.Ticks())
        {
            svg.Line(left, Y(t), left + pw, Y(t), "#ececec", 1);
            svg.Line(left - 5, Y(t), left, Y(t), "#444", 1);
            svg.Text(left - 8, Y(t) + 3.5, ys.Label(t), 10.5, "end");
        }
        svg.Rect(left, top, pw, ph, "none", "stroke=\"#999\" stroke-width=\"1\"");
        if (XLabel is not null) svg.Text(left + pw / 2, Height - 14, XLabel, 12, "middle");
        if (YLabel is not null) svg.Text(16, top + ph / 2, YLabel, 12, "middle", rotate: -90);

        for (int k = 0; k < Series.Count; k++)
        {
            var s = Series[k];
            string colour = s.Color ?? Palette[k % Palette.Length];
            string? dash = s.Dashed ? "stroke-dasharray=\"6 4\"" : null;
            var segment = new List<(double, double)>();
            void Flush()
            {
                if (segment.Count > 1) svg.Polyline(segment, colour, s.Width, dash);
                segment.Clear();
            }
            for (int i = 0; i < s.X.Count; i++)
            {
                if (!double.IsFinite(s.X[i]) || !double.IsFinite(s.Y[i])) { Flush(); continue; }
                segment.Add((X(s.X[i]), Y(s.Y[i])));
                if (s.Markers) svg.Circle(X(s.X[i]), Y(s.Y[i]), 2.6, colour);
            }
            Flush();
        }

        if (shown > 0)
        {
            double lx = left + pw + 14, ly = top + 6;
            for (int k = 0; k < shown; k++)
            {
                var s = named[k];
                string colour = s.Color ?? Palette[Series.IndexOf(s) % Palette.Length];
                double y = ly + k * 18;
                svg.Line(lx, y, lx + 22, y, colour, Math.Max(2, s.Width), s.Dashed ? "stroke-dasharray=\"6 4\"" : null);
                svg.Text(lx + 28, y + 4, s.Name!, 11);
            }
            if (named.Count > shown) svg.Text(lx, ly + shown * 18 + 4, $"+ {Count(named.Count - shown)} more", 11, fill: "#555");
        }
        return svg.ToString();
    }
}
