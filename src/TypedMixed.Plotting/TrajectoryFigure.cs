using System.Globalization;
using ScottPlot;

namespace TypedMixed.Plotting;

/// <summary>Settings of a <see cref="TrajectoryFigure"/>.</summary>
public sealed class TrajectoryOptions
{
    /// <summary>Title above the panel; none by default.</summary>
    public string? Title { get; init; }

    /// <summary>Label of the horizontal axis (the time-like covariate), e.g. <c>Days</c>.</summary>
    public string XLabel { get; init; } = "x";

    /// <summary>Label of the vertical axis; from a fit, default "fitted &lt;response&gt;".</summary>
    public string? YLabel { get; init; }

    /// <summary>Width of the image in pixels.</summary>
    public int Width { get; init; } = 760;

    /// <summary>Height of the image in pixels.</summary>
    public int Height { get; init; } = 520;

    /// <summary>
    /// Up to this many clusters each gets its own colour and legend entry; with more, all cluster lines share one
    /// translucent colour and a single legend entry.
    /// </summary>
    public int MaxLegendEntries { get; init; } = 20;

    /// <summary>What a cluster is called in the legend, e.g. <c>school</c>; default "cluster".</summary>
    public string ClusterName { get; init; } = "cluster";

    /// <summary>From a fit: also draw the observed values (fitted + residual) as points. Linear models only.</summary>
    public bool ShowObserved { get; init; } = true;
}

/// <summary>One line of a trajectory plot: (x, y) points joined in order of x.</summary>
/// <param name="Name">Legend text; null for none.</param>
/// <param name="X">The time-like covariate.</param>
/// <param name="Y">The values, one per x.</param>
public sealed record TrajectorySeries(string? Name, IReadOnlyList<double> X, IReadOnlyList<double> Y)
{
    /// <summary>Colour as <c>#rrggbb</c>; default from the palette.</summary>
    public string? Color { get; init; }

    /// <summary>Draw a marker at each point.</summary>
    public bool Markers { get; init; }

    /// <summary>Line width in pixels.</summary>
    public float Width { get; init; } = 1.8f;

    /// <summary>Points drawn without a line (e.g. the observed values), same colour; null for none.</summary>
    public IReadOnlyList<(double X, double Y)>? Points { get; init; }
}

/// <summary>
/// Predicted trajectories: lines of fitted values over a time-like covariate, one per cluster (e.g. sleepstudy's
/// Reaction against Days for each Subject), optionally with the observed values as points; or any set of
/// <see cref="TrajectorySeries"/> such as population-average lines with a few clusters' predictions.
/// </summary>
public static class TrajectoryFigure
{
    /// <summary>
    /// One line of fitted values per cluster of <paramref name="fit"/>, over <paramref name="x"/>. <paramref name="x"/>
    /// and <paramref name="cluster"/> give each row of the fitted data its covariate value and cluster id (in the
    /// order of <see cref="MixedModelFit.Fitted"/>); clusters appear in order of first appearance.
    /// </summary>
    public static Figure Create(MixedModelFit fit, IReadOnlyList<double> x, IReadOnlyList<string> cluster, TrajectoryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(fit);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(cluster);
        int n = fit.Fitted.Length;
        if (x.Count != n || cluster.Count != n)
            throw new ArgumentException($"Give one x value and one cluster id per fitted row: the fit has {n} rows, x has {x.Count}, cluster ids {cluster.Count}.");
        var o = options ?? new TrajectoryOptions();
        bool observed = o.ShowObserved && fit is LinearMixedModelFit;
        var rowsByCluster = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var order = new List<string>();
        for (int i = 0; i < n; i++)
        {
            if (!rowsByCluster.TryGetValue(cluster[i], out var rows))
            {
                rowsByCluster[cluster[i]] = rows = [];
                order.Add(cluster[i]);
            }
            rows.Add(i);
        }
        bool named = order.Count <= o.MaxLegendEntries;
        var series = new List<TrajectorySeries>(order.Count);
        foreach (var id in order)
        {
            var rows = rowsByCluster[id].OrderBy(i => x[i]).ToList();
            series.Add(new TrajectorySeries(named ? id : null, [.. rows.Select(i => x[i])], [.. rows.Select(i => fit.Fitted[i])])
            {
                Points = observed ? [.. rows.Select(i => (x[i], fit.Fitted[i] + fit.Residuals[i]))] : null,
                Color = named ? null : "#1f5fa8",
                Width = named ? 1.8f : 1.1f,
            });
        }
        // Explain the encoding when lines are not named one by one, and what the points are.
        var extra = new List<LegendItem>();
        if (!named) extra.Add(FigureStyle.LineItem($"fitted, one line per {o.ClusterName} ({order.Count.ToString(CultureInfo.InvariantCulture)})", Color.FromHex("#1f5fa8")));
        if (observed) extra.Add(FigureStyle.MarkerItem(named ? "observed (colour of its line)" : "observed", Color.FromHex("#777777"), 6, MarkerShape.OpenCircle));
        return Create(series, new TrajectoryOptions
        {
            Title = o.Title,
            XLabel = o.XLabel,
            YLabel = o.YLabel ?? $"fitted {fit.ResponseName}",
            Width = o.Width,
            Height = o.Height,
            MaxLegendEntries = o.MaxLegendEntries,
        }, translucent: !named, extra);
    }

    /// <summary>A trajectory plot of the given series, drawn in order, with a legend of the named ones.</summary>
    public static Figure Create(IReadOnlyList<TrajectorySeries> series, TrajectoryOptions? options = null) => Create(series, options ?? new TrajectoryOptions(), translucent: false, []);

    private static Figure Create(IReadOnlyList<TrajectorySeries> series, TrajectoryOptions o, bool translucent, IReadOnlyList<LegendItem> extra)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Count == 0) throw new ArgumentException("Give at least one series.", nameof(series));
        var plot = FigureStyle.NewPanel(o.Title, o.XLabel, o.YLabel ?? "y");
        var legend = new List<LegendItem>();
        for (int k = 0; k < series.Count; k++)
        {
            var s = series[k];
            if (s.X.Count != s.Y.Count) throw new ArgumentException($"Series '{s.Name}' has {s.X.Count} x values and {s.Y.Count} y values.", nameof(series));
            var colour = s.Color is null ? FigureStyle.Palette[k % FigureStyle.Palette.Length] : Color.FromHex(s.Color);
            if (translucent) colour = colour.WithAlpha(0.45);
            // Non-finite values break the line into segments.
            foreach (var segment in Segments(s.X, s.Y))
            {
                var line = plot.Add.ScatterLine(segment.X, segment.Y, colour);
                line.LineWidth = s.Width;
                if (s.Markers || segment.X.Length == 1) // a lone point between gaps would otherwise not show
                {
                    line.MarkerShape = MarkerShape.FilledCircle;
                    line.MarkerSize = 6;
                }
            }
            if (s.Points is { Count: > 0 } points)
                plot.Add.Markers(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), MarkerShape.OpenCircle, translucent ? 4 : 5, translucent ? colour.WithAlpha(0.2) : colour);
            if (!string.IsNullOrEmpty(s.Name))
            {
                var item = FigureStyle.LineItem(s.Name, colour, Math.Max(2, s.Width));
                if (s.Markers) { item.MarkerShape = MarkerShape.FilledCircle; item.MarkerSize = 6; item.MarkerFillColor = colour; item.MarkerLineColor = colour; }
                legend.Add(item);
            }
        }
        if (legend.Count > o.MaxLegendEntries)
            legend = [.. legend.Take(o.MaxLegendEntries), FigureStyle.LineItem($"+ {(legend.Count - o.MaxLegendEntries).ToString(CultureInfo.InvariantCulture)} more", Colors.Transparent, 0)];
        // Whole-number covariates (days, waves, occasions) get whole-number ticks rather than 0.5 steps.
        var allX = series.SelectMany(t => t.X).Where(double.IsFinite).ToList();
        if (allX.Count > 0 && allX.All(v => v == Math.Round(v)) && allX.Max() - allX.Min() is > 0 and <= 30)
        {
            var ticks = new ScottPlot.TickGenerators.NumericManual();
            for (double v = allX.Min(); v <= allX.Max(); v++) ticks.AddMajor(v, v.ToString(CultureInfo.InvariantCulture));
            plot.Axes.Bottom.TickGenerator = ticks;
        }
        legend.AddRange(extra);
        // Many entries read best as a column beside the data; a few fit in a row below it.
        if (legend.Count > 0) FigureStyle.Legend(plot, legend, legend.Count > 4 ? Edge.Right : Edge.Bottom);
        return new Figure([plot], o.Width, o.Height);
    }

    private static IEnumerable<(double[] X, double[] Y)> Segments(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        var xs = new List<double>();
        var ys = new List<double>();
        for (int i = 0; i <= x.Count; i++)
        {
            if (i < x.Count && double.IsFinite(x[i]) && double.IsFinite(y[i]))
            {
                xs.Add(x[i]);
                ys.Add(y[i]);
                continue;
            }
            if (xs.Count > 0) yield return ([.. xs], [.. ys]);
            xs.Clear();
            ys.Clear();
        }
    }
}
