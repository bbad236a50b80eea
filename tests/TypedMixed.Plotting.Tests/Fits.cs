using System.Globalization;

namespace TypedMixed.Plotting.Tests;

/// <summary>The fits the figures are drawn from: sleepstudy, the inner-London Exam data (65 schools), and 160 simulated clusters.</summary>
internal static class Fits
{
    private static readonly Lazy<(LinearMixedModelFit Fit, double[] Days, string[] Subject)> s_sleep = new(() =>
    {
        var rows = Csv("sleepstudy.csv");
        double[] days = [.. rows.Select(r => Num(r["Days"]))];
        string[] subject = [.. rows.Select(r => r["Subject"])];
        var design = Design("Reaction", [.. rows.Select(r => Num(r["Reaction"]))], [("Days", days)], "Subject", subject, slope: days, slopeName: "Days");
        return (LinearMixedModel.Fit(design), days, subject);
    });

    private static readonly Lazy<(LinearMixedModelFit Fit, double[] Lrt, string[] School)> s_exam = new(() =>
    {
        var rows = Csv("Exam.csv");
        double[] lrt = [.. rows.Select(r => Num(r["standLRT"]))];
        string[] school = [.. rows.Select(r => r["school"])];
        var design = Design("normexam", [.. rows.Select(r => Num(r["normexam"]))], [("standLRT", lrt)], "school", school);
        return (LinearMixedModel.Fit(design, new FitOptions { Method = EstimationMethod.MaximumLikelihood }), lrt, school);
    });

    private static readonly Lazy<(LinearMixedModelFit Fit, double[] Time, string[] Cluster)> s_many = new(() =>
    {
        // 160 clusters × 6 occasions: y = 10 + 0.5 t + u + e, u ~ N(0, 1), e ~ N(0, 2²), cluster ids "C001".."C160".
        var rng = new Random(20261201);
        var time = new List<double>();
        var cluster = new List<string>();
        var y = new List<double>();
        for (int c = 1; c <= 160; c++)
        {
            double u = Gaussian(rng);
            for (int t = 0; t < 6; t++)
            {
                time.Add(t);
                cluster.Add("C" + c.ToString("000", CultureInfo.InvariantCulture));
                y.Add(10 + 0.5 * t + u + 2 * Gaussian(rng));
            }
        }
        var design = Design("y", [.. y], [("t", [.. time])], "cluster", [.. cluster]);
        return (LinearMixedModel.Fit(design), [.. time], [.. cluster]);
    });

    public static (LinearMixedModelFit Fit, double[] Days, string[] Subject) Sleep => s_sleep.Value;

    /// <summary>The sleepstudy design, Reaction ~ Days + (Days | Subject), for figures that refit (profiles).</summary>
    public static ModelDesign SleepDesign()
    {
        var rows = Csv("sleepstudy.csv");
        double[] days = [.. rows.Select(r => Num(r["Days"]))];
        return Design("Reaction", [.. rows.Select(r => Num(r["Reaction"]))], [("Days", days)], "Subject", [.. rows.Select(r => r["Subject"])], slope: days, slopeName: "Days");
    }

    public static (LinearMixedModelFit Fit, double[] Lrt, string[] School) Exam => s_exam.Value;

    public static (LinearMixedModelFit Fit, double[] Time, string[] Cluster) Many => s_many.Value;

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    private static double Num(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    /// <summary>y ~ 1 + covariates + (1 | group) or (1 + slope | group); levels in order of first appearance.</summary>
    private static ModelDesign Design(string response, double[] y, (string Name, double[] Values)[] covariates, string group, string[] ids,
        double[]? slope = null, string? slopeName = null)
    {
        int n = y.Length;
        var x = new double[n * (1 + covariates.Length)];
        for (int i = 0; i < n; i++) x[i] = 1;
        for (int c = 0; c < covariates.Length; c++) Array.Copy(covariates[c].Values, 0, x, (c + 1) * n, n);
        var keys = ids.Distinct().ToList();
        var index = keys.Select((k, i) => (k, i)).ToDictionary(p => p.k, p => p.i);
        var z = new double[n * (slope is null ? 1 : 2)];
        for (int i = 0; i < n; i++) z[i] = 1;
        if (slope is not null) Array.Copy(slope, 0, z, n, n);
        return new ModelDesign
        {
            ResponseName = response,
            Response = y,
            FixedEffects = x,
            FixedEffectNames = ["(Intercept)", .. covariates.Select(c => c.Name)],
            Terms =
            [
                new RandomEffectsTerm
                {
                    Name = group,
                    LevelIndex = [.. ids.Select(k => index[k])],
                    LevelKeys = keys,
                    ColumnNames = slope is null ? ["(Intercept)"] : ["(Intercept)", slopeName!],
                    Columns = z,
                },
            ],
        };
    }

    private static List<Dictionary<string, string>> Csv(string file)
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Data", file));
        var header = lines[0].Split(',').Select(h => h.Trim('"')).ToArray();
        return [.. lines.Skip(1).Where(l => l.Length > 0).Select(l =>
        {
            var cells = l.Split(',');
            return header.Select((h, i) => (h, v: cells[i].Trim('"'))).ToDictionary(p => p.h, p => p.v);
        })];
    }
}
