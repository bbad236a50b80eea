using System.Globalization;
using TypedMixed.Presentation;

namespace TypedMixed.Tests.Presentation;

/// <summary>
/// lme4's "Scaled residuals" and "Correlation of Fixed Effects" blocks against R (tests/Data/summary, written by
/// tests/Data/r/summary_blocks.R with lme4 1.1.31).
/// </summary>
public class SummaryBlocksTests
{
    private static readonly string[] Reference = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Data", "summary", "lme4_summary_blocks.csv"));

    private static double Value(string quantity, string name) =>
        double.Parse(Reference.Single(l => l.StartsWith($"{quantity},{name},", StringComparison.Ordinal)).Split(',')[^1], CultureInfo.InvariantCulture);

    private static IEnumerable<(string Name, string Abbreviation)> Abbreviations(int minLength) =>
        Reference.Where(l => l.StartsWith($"abbreviate{minLength},", StringComparison.Ordinal))
            .Select(l => l.Split("\",\""))
            .Select(p => (p[0][(p[0].IndexOf('"', StringComparison.Ordinal) + 1)..], p[1].TrimEnd('"')));

    [Fact]
    public void Abbreviations_are_Rs()
    {
        foreach (int k in new[] { 6, 11 })
        {
            var cases = Abbreviations(k).ToArray();
            Assert.Equal(12, cases.Length);
            Assert.Equal(cases.Select(c => c.Abbreviation), RAbbreviation.Abbreviate(cases.Select(c => c.Name).ToArray(), k));
        }
    }

    [Fact]
    public void Correlation_of_fixed_effects_matches_lme4_for_sleepstudy()
    {
        var fit = FitJsonTests.FitOf("sleepstudy_REML");
        var corr = FitSummary.FixedEffectsCorrelation(fit);
        double expected = Value("correlation", "Days~(Intercept)");
        Assert.Equal(expected, corr[1, 0], 1e-4);
        Assert.Equal(corr[0, 1], corr[1, 0], 15);
        Assert.Equal(1.0, corr[0, 0], 12);

        // lme4's layout: a header of abbreviated names before the last, a row per name after the first, 3 decimals.
        var text = FitSummary.ToText(fit);
        var lines = text.Split('\n');
        int at = Array.IndexOf(lines, "Correlation of Fixed Effects:");
        Assert.True(at > 0, text);
        Assert.Equal("(Intr)", lines[at + 1].Trim());
        Assert.Equal(["Days", "-0.138"], lines[at + 2].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("\n#### Correlation of Fixed Effects\n", FitSummary.ToMarkdown(fit));
    }

    [Fact]
    public void Scaled_residuals_match_lme4_for_sleepstudy()
    {
        var fit = FitJsonTests.FitOf("sleepstudy_REML");
        var sorted = fit.ScaledResiduals().Order().ToArray();
        var names = new[] { "Min", "1Q", "Median", "3Q", "Max" };
        var probabilities = new[] { 0, 0.25, 0.5, 0.75, 1 };
        var printed = FitSummary.ToText(fit).Split('\n').SkipWhile(l => l != "Scaled residuals:").Skip(2).First()
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        for (int i = 0; i < 5; i++)
        {
            double expected = Value("scaled_residual", names[i]);
            double h = (sorted.Length - 1) * probabilities[i];
            int lo = (int)Math.Floor(h), hi = Math.Min(lo + 1, sorted.Length - 1);
            double ours = sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
            Assert.True(Math.Abs(ours - expected) <= 1e-4 * Math.Max(1, Math.Abs(expected)), $"{names[i]}: {ours} vs lme4 {expected}");
            // Printed to 4 significant digits.
            Assert.True(Math.Abs(printed[i] - expected) <= 5e-4 * Math.Abs(expected), $"{names[i]} printed {printed[i]} vs lme4 {expected}");
        }
    }

    [Fact]
    public void One_coefficient_has_no_correlation_block_and_more_than_twelve_get_lme4s_note()
    {
        var intercept = FitJsonTests.FitOf("dyestuff_REML");
        Assert.DoesNotContain("Correlation of Fixed Effects", FitSummary.ToText(intercept));
        Assert.Contains("Scaled residuals:", FitSummary.ToText(intercept));

        // 13 coefficients: an intercept and 12 covariates, 40 groups of 5.
        const int n = 200, p = 13;
        var random = new Random(11);
        var x = new double[n * p];
        var y = new double[n];
        var group = new int[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = 1;
            for (int c = 1; c < p; c++) x[c * n + i] = random.NextDouble();
            group[i] = i / 5;
            y[i] = x[n + i] + (group[i] % 7) * 0.3 + random.NextDouble();
        }
        var design = new ModelDesign
        {
            Response = y,
            FixedEffects = x,
            FixedEffectNames = ["(Intercept)", .. Enumerable.Range(1, p - 1).Select(c => "x" + c.ToString(CultureInfo.InvariantCulture))],
            Terms = [RandomEffectsTerm.Intercept("g", group, Enumerable.Range(0, 40).Select(g => g.ToString(CultureInfo.InvariantCulture)).ToArray())],
        };
        var text = FitSummary.ToText(LinearMixedModel.Fit(design));
        Assert.DoesNotContain("Correlation of Fixed Effects:", text);
        Assert.Contains("Correlation matrix not shown, as p = 13 > 12 (as lme4)", text);
    }
}
