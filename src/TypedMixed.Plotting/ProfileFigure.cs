using System.Globalization;
using ScottPlot;

namespace TypedMixed.Plotting;

/// <summary>Settings of a <see cref="ProfileFigure"/>.</summary>
public sealed class ProfileFigureOptions
{
    /// <summary>The confidence level whose interval is marked (ζ = ±z and the interval's ends); 0.95 by default.</summary>
    public double Level { get; init; } = 0.95;

    /// <summary>Width of each panel in pixels.</summary>
    public int PanelWidth { get; init; } = 330;

    /// <summary>Height of the image in pixels.</summary>
    public int Height { get; init; } = 420;
}

/// <summary>
/// Profile plots (lme4's <c>xyplot(profile(fit))</c>): one panel per parameter, ζ against the parameter's value — the
/// profiled points, the interpolating spline through them, the lines ζ = ±z of the confidence level and the
/// interval's ends. A straight line means the likelihood is quadratic in that parameter and the Wald interval is exact.
/// </summary>
public static class ProfileFigure
{
    /// <summary>Every profiled parameter of <paramref name="profile"/>, one panel each, in its order.</summary>
    public static Figure Create(LikelihoodProfile profile, ProfileFigureOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return Create(profile.Profiles, options);
    }

    /// <summary>The given parameter profiles, one panel each, side by side.</summary>
    public static Figure Create(IReadOnlyList<ParameterProfile> profiles, ProfileFigureOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        if (profiles.Count == 0) throw new ArgumentException("Give at least one parameter profile.", nameof(profiles));
        var o = options ?? new ProfileFigureOptions();
        if (!(o.Level > 0 && o.Level < 1)) throw new ArgumentOutOfRangeException(nameof(options), o.Level, "ProfileFigureOptions.Level must lie strictly between 0 and 1.");
        double zMax = profiles.Max(p => p.Zeta.Count == 0 ? 0 : Math.Max(-p.Zeta[0], p.Zeta[^1]));
        return new Figure([.. profiles.Select((p, k) => Panel(p, o, zMax, k == 0))], o.PanelWidth, o.Height);
    }

    private static Plot Panel(ParameterProfile p, ProfileFigureOptions o, double zMax, bool first)
    {
        var plot = FigureStyle.NewPanel(null, p.Name, first ? "ζ (signed root of the deviance increase)" : "");
        if (p.Values.Count >= 2)
        {
            // The interpolating spline on a fine grid, the profiled points over it.
            double a = p.Values[0], b = p.Values[^1];
            const int m = 200;
            var xs = new double[m + 1];
            var ys = new double[m + 1];
            for (int i = 0; i <= m; i++)
            {
                xs[i] = a + (b - a) * i / m;
                ys[i] = p.ZetaAt(xs[i]);
            }
            var line = plot.Add.ScatterLine(xs, ys, FigureStyle.Interval);
            line.LineWidth = 2;
            plot.Add.Markers(p.Values.ToArray(), p.Zeta.ToArray(), MarkerShape.FilledCircle, 5, FigureStyle.Point);
        }
        double z = Distributions.NormalQuantile(1 - (1 - o.Level) / 2);
        plot.Add.HorizontalLine(z, 1, FigureStyle.Reference);
        plot.Add.HorizontalLine(-z, 1, FigureStyle.Reference);
        var ci = p.Interval(o.Level);
        foreach (double end in new[] { ci.Lower, ci.Upper })
            if (double.IsFinite(end)) plot.Add.VerticalLine(end, 1.5f, FigureStyle.Excluding);
        plot.Axes.SetLimitsY(-Math.Max(zMax, z) - 0.2, Math.Max(zMax, z) + 0.2);
        string pct = (100 * o.Level).ToString("0.#", CultureInfo.InvariantCulture);
        FigureStyle.Legend(plot,
        [
            FigureStyle.MarkerItem("profiled", FigureStyle.Point),
            FigureStyle.LineItem("spline", FigureStyle.Interval, 2),
            FigureStyle.LineItem($"ζ = ±{z.ToString("0.##", CultureInfo.InvariantCulture)}", FigureStyle.Reference, 1),
            FigureStyle.LineItem($"{pct} % interval", FigureStyle.Excluding, 2),
        ]);
        plot.Legend.Orientation = Orientation.Horizontal;
        return plot;
    }
}
