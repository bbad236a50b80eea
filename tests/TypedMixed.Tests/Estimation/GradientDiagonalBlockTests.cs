using TypedMixed.Estimation;

namespace TypedMixed.Tests.Estimation;

/// <summary>
/// The gradient's diagonal-block path (M_l = (I − S_ll) T⁻¹ from the diagonal blocks of A⁻¹) equals the general path
/// (the full inverse, <see cref="ProfiledDevianceGradient.ForceGeneralPath"/>) to 1e-10 of the largest component, and
/// Richardson finite differences to 1e-6: on random crossed designs with scalar and random-slope terms of every
/// covariance structure, ML and REML, with prior weights, with a θ on its bound (that term alone goes general), and on
/// an InstEval-shaped design whose dense tail (order 210) takes the blocked inverse and the 64-row product panels.
/// </summary>
public class GradientDiagonalBlockTests
{
    /// <summary>|diagonal-block − general| ≤ this × max_i |general_i|, for ∂ log|A| / ∂θ and ∂ r² / ∂θ.</summary>
    private const double PathTolerance = 1e-10;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Diagonal_blocks_equal_the_full_inverse_on_random_crossed_designs(bool reml)
    {
        int diagonalTerms = 0, vectorTerms = 0;
        for (int seed = 0; seed < 60; seed++)
        {
            var rng = new Random(5000 + seed);
            var design = CrossedDesign(rng, rows: rng.Next(150, 260), weights: seed % 2 == 0);
            var problem = MixedModelProblem.Create(design);
            Assert.True(ProfiledDevianceGradient.Supports(problem));
            var theta = RandomTheta(problem, rng);
            var fast = CompareWithGeneral(problem, theta, reml, $"seed {seed}");
            diagonalTerms += fast.Count(g => !g);
            vectorTerms += problem.Templates.Count(t => t.Q > 1);
            ProfiledDevianceGradientTests.AssertGradient(problem, theta, reml, $"crossed seed {seed}");
        }
        // The comparison is not vacuous: most terms took the diagonal-block path, and random slopes occurred.
        Assert.True(diagonalTerms >= 100, $"only {diagonalTerms} terms took the diagonal-block path");
        Assert.True(vectorTerms >= 20, $"only {vectorTerms} random-slope terms");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Diagonal_blocks_equal_the_full_inverse_on_random_nested_and_crossed_designs(bool reml)
    {
        for (int seed = 0; seed < 100; seed++)
        {
            var rng = new Random(7000 + seed);
            var problem = MixedModelProblem.Create(RandomDesigns.Create(rng));
            CompareWithGeneral(problem, RandomTheta(problem, rng), reml, $"seed {seed}");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_theta_on_its_bound_sends_only_its_term_to_the_general_path(bool reml)
    {
        int checkedDesigns = 0;
        for (int seed = 0; seed < 40; seed++)
        {
            var rng = new Random(9000 + seed);
            var problem = MixedModelProblem.Create(CrossedDesign(rng, rows: rng.Next(150, 260), weights: seed % 3 == 0));
            var theta = RandomTheta(problem, rng);
            var bounded = problem.Templates[rng.Next(problem.Templates.Length)];
            theta[bounded.ThetaOffset] = 0; // T[0, 0] of that term
            var general = CompareWithGeneral(problem, theta, reml, $"seed {seed}, {bounded.TermName} on its bound");
            int block = Array.IndexOf(problem.TermOrder, Array.IndexOf(problem.Templates, bounded)) + problem.StorageShift;
            Assert.True(general[block], $"seed {seed}: {bounded.TermName} at θ = 0 did not take the general path");
            ProfiledDevianceGradientTests.AssertGradient(problem, theta, reml, $"bound seed {seed}");
            checkedDesigns++;
        }
        Assert.Equal(40, checkedDesigns);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_theta_near_its_bound_keeps_both_paths_equal(bool reml)
    {
        // θ = 1e-7: I − S_ll ≈ θ² w would cancel in 1 − S_ll; the amplification bound sends such terms to the general
        // path (a first term keeps the diagonal-block path, whose Pᵀ(P C − G P) does not cancel).
        int general = 0;
        for (int seed = 0; seed < 30; seed++)
        {
            var rng = new Random(11000 + seed);
            var problem = MixedModelProblem.Create(CrossedDesign(rng, rows: rng.Next(150, 260), weights: seed % 2 == 1));
            var theta = RandomTheta(problem, rng);
            var small = problem.Templates[rng.Next(problem.Templates.Length)];
            theta[small.ThetaOffset] = 1e-7;
            general += CompareWithGeneral(problem, theta, reml, $"seed {seed}, {small.TermName} at 1e-7").Count(g => g);
            ProfiledDevianceGradientTests.AssertGradient(problem, theta, reml, $"small θ seed {seed}");
        }
        Assert.True(general >= 10, $"only {general} terms took the general path at θ = 1e-7");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Diagonal_blocks_equal_the_full_inverse_on_an_InstEval_shaped_design(bool reml)
    {
        // y ~ service + (1|s) + (1|d) + (1|dept): 420 students × ~14 ratings over 200 lecturers in 7 departments.
        var rng = new Random(42);
        int students = 420, lecturers = 200, departments = 7;
        var s = new List<int>();
        var d = new List<int>();
        for (int i = 0; i < students; i++)
        {
            int ratings = 6 + rng.Next(17);
            var seen = new HashSet<int>();
            for (int r = 0; r < ratings; r++)
            {
                int lecturer = r == 0 && i < lecturers ? i : rng.Next(lecturers);
                if (seen.Add(lecturer)) { s.Add(i); d.Add(lecturer); }
            }
        }
        int n = s.Count;
        var dept = d.Select(l => l % departments).ToArray();
        var service = Enumerable.Range(0, n).Select(_ => (double)rng.Next(2)).ToArray();
        var y = Enumerable.Range(0, n).Select(i => 3 + 0.3 * service[i] + 0.4 * Math.Sin(s[i]) + 0.5 * Math.Cos(d[i]) + 0.2 * dept[i] + rng.NextDouble()).ToArray();
        var design = new ModelDesign
        {
            Response = y,
            FixedEffects = [.. Enumerable.Repeat(1.0, n), .. service],
            FixedEffectNames = ["(Intercept)", "service"],
            Terms =
            [
                Intercept("s", s.ToArray(), students),
                Intercept("d", d.ToArray(), lecturers),
                Intercept("dept", dept, departments),
            ],
        };
        var problem = MixedModelProblem.Create(design);
        Assert.True(ProfiledDevianceGradient.Supports(problem));
        Assert.Equal(lecturers + departments + 3, problem.Factor.Tail.Rows);
        foreach (var theta in new[] { new[] { 0.3, 0.45, 0.07 }, new[] { 1.2, 0.2, 0.6 } })
        {
            var general = CompareWithGeneral(problem, theta, reml, $"InstEval-shaped at [{string.Join(", ", theta)}]");
            Assert.DoesNotContain(true, general);
            ProfiledDevianceGradientTests.AssertGradient(problem, theta, reml, "InstEval-shaped");
        }
    }

    /// <summary>Both paths' derivatives at θ agree; returns, per factor block, whether the default path went general.</summary>
    private static bool[] CompareWithGeneral(MixedModelProblem problem, double[] theta, bool reml, string what)
    {
        var deviance = new ProfiledDeviance(problem.Factor, problem.N, problem.P, reml) { LogWeightSum = problem.LogWeightSum };
        var fast = new ProfiledDevianceGradient(problem, deviance);
        var full = new ProfiledDevianceGradient(problem, deviance) { ForceGeneralPath = true };
        int d = theta.Length;
        double[] logDetFast = new double[d], rssFast = new double[d], logDetFull = new double[d], rssFull = new double[d];
        Assert.True(fast.Derivatives(theta, reml, logDetFast, rssFast), what);
        var general = fast.GeneralPath.ToArray();
        Assert.True(full.Derivatives(theta, reml, logDetFull, rssFull), what);
        Assert.All(full.GeneralPath.Where((_, b) => problem.Factor.Gram.Levels[b] > 0 && b >= problem.StorageShift), Assert.True);
        AssertClose(logDetFast, logDetFull, $"{what}: ∂ log|A| / ∂θ");
        AssertClose(rssFast, rssFull, $"{what}: ∂ r² / ∂θ");
        return general;
    }

    private static void AssertClose(double[] actual, double[] expected, string what)
    {
        double scale = expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= PathTolerance * scale,
                $"{what}[{i}]: diagonal blocks {actual[i]:R}, full inverse {expected[i]:R} (scale {scale:E2})");
    }

    private static double[] RandomTheta(MixedModelProblem problem, Random rng)
    {
        var (theta, lower) = problem.InitialTheta();
        for (int i = 0; i < theta.Length; i++)
            theta[i] = lower[i] == 0 ? 0.1 + 1.5 * rng.NextDouble() : rng.NextDouble() - 0.5;
        return theta;
    }

    /// <summary>Two or three crossed terms (20–50, 5–20 and 2–6 levels), each an intercept or intercept and slope, any structure.</summary>
    private static ModelDesign CrossedDesign(Random rng, int rows, bool weights)
    {
        int p = rng.Next(1, 3);
        var x = new double[rows * p];
        for (int i = 0; i < rows; i++) x[i] = 1;
        for (int c = 1; c < p; c++)
            for (int i = 0; i < rows; i++) x[c * rows + i] = rng.NextDouble() * 2 - 1;
        var terms = new List<RandomEffectsTerm>();
        int[][] levelRanges = [[20, 50], [5, 20], [2, 6]];
        int k = rng.Next(2, 4);
        for (int t = 0; t < k; t++)
        {
            int levels = rng.Next(levelRanges[t][0], levelRanges[t][1]);
            var index = Enumerable.Range(0, rows).Select(i => i < levels ? i : rng.Next(levels)).ToArray();
            int q = rng.Next(1, 3);
            var cols = new List<double>(Enumerable.Repeat(1.0, rows));
            var names = new List<string> { "(Intercept)" };
            if (q == 2)
            {
                names.Add("slope");
                cols.AddRange(Enumerable.Range(0, rows).Select(_ => rng.NextDouble() * 2 - 1));
            }
            terms.Add(new RandomEffectsTerm
            {
                Name = $"g{t}",
                LevelIndex = index,
                LevelKeys = Enumerable.Range(0, levels).Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
                ColumnNames = names,
                Columns = cols.ToArray(),
                Covariance = (CovarianceStructure)rng.Next(3),
            });
        }
        var y = Enumerable.Range(0, rows).Select(i => terms.Sum(t => Math.Sin(3 * t.LevelIndex[i] + t.Name.Length)) + rng.NextDouble()).ToArray();
        return new ModelDesign
        {
            Response = y,
            FixedEffects = x,
            FixedEffectNames = Enumerable.Range(0, p).Select(c => c == 0 ? "(Intercept)" : $"x{c}").ToArray(),
            Terms = terms,
            Weights = weights ? Enumerable.Range(0, rows).Select(_ => 0.3 + 2 * rng.NextDouble()).ToArray() : null,
        };
    }

    private static RandomEffectsTerm Intercept(string name, int[] index, int levels) => new()
    {
        Name = name,
        LevelIndex = index,
        LevelKeys = Enumerable.Range(0, levels).Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
        ColumnNames = ["(Intercept)"],
        Columns = Enumerable.Repeat(1.0, index.Length).ToArray(),
    };
}
