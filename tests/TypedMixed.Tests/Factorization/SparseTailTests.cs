using TypedMixed.Estimation;
using TypedMixed.Factorization;
using TypedMixed.Tests.Reference;

namespace TypedMixed.Tests.Factorization;

/// <summary>
/// The sparse tail (<see cref="SparseTailCholesky"/>) against the dense one: the same objective to 1e-10 relative at
/// any θ, and the same fit (θ̂, β̂, modes and conditional SDs) to 1e-8, on the reference fits with a tail (forced),
/// on seeded random crossed designs (three terms, a random slope in the tail), and on a students × items design
/// where the measured fill makes the automatic choice sparse; an InstEval-like crossing stays dense.
/// </summary>
public class SparseTailTests
{
    private static FitOptions Options(EstimationMethod method, TailFactorization tail) => new()
    {
        Method = method,
        TailFactorization = tail,
        Derivatives = DerivativeSource.FiniteDifferences,
    };

    public static TheoryData<string> ReferenceFitsWithTail() => new("penicillin_REML", "pastes_REML");

    [Theory]
    [MemberData(nameof(ReferenceFitsWithTail))]
    public void Reference_fits_agree_dense_and_sparse(string name)
    {
        var design = ReferenceData.ForFit(name);
        var sparse = MixedModelProblem.Create(design, TailFactorization.Sparse);
        Assert.NotNull(sparse.Factor.SparseTail);
        AssertSameObjective(design, sparse, seed: 1);
        AssertSameFit(design, EstimationMethod.Reml);
    }

    [Theory]
    [InlineData(11, false)]
    [InlineData(12, true)]
    [InlineData(13, true)]
    public void Random_crossed_designs_agree_dense_and_sparse(int seed, bool slope)
    {
        var design = RandomCrossed(seed, slope);
        var sparse = MixedModelProblem.Create(design, TailFactorization.Sparse);
        Assert.NotNull(sparse.Factor.SparseTail);
        AssertSameObjective(design, sparse, seed);
        AssertSameFit(design, EstimationMethod.MaximumLikelihood);
    }

    [Fact]
    public void Students_by_items_choose_the_sparse_tail_and_agree()
    {
        var design = StudentsByItems(students: 5000, programmes: 20, itemsPerProgramme: 100, seed: 5);
        var auto = MixedModelProblem.Create(design);
        var sparse = auto.Factor.SparseTail;
        Assert.NotNull(sparse);
        var s = sparse!.Structure;
        Assert.True(s.PreferSparse);
        Assert.True(s.SparseFlops < SparseTailStructure.FlopRatio * s.DenseFlops, s.Describe());
        AssertSameObjective(design, auto, seed: 3);
        AssertSameFit(design, EstimationMethod.Reml);
    }

    [Fact]
    public void A_nearly_dense_crossing_stays_dense()
    {
        // 1,200 items, each of 3,000 students rates 25 uniformly chosen items: after the students are eliminated the
        // items' block fills almost completely, so the sparse factor would cost as much as the dense one.
        var rng = new Random(7);
        int students = 3000, items = 1200, per = 25, n = students * per;
        var level0 = new int[n];
        var level1 = new int[n];
        for (int i = 0; i < n; i++) { level0[i] = i / per; level1[i] = rng.Next(items); }
        var s = SparseTailStructure.Analyze(level0, students, [level1], [items], [1], 1);
        Assert.False(s.PreferSparse, s.Describe());
        var design = Design(level0, level1, rng, items);
        Assert.Null(MixedModelProblem.Create(design).Factor.SparseTail);
        // 2,400 items (above SparseTailStructure.MinimumOrder, so the analysis runs): still dense.
        var wideItems = level1.Select(_ => rng.Next(2 * items)).ToArray();
        var wide = SparseTailStructure.Analyze(level0, students, [wideItems], [2 * items], [1], 1);
        Assert.False(wide.PreferSparse, wide.Describe());
        var full = SparseTailStructure.Analyze(level0, students, [wideItems], [2 * items], [1], 1, stopWhenDense: false);
        Assert.True(full.SparseFlops > 0.5 * full.DenseFlops, full.Describe());
    }

    [Fact]
    public void Small_tails_are_not_analysed_and_stay_dense()
    {
        var problem = MixedModelProblem.Create(ReferenceData.ForFit("penicillin_REML"));
        Assert.Null(problem.Factor.SparseTail);
    }

    [Fact]
    public void Minimum_degree_orders_every_variable_once_and_keeps_a_chain_sparse()
    {
        // A chain of 200 cliques of 3 consecutive variables: elimination from the ends keeps the factor banded.
        int n = 402, cliques = 200;
        var ptr = Enumerable.Range(0, cliques + 1).Select(c => 3 * c).ToArray();
        var vars = Enumerable.Range(0, cliques).SelectMany(c => new[] { 2 * c, 2 * c + 1, 2 * c + 2 }).ToArray();
        var order = MinimumDegree.Order(n, Enumerable.Repeat(1, n).ToArray(), ptr, vars);
        Assert.Equal(Enumerable.Range(0, n), order.OrderBy(v => v));
        var level0 = Enumerable.Range(0, cliques).SelectMany(c => new[] { c, c, c }).ToArray();
        var s = SparseTailStructure.Analyze(level0, cliques, [vars], [n], [1], 0, stopWhenDense: false);
        Assert.True(s.SparseValues < 6L * s.M, s.Describe());
    }

    private static void AssertSameObjective(ModelDesign design, MixedModelProblem sparse, int seed)
    {
        var dense = MixedModelProblem.Create(design, TailFactorization.Dense);
        Assert.Null(dense.Factor.SparseTail);
        var rng = new Random(seed);
        var (theta0, lower) = dense.InitialTheta();
        foreach (bool reml in new[] { false, true })
        {
            var dd = new ProfiledDeviance(dense.Factor, dense.N, dense.P, reml);
            var sd = new ProfiledDeviance(sparse.Factor, sparse.N, sparse.P, reml);
            for (int trial = 0; trial < 5; trial++)
            {
                var theta = theta0.Select((t, i) => lower[i] == 0 ? 0.05 + 1.5 * rng.NextDouble() : rng.NextDouble() - 0.5).ToArray();
                double a = dd.Evaluate(theta), b = sd.Evaluate(theta);
                ReferenceData.AssertRelative(a, b, 1e-10, $"objective (REML {reml}) at θ = [{string.Join(", ", theta)}]");
                Assert.Equal(dense.Factor.PenalizedRss, sparse.Factor.PenalizedRss, 1e-10 * dense.Factor.PenalizedRss);
            }
        }
    }

    private static void AssertSameFit(ModelDesign design, EstimationMethod method)
    {
        var dense = LinearMixedModel.Fit(design, Options(method, TailFactorization.Dense));
        var sparse = LinearMixedModel.Fit(design, Options(method, TailFactorization.Sparse));
        ReferenceData.AssertRelative(dense.Objective, sparse.Objective, 1e-10, "objective at the optimum");
        Assert.Equal(dense.Theta.Length, sparse.Theta.Length);
        for (int i = 0; i < dense.Theta.Length; i++)
            ReferenceData.AssertClose(dense.Theta[i], sparse.Theta[i], 1e-8, 1e-8, $"θ[{i}]");
        for (int i = 0; i < dense.FixedEffects.Count; i++)
        {
            ReferenceData.AssertClose(dense.FixedEffects[i].Estimate, sparse.FixedEffects[i].Estimate, 1e-8, 1e-8, $"β[{i}]");
            ReferenceData.AssertClose(dense.FixedEffects[i].StdError, sparse.FixedEffects[i].StdError, 1e-8, 1e-8, $"SE(β[{i}])");
        }
        for (int t = 0; t < dense.RandomEffects.Count; t++)
        {
            var a = dense.RandomEffects[t];
            var b = sparse.RandomEffects[t];
            for (int l = 0; l < a.LevelCount; l++)
                for (int c = 0; c < a.ColumnNames.Count; c++)
                {
                    ReferenceData.AssertClose(a.ConditionalModes[l, c], b.ConditionalModes[l, c], 1e-6, 1e-8, $"{a.Name} mode [{l}, {c}]");
                    ReferenceData.AssertClose(a.ConditionalStdDev(l, c), b.ConditionalStdDev(l, c), 1e-6, 1e-8, $"{a.Name} conditional SD [{l}, {c}]");
                }
        }
    }

    /// <summary>Three crossed factors (g1 most levels), x, and optionally a random slope of x on g2 (q = 2 in the tail).</summary>
    internal static ModelDesign RandomCrossed(int seed, bool slope)
    {
        var rng = new Random(seed);
        int n = 1500, l1 = 200, l2 = 60, l3 = 15;
        var g1 = new string[n];
        var g2 = new string[n];
        var g3 = new string[n];
        var x = new double[n];
        var y = new double[n];
        var u2 = Enumerable.Range(0, l2).Select(_ => rng.NextDouble() - 0.5).ToArray();
        for (int i = 0; i < n; i++)
        {
            int a = rng.Next(l1), b = (a / 4 + rng.Next(6)) % l2, c = rng.Next(l3);
            g1[i] = "a" + a; g2[i] = "b" + b; g3[i] = "c" + c;
            x[i] = rng.NextDouble() * 2 - 1;
            y[i] = 1 + 0.5 * x[i] + 0.3 * Math.Sin(a) + u2[b] * (1 + 0.5 * x[i]) + 0.2 * Math.Cos(c) + rng.NextDouble() - 0.5;
        }
        return ReferenceData.Design("y", y, [("x", x)],
            ReferenceData.Term("g1", g1),
            slope ? ReferenceData.Term("g2", g2, ("x", x)) : ReferenceData.Term("g2", g2),
            ReferenceData.Term("g3", g3));
    }

    /// <summary>
    /// Students × items as the benchmark's <c>students1m.csv</c>, small: items in programmes, each student answers 10
    /// items of its programme, one in ten of them 5 items of the next programme instead.
    /// </summary>
    internal static ModelDesign StudentsByItems(int students, int programmes, int itemsPerProgramme, int seed)
    {
        var rng = new Random(seed);
        int per = 10, n = students * per;
        var level0 = new int[n];
        var level1 = new int[n];
        for (int s = 0; s < students; s++)
        {
            int prog = rng.Next(programmes);
            bool cross = rng.NextDouble() < 0.1;
            for (int k = 0; k < per; k++)
            {
                int p = cross && k >= 5 ? (prog + 1 < programmes ? prog + 1 : prog - 1) : prog;
                level0[s * per + k] = s;
                level1[s * per + k] = p * itemsPerProgramme + rng.Next(itemsPerProgramme);
            }
        }
        return Design(level0, level1, rng, programmes * itemsPerProgramme);
    }

    private static ModelDesign Design(int[] level0, int[] level1, Random rng, int items)
    {
        int n = level0.Length;
        var itemEffect = Enumerable.Range(0, items).Select(_ => 0.8 * (rng.NextDouble() - 0.5)).ToArray();
        var studentEffect = new Dictionary<int, double>();
        var x = new double[n];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            if (!studentEffect.TryGetValue(level0[i], out double u)) studentEffect[level0[i]] = u = rng.NextDouble() - 0.5;
            x[i] = rng.NextDouble() * 2 - 1;
            y[i] = 0.5 + 0.3 * x[i] + u + itemEffect[level1[i]] + 2 * (rng.NextDouble() - 0.5);
        }
        return ReferenceData.Design("y", y, [("x", x)],
            ReferenceData.Term("student", level0.Select(l => "s" + l).ToArray()),
            ReferenceData.Term("item", level1.Select(l => "i" + l).ToArray()));
    }
}
