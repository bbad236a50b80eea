using System.Globalization;
using TypedMixed.Tests.Reference;

namespace TypedMixed.Tests.Multivariate;

/// <summary>Multivariate designs for the tests: Gcsemv (wide, NA = missing) and small random designs.</summary>
internal static class MultivariateDesigns
{
    /// <summary>Gcsemv: written and course ~ 1 + female, a school intercept per response.</summary>
    public static MultivariateDesign Gcsemv()
    {
        var csv = ReferenceData.ReadCsv("Gcsemv.csv");
        static double Value(string v) => v == "NA" ? double.NaN : double.Parse(v, CultureInfo.InvariantCulture);
        var written = csv["written"].Select(Value).ToArray();
        var course = csv["course"].Select(Value).ToArray();
        int n = written.Length;
        var female = csv["gender"].Select(g => g == "F" ? 1.0 : 0.0).ToArray();
        var (school, keys) = ReferenceData.Factor(csv["school"]);
        return new MultivariateDesign
        {
            ResponseNames = ["written", "course"],
            Responses = [written, course],
            FixedEffects = [.. Enumerable.Repeat(1.0, n), .. female],
            FixedEffectNames = ["(Intercept)", "female"],
            Classifications = [new MultivariateClassification { Name = "school", LevelIndex = school, LevelKeys = keys }],
            UnitName = "pupil",
        };
    }

    /// <summary>
    /// A random design: <paramref name="responses"/> responses for <paramref name="units"/> units in groups of one or two
    /// classifications, a covariate, some responses missing, each response on its own scale.
    /// </summary>
    /// <remarks>
    /// With <paramref name="slopes"/>, classification g has random slopes per response of x and of a second covariate w
    /// ((1 + x + w | g), 3 effects per response) and h one of x ((1 + x | h)); the data get such slopes too.
    /// </remarks>
    public static MultivariateDesign Random(int seed, int responses, int units, int groups, bool twoClassifications, double missing = 0.2, double[]? scales = null, bool slopes = false)
    {
        var rng = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var x = Enumerable.Range(0, units).Select(_ => Normal()).ToArray();
        var g1 = Enumerable.Range(0, units).Select(u => u % groups).ToArray();
        var g2 = Enumerable.Range(0, units).Select(_ => rng.Next(3)).ToArray();
        var b1 = Enumerable.Range(0, groups).Select(_ => Enumerable.Range(0, responses).Select(_ => Normal()).ToArray()).ToArray();
        var b2 = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, responses).Select(_ => 0.5 * Normal()).ToArray()).ToArray();
        var y = Enumerable.Range(0, responses).Select(_ => new double[units]).ToArray();
        var w = slopes ? Enumerable.Range(0, units).Select(_ => rng.NextDouble() * 2).ToArray() : [];
        var s1 = Enumerable.Range(0, slopes ? groups : 0).Select(_ => Enumerable.Range(0, 2 * responses).Select(_ => 0.6 * Normal()).ToArray()).ToArray();
        var s2 = Enumerable.Range(0, slopes ? 3 : 0).Select(_ => Enumerable.Range(0, responses).Select(_ => 0.4 * Normal()).ToArray()).ToArray();
        for (int u = 0; u < units; u++)
        {
            double common = Normal();
            int kept = rng.Next(responses);
            for (int k = 0; k < responses; k++)
            {
                double s = scales?[k] ?? 1;
                double v = 1 + k + (0.5 - 0.3 * k) * x[u] + b1[g1[u]][k] + (twoClassifications ? b2[g2[u]][k] : 0) + 0.7 * common + Normal();
                if (slopes)
                    v += s1[g1[u]][2 * k] * x[u] + s1[g1[u]][2 * k + 1] * w[u] + (twoClassifications ? s2[g2[u]][k] * x[u] : 0);
                y[k][u] = k != kept && rng.NextDouble() < missing ? double.NaN : s * v;
            }
        }
        var classes = new List<MultivariateClassification>
        {
            new()
            {
                Name = "g", LevelIndex = g1, LevelKeys = Enumerable.Range(0, groups).Select(l => "g" + l).ToArray(),
                RandomCovariateNames = slopes ? ["x", "w"] : [], RandomCovariates = slopes ? [.. x, .. w] : [],
            },
        };
        if (twoClassifications)
            classes.Add(new()
            {
                Name = "h", LevelIndex = g2, LevelKeys = ["h0", "h1", "h2"],
                RandomCovariateNames = slopes ? ["x"] : [], RandomCovariates = slopes ? x : [],
            });
        return new MultivariateDesign
        {
            ResponseNames = Enumerable.Range(0, responses).Select(k => "y" + k).ToArray(),
            Responses = y,
            FixedEffects = [.. Enumerable.Repeat(1.0, units), .. x],
            FixedEffectNames = ["(Intercept)", "x"],
            Classifications = classes,
        };
    }
}
