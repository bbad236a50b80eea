using System.Text.Json;
using TypedMixed.Tests.Glmm;
using TypedMixed.Tests.Ordinal;
using TypedMixed.Tests.Reference;

namespace TypedMixed.Tests.Inference;

/// <summary>
/// The parametric bootstrap and simulate(): reproducible with a seed whatever the thread count, in agreement with
/// lme4's bootMer within Monte Carlo error (tests/Data/reference/inference/bootmer_sleepstudy.json, scripts/profile_boot.R),
/// cancellable, and simulated responses with the moments the model implies.
/// </summary>
public sealed class BootstrapTests
{
    private static readonly Lazy<(ModelDesign Design, LinearMixedModelFit Fit)> Sleepstudy = new(() =>
    {
        var design = ReferenceData.ForFit("sleepstudy_REML");
        return (design, LinearMixedModel.Fit(design));
    });

    [Fact]
    public void SameSeedSameReplicatesWhateverTheThreads()
    {
        var (design, fit) = Sleepstudy.Value;
        var one = ParametricBootstrap.Run(design, fit, new BootstrapOptions { Replicates = 12, Seed = 7, MaxDegreeOfParallelism = 1 });
        var many = ParametricBootstrap.Run(design, fit, new BootstrapOptions { Replicates = 12, Seed = 7, MaxDegreeOfParallelism = 4 });
        var other = ParametricBootstrap.Run(design, fit, new BootstrapOptions { Replicates = 12, Seed = 8, MaxDegreeOfParallelism = 4 });
        Assert.Equal(["sd_(Intercept)|Subject", "cor_Days.(Intercept)|Subject", "sd_Days|Subject", "sigma", "(Intercept)", "Days"], one.StatisticNames);
        for (int i = 0; i < 12; i++) Assert.Equal(one.Replicates[i], many.Replicates[i]);
        Assert.NotEqual(one.Replicates[0], other.Replicates[0]);
        Assert.Equal(fit.Sigma, one.Observed[3], 12);
        Assert.Equal(fit.FixedEffect("Days").Estimate, one.Observed[5], 12);
    }

    /// <summary>
    /// 300 replicates against bootMer's 1999: for each statistic the means differ by less than 4 Monte Carlo SEs of the
    /// difference, the bootstrap SDs by less than 4 SEs of their ratio (≈ √(1/2n₁ + 1/2n₂)), and the percentile ends
    /// by less than 4 SEs of a 2.5% quantile (≈ 2.7·sd/√n for each sample, normal approximation).
    /// </summary>
    [Fact]
    public void AgreesWithBootMerWithinMonteCarloError()
    {
        var (design, fit) = Sleepstudy.Value;
        var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(ReferenceData.DataDir, "inference", "bootmer_sleepstudy.json"))).RootElement;
        var result = ParametricBootstrap.Run(design, fit, new BootstrapOptions { Replicates = 300, Seed = 20261201 });
        Assert.Equal(0, result.Failed);
        // bootMer's statistics: (Intercept), Days, sd_intercept, sd_days, cor, sigma.
        var map = new Dictionary<string, string>
        {
            ["(Intercept)"] = "(Intercept)", ["Days"] = "Days", ["sd_intercept"] = "sd_(Intercept)|Subject",
            ["sd_days"] = "sd_Days|Subject", ["cor"] = "cor_Days.(Intercept)|Subject", ["sigma"] = "sigma",
        };
        var percentile = result.Intervals(0.95);
        var basic = result.Intervals(0.95, BootstrapIntervalType.Basic);
        foreach (var s in reference.GetProperty("statistics").EnumerateArray())
        {
            int i = result.StatisticNames.ToList().IndexOf(map[s.GetProperty("name").GetString()!]);
            double n1 = result.SortedValues(i).Length, n2 = s.GetProperty("finite").GetDouble();
            double sdR = s.GetProperty("sd").GetDouble();
            Assert.Equal(s.GetProperty("t0").GetDouble(), result.Observed[i], 1e-3 * sdR);
            double meanSe = sdR * Math.Sqrt(1 / n1 + 1 / n2);
            Assert.True(Math.Abs(result.Mean(i) - s.GetProperty("mean").GetDouble()) < 4 * meanSe, $"{result.StatisticNames[i]} mean {result.Mean(i):R} vs {s.GetProperty("mean").GetDouble():R}");
            double ratioSe = Math.Sqrt(1 / (2 * n1) + 1 / (2 * n2));
            Assert.True(Math.Abs(result.StdDev(i) / sdR - 1) < 4 * ratioSe, $"{result.StatisticNames[i]} sd {result.StdDev(i):R} vs {sdR:R}");
            double quantileSe = 2.7 * sdR * Math.Sqrt(1 / n1 + 1 / n2);
            var perc = s.GetProperty("perc").Doubles();
            Assert.True(Math.Abs(percentile[i].Lower - perc[0]) < 4 * quantileSe, $"{result.StatisticNames[i]} 2.5% {percentile[i].Lower:R} vs {perc[0]:R}");
            Assert.True(Math.Abs(percentile[i].Upper - perc[1]) < 4 * quantileSe, $"{result.StatisticNames[i]} 97.5% {percentile[i].Upper:R} vs {perc[1]:R}");
            var bas = s.GetProperty("basic").Doubles();
            Assert.True(Math.Abs(basic[i].Lower - bas[0]) < 4 * quantileSe + 2e-3 * sdR, $"{result.StatisticNames[i]} basic lower {basic[i].Lower:R} vs {bas[0]:R}");
            Assert.True(Math.Abs(basic[i].Upper - bas[1]) < 4 * quantileSe + 2e-3 * sdR, $"{result.StatisticNames[i]} basic upper {basic[i].Upper:R} vs {bas[1]:R}");
        }
    }

    [Fact]
    public void CancellationStopsTheRun()
    {
        var (design, fit) = Sleepstudy.Value;
        using var cts = new CancellationTokenSource();
        int reports = 0;
        var progress = new SynchronousProgress(p => { if (Interlocked.Increment(ref reports) == 3) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() =>
            ParametricBootstrap.Run(design, fit, new BootstrapOptions { Replicates = 5000, Seed = 1, Progress = progress }, cancellationToken: cts.Token));
        Assert.True(reports < 5000);
    }

    [Fact]
    public void ProgressReportsEveryReplicate()
    {
        var (design, fit) = Sleepstudy.Value;
        var seen = new System.Collections.Concurrent.ConcurrentBag<BootstrapProgress>();
        ParametricBootstrap.Run(design, fit, new BootstrapOptions { Replicates = 8, Seed = 3, Progress = new SynchronousProgress(seen.Add) });
        Assert.Equal(Enumerable.Range(1, 8), seen.Select(p => p.Completed).Order());
        Assert.All(seen, p => Assert.Equal(8, p.Total));
    }

    /// <summary>Simulated sleepstudy responses: per-row mean Xβ̂ and the model's marginal variance Z Σ̂ Z' + σ̂² (4000 draws).</summary>
    [Fact]
    public void GaussianSimulationHasTheModelsMoments()
    {
        var (design, fit) = Sleepstudy.Value;
        int draws = 4000, n = design.Rows;
        var rows = Enumerable.Range(0, 10).ToArray(); // the first subject's ten days
        var sum = new double[10];
        var sumSq = new double[10];
        var random = new Random(11);
        for (int d = 0; d < draws; d++)
        {
            var y = ResponseSimulation.Simulate(design, fit, random);
            for (int r = 0; r < 10; r++) { sum[r] += y[rows[r]]; sumSq[r] += y[rows[r]] * y[rows[r]]; }
        }
        var v = fit.MarginalCovariance(rows);
        double b0 = fit.FixedEffect("(Intercept)").Estimate, b1 = fit.FixedEffect("Days").Estimate;
        for (int r = 0; r < 10; r++)
        {
            double mean = sum[r] / draws, variance = sumSq[r] / draws - mean * mean;
            double expected = b0 + b1 * design.FixedEffects[n + rows[r]];
            Assert.True(Math.Abs(mean - expected) < 4 * Math.Sqrt(v[r, r] / draws), $"row {r}: mean {mean} vs {expected}");
            // SE of a sample variance of normal data: v·√(2/(draws − 1)).
            Assert.True(Math.Abs(variance - v[r, r]) < 4 * v[r, r] * Math.Sqrt(2.0 / (draws - 1)), $"row {r}: variance {variance} vs {v[r, r]}");
        }
    }

    /// <summary>
    /// Poisson counts simulated from a fit: E y = exp(xβ̂ + s²/2) and Var y = E y + (E y)²(exp(s²) − 1) for a random
    /// intercept with SD s (log link), checked on the counts summed over draws.
    /// </summary>
    [Fact]
    public void PoissonSimulationHasTheModelsMoments()
    {
        var design = PoissonDesign();
        var fit = GeneralizedLinearMixedModel.Fit(design);
        double s2 = fit.RandomEffects[0].Variance(), b0 = fit.FixedEffect("(Intercept)").Estimate, b1 = fit.FixedEffect("x").Estimate;
        int draws = 3000, n = design.Rows;
        var random = new Random(5);
        // Row 0 only (its own cluster's effect varies over draws), and the mean over all rows.
        double sum0 = 0, sumSq0 = 0, total = 0;
        for (int d = 0; d < draws; d++)
        {
            var y = ResponseSimulation.Simulate(design, fit, random);
            Assert.All(y, c => Assert.True(c >= 0 && c == Math.Floor(c)));
            sum0 += y[0];
            sumSq0 += y[0] * y[0];
            total += y.Sum();
        }
        double mu0 = Math.Exp(b0 + b1 * design.FixedEffects[n] + s2 / 2);
        double var0 = mu0 + mu0 * mu0 * (Math.Exp(s2) - 1);
        double mean0 = sum0 / draws, variance0 = sumSq0 / draws - mean0 * mean0;
        Assert.True(Math.Abs(mean0 - mu0) < 4 * Math.Sqrt(var0 / draws), $"mean {mean0} vs {mu0}");
        Assert.True(Math.Abs(variance0 / var0 - 1) < 0.15, $"variance {variance0} vs {var0}");
        double expectedTotal = Enumerable.Range(0, n).Sum(i => Math.Exp(b0 + b1 * design.FixedEffects[n + i] + s2 / 2));
        Assert.True(Math.Abs(total / draws / expectedTotal - 1) < 0.05, $"total {total / draws} vs {expectedTotal}");
    }

    [Fact]
    public void BinomialSimulationStaysWithinTrialsAndBootstraps()
    {
        var design = CbppReferenceTests.Design();
        var fit = GeneralizedLinearMixedModel.Fit(design);
        var y = ResponseSimulation.Simulate(design, fit, new Random(2));
        for (int i = 0; i < y.Length; i++) Assert.InRange(y[i], 0, design.Trials![i]);
        var result = ParametricBootstrap.Run(design, fit, new BootstrapOptions { Replicates = 6, Seed = 4 });
        Assert.Equal(["sd_(Intercept)|herd", "(Intercept)", "period2", "period3", "period4"], result.StatisticNames);
        Assert.Equal(0, result.Failed);
        Assert.All(result.Replicates, r => Assert.All(r, v => Assert.True(double.IsFinite(v))));
    }

    [Fact]
    public void OrdinalSimulationGivesCategoriesAndBootstraps()
    {
        var design = WineReferenceTests.Design();
        var fit = OrdinalMixedModel.Fit(design);
        var counts = new double[5];
        var random = new Random(9);
        for (int d = 0; d < 400; d++)
            foreach (var c in ResponseSimulation.Simulate(design, fit, random)) counts[(int)c]++;
        Assert.All(counts, c => Assert.True(c > 0));
        // The observed category shares are reproduced on average (loose: the judges' effects vary between draws).
        var observed = Enumerable.Range(0, 5).Select(k => design.Response.Count(v => v == k) / (double)design.Rows).ToArray();
        for (int k = 0; k < 5; k++) Assert.True(Math.Abs(counts[k] / counts.Sum() - observed[k]) < 0.08, $"category {k}");
        var result = ParametricBootstrap.Run(design, fit, new BootstrapOptions { Replicates = 4, Seed = 4 });
        Assert.Equal(fit.Thresholds.Count + 1 + fit.FixedEffects.Count, result.StatisticNames.Count);
        Assert.Equal(0, result.Failed);
    }

    [Fact]
    public void NegativeBinomialSimulationIsOverdispersed()
    {
        var design = PoissonDesign(shape: 2, family: ResponseFamily.NegativeBinomial);
        var fit = GeneralizedLinearMixedModel.Fit(design);
        Assert.True(double.IsFinite(fit.NegativeBinomialShape));
        var random = new Random(3);
        // Conditional on b the counts have Var = μ + μ²/k: compare row 0 against a Poisson with the same fit (k → ∞).
        double s2 = fit.RandomEffects[0].Variance(), k = fit.NegativeBinomialShape, n = design.Rows;
        double mu = Math.Exp(fit.FixedEffect("(Intercept)").Estimate + fit.FixedEffect("x").Estimate * design.FixedEffects[design.Rows] + s2 / 2);
        double expectedVar = mu + mu * mu * (Math.Exp(s2) - 1) + mu * mu * Math.Exp(s2) / k;
        double sum = 0, sumSq = 0;
        int draws = 4000;
        for (int d = 0; d < draws; d++) { double y0 = ResponseSimulation.Simulate(design, fit, random)[0]; sum += y0; sumSq += y0 * y0; }
        double mean = sum / draws, variance = sumSq / draws - mean * mean;
        Assert.True(Math.Abs(mean - mu) < 4 * Math.Sqrt(expectedVar / draws), $"mean {mean} vs {mu}");
        Assert.True(Math.Abs(variance / expectedVar - 1) < 0.2, $"variance {variance} vs {expectedVar}");
    }

    /// <summary>
    /// sleepstudy with a random intercept, AR(1) residuals within subjects and varExp(Days): the simulated responses of
    /// one subject have the model's marginal covariance (mean and every entry, 6000 draws; SE of a sample covariance
    /// √((VₐₐV_bb + Vₐᵦ²)/n) for normal data).
    /// </summary>
    [Fact]
    public void ResidualStructureSimulationHasTheModelsCovariance()
    {
        var design = TypedMixed.Tests.Residual.ResidualDesigns.Sleep(slope: false, correlation: ResidualCorrelationStructure.Ar1,
            variance: days => new ResidualVarianceFunction { Kind = ResidualVarianceFunctionKind.Exponential, CovariateNames = ["Days"], Covariates = days });
        var fit = LinearMixedModel.Fit(design, FitOptions.MaximumLikelihood);
        Assert.NotNull(fit.ResidualCorrelation);
        int draws = 6000, m = 10;
        var rows = Enumerable.Range(0, m).ToArray();
        var sum = new double[m];
        var cross = new double[m, m];
        var random = new Random(21);
        for (int d = 0; d < draws; d++)
        {
            var y = ResponseSimulation.Simulate(design, fit, random);
            for (int a = 0; a < m; a++)
            {
                sum[a] += y[a];
                for (int b = 0; b < m; b++) cross[a, b] += y[a] * y[b];
            }
        }
        var v = fit.MarginalCovariance(rows);
        for (int a = 0; a < m; a++)
            for (int b = 0; b < m; b++)
            {
                double cov = cross[a, b] / draws - sum[a] / draws * sum[b] / draws;
                double se = Math.Sqrt((v[a, a] * v[b, b] + v[a, b] * v[a, b]) / draws);
                Assert.True(Math.Abs(cov - v[a, b]) < 4.5 * se, $"cov[{a},{b}] {cov} vs {v[a, b]} (SE {se})");
            }
        var result = ParametricBootstrap.Run(design, fit, new BootstrapOptions { Replicates = 4, Seed = 2 });
        Assert.Equal(["sd_(Intercept)|Subject", "sigma", "(Intercept)", "Days", "rho", "expon"], result.StatisticNames);
        Assert.Equal(fit.ResidualCorrelation!.Parameter, result.Observed[4], 12);
        Assert.Equal(0, result.Failed);
    }

    private static ModelDesign PoissonDesign(double? shape = null, ResponseFamily family = ResponseFamily.Poisson)
    {
        var rng = new Random(42);
        int clusters = 40, per = 10, n = clusters * per;
        var u = Enumerable.Range(0, clusters).Select(_ => 0.5 * MathNet.Numerics.Distributions.Normal.Sample(rng, 0, 1)).ToArray();
        var x = new double[n];
        var y = new double[n];
        var g = new int[n];
        for (int i = 0; i < n; i++)
        {
            g[i] = i / per;
            x[i] = rng.NextDouble() * 2 - 1;
            double mu = Math.Exp(0.8 + 0.5 * x[i] + u[g[i]]);
            if (shape is { } k) mu = MathNet.Numerics.Distributions.Gamma.Sample(rng, k, k / mu);
            y[i] = MathNet.Numerics.Distributions.Poisson.Sample(rng, mu);
        }
        return new ModelDesign
        {
            Response = y, FixedEffects = Enumerable.Repeat(1.0, n).Concat(x).ToArray(), FixedEffectNames = ["(Intercept)", "x"],
            Terms = [RandomEffectsTerm.Intercept("g", g, Enumerable.Range(0, clusters).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray())],
            Family = family,
        };
    }

    /// <summary>An IProgress that reports on the calling thread (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<BootstrapProgress> report) : IProgress<BootstrapProgress>
    {
        public void Report(BootstrapProgress value) => report(value);
    }
}
