using TypedMixed.Estimation;

namespace TypedMixed.Tests.Ordinal;

/// <summary>
/// The analytic gradient of the ordinal Laplace objective over (α, β, θ) against Richardson-extrapolated central
/// differences of the objective itself: wine (one scalar term), the random designs of <see cref="DenseOrdinalLaplaceTests"/>
/// (crossed terms and correlated random slopes, each link), a larger crossed design, equidistant thresholds and prior
/// weights. Tolerance 1e-6 relative (absolute for components below 1).
/// </summary>
public class OrdinalLaplaceGradientTests
{
    /// <summary>Compares the gradient with (4 D(h/2) − D(h))/3, D(h) the central difference with step h.</summary>
    private static void AssertGradient(ModelDesign design, double[] alpha, double[] beta, double[] theta, double tolerance = 1e-6)
    {
        var o = OrdinalProblem.Create(design);
        var deviance = new OrdinalDeviance(new OrdinalNewton(o), 1);
        var gradient = new OrdinalLaplaceGradient(deviance);
        int a = alpha.Length, p = beta.Length, d = theta.Length, dim = a + p + d;
        var x = alpha.Concat(beta).Concat(theta).ToArray();
        var analytic = new double[dim];
        double value = gradient.Evaluate(x.AsSpan(0, a), x.AsSpan(a, p), x.AsSpan(a + p), 500, analytic);
        Assert.True(double.IsFinite(value));
        Assert.Equal(value, deviance.Evaluate(alpha, beta, theta, 500), 1e-9 * Math.Abs(value));
        double F(double[] at) => deviance.Evaluate(at.AsSpan(0, a), at.AsSpan(a, p), at.AsSpan(a + p), 500);
        for (int i = 0; i < dim; i++)
        {
            double Central(double h)
            {
                var xp = (double[])x.Clone();
                xp[i] += h;
                double fp = F(xp);
                xp[i] = x[i] - h;
                return (fp - F(xp)) / (2 * h);
            }
            double step = 2e-3 * Math.Max(1, Math.Abs(x[i]));
            double numeric = (4 * Central(step / 2) - Central(step)) / 3;
            Assert.True(Math.Abs(analytic[i] - numeric) <= tolerance * Math.Max(1, Math.Abs(numeric)),
                $"component {i}: analytic {analytic[i]:R}, Richardson {numeric:R}");
        }
    }

    [Fact]
    public void Wine_gradient_matches_differences_at_and_away_from_the_optimum()
    {
        var design = WineReferenceTests.Design();
        // Near clmm's estimates (θ = the judge SD) and well away from them.
        AssertGradient(design, [-1.62, 1.51, 4.23, 6.09], [3.06, 1.83], [1.13]);
        AssertGradient(design, [-1.0, 0.8, 3.0, 5.5], [2.0, 1.0], [0.4]);
        AssertGradient(WineReferenceTests.Design(LinkFunction.Probit), [-0.9, 0.9, 2.4, 3.5], [1.7, 1.0], [0.7]);
        AssertGradient(WineReferenceTests.Design(LinkFunction.Cloglog), [-1.9, 0.3, 1.9, 3.0], [1.9, 1.1], [0.8]);
    }

    [Theory]
    [MemberData(nameof(DenseOrdinalLaplaceTests.Cases), MemberType = typeof(DenseOrdinalLaplaceTests))]
    public void Random_designs_with_crossed_terms_and_slopes(int seed, LinkFunction link)
    {
        var c = DenseOrdinalLaplaceTests.RandomCase(seed, link, scalarOnly: false);
        AssertGradient(c.Design, c.Tau, c.Beta, c.Theta);
        var s = DenseOrdinalLaplaceTests.RandomCase(seed, link, scalarOnly: true);
        AssertGradient(s.Design, s.Tau, s.Beta, s.Theta);
    }

    [Theory]
    [InlineData(LinkFunction.Logit, false)]
    [InlineData(LinkFunction.Probit, true)]
    [InlineData(LinkFunction.Cloglog, false)]
    public void Crossed_intercepts_with_a_random_slope_equidistant_thresholds_and_weights(LinkFunction link, bool equidistant)
    {
        var rng = new Random(17 + (int)link);
        int n = 600, raters = 60, items = 25;
        var r = Enumerable.Range(0, n).Select(i => i < raters ? i : rng.Next(raters)).ToArray();
        var it = Enumerable.Range(0, n).Select(i => i < items ? i : rng.Next(items)).ToArray();
        var x = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var treat = Enumerable.Range(0, n).Select(_ => rng.Next(2) * 1.0).ToArray();
        var ur = Enumerable.Range(0, raters).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var ui = Enumerable.Range(0, items).Select(_ => 0.6 * (rng.NextDouble() - 0.5)).ToArray();
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double eta = 0.7 * x[i] - 0.4 * treat[i] + ur[r[i]] + ui[it[i]] + 2 * (rng.NextDouble() - 0.5);
            y[i] = eta < -0.8 ? 0 : eta < 0 ? 1 : eta < 0.8 ? 2 : 3;
        }
        for (int j = 0; j < 4; j++) y[j] = j;
        RandomEffectsTerm Term(string name, int[] index, int levels, bool slope) => new()
        {
            Name = name,
            LevelIndex = index,
            LevelKeys = Enumerable.Range(0, levels).Select(l => l.ToString()).ToArray(),
            ColumnNames = slope ? ["(Intercept)", "x"] : ["(Intercept)"],
            Columns = slope ? Enumerable.Repeat(1.0, n).Concat(x).ToArray() : Enumerable.Repeat(1.0, n).ToArray(),
        };
        ModelDesign Design(params RandomEffectsTerm[] terms) => new()
        {
            Response = y,
            FixedEffects = x.Concat(treat).ToArray(),
            FixedEffectNames = ["x", "treat"],
            Terms = terms,
            Family = ResponseFamily.Ordinal,
            Link = link,
            Weights = Enumerable.Range(0, n).Select(i => 0.5 + (i % 3) * 0.5).ToArray(),
            Ordinal = new OrdinalResponse { Categories = ["a", "b", "c", "d"], Thresholds = equidistant ? ThresholdStructure.Equidistant : ThresholdStructure.Flexible },
        };
        var design = Design(Term("rater", r, raters, slope: false), Term("item", it, items, slope: true));
        double[] alpha = equidistant ? [-0.9, 0.8] : [-0.9, -0.05, 0.75];
        AssertGradient(design, alpha, [0.6, -0.3], [0.9, 0.7, -0.2, 0.4]);
        // Just the crossed intercepts (the 100,000-row benchmark's shape).
        var crossed = Design(Term("rater", r, raters, slope: false), Term("item", it, items, slope: false));
        AssertGradient(crossed, alpha, [0.6, -0.3], [0.9, 0.5]);
    }

    public static TheoryData<string, string> OptimizerCases() => new()
    {
        { "wine", "logit" }, { "wine", "probit" }, { "wine", "cloglog" }, { "wine-equidistant", "logit" },
        { "random-15", "logit" }, { "random-30", "probit" }, { "random-45", "cloglog" },
    };

    /// <summary>
    /// The default fit (quasi-Newton on the analytic gradient) reaches the derivative-free BOBYQA optimum or a higher
    /// likelihood (within 1e-9 relative), with the same estimates (1e-3 SE) and SEs (1e-3 relative), in fewer
    /// evaluations.
    /// </summary>
    [Theory]
    [MemberData(nameof(OptimizerCases))]
    public void The_gradient_fit_reaches_the_bobyqa_optimum_in_fewer_evaluations(string data, string linkName)
    {
        var link = Enum.Parse<LinkFunction>(linkName, ignoreCase: true);
        ModelDesign design;
        if (data.StartsWith("wine", StringComparison.Ordinal))
        {
            var wine = WineReferenceTests.Design(link);
            design = new ModelDesign
            {
                ResponseName = wine.ResponseName,
                Response = wine.Response,
                FixedEffects = wine.FixedEffects,
                FixedEffectNames = wine.FixedEffectNames,
                Terms = wine.Terms,
                Family = ResponseFamily.Ordinal,
                Link = link,
                Ordinal = new OrdinalResponse
                {
                    Categories = ["1", "2", "3", "4", "5"],
                    Thresholds = data.EndsWith("equidistant", StringComparison.Ordinal) ? ThresholdStructure.Equidistant : ThresholdStructure.Flexible,
                },
            };
        }
        else design = DenseOrdinalLaplaceTests.RandomCase(int.Parse(data["random-".Length..]), link, scalarOnly: false).Design;
        var quasiNewton = OrdinalMixedModel.Fit(design);
        var bobyqa = OrdinalMixedModel.Fit(design, new OrdinalFitOptions { Optimizer = FitOptimizer.Bobyqa });
        Assert.StartsWith("projected quasi-Newton", quasiNewton.Optimizer.Optimizer);
        Assert.StartsWith("BOBYQA", bobyqa.Optimizer.Optimizer);
        Assert.True(quasiNewton.LogLikelihood >= bobyqa.LogLikelihood - 1e-9 * Math.Abs(bobyqa.LogLikelihood),
            $"logLik {quasiNewton.LogLikelihood:R} vs BOBYQA {bobyqa.LogLikelihood:R}");
        Assert.True(quasiNewton.Optimizer.Evaluations < bobyqa.Optimizer.Evaluations, $"{quasiNewton.Optimizer.Evaluations} vs {bobyqa.Optimizer.Evaluations} evaluations");
        Assert.Equal(bobyqa.Optimizer.ConvergenceConfirmed, quasiNewton.Optimizer.ConvergenceConfirmed);
        var pairs = quasiNewton.Thresholds.Zip(bobyqa.Thresholds).Concat(quasiNewton.FixedEffects.Zip(bobyqa.FixedEffects));
        foreach (var (g, b) in pairs)
        {
            Assert.True(double.IsFinite(b.StdError) && double.IsFinite(g.StdError), $"SE of {g.Name}: {g.StdError} vs {b.StdError}");
            Assert.True(Math.Abs(g.Estimate - b.Estimate) <= 1e-3 * b.StdError, $"{g.Name}: {g.Estimate} vs {b.Estimate} (SE {b.StdError})");
            Assert.True(Math.Abs(b.StdError - g.StdError) <= 1e-3 * b.StdError,
                $"SE of {g.Name}: {g.StdError} vs {b.StdError}; θ {string.Join(" ", quasiNewton.Optimizer.FinalTheta)} vs {string.Join(" ", bobyqa.Optimizer.FinalTheta)}; {quasiNewton.Optimizer.Message} | {bobyqa.Optimizer.Message}");
        }
        for (int i = 0; i < bobyqa.VarianceComponents.Count; i++)
            Assert.Equal(bobyqa.VarianceComponents[i].Estimate, quasiNewton.VarianceComponents[i].Estimate, 1e-3 * Math.Max(Math.Abs(bobyqa.VarianceComponents[i].Estimate), 1e-3));
    }

    [Fact]
    public void Quadrature_keeps_bobyqa_and_refuses_the_quasi_newton_optimizer()
    {
        var design = WineReferenceTests.Design();
        var agq = OrdinalMixedModel.Fit(design, new OrdinalFitOptions { QuadraturePoints = 5 });
        Assert.StartsWith("BOBYQA", agq.Optimizer.Optimizer);
        var e = Assert.Throws<ArgumentException>(() => OrdinalMixedModel.Fit(design, new OrdinalFitOptions { QuadraturePoints = 5, Optimizer = FitOptimizer.QuasiNewton }));
        Assert.Contains("no analytic gradient", e.Message);
    }
}
