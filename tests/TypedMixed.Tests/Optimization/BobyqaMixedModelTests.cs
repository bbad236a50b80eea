using System.Globalization;
using System.Text.Json;
using TypedMixed.Optimization;

namespace TypedMixed.Tests.Optimization;

/// <summary>BOBYQA on objectives shaped like profiled deviances over θ, including lme4's own fits.</summary>
public class BobyqaMixedModelTests
{
    private static readonly BobyqaOptions LmmOptions = new() { InitialTrustRadius = 0.2, FinalTrustRadius = 1e-8 };

    /// <summary>f(θ) = a·log(1 + θ²) + b/(1 + θ²): minimum at θ² = b/a − 1 when b &gt; a, else at θ = 0.</summary>
    private static Objective LogShape(double a, double b) => x => a * Math.Log(1 + x[0] * x[0]) + b / (1 + x[0] * x[0]);

    [Fact]
    public void Interior_minimiser_of_the_log_shape()
    {
        var result = Bobyqa.Minimize(LogShape(1, 4), [1], [0], [double.PositiveInfinity], LmmOptions);

        Assert.Equal(StopReason.Converged, result.Reason);
        Assert.Equal(Math.Sqrt(3), result.X[0], 1e-7);
        Assert.Equal(Math.Log(4) + 1, result.Value, 1e-12);
        Assert.InRange(result.Evaluations, 3, 80);
    }

    [Fact]
    public void Singular_fit_returns_theta_zero_on_the_lower_bound()
    {
        // b < a: the minimum is at θ = 0, where the gradient also vanishes (the objective is even in θ).
        var result = Bobyqa.Minimize(LogShape(2, 1), [1], [0], [double.PositiveInfinity], LmmOptions);

        Assert.Equal(StopReason.Converged, result.Reason);
        Assert.InRange(result.X[0], 0.0, 1e-8);
        Assert.Equal(1.0, result.Value, 1e-14);
    }

    [Fact]
    public void Two_thetas_one_on_the_boundary_one_interior()
    {
        // θ₀ ≥ 0 wants to be 0 (singular); θ₁ is an unbounded correlation-like parameter with minimum at 0.6.
        double F(ReadOnlySpan<double> t) =>
            2 * Math.Log(1 + t[0] * t[0]) + 1 / (1 + t[0] * t[0]) + Math.Log(1 + t[1] * t[1]) + 1.36 / (1 + t[1] * t[1]) + 0.3 * (t[1] - 0.6) * (t[1] - 0.6) * t[0] * t[0];
        var result = Bobyqa.Minimize(F, [1, 0], [0, double.NegativeInfinity], [double.PositiveInfinity, double.PositiveInfinity], LmmOptions);

        Assert.Equal(StopReason.Converged, result.Reason);
        Assert.InRange(result.X[0], 0.0, 1e-8);
        Assert.Equal(0.6, result.X[1], 1e-6);
    }

    [Theory]
    [InlineData("Dyestuff.csv", "dyestuff_ML.json", false)]
    [InlineData("Dyestuff.csv", "dyestuff_REML.json", true)]
    [InlineData("Dyestuff2.csv", "dyestuff2_ML.json", false)]
    [InlineData("Dyestuff2.csv", "dyestuff2_REML.json", true)]
    public void One_way_profiled_deviance_reaches_lme4s_optimum(string data, string fit, bool reml)
    {
        var groups = ReadGroups(data);
        using var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Data", "reference", "fits", fit)));
        double lme4Theta = reference.RootElement.GetProperty("theta").GetProperty("values")[0].GetDouble();
        double lme4Objective = reml
            ? reference.RootElement.GetProperty("REML_criterion").GetDouble()
            : reference.RootElement.GetProperty("deviance").GetDouble();

        // lme4 starts θ at 1 with lower bound 0.
        var result = Bobyqa.Minimize(t => OneWayDeviance(groups, t[0], reml), [1], [0], [double.PositiveInfinity], LmmOptions);

        Assert.Equal(StopReason.Converged, result.Reason);
        Assert.Equal(lme4Objective, result.Value, 1e-8);
        if (lme4Theta == 0)
            Assert.InRange(result.X[0], 0.0, 1e-8);
        else
            Assert.Equal(lme4Theta, result.X[0], 1e-5);
        Assert.InRange(result.Evaluations, 3, 60);
    }

    /// <summary>
    /// Profiled deviance (ML) or REML criterion of y_ij = μ + θσ·u_i + σ·ε_ij, from the one-way sums:
    /// log|L|² = Σ log(1 + n_iθ²), r² = SSW + Σ w_i(ȳ_i − μ̂)², w_i = n_i/(1 + n_iθ²), |R_X|² = Σ w_i.
    /// </summary>
    private static double OneWayDeviance((int Count, double Mean, double WithinSs)[] groups, double theta, bool reml)
    {
        double logDet = 0, sumW = 0, sumWy = 0, ssw = 0;
        int nobs = 0;
        foreach (var (count, mean, withinSs) in groups)
        {
            double w = count / (1 + count * theta * theta);
            logDet += Math.Log(1 + count * theta * theta);
            sumW += w;
            sumWy += w * mean;
            ssw += withinSs;
            nobs += count;
        }
        double mu = sumWy / sumW;
        double r2 = ssw;
        foreach (var (count, mean, _) in groups)
            r2 += count / (1 + count * theta * theta) * (mean - mu) * (mean - mu);
        if (!reml) return logDet + nobs * (1 + Math.Log(2 * Math.PI * r2 / nobs));
        int dof = nobs - 1;
        return logDet + Math.Log(sumW) + dof * (1 + Math.Log(2 * Math.PI * r2 / dof));
    }

    private static (int Count, double Mean, double WithinSs)[] ReadGroups(string file)
    {
        var byBatch = new SortedDictionary<string, List<double>>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Data", "reference", file)).Skip(1))
        {
            var parts = line.Split(',');
            string batch = parts[0].Trim('"');
            double yield = double.Parse(parts[1], CultureInfo.InvariantCulture);
            if (!byBatch.TryGetValue(batch, out var list)) byBatch[batch] = list = [];
            list.Add(yield);
        }
        return byBatch.Values.Select(v =>
        {
            double mean = v.Average();
            return (v.Count, mean, v.Sum(y => (y - mean) * (y - mean)));
        }).ToArray();
    }
}
