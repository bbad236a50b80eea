using System.Globalization;
using ScottPlot;

namespace TypedMixed.Plotting;

/// <summary>Settings of a <see cref="CaterpillarFigure"/>.</summary>
public sealed class CaterpillarOptions
{
    /// <summary>Title above each panel; none by default (a figure caption says what the figure is).</summary>
    public string? Title { get; init; }

    /// <summary>Label of the horizontal axis; default names the term and the effect, e.g. <c>school: (Intercept)</c>.</summary>
    public string? AxisLabel { get; init; }

    /// <summary>Half-width of the intervals in conditional SDs; 1.96 (95 %) by default.</summary>
    public double Multiplier { get; init; } = Distributions.NormalQuantile975;

    /// <summary>Width of each panel in pixels.</summary>
    public int PanelWidth { get; init; } = 560;

    /// <summary>Height of one level's row in pixels while every level is labelled.</summary>
    public int RowHeight { get; init; } = 13;

    /// <summary>
    /// Up to this many levels every level is named on the axis and the figure grows with the number of levels; beyond
    /// it the figure keeps <see cref="MaxHeight"/> and every k-th level (by rank) is named.
    /// </summary>
    public int MaxLabelledLevels { get; init; } = 200;

    /// <summary>Height of the figure when there are more than <see cref="MaxLabelledLevels"/> levels.</summary>
    public int MaxHeight { get; init; } = 1400;
}

/// <summary>One panel of a caterpillar plot: a level's name, conditional mode and conditional SD per level.</summary>
/// <param name="Term">The classification, e.g. <c>school</c>; names the vertical axis.</param>
/// <param name="Effect">The effect, e.g. <c>(Intercept)</c> or <c>Days</c>; named on the horizontal axis.</param>
/// <param name="Levels">Level names (ids), one per level.</param>
/// <param name="Modes">Conditional modes (predicted effects, BLUPs), one per level.</param>
/// <param name="StdDevs">Conditional standard deviations, one per level.</param>
public sealed record CaterpillarPanel(string Term, string Effect, IReadOnlyList<string> Levels, IReadOnlyList<double> Modes, IReadOnlyList<double> StdDevs)
{
    /// <summary>The panel of column <paramref name="column"/> of a fitted term.</summary>
    public static CaterpillarPanel Of(RandomEffectsTermFit term, int column)
    {
        ArgumentNullException.ThrowIfNull(term);
        if ((uint)column >= (uint)term.ColumnNames.Count)
            throw new ArgumentOutOfRangeException(nameof(column), $"Term '{term.Name}' has effects {string.Join(", ", term.ColumnNames)}; column {column} does not exist.");
        var modes = new double[term.LevelCount];
        var sds = new double[term.LevelCount];
        for (int l = 0; l < modes.Length; l++)
        {
            modes[l] = term.ConditionalModes[l, column];
            sds[l] = term.ConditionalStdDev(l, column);
        }
        return new CaterpillarPanel(term.Name, term.ColumnNames[column], term.LevelKeys, modes, sds);
    }
}

/// <summary>
/// Caterpillar plots of predicted random effects (lme4's <c>dotplot(ranef(fit, condVar = TRUE))</c>): each level's
/// conditional mode with an interval of ± 1.96 conditional SDs, levels sorted by the mode (lowest at the bottom) and
/// named on the vertical axis, a line at zero, intervals that exclude zero in a second colour, and a legend.
/// A term with random slopes gives one panel per effect, side by side.
/// </summary>
public static class CaterpillarFigure
{
    /// <summary>The caterpillar plot of the term <paramref name="term"/> of <paramref name="fit"/>: one panel per effect.</summary>
    /// <exception cref="KeyNotFoundException">The fit has no term of that name (the message lists the terms).</exception>
    public static Figure Create(MixedModelFit fit, string term, CaterpillarOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(fit);
        return Create(fit.Term(term), options);
    }

    /// <summary>The caterpillar plot of a fitted term, one panel per effect (or only the effects in <paramref name="columns"/>).</summary>
    public static Figure Create(RandomEffectsTermFit term, CaterpillarOptions? options = null, IReadOnlyList<int>? columns = null)
    {
        ArgumentNullException.ThrowIfNull(term);
        columns ??= [.. Enumerable.Range(0, term.ColumnNames.Count)];
        return Create([.. columns.Select(c => CaterpillarPanel.Of(term, c))], options);
    }

    /// <summary>A caterpillar plot of the given panels, side by side (all with the same number of levels).</summary>
    public static Figure Create(IReadOnlyList<CaterpillarPanel> panels, CaterpillarOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(panels);
        if (panels.Count == 0) throw new ArgumentException("Give at least one panel.", nameof(panels));
        var o = options ?? new CaterpillarOptions();
        foreach (var p in panels)
        {
            if (p.Modes.Count != p.Levels.Count || p.StdDevs.Count != p.Levels.Count)
                throw new ArgumentException($"Give one mode and one SD per level: {p.Levels.Count} levels, {p.Modes.Count} modes, {p.StdDevs.Count} SDs ({p.Term}: {p.Effect}).", nameof(panels));
            if (p.Levels.Count == 0) throw new ArgumentException($"There are no levels to plot ({p.Term}: {p.Effect}).", nameof(panels));
        }
        int n = panels.Max(p => p.Levels.Count);
        bool every = n <= o.MaxLabelledLevels;
        const int frame = 150; // axis labels, tick labels and the legend below the data
        int height = every ? Math.Max(320, frame + n * o.RowHeight) : o.MaxHeight;
        var plots = new Plot[panels.Count];
        for (int k = 0; k < panels.Count; k++)
            plots[k] = Panel(panels[k], o, every, height - frame);
        int width = o.PanelWidth + (every ? LabelAllowance(panels) : 0);
        return new Figure(plots, width, height);
    }

    private static int LabelAllowance(IReadOnlyList<CaterpillarPanel> panels) =>
        Math.Min(160, Math.Max(0, panels.Max(p => p.Levels.Max(l => l.Length)) * 7 - 40));

    private static Plot Panel(CaterpillarPanel p, CaterpillarOptions o, bool every, int dataHeight)
    {
        int n = p.Levels.Count;
        double m = o.Multiplier;
        // Rank 0 (lowest mode) at the bottom; ties keep the level order.
        int[] order = [.. Enumerable.Range(0, n).OrderBy(i => p.Modes[i]).ThenBy(i => i)];
        var plot = FigureStyle.NewPanel(o.Title, o.AxisLabel ?? $"{p.Term}: {p.Effect} (conditional mode ± {m.ToString("0.##", CultureInfo.InvariantCulture)} SD)", p.Term);
        int excluding = 0;
        var xs = new double[n];
        var ys = new double[n];
        for (int r = 0; r < n; r++)
        {
            int i = order[r];
            double s = double.IsFinite(p.StdDevs[i]) ? p.StdDevs[i] : 0;
            double a = p.Modes[i] - m * s, b = p.Modes[i] + m * s;
            bool excludesZero = a > 0 || b < 0;
            if (excludesZero) excluding++;
            var bar = plot.Add.Line(a, r, b, r);
            bar.LineColor = (excludesZero ? FigureStyle.Excluding : FigureStyle.Interval).WithAlpha(every ? 1.0 : 0.5);
            bar.LineWidth = every ? 2 : 1;
            bar.MarkerSize = 0;
            xs[r] = p.Modes[i];
            ys[r] = r;
        }
        plot.Add.VerticalLine(0, 1, FigureStyle.Reference);
        plot.Add.Markers(xs, ys, MarkerShape.FilledCircle, every ? 5 : 3, FigureStyle.Point);

        // Level names on the vertical axis: every level, or every k-th rank when there are too many to read.
        float fontSize = n <= 40 ? 11 : n <= 90 ? 10 : 9;
        int step = every ? 1 : (int)Math.Ceiling(n / (dataHeight / (fontSize + 5.0)));
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (int r = 0; r < n; r++)
            if (r % step == 0 || r == n - 1) ticks.AddMajor(r, p.Levels[order[r]]);
        plot.Axes.Left.TickGenerator = ticks;
        plot.Axes.Left.TickLabelStyle.FontSize = fontSize;
        plot.Axes.Left.MajorTickStyle.Length = 3;
        plot.Grid.YAxisStyle.IsVisible = false; // horizontal grid lines at every level would drown the intervals
        plot.Axes.SetLimitsY(-0.8, n - 0.2);
        if (!every) plot.YLabel($"{p.Term} (one in {step.ToString(CultureInfo.InvariantCulture)} of {n.ToString(CultureInfo.InvariantCulture)} levels named)", 13);

        // A legend under every panel: the panels keep equal data areas, and each counts its own intervals that exclude 0.
        string pct = $"± {m.ToString("0.##", CultureInfo.InvariantCulture)} conditional SD";
        FigureStyle.Legend(plot,
        [
            FigureStyle.MarkerItem("conditional mode", FigureStyle.Point),
            FigureStyle.LineItem($"{pct}, includes 0", FigureStyle.Interval, 3),
            FigureStyle.LineItem($"excludes 0 ({excluding.ToString(CultureInfo.InvariantCulture)} of {n.ToString(CultureInfo.InvariantCulture)})", FigureStyle.Excluding, 3),
            FigureStyle.LineItem("zero", FigureStyle.Reference, 1),
        ]);
        return plot;
    }
}
