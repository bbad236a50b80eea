namespace TypedMixed.Plotting.Tests;

/// <summary>The profile plot of the sleepstudy fit: one panel per parameter, written as PNG and SVG and checked.</summary>
public class ProfileFigureTests
{
    [Fact]
    public void Profile_plot_has_a_panel_per_parameter_named_as_lme4()
    {
        var profile = LikelihoodProfile.Compute(Fits.SleepDesign());
        var fig = ProfileFigure.Create(profile);
        Assert.Equal(6, fig.Panels.Count);
        var (_, svg) = FigureFiles.Check(fig, "profile-sleepstudy");
        string text = FigureFiles.Text(svg);
        foreach (var name in profile.ParameterNames) Assert.Contains(name, text);
        Assert.Contains("95 % interval", text);
        Assert.Contains("ζ = ±1.96", text);
    }

    [Fact]
    public void Profile_plot_rejects_an_empty_list_and_a_bad_level()
    {
        Assert.Throws<ArgumentException>(() => ProfileFigure.Create(Array.Empty<ParameterProfile>()));
        var profile = LikelihoodProfile.Compute(Fits.SleepDesign(), new ProfileOptions { Parameters = ["Days"] });
        Assert.Throws<ArgumentOutOfRangeException>(() => ProfileFigure.Create(profile, new ProfileFigureOptions { Level = 1.5 }));
    }
}
