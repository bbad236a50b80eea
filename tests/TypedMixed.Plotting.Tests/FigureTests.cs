namespace TypedMixed.Plotting.Tests;

/// <summary>Each kind of figure, drawn from real fits, written as PNG and SVG and checked.</summary>
public class FigureTests
{
    [Fact]
    public void Caterpillar_of_a_term_with_a_slope_has_a_panel_per_effect_with_every_subject_named()
    {
        var fig = CaterpillarFigure.Create(Fits.Sleep.Fit, "Subject");
        Assert.Equal(2, fig.Panels.Count);
        var (_, svg) = FigureFiles.Check(fig, "caterpillar-sleepstudy");
        string text = FigureFiles.Text(svg);
        foreach (var s in Fits.Sleep.Fit.Term("Subject").LevelKeys) Assert.Contains(s, text);
        Assert.Contains("Subject: (Intercept)", text);
        Assert.Contains("Subject: Days", text);
        Assert.Contains("conditional mode", text); // the legend
    }

    [Fact]
    public void Caterpillar_of_65_schools_names_each_school_and_has_no_title_unless_asked()
    {
        var fig = CaterpillarFigure.Create(Fits.Exam.Fit, "school");
        var (_, svg) = FigureFiles.Check(fig, "caterpillar-exam");
        var labels = FigureFiles.Text(svg).Split('\n').ToHashSet();
        Assert.All(Fits.Exam.Fit.Term("school").LevelKeys, k => Assert.Contains(k, labels));
        Assert.DoesNotContain(labels, l => l.Contains("predicted", StringComparison.OrdinalIgnoreCase));
        var titled = CaterpillarFigure.Create(Fits.Exam.Fit, "school", new CaterpillarOptions { Title = "Value added" });
        Assert.Contains("Value added", FigureFiles.Text(FigureFiles.Check(titled, "caterpillar-exam-titled").Svg));
    }

    [Fact]
    public void Caterpillar_of_160_levels_is_tall_enough_to_name_every_level()
    {
        var fig = CaterpillarFigure.Create(Fits.Many.Fit, "cluster");
        Assert.True(fig.Height >= 160 * 12, $"height {fig.Height}");
        var (_, svg) = FigureFiles.Check(fig, "caterpillar-160");
        var labels = FigureFiles.Text(svg).Split('\n').ToHashSet();
        Assert.All(Fits.Many.Fit.Term("cluster").LevelKeys, k => Assert.Contains(k, labels));
    }

    [Fact]
    public void Caterpillar_of_2000_levels_thins_the_names_and_keeps_its_height()
    {
        var rng = new Random(3);
        string[] levels = [.. Enumerable.Range(1, 2000).Select(i => "L" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        var panel = new CaterpillarPanel("g", "(Intercept)", levels, [.. levels.Select(_ => rng.NextDouble() - 0.5)], [.. levels.Select(_ => 0.05 + 0.1 * rng.NextDouble())]);
        var fig = CaterpillarFigure.Create([panel]);
        Assert.Equal(new CaterpillarOptions().MaxHeight, fig.Height);
        var (_, svg) = FigureFiles.Check(fig, "caterpillar-2000");
        var labels = FigureFiles.Text(svg).Split('\n').Where(l => l.StartsWith('L')).ToList();
        Assert.InRange(labels.Count, 20, 200);
    }

    [Fact]
    public void Caterpillar_rejects_unknown_terms_and_mismatched_panels()
    {
        var e = Assert.Throws<KeyNotFoundException>(() => CaterpillarFigure.Create(Fits.Sleep.Fit, "Subj"));
        Assert.Contains("Subject", e.Message);
        Assert.Throws<ArgumentException>(() => CaterpillarFigure.Create([new CaterpillarPanel("g", "x", ["a", "b"], [1.0], [0.1, 0.1])]));
        Assert.Throws<ArgumentOutOfRangeException>(() => CaterpillarPanel.Of(Fits.Sleep.Fit.Term("Subject"), 2));
    }

    [Fact]
    public void Trajectories_of_sleepstudy_draw_one_named_line_per_subject()
    {
        var (fit, days, subject) = Fits.Sleep;
        var fig = TrajectoryFigure.Create(fit, days, subject, new TrajectoryOptions { XLabel = "Days" });
        var (png, svg) = FigureFiles.Check(fig, "trajectory-sleepstudy");
        string text = FigureFiles.Text(svg);
        Assert.Contains("Days", text);
        Assert.Contains("fitted Reaction", text);
        Assert.Contains("308", text); // a legend entry per subject
        Assert.True(FigureFiles.InkFraction(png) > 0.03);
    }

    [Fact]
    public void Trajectories_of_160_clusters_share_one_legend_entry()
    {
        var (fit, time, cluster) = Fits.Many;
        var fig = TrajectoryFigure.Create(fit, time, cluster, new TrajectoryOptions { XLabel = "t" });
        string text = FigureFiles.Text(FigureFiles.Check(fig, "trajectory-160").Svg);
        Assert.Contains("one line per cluster (160)", text);
        Assert.DoesNotContain("C042", text);
        Assert.Throws<ArgumentException>(() => TrajectoryFigure.Create(fit, time[..10], cluster));
    }

    [Fact]
    public void Trajectory_series_break_at_missing_values_and_mark_points()
    {
        var fig = TrajectoryFigure.Create(
        [
            new TrajectorySeries("control", [0, 0.2, 0.4, 0.6], [54, 55.2, 56.4, 57.6]) { Markers = true },
            new TrajectorySeries("tutored", [0, 0.2, 0.4, 0.6], [54.8, 57.0, double.NaN, 61.4]) { Color = "#c4481c", Width = 3 },
        ], new TrajectoryOptions { XLabel = "time", YLabel = "score" });
        var lines = fig.Panels[0].GetPlottables<ScottPlot.Plottables.Scatter>().ToList();
        Assert.Equal(3, lines.Count); // one line, then the tutored line in two pieces
        Assert.Equal(0, lines[1].MarkerSize);
        Assert.True(lines[2].MarkerSize > 0 && lines[2].MarkerShape == ScottPlot.MarkerShape.FilledCircle); // the lone point after the gap is drawn
        Assert.Contains("tutored", FigureFiles.Text(FigureFiles.Check(fig, "trajectory-series").Svg));
    }

    [Fact]
    public void Residual_diagnostics_have_residuals_against_fitted_and_a_qq_plot()
    {
        var fig = DiagnosticFigure.Residuals(Fits.Exam.Fit);
        Assert.Equal(2, fig.Panels.Count);
        string text = FigureFiles.Text(FigureFiles.Check(fig, "residuals-exam").Svg);
        Assert.Contains("fitted normexam", text);
        Assert.Contains("standard normal quantiles", text);
        Assert.Contains("line through the quartiles", text);
        FigureFiles.Check(DiagnosticFigure.Residuals(Fits.Sleep.Fit), "residuals-sleepstudy");
        FigureFiles.Check(DiagnosticFigure.ResidualQq(Fits.Sleep.Fit), "qq-residuals-sleepstudy");
    }

    [Fact]
    public void Qq_of_conditional_modes_has_a_panel_per_effect()
    {
        var fig = DiagnosticFigure.ConditionalModesQq(Fits.Sleep.Fit, "Subject");
        Assert.Equal(2, fig.Panels.Count);
        string text = FigureFiles.Text(FigureFiles.Check(fig, "qq-modes-sleepstudy").Svg);
        Assert.Contains("Subject: Days conditional modes", text);
        FigureFiles.Check(DiagnosticFigure.ConditionalModesQq(Fits.Many.Fit, "cluster"), "qq-modes-160");
    }

    [Fact]
    public void Qq_coordinates_match_R()
    {
        // qqnorm(c(3, 1, 2)) : ppoints(3) = (1 - 3/8) / 3.25, ...; x = qnorm(ppoints), y = sorted sample.
        var (z, s) = NormalScores.Qq([3, 1, 2, double.NaN]);
        Assert.Equal([1.0, 2, 3], s);
        Assert.Equal(-0.8694238, z[0], 1e-6);
        Assert.Equal(0, z[1], 1e-12);
        // qqline(1:9): quartiles 3 and 7 against qnorm(0.25), qnorm(0.75): slope 4 / 1.34898 = 2.965204, intercept 5.
        var (a, b) = NormalScores.QuartileLine([1, 2, 3, 4, 5, 6, 7, 8, 9]);
        Assert.Equal(2.965204, b, 1e-6);
        Assert.Equal(5, a, 1e-12);
    }

    [Fact]
    public void The_runtime_does_not_reference_the_drawing_libraries()
    {
        var references = typeof(MixedModelFit).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.DoesNotContain(references, n => n!.StartsWith("ScottPlot", StringComparison.Ordinal) || n.StartsWith("SkiaSharp", StringComparison.Ordinal));
        Assert.Contains(typeof(Figure).Assembly.GetReferencedAssemblies(), a => a.Name == "ScottPlot");
    }

    [Fact]
    public void Figure_formats_by_extension()
    {
        Assert.Equal(FigureFormat.Png, Figure.FormatOf("a/b.PNG"));
        Assert.Equal(FigureFormat.Svg, Figure.FormatOf("b.svg"));
        var e = Assert.Throws<ArgumentException>(() => Figure.FormatOf("c.pdf"));
        Assert.Contains(".png or .svg", e.Message);
    }
}
