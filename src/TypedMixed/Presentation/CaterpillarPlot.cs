using static TypedMixed.Presentation.NumberText;

namespace TypedMixed.Presentation;

/// <summary>Settings of a <see cref="CaterpillarPlot"/>.</summary>
public sealed class CaterpillarOptions
{
    /// <summary>Title above the plot; default names the term and the effect.</summary>
    public string? Title { get; init; }

    /// <summary>Label of the horizontal axis; default "predicted effect".</summary>
    public string? AxisLabel { get; init; }

    /// <summary>Width of the image in pixels.</summary>
    public double Width { get; init; } = 760;

    /// <summary>Half-width of the intervals in conditional SDs (1.96 for 95 %).</summary>
    public double Multiplier { get; init; } = Distributions.NormalQuantile975;

    /// <summary>Up to this many levels each gets its own labelled row; above it the rows are drawn as a band with rank ticks.</summary>
    public int MaxLabelledLevels { get; init; } = 150;

    /// <summary>Height of the plotting area when the levels are not labelled one by one.</summary>
    public double BandHeight { get; init; } = 760;
}

/// <summary>
/// An SVG caterpillar plot of one random effect: each level's conditional mode (predicted effect, BLUP) with an
/// interval of ± <see cref="CaterpillarOptions.Multiplier"/> conditional standard deviations, levels ranked from the
/// lowest (bottom) to the highest (top), a zero line, and intervals that exclude zero highlighted. Up to
/// <see cref="CaterpillarOptions.MaxLabelledLevels"/> levels every row is labelled; beyond that (thousands of levels)
/// the rows form a band and the vertical axis shows ranks.
/// </summary>
public static class CaterpillarPlot
{
    private const string Inside = "#5b7fb5";
    private const string Outside = "#c2452d";

    /// <summary>The plot of effect <paramref name="column"/> (default the first, usually the intercept) of a fitted term.</summary>
    public static string Render(RandomEffectsTermFit term, int column = 0, CaterpillarOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(term);
        if ((uint)column >= (uint)term.ColumnNames.Count)
            throw new ArgumentOutOfRangeException(nameof(column), $"Term '{term.Name}' has effects {string.Join(", ", term.ColumnNames)}; column {column} does not exist.");
        int n = term.LevelCount;
        var modes = new double[n];
        var sds = new double[n];
        for (int l = 0; l < n; l++)
        {
            modes[l] = term.ConditionalModes[l, column];
            sds[l] = term.ConditionalStdDev(l, column);
        }
        options ??= new CaterpillarOptions();
        var titled = new CaterpillarOptions
        {
            Title = options.Title ?? $"{term.Name}: predicted {term.ColumnNames[column]} effects",
            AxisLabel = options.AxisLabel,
            Width = options.Width,
            Multiplier = options.Multiplier,
            MaxLabelledLevels = options.MaxLabelledLevels,
            BandHeight = options.BandHeight,
        };
        return Render(term.LevelKeys, modes, sds, titled);
    }

    /// <summary>The plot of effects <paramref name="effects"/> with conditional SDs <paramref name="conditionalSds"/>, one per level.</summary>
    public static string Render(IReadOnlyList<string> levels, IReadOnlyList<double> effects, IReadOnlyList<double> conditionalSds, CaterpillarOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(levels);
        ArgumentNullException.ThrowIfNull(effects);
        ArgumentNullException.ThrowIfNull(conditionalSds);
        if (effects.Count != levels.Count || conditionalSds.Count != levels.Count)
            throw new ArgumentException($"Give one effect and one SD per level: {levels.Count} levels, {effects.Count} effects, {conditionalSds.Count} SDs.");
        if (levels.Count == 0) throw new ArgumentException("There are no levels to plot.", nameof(levels));
        var o = options ?? new CaterpillarOptions();
        int n = levels.Count;
        double m = o.Multiplier;
        var order = Enumerable.Range(0, n).OrderByDescending(i => effects[i]).ThenBy(i => i).ToArray(); // top row = highest
        double lo = 0, hi = 0;
        for (int i = 0; i < n; i++)
        {
            double s = double.IsFinite(conditionalSds[i]) ? conditionalSds[i] : 0;
            lo = Math.Min(lo, effects[i] - m * s);
            hi = Math.Max(hi, effects[i] + m * s);
        }
        var scale = AxisScale.Nice(lo, hi, 7);
        int excluding = Enumerable.Range(0, n).Count(i => effects[i] - m * conditionalSds[i] > 0 || effects[i] + m * conditionalSds[i] < 0);

        bool labelled = n <= o.MaxLabelledLevels;
        double labelSize = labelled ? (n <= 40 ? 11 : n <= 90 ? 9.5 : 8) : 10;
        double rowHeight = labelled ? Math.Max(labelSize + 2, 10.5) : o.BandHeight / n;
        double labelWidth = labelled ? Math.Min(220, levels.Max(l => SvgBuilder.TextWidth(l, labelSize))) : SvgBuilder.TextWidth(Count(n), 10);
        double left = 30 + labelWidth + 12, right = 24, top = 64, bottom = 58;
        double plotWidth = Math.Max(200, o.Width - left - right);
        double plotHeight = rowHeight * n;
        double width = left + plotWidth + right, height = top + plotHeight + bottom;
        double X(double v) => left + (v - scale.Min) / (scale.Max - scale.Min) * plotWidth;
        double Y(int row) => top + (row + 0.5) * rowHeight;

        var svg = new SvgBuilder(width, height);
        svg.Text(left, 22, o.Title ?? "Predicted effects", 15, extra: "font-weight=\"bold\"");
        svg.Text(left, 42, $"{Count(n)} levels ranked by predicted effect; bars ± {Fixed(m, 2)} conditional SD; "
            + $"{Count(excluding)} of {Count(n)} intervals exclude 0", 11, fill: "#555");

        // Grid and x axis.
        foreach (var t in scale.Ticks())
        {
            svg.Line(X(t), top, X(t), top + plotHeight, "#e6e6e6", 1);
            svg.Line(X(t), top + plotHeight, X(t), top + plotHeight + 5, "#444", 1);
            svg.Text(X(t), top + plotHeight + 18, scale.Label(t), 10.5, "middle");
        }
        svg.Rect(left, top, plotWidth, plotHeight, "none", "stroke=\"#999\" stroke-width=\"1\"");
        svg.Text(left + plotWidth / 2, height - 14, o.AxisLabel ?? "predicted effect (conditional mode)", 12, "middle");

        // Rows.
        double barWidth = labelled ? 1.6 : Math.Clamp(rowHeight * 0.8, 0.25, 1.6);
        double dot = labelled ? Math.Min(3.2, rowHeight * 0.3) : Math.Clamp(rowHeight * 0.6, 0.35, 2.5);
        string opacity = labelled ? "" : $"stroke-opacity=\"{(n > 1000 ? "0.6" : "0.8")}\"";
        for (int row = 0; row < n; row++)
        {
            int i = order[row];
            double s = double.IsFinite(conditionalSds[i]) ? conditionalSds[i] : 0;
            double a = effects[i] - m * s, b = effects[i] + m * s;
            string colour = a > 0 || b < 0 ? Outside : Inside;
            svg.Line(X(a), Y(row), X(b), Y(row), colour, barWidth, opacity.Length > 0 ? opacity : null);
            svg.Circle(X(effects[i]), Y(row), dot, "#1d1d1d");
            if (labelled) svg.Text(left - 8, Y(row) + labelSize * 0.35, levels[i], labelSize, "end");
        }

        // Zero line above the rows.
        svg.Line(X(0), top, X(0), top + plotHeight, "#222", 1.2, "stroke-dasharray=\"5 3\"");

        if (!labelled)
        {
            // Rank axis: rank 1 (lowest) at the bottom.
            var ranks = AxisScale.Nice(1, n, 8);
            foreach (var r in ranks.Ticks().Where(r => r >= 1 && r <= n).Append(1).Append(n).Distinct())
            {
                int row = n - (int)r;
                svg.Line(left - 5, Y(row), left, Y(row), "#444", 1);
                svg.Text(left - 8, Y(row) + 3.5, Count((int)r), 10, "end");
            }
            svg.Text(14, top + plotHeight / 2, "rank (1 = lowest)", 12, "middle", rotate: -90);
        }
        return svg.ToString();
    }
}
