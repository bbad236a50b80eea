using System.Xml.Linq;
using TypedMixed.Presentation;

namespace TypedMixed.Tests.Presentation;

public class SvgPlotTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static (string[] Levels, double[] Modes, double[] Sds) Synthetic(int n, int seed = 7)
    {
        var rng = new Random(seed);
        var levels = Enumerable.Range(1, n).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var modes = levels.Select(_ => 0.3 * (rng.NextDouble() * 2 - 1) + 0.2 * (rng.NextDouble() - 0.5)).ToArray();
        var sds = levels.Select(_ => 0.05 + 0.1 * rng.NextDouble()).ToArray();
        return (levels, modes, sds);
    }

    [Fact]
    public void Caterpillar_with_65_levels_labels_every_level_and_ranks_them()
    {
        var (levels, modes, sds) = Synthetic(65);
        var doc = XDocument.Parse(CaterpillarPlot.Render(levels, modes, sds, new CaterpillarOptions { Title = "school" }));
        var circles = doc.Descendants(Svg + "circle").ToList();
        Assert.Equal(65, circles.Count);
        // Ranked: the highest effect on top (smallest y), so cx decreases with cy.
        var byY = circles.OrderBy(c => (double)c.Attribute("cy")!).Select(c => (double)c.Attribute("cx")!).ToList();
        Assert.Equal(byY.OrderByDescending(x => x), byY);
        var texts = doc.Descendants(Svg + "text").Select(t => t.Value).ToHashSet();
        Assert.All(levels, l => Assert.Contains(l, texts));
        Assert.Contains(doc.Descendants(Svg + "line"), l => (string?)l.Attribute("stroke-dasharray") == "5 3"); // zero line
        int excluding = Enumerable.Range(0, 65).Count(i => Math.Abs(modes[i]) > 1.959963984540054 * sds[i]);
        Assert.Contains(texts, t => t.Contains($"{excluding} of 65 intervals exclude 0", StringComparison.Ordinal));
        Assert.Contains("0.0", texts); // axis tick at zero
    }

    [Fact]
    public void Caterpillar_with_2000_levels_draws_a_band_with_rank_ticks()
    {
        var (levels, modes, sds) = Synthetic(2000);
        var svg = CaterpillarPlot.Render(levels, modes, sds);
        var doc = XDocument.Parse(svg);
        Assert.Equal(2000, doc.Descendants(Svg + "circle").Count());
        var height = (double)doc.Root!.Attribute("height")!;
        Assert.InRange(height, 700, 1000); // fixed band height, not 2000 rows of text
        var texts = doc.Descendants(Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("2000", texts);
        Assert.Contains("rank (1 = lowest)", texts);
        Assert.DoesNotContain("1234", texts); // no per-level labels
        Assert.True(svg.Length < 600_000, $"{svg.Length} characters");
    }

    [Fact]
    public void Caterpillar_of_a_fitted_term()
    {
        var fit = FitJsonTests.FitOf("sleepstudy_REML");
        var doc = XDocument.Parse(CaterpillarPlot.Render(fit.Term("Subject"), 1));
        Assert.Equal(18, doc.Descendants(Svg + "circle").Count());
        Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value == "Subject: predicted Days effects");
        Assert.Throws<ArgumentOutOfRangeException>(() => CaterpillarPlot.Render(fit.Term("Subject"), 2));
    }

    [Fact]
    public void Caterpillar_rejects_mismatched_lengths() =>
        Assert.Throws<ArgumentException>(() => CaterpillarPlot.Render(["a", "b"], [1.0], [0.1, 0.1]));

    [Fact]
    public void Line_plot_draws_series_legend_and_axes()
    {
        var plot = new LinePlot { Title = "Trajectories", XLabel = "time", YLabel = "score" }
            .Add(new LineSeries("control", [0, 0.2, 0.4, 0.6], [54, 55.2, 56.4, 57.6]))
            .Add(new LineSeries("tutored", [0, 0.2, 0.4, 0.6], [54.8, 57.0, double.NaN, 61.4]) { Dashed = true, Markers = true })
            .Add(new LineSeries(null, [0, 1], [50, 70]));
        var doc = XDocument.Parse(plot.ToSvg());
        var polylines = doc.Descendants(Svg + "polyline").ToList();
        Assert.Equal(3, polylines.Count); // the NaN breaks "tutored"; its one-point tail is drawn only as a marker
        var texts = doc.Descendants(Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("control", texts);
        Assert.Contains("tutored", texts);
        Assert.Contains("time", texts);
        Assert.Contains("score", texts);
        Assert.Contains("Trajectories", texts);
        Assert.Equal(3, doc.Descendants(Svg + "circle").Count());
        Assert.DoesNotContain(polylines, p => p.Attribute("points")!.Value.Contains(',', StringComparison.Ordinal) == false);
    }

    [Theory]
    [InlineData(-0.83, 0.79, 0.2)]
    [InlineData(0, 1, 0.2)]
    [InlineData(200, 3000, 500)]
    public void Nice_axis_steps(double min, double max, double step)
    {
        var s = AxisScale.Nice(min, max, 7);
        Assert.Equal(step, s.Step, 12);
        Assert.True(s.Min <= min && s.Max >= max);
    }
}
