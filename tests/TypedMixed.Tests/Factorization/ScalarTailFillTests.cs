using TypedMixed.Estimation;
using TypedMixed.Factorization;

namespace TypedMixed.Tests.Factorization;

/// <summary>
/// The column-by-column fill of the dense tail (<see cref="ScalarTailFill"/>, every term scalar) against the
/// block-by-block fill it replaces: the same factor to the last bit (the sums run in the same order), on seeded random
/// crossed designs from 2 to 4 terms — levels that share no row with another term's, two-level terms, prior
/// weights — and on one large enough for the two-thread split; and the Gram's block-sparse patterns (built by counting
/// sorts) against the distinct level pairs of the rows.
/// </summary>
public class ScalarTailFillTests
{
    [Fact]
    public void Column_fill_equals_block_fill_bit_for_bit_on_random_crossed_designs()
    {
        for (int seed = 0; seed < 200; seed++)
        {
            var rng = new Random(seed);
            int terms = rng.Next(2, 5);
            int rows = rng.Next(8, 160);
            var levels = Enumerable.Range(0, terms).Select(_ => rng.Next(2, Math.Max(3, rows / 3))).ToArray();
            var design = Crossed(rng, rows, levels, weights: rng.Next(3) == 0, sparsity: rng.NextDouble());
            AssertSameFactor(design, rng, $"seed {seed}, levels {string.Join('×', levels)}, rows {rows}");
        }
    }

    [Fact]
    public void Column_fill_equals_block_fill_bit_for_bit_when_split_between_threads()
    {
        // 2,000 × 400 × 9 levels over 40,000 rows: the columns' work exceeds the two-thread threshold.
        var rng = new Random(7);
        var design = Crossed(rng, 40_000, [2_000, 400, 9], weights: false, sparsity: 0);
        AssertSameFactor(design, rng, "large");
    }

    [Fact]
    public void Gram_patterns_are_the_distinct_level_pairs_of_the_rows()
    {
        for (int seed = 0; seed < 100; seed++)
        {
            var rng = new Random(seed);
            int rows = rng.Next(5, 300);
            var design = Crossed(rng, rows, [rng.Next(2, 40), rng.Next(2, 40), rng.Next(2, 5)], weights: rng.Next(2) == 0, sparsity: rng.NextDouble());
            var problem = MixedModelProblem.Create(design);
            var gram = problem.Gram;
            var first = design.Terms[problem.TermOrder[0]];
            for (int t = 1; t < problem.TermOrder.Length; t++)
            {
                var term = design.Terms[problem.TermOrder[t]];
                var s = gram.Sparse0[t - 1];
                // Expected: per first-term level c, the sorted distinct levels of term t on c's rows, with Σ w z_t z_0.
                var sums = new SortedDictionary<(int c, int l), double>();
                for (int i = 0; i < rows; i++)
                {
                    var key = (first.LevelIndex[i], term.LevelIndex[i]);
                    double w = design.Weights?[i] ?? 1;
                    sums[key] = sums.GetValueOrDefault(key) + w * term.Columns[i] * first.Columns[i];
                }
                var actual = new List<((int, int), double)>();
                for (int c = 0; c < s.ColLevels; c++)
                    for (int b = s.ColPtr[c]; b < s.ColPtr[c + 1]; b++) actual.Add(((c, s.RowLevel[b]), s.Data[b]));
                Assert.Equal(sums.Keys.ToArray(), actual.Select(a => a.Item1).ToArray());
                foreach (var (key, value) in actual) Assert.Equal(sums[key], value, 1e-12 * Math.Max(1, Math.Abs(value)));
            }
        }
    }

    /// <summary>Both fills at several θ (the problem's factor fills by columns; a second factor on the same Gram by blocks).</summary>
    private static void AssertSameFactor(ModelDesign design, Random rng, string what)
    {
        var problem = MixedModelProblem.Create(design);
        var templates = problem.TermOrder.Select(o => (CovarianceTemplate?)problem.Templates[o]).ToArray();
        var byBlocks = new BlockedCholesky(problem.Gram, templates, sparseTail: null, columnFill: false);
        var byColumns = problem.Factor;
        var (theta, _) = problem.InitialTheta();
        for (int trial = 0; trial < 3; trial++)
        {
            for (int i = 0; i < theta.Length; i++) theta[i] = trial == 0 ? 1 : 0.05 + 2 * rng.NextDouble();
            Assert.True(byColumns.Update(theta), what);
            Assert.True(byBlocks.Update(theta), what);
            int m = byColumns.TailOrder;
            Assert.Equal(m, byBlocks.TailOrder);
            for (int c = 0; c < m; c++)
                for (int r = c; r < m; r++)
                {
                    double a = byColumns.Tail.Data[c * m + r], b = byBlocks.Tail.Data[c * m + r];
                    if (a != b) Assert.Fail($"{what}, θ trial {trial}: tail ({r}, {c}) is {a:R} by columns, {b:R} by blocks");
                }
            Assert.Equal(byBlocks.LogDetZ, byColumns.LogDetZ);
            Assert.Equal(byBlocks.LogDetX, byColumns.LogDetX);
            Assert.Equal(byBlocks.PenalizedRss, byColumns.PenalizedRss);
        }
    }

    /// <summary>
    /// Crossed random intercepts with the given level counts; each row draws its levels (every level used at least once),
    /// and with <paramref name="sparsity"/> near 1 a term's level mostly follows the first term's (few distinct pairs).
    /// </summary>
    private static ModelDesign Crossed(Random rng, int rows, int[] levels, bool weights, double sparsity)
    {
        levels = levels.Select(l => Math.Min(l, rows - 1)).Select(l => Math.Max(l, 2)).ToArray();
        var first = Enumerable.Range(0, rows).Select(i => i < levels[0] ? i : rng.Next(levels[0])).ToArray();
        var terms = new List<RandomEffectsTerm>();
        for (int t = 0; t < levels.Length; t++)
        {
            int lt = levels[t];
            var index = t == 0 ? first : Enumerable.Range(0, rows)
                .Select(i => i < lt ? i : rng.NextDouble() < sparsity ? first[i] % lt : rng.Next(lt)).ToArray();
            terms.Add(new RandomEffectsTerm
            {
                Name = $"g{t}",
                LevelIndex = index,
                LevelKeys = Enumerable.Range(0, lt).Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
                ColumnNames = ["(Intercept)"],
                Columns = Enumerable.Repeat(1.0, rows).ToArray(),
                Covariance = CovarianceStructure.Unstructured,
            });
        }
        var x = new double[rows * 2];
        for (int i = 0; i < rows; i++)
        {
            x[i] = 1;
            x[rows + i] = rng.NextDouble() * 2 - 1;
        }
        return new ModelDesign
        {
            Response = Enumerable.Range(0, rows).Select(_ => rng.NextDouble() * 10).ToArray(),
            FixedEffects = x,
            FixedEffectNames = ["(Intercept)", "x"],
            Terms = terms,
            Weights = weights ? Enumerable.Range(0, rows).Select(_ => 0.2 + rng.NextDouble()).ToArray() : null,
        };
    }
}
