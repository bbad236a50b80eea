using TypedMixed.Tests.Reference;

namespace TypedMixed.Tests.Robustness;

/// <summary>
/// Fits share no mutable state: many fits in parallel give bit-for-bit the results of the same fits one by one, and a
/// fit's lazily computed conditional covariances can be requested from many threads at once.
/// </summary>
public class ConcurrencyTests
{
    private static ModelDesign[] Models() =>
    [
        ReferenceData.ForFit("sleepstudy_REML"),
        ReferenceData.ForFit("penicillin_REML"),
        ReferenceData.ForFit("pastes_REML"),
        ReferenceData.ForFit("dyestuff_ML"),
        ReferenceData.ForFit("exam_m2_randslope_ML"),
        Designs.LargeCrossed(new Random(3), 900, 280, 260), // dense 260 × 260 block: the two-thread blocked Cholesky
    ];

    private static readonly EstimationMethod[] Methods = [EstimationMethod.Reml, EstimationMethod.MaximumLikelihood, EstimationMethod.Reml];

    [Fact]
    public void Parallel_fits_equal_sequential_fits_bit_for_bit()
    {
        var models = Models();
        int count = models.Length * Methods.Length; // 18 fits
        // Full inference (observed information, Satterthwaite) except on the large crossed design, where it is slow.
        FitOptions Options(int i)
        {
            bool small = models[i % models.Length].Terms.Sum(t => t.LevelCount) < 200;
            return new() { Method = Methods[i / models.Length], VarianceComponentErrors = small, Satterthwaite = small };
        }

        var sequential = new long[count][];
        for (int i = 0; i < count; i++)
            sequential[i] = LikelihoodProofTests.Bits(LinearMixedModel.Fit(models[i % models.Length], Options(i)));

        var parallel = new long[count][];
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            parallel[i] = LikelihoodProofTests.Bits(LinearMixedModel.Fit(models[i % models.Length], Options(i))));

        for (int i = 0; i < count; i++)
            Assert.True(sequential[i].SequenceEqual(parallel[i]), $"fit {i} ({Designs.Describe(models[i % models.Length])}, {Options(i).Method}) differs when fitted in parallel");
    }

    [Fact]
    public void Conditional_standard_deviations_requested_concurrently_equal_sequential_ones()
    {
        // Penicillin: two crossed terms (plate 24 levels, sample 6) whose lazy covariances share one factor.
        var design = ReferenceData.ForFit("penicillin_REML");
        var reference = LinearMixedModel.Fit(design, Designs.Fast(EstimationMethod.Reml));
        var expected = reference.RandomEffects.Select(t => Enumerable.Range(0, t.LevelCount).Select(l => t.ConditionalStdDev(l)).ToArray()).ToArray();

        for (int round = 0; round < 4; round++)
        {
            var fit = LinearMixedModel.Fit(design, Designs.Fast(EstimationMethod.Reml));
            var requests = fit.RandomEffects.SelectMany((t, k) => Enumerable.Range(0, t.LevelCount).Select(l => (k, l))).ToArray();
            // Eight threads released together race for both terms' lazy values, each walking the levels in its own order.
            const int threads = 8;
            var results = new double[threads][];
            using var go = new ManualResetEventSlim();
            var workers = Enumerable.Range(0, threads).Select(w => new Thread(() =>
            {
                var order = Designs.Permutation(new Random(round * threads + w), requests.Length);
                var mine = new double[requests.Length];
                go.Wait();
                foreach (int i in order) mine[i] = fit.RandomEffects[requests[i].k].ConditionalStdDev(requests[i].l);
                results[w] = mine;
            })).ToArray();
            foreach (var t in workers) t.Start();
            go.Set();
            foreach (var t in workers) t.Join();
            for (int w = 0; w < threads; w++)
                for (int i = 0; i < requests.Length; i++)
                {
                    var (k, l) = requests[i];
                    Assert.Equal(BitConverter.DoubleToInt64Bits(expected[k][l]), BitConverter.DoubleToInt64Bits(results[w][i]));
                }
        }
        Assert.All(expected.SelectMany(v => v), v => Assert.True(double.IsFinite(v) && v > 0));
    }
}
