using System.Text.Json;
using System.Xml.Linq;

namespace TypedMixed.Cli.Tests;

/// <summary>What a successful run writes: the summary, JSON, SVG, the dropped-row count and progress.</summary>
public class CliOutputTests
{
    [Fact]
    public void Markdown_summary_and_caterpillar_file()
    {
        var dir = CliRunner.TempDirectory();
        var svg = Path.Combine(dir, "schools.svg");
        var r = CliRunner.Run("fit", CliRunner.DataPath("Exam.csv"), "normexam ~ standLRT + sex + (1 | school)", "--ml", "--markdown", "--quiet", "--caterpillar", "school", svg);
        Assert.True(r.Code == 0, r.Err);
        Assert.StartsWith("### Linear mixed model fit by maximum likelihood", r.Out);
        Assert.Contains("| sexM |", r.Out);
        var labels = SvgText(svg);
        for (int school = 1; school <= 65; school++) Assert.Contains(school.ToString(System.Globalization.CultureInfo.InvariantCulture), labels);
        Assert.Contains("school: (Intercept) (conditional mode ± 1.96 SD)", labels);
        Assert.Equal("", r.Err);
    }

    [Fact]
    public void Caterpillar_of_a_slope_by_effect_name()
    {
        var dir = CliRunner.TempDirectory();
        var svg = Path.Combine(dir, "days.svg");
        var r = CliRunner.Run("fit", CliRunner.DataPath("sleepstudy.csv"), "Reaction ~ Days + (Days | Subject)", "--quiet", "--caterpillar", "Subject[Days]", svg);
        Assert.True(r.Code == 0, r.Err);
        var labels = SvgText(svg);
        Assert.Contains("Subject: Days (conditional mode ± 1.96 SD)", labels);
        Assert.DoesNotContain("Subject: (Intercept) (conditional mode ± 1.96 SD)", labels);
    }

    [Theory]
    [InlineData("caterpillar:Subject", "png", 2)]
    [InlineData("caterpillar:Subject", "svg", 2)]
    [InlineData("trajectory:Subject", "png", 1)]
    [InlineData("trajectory:Subject[Days]", "svg", 1)]
    [InlineData("residuals", "png", 2)]
    [InlineData("qq:Subject", "png", 2)]
    [InlineData("qq", "svg", 1)]
    public void Plot_writes_each_kind_as_png_or_svg(string what, string extension, int panels)
    {
        var path = Path.Combine(CliRunner.TempDirectory(), "figure." + extension);
        var r = CliRunner.Run("fit", CliRunner.DataPath("sleepstudy.csv"), "Reaction ~ Days + (Days | Subject)", "--quiet", "--plot", what, path);
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal("", r.Err);
        var bytes = File.ReadAllBytes(path);
        int width, height;
        if (extension == "png")
        {
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
            // IHDR: width and height, big-endian, at bytes 16..23.
            width = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16));
            height = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20));
            Assert.True(bytes.Length > 10_000, $"{bytes.Length} bytes");
        }
        else
        {
            var root = XDocument.Parse(File.ReadAllText(path)).Root!;
            Assert.Equal("svg", root.Name.LocalName);
            width = (int)(double)root.Attribute("width")!;
            height = (int)(double)root.Attribute("height")!;
            Assert.True(root.Descendants().Count() > 100, $"{root.Descendants().Count()} elements");
        }
        Assert.InRange(width, 400 * panels, 900 * panels);
        Assert.InRange(height, 300, 2000);
    }

    [Fact]
    public void Trajectory_over_a_fixed_covariate_names_it_on_the_axis()
    {
        var svg = Path.Combine(CliRunner.TempDirectory(), "schools.svg");
        var r = CliRunner.Run("fit", CliRunner.DataPath("Exam.csv"), "normexam ~ standLRT + (1 | school)", "--ml", "--quiet", "--plot", "trajectory:school", svg);
        Assert.True(r.Code == 0, r.Err);
        var labels = SvgText(svg);
        Assert.Contains("standLRT", labels);
        Assert.Contains("fitted normexam", labels);
        Assert.Contains("fitted, one line per school (65)", labels);
    }

    private static HashSet<string> SvgText(string path) =>
        XDocument.Parse(File.ReadAllText(path)).Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value.Trim()).ToHashSet();

    [Fact]
    public void Rows_with_missing_values_are_dropped_and_reported()
    {
        var dir = CliRunner.TempDirectory();
        var csv = Path.Combine(dir, "na.csv");
        var json = Path.Combine(dir, "na.json");
        var lines = File.ReadAllLines(CliRunner.DataPath("sleepstudy.csv")).ToList();
        lines[5] = "NA,4,\"308\"";   // missing response
        lines[20] = "300.1,,\"309\""; // missing covariate
        File.WriteAllLines(csv, lines);
        var r = CliRunner.Run("fit", csv, "Reaction ~ Days + (1 | Subject)", "--quiet", "--json", json);
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("dropped 2 of 180 rows with missing values", r.Err);
        Assert.Contains("178 (2 rows with missing values dropped)", r.Out);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(178, doc.RootElement.GetProperty("nobs").GetInt32());
        Assert.Equal(2, doc.RootElement.GetProperty("rows_dropped").GetInt32());
        Assert.Equal("Reaction ~ Days + (1 | Subject)", doc.RootElement.GetProperty("formula").GetString());
    }

    [Fact]
    public void Progress_goes_to_stderr()
    {
        var r = CliRunner.Run("fit", CliRunner.DataPath("Dyestuff.csv"), "Yield ~ 1 + (1 | Batch)");
        Assert.Equal(0, r.Code);
        Assert.Matches(@"typedmixed: \d+ evaluations, REML criterion \d+\.\d{6}", r.Err);
        Assert.DoesNotContain("evaluations, REML", r.Out);
    }

    [Fact]
    public void Factor_and_interaction_names_match_R()
    {
        var dir = CliRunner.TempDirectory();
        var json = Path.Combine(dir, "m.json");
        var r = CliRunner.Run("fit", CliRunner.DataPath("Exam.csv"), "normexam ~ standLRT * sex + schgend + (1 | school)", "--ml", "--quiet", "--json", json,
            "--reference", "schgend=mixed");
        Assert.True(r.Code == 0, r.Err);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(["(Intercept)", "standLRT", "sexM", "schgendboys", "schgendgirls", "standLRT:sexM"],
            doc.RootElement.GetProperty("fixed_effects").GetProperty("names").EnumerateArray().Select(e => e.GetString()!));
    }
}
