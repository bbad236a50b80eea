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
        var doc = XDocument.Parse(File.ReadAllText(svg));
        Assert.Equal(65, doc.Descendants(XName.Get("circle", "http://www.w3.org/2000/svg")).Count());
        Assert.Equal("", r.Err);
    }

    [Fact]
    public void Caterpillar_of_a_slope_by_effect_name()
    {
        var dir = CliRunner.TempDirectory();
        var svg = Path.Combine(dir, "days.svg");
        var r = CliRunner.Run("fit", CliRunner.DataPath("sleepstudy.csv"), "Reaction ~ Days + (Days | Subject)", "--quiet", "--caterpillar", "Subject[Days]", svg);
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("Subject: predicted Days effects", File.ReadAllText(svg));
    }

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
