using TypedMixed.Estimation;
using TypedMixed.Tests.Reference;

namespace TypedMixed.Tests.Robustness;

/// <summary>
/// The fitted optimum is the maximum of the likelihood the model defines, checked against quantities computed
/// independently from the dense marginal covariance, on seeded random designs (nested, crossed, random slopes,
/// covariance structures, unbalanced) with responses simulated from the model.
/// </summary>
public class LikelihoodProofTests
{
    private const int Designs_ = 40;

    public static TheoryData<EstimationMethod> Methods() => new(EstimationMethod.MaximumLikelihood, EstimationMethod.Reml);

    /// <summary>(a) At θ̂ the reported objective equals the dense −2 log-likelihood (REML criterion), on designs of 24–120 rows.</summary>
    [Theory]
    [MemberData(nameof(Methods))]
    public void Objective_at_the_optimum_equals_the_dense_likelihood(EstimationMethod method)
    {
        bool reml = method == EstimationMethod.Reml;
        for (int seed = 0; seed < Designs_; seed++)
        {
            var rng = new Random(1000 + seed);
            var d = Designs.SimulatedRandom(rng);
            var fit = LinearMixedModel.Fit(d, Designs.Fast(method));
            double dense = DenseModel.ProfiledObjective(d, fit.FixedEffects.Select(f => f.Name), fit.Theta, reml);
            ReferenceData.AssertRelative(dense, fit.Objective, 1e-9, $"seed {seed} ({Designs.Describe(d)}): objective");
            if (!reml)
            {
                // The ML deviance is also −2 log L of the full likelihood at (β̂, θ̂, σ̂²).
                double full = DenseModel.FullDeviance(d, fit.FixedEffects.Select(f => f.Name), fit.Theta,
                    fit.FixedEffects.Select(f => f.Estimate).ToArray(), fit.ResidualVariance);
                ReferenceData.AssertRelative(full, fit.Deviance, 1e-9, $"seed {seed}: full deviance at (β̂, θ̂, σ̂²)");
            }
        }
    }

    /// <summary>
    /// (b) Score equations. In θ: at interior components the central-difference gradient of the profiled objective is
    /// ~0 relative to its curvature (the Newton step g/H is below 1e-3 and its gain g²/2H below 1e-6 deviance units);
    /// at a component on its bound the one-sided derivative points inward (≥ 0). In β and σ²: X'V⁻¹(y − Xβ̂) = 0 and
    /// σ̂² = (y − Xβ̂)'V₀⁻¹(y − Xβ̂)/(n or n − p), with V₀ = ZΛΛ'Z' + I computed densely.
    /// </summary>
    [Theory]
    [MemberData(nameof(Methods))]
    public void Estimates_satisfy_the_score_equations(EstimationMethod method)
    {
        bool reml = method == EstimationMethod.Reml;
        int interior = 0;
        for (int seed = 0; seed < Designs_; seed++)
        {
            var rng = new Random(2000 + seed);
            var d = Designs.SimulatedRandom(rng);
            var fit = LinearMixedModel.Fit(d, Designs.Fast(method));
            string what = $"seed {seed} ({Designs.Describe(d)})";
            var problem = MixedModelProblem.Create(d);
            var deviance = new ProfiledDeviance(problem.Factor, problem.N, problem.P, reml);
            double f0 = deviance.Evaluate(fit.Theta);
            ReferenceData.AssertRelative(fit.Objective, f0, 1e-12, what + ": objective re-evaluated");
            for (int i = 0; i < fit.Theta.Length; i++)
            {
                double Shifted(double h)
                {
                    var t = (double[])fit.Theta.Clone();
                    t[i] += h;
                    return deviance.Evaluate(t);
                }
                bool bounded = fit.ThetaLowerBounds[i] == 0;
                if (bounded && fit.Theta[i] < 1e-2)
                {
                    if (fit.Theta[i] == 0)
                    {
                        double slope = (Shifted(1e-5) - f0) / 1e-5;
                        Assert.True(slope > -1e-3, $"{what}: θ[{i}] = 0 on its bound but the objective decreases inward (slope {slope:E3})");
                    }
                    continue;
                }
                double h = 1e-4 * Math.Max(1, Math.Abs(fit.Theta[i]));
                double g = (Shifted(h) - Shifted(-h)) / (2 * h);
                double hc = 1e-2 * Math.Max(1, Math.Abs(fit.Theta[i]));
                double curvature = (Shifted(hc) - 2 * f0 + Shifted(-hc)) / (hc * hc);
                Assert.True(curvature > 0, $"{what}: θ[{i}] = {fit.Theta[i]}: curvature {curvature:E3} is not positive");
                Assert.True(Math.Abs(g) / curvature < 1e-3 * Math.Max(1, Math.Abs(fit.Theta[i])) && g * g / (2 * curvature) < 1e-6,
                    $"{what}: θ[{i}] = {fit.Theta[i]}: gradient {g:E3}, curvature {curvature:E3}");
                interior++;
            }

            var names = fit.FixedEffects.Select(f => f.Name).ToArray();
            var beta = fit.FixedEffects.Select(f => f.Estimate).ToArray();
            var (score, scale) = DenseModel.BetaScore(d, names, fit.Theta, beta, fit.ResidualVariance);
            for (int c = 0; c < score.Length; c++)
                Assert.True(Math.Abs(score[c]) <= 1e-9 * scale[c], $"{what}: score in β[{names[c]}] = {score[c]:E3} (scale {scale[c]:E3})");
            // σ̂²: the weighted residual sum of squares over its degrees of freedom (score in σ² = 0).
            double rss = WeightedRss(d, names, fit.Theta, beta);
            ReferenceData.AssertRelative(rss / (reml ? d.Rows - names.Length : d.Rows), fit.ResidualVariance, 1e-9, what + ": σ̂²");
        }
        Assert.True(interior >= 40, $"only {interior} interior θ components were checked");
    }

    private static double WeightedRss(ModelDesign d, string[] names, double[] theta, double[] beta)
    {
        // −2 log L at σ² = 1 is log|V₀| + n log 2π + rss; at σ² = e it is log|V₀| + n log 2π + n + rss/e. Solve for rss.
        double at1 = DenseModel.FullDeviance(d, names, theta, beta, 1.0);
        double atE = DenseModel.FullDeviance(d, names, theta, beta, Math.E);
        return (at1 - atE + d.Rows) / (1 - 1 / Math.E);
    }

    /// <summary>
    /// (c) Refitting on a permutation of the rows, and on a relabelling of every term's level indices (keys follow their
    /// levels), gives the same objective (1e-10 relative), β̂ (1e-6), and the same variance components and conditional
    /// modes per level key. θ̂ is only determined to about √(objective noise / curvature) and the optimizer's final
    /// trust radius (1e-6): ~1e-5 relative on the reference data (compared to 1e-4), worse for a variance estimated
    /// from 2–3 levels of a random design (5e-4).
    /// </summary>
    [Theory]
    [MemberData(nameof(Methods))]
    public void Fit_is_invariant_to_row_order_and_level_labels(EstimationMethod method)
    {
        var cases = new List<(string, ModelDesign, double)>
        {
            ("sleepstudy", ReferenceData.ForFit("sleepstudy_REML"), 1e-4),
            ("penicillin", ReferenceData.ForFit("penicillin_REML"), 1e-4),
            ("pastes", ReferenceData.ForFit("pastes_REML"), 1e-4),
        };
        for (int seed = 0; seed < 20; seed++)
            cases.Add(($"seed {seed}", Designs.SimulatedRandom(new Random(3000 + seed)), 5e-4));
        int k = 0;
        foreach (var (name, d, tolerance) in cases)
        {
            var rng = new Random(4000 + k++);
            var fit = LinearMixedModel.Fit(d, Designs.Fast(method));
            var permuted = LinearMixedModel.Fit(Designs.PermuteRows(d, Designs.Permutation(rng, d.Rows)), Designs.Fast(method));
            var relabelled = LinearMixedModel.Fit(Designs.RelabelLevels(d, rng), Designs.Fast(method));
            AssertSameFit(fit, permuted, tolerance, $"{name} ({Designs.Describe(d)}), rows permuted");
            AssertSameFit(fit, relabelled, tolerance, $"{name} ({Designs.Describe(d)}), levels relabelled");
        }
    }

    private static void AssertSameFit(LinearMixedModelFit expected, LinearMixedModelFit actual, double tolerance, string what)
    {
        ReferenceData.AssertRelative(expected.Objective, actual.Objective, 1e-10, what + ": objective");
        Assert.Equal(expected.IsSingular, actual.IsSingular);
        double sigma = expected.Sigma;
        for (int j = 0; j < expected.FixedEffects.Count; j++)
            ReferenceData.AssertClose(expected.FixedEffects[j].Estimate, actual.FixedEffects[j].Estimate, 1e-6, 1e-6 * sigma, $"{what}: β {expected.FixedEffects[j].Name}");
        // A direction of the variance parameters the data do not identify (TMW005) is flagged on both fits; along it
        // any point is as good, so the variance components are not compared there.
        // The flag compares the Hessian's eigenvalue ratio with 1e-6; a ratio within a decade of that is rounding-level
        // flat either way (seed 3's three fits give 0, 1.1e-6 and 6e-7), so only a clear verdict must agree.
        bool flat = expected.Warnings.Any(w => w.Code == "TMW005");
        bool borderline = new[] { expected, actual }.Any(f => f.Optimizer.EigenvalueRatio < 1e-5);
        if (!borderline) Assert.Equal(flat, actual.Warnings.Any(w => w.Code == "TMW005"));
        if (flat || borderline) return;
        for (int e = 0; e < expected.VarianceComponents.Count; e++)
        {
            var (a, b) = (expected.VarianceComponents[e], actual.VarianceComponents[e]);
            Assert.Equal((a.Group, a.Var1, a.Var2), (b.Group, b.Var1, b.Var2));
            ReferenceData.AssertClose(a.Estimate, b.Estimate, tolerance, tolerance * sigma * sigma, $"{what}: {a.Group} {a.Var1} {a.Var2}");
        }
        for (int t = 0; t < expected.RandomEffects.Count; t++)
        {
            var (te, ta) = (expected.RandomEffects[t], actual.RandomEffects[t]);
            var row = ta.LevelKeys.Select((key, l) => (key, l)).ToDictionary(v => v.key, v => v.l);
            Assert.Equal(te.LevelKeys.Order(), ta.LevelKeys.Order());
            for (int l = 0; l < te.LevelCount; l++)
                for (int a = 0; a < te.ColumnNames.Count; a++)
                    ReferenceData.AssertClose(te.ConditionalModes[l, a], ta.ConditionalModes[row[te.LevelKeys[l]], a], tolerance, tolerance * sigma,
                        $"{what}: mode of {te.Name} '{te.LevelKeys[l]}' {te.ColumnNames[a]}");
        }
    }

    /// <summary>(d) Two fits of the same design are bit-for-bit identical: θ̂, β̂, SEs, objective, variance components, modes.</summary>
    [Fact]
    public void Fits_are_bit_for_bit_reproducible()
    {
        var cases = new List<ModelDesign>
        {
            ReferenceData.ForFit("sleepstudy_REML"),
            ReferenceData.ForFit("penicillin_REML"),
            ReferenceData.ForFit("exam_m2_randslope_ML"),
            Designs.LargeCrossed(new Random(7), 1200, 300, 260),
        };
        for (int seed = 0; seed < 10; seed++) cases.Add(Designs.SimulatedRandom(new Random(5000 + seed)));
        foreach (var d in cases)
        {
            var options = new FitOptions { Method = EstimationMethod.MaximumLikelihood };
            Assert.Equal(Bits(LinearMixedModel.Fit(d, options)), Bits(LinearMixedModel.Fit(d, options)));
        }
    }

    internal static long[] Bits(LinearMixedModelFit fit) =>
    [
        .. fit.Theta.Select(BitConverter.DoubleToInt64Bits),
        .. fit.FixedEffects.SelectMany(f => new[] { f.Estimate, f.StdError, f.SatterthwaiteDf }).Select(BitConverter.DoubleToInt64Bits),
        BitConverter.DoubleToInt64Bits(fit.Objective),
        BitConverter.DoubleToInt64Bits(fit.Deviance),
        fit.Optimizer.Evaluations,
        .. fit.VarianceComponents.SelectMany(v => new[] { v.Estimate, v.StdError }).Select(BitConverter.DoubleToInt64Bits),
        .. fit.RandomEffects.SelectMany(t => t.ConditionalModes.Cast<double>()).Select(BitConverter.DoubleToInt64Bits),
    ];
}
