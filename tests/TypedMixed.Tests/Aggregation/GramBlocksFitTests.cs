using TypedMixed.Tests.Reference;

namespace TypedMixed.Tests.Aggregation;

/// <summary>
/// A fit from aggregated Gram blocks (no rows) equals the fit from the rows: the blocks are summed by the reference
/// aggregation <see cref="GramBlocks.FromDesign"/>, independently of the row pass that forms the estimator's Gram.
/// </summary>
public class GramBlocksFitTests
{
    public static TheoryData<string> Fits => ReferenceData.LinearFits();

    [Theory]
    [MemberData(nameof(Fits))]
    public void FitFromBlocksEqualsFitFromRows(string fit)
    {
        var design = ReferenceData.ForFit(fit);
        var options = new FitOptions { Method = fit.EndsWith("REML", StringComparison.Ordinal) ? EstimationMethod.Reml : EstimationMethod.MaximumLikelihood };
        AssertSameFit(LinearMixedModel.Fit(design, options), LinearMixedModel.Fit(GramBlocks.FromDesign(design), options));
        AssertSameAtTheta(design, options);
    }

    /// <summary>
    /// Blocks perturbed at 1e-15 relative (entry by entry, symmetric blocks kept symmetric) — what a different summation
    /// order does — give the same fit: θ to 1e-8, β to 1e-8 SE, objective to 1e-10. Before the final Newton step θ moved
    /// by up to 3e-7 (Pastes) under such a perturbation.
    /// </summary>
    [Theory]
    [MemberData(nameof(Fits))]
    public void BlocksPerturbedAtRoundingGiveTheSameFit(string fit)
    {
        var design = ReferenceData.ForFit(fit);
        var options = new FitOptions { Method = fit.EndsWith("REML", StringComparison.Ordinal) ? EstimationMethod.Reml : EstimationMethod.MaximumLikelihood };
        var blocks = GramBlocks.FromDesign(design);
        var reference = LinearMixedModel.Fit(blocks, options);
        for (int seed = 1; seed <= 3; seed++)
        {
            var perturbed = LinearMixedModel.Fit(Perturb(blocks, 1e-15, seed), options);
            ReferenceData.AssertRelative(reference.Objective, perturbed.Objective, 1e-10, "objective");
            for (int i = 0; i < reference.Theta.Length; i++)
                ReferenceData.AssertClose(reference.Theta[i], perturbed.Theta[i], 1e-8, 1e-8, $"θ[{i}] (seed {seed})");
            for (int c = 0; c < reference.FixedEffects.Count; c++)
                ReferenceData.AssertClose(reference.FixedEffects[c].Estimate, perturbed.FixedEffects[c].Estimate, 0, 1e-8 * reference.FixedEffects[c].StdError, $"β {reference.FixedEffects[c].Name} (seed {seed})");
        }
    }

    /// <summary>Every block entry times (1 + ε·u), u uniform on (−1, 1); symmetric blocks stay symmetric.</summary>
    internal static GramBlocks Perturb(GramBlocks b, double eps, int seed)
    {
        var rng = new Random(seed);
        double[] P(double[] v) => v.Select(x => x * (1 + eps * (2 * rng.NextDouble() - 1))).ToArray();
        double[] Symmetric(double[] z, int q)
        {
            for (int o = 0; o < z.Length; o += q * q)
                for (int i = 0; i < q; i++)
                    for (int j = 0; j < i; j++) z[o + i * q + j] = z[o + j * q + i];
            return z;
        }
        return new GramBlocks
        {
            ResponseName = b.ResponseName, Rows = b.Rows, FixedEffectNames = b.FixedEffectNames, XtX = Symmetric(P(b.XtX), b.FixedEffectCount),
            Xty = P(b.Xty), YtY = b.YtY * (1 + eps * (2 * rng.NextDouble() - 1)), YSum = b.YSum, LogWeightSum = b.LogWeightSum,
            Terms = b.Terms.Select(t => new GramTermBlocks
            {
                Name = t.Name, LevelKeys = t.LevelKeys, ColumnNames = t.ColumnNames, Covariance = t.Covariance, LevelCounts = t.LevelCounts,
                ZtZ = Symmetric(P(t.ZtZ), t.ColumnCount), ZtX = P(t.ZtX), Zty = P(t.Zty),
            }).ToArray(),
            CrossTables = b.CrossTables.Select(c => new GramCrossTable { First = c.First, Second = c.Second, FirstLevels = c.FirstLevels, SecondLevels = c.SecondLevels, Blocks = P(c.Blocks) }).ToArray(),
        };
    }

    [Fact]
    public void ThreeTermsWithSlopesInLaterTerms()
    {
        // Crossed terms, the second and third with random slopes: every cross-table orientation of the blocked Gram.
        int n = 2400;
        var g1 = new int[n]; var g2 = new int[n]; var g3 = new int[n];
        var x = new double[n]; var w = new double[n]; var y = new double[n];
        var rng = new Random(17);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var u1 = Enumerable.Range(0, 45).Select(_ => Normal()).ToArray();
        var u2 = Enumerable.Range(0, 24).Select(_ => (Normal(), 0.5 * Normal())).ToArray();
        var u3 = Enumerable.Range(0, 10).Select(_ => (0.7 * Normal(), 0.4 * Normal())).ToArray();
        for (int i = 0; i < n; i++)
        {
            g1[i] = i % 45; g2[i] = (i * 7 + i / 45) % 24; g3[i] = (i / 3) % 10;
            x[i] = rng.NextDouble() * 4 - 1; w[i] = rng.NextDouble();
            y[i] = 2 + 0.5 * x[i] - w[i] + u1[g1[i]] + u2[g2[i]].Item1 + (u2[g2[i]].Item1 * 0.3 + u2[g2[i]].Item2) * x[i]
                + u3[g3[i]].Item1 + u3[g3[i]].Item2 * x[i] + Normal();
        }
        string[] Keys(int m) => Enumerable.Range(0, m).Select(l => "L" + l).ToArray();
        var design = new ModelDesign
        {
            Response = y,
            FixedEffects = [.. Enumerable.Repeat(1.0, n), .. x, .. w, .. x.Zip(w, (a, b) => a * b)],
            FixedEffectNames = ["(Intercept)", "x", "w", "x:w"],
            Terms =
            [
                RandomEffectsTerm.Intercept("g1", g1, Keys(45)),
                new RandomEffectsTerm { Name = "g2", LevelIndex = g2, LevelKeys = Keys(24), ColumnNames = ["(Intercept)", "x"], Columns = [.. Enumerable.Repeat(1.0, n), .. x] },
                new RandomEffectsTerm { Name = "g3", LevelIndex = g3, LevelKeys = Keys(10), ColumnNames = ["(Intercept)", "x"], Columns = [.. Enumerable.Repeat(1.0, n), .. x], Covariance = CovarianceStructure.Diagonal },
            ],
        };
        var options = new FitOptions { Method = EstimationMethod.MaximumLikelihood };
        AssertSameFit(LinearMixedModel.Fit(design, options), LinearMixedModel.Fit(GramBlocks.FromDesign(design), options));
        AssertSameAtTheta(design, options);
    }

    [Fact]
    public void PriorWeightsAndOffsetEnterTheSums()
    {
        var t = ReferenceData.ReadCsv("sleepstudy.csv");
        var days = ReferenceData.Numbers(t["Days"]);
        var baseDesign = ReferenceData.Design("Reaction", ReferenceData.Numbers(t["Reaction"]), [("Days", days)], ReferenceData.Term("Subject", t["Subject"], ("Days", days)));
        var design = new ModelDesign
        {
            Response = baseDesign.Response, FixedEffects = baseDesign.FixedEffects, FixedEffectNames = baseDesign.FixedEffectNames, Terms = baseDesign.Terms,
            Weights = days.Select(d => 1 + d / 10).ToArray(),
            Offset = days.Select(d => 0.5 * d).ToArray(),
        };
        var options = new FitOptions { Method = EstimationMethod.Reml };
        AssertSameFit(LinearMixedModel.Fit(design, options), LinearMixedModel.Fit(GramBlocks.FromDesign(design), options));
        AssertSameAtTheta(design, options);
    }

    [Fact]
    public void AliasedColumnIsDroppedFromXtX()
    {
        var design = ReferenceData.ForFit("sleepstudy_ML");
        int n = design.Rows;
        var days = design.FixedEffects.AsSpan(n, n).ToArray();
        var aliased = new ModelDesign
        {
            Response = design.Response,
            FixedEffects = [.. design.FixedEffects, .. days.Select(d => 2 * d - 1)],
            FixedEffectNames = ["(Intercept)", "Days", "twiceDays"],
            Terms = design.Terms,
        };
        var options = new FitOptions { Method = EstimationMethod.MaximumLikelihood };
        var fromBlocks = LinearMixedModel.Fit(GramBlocks.FromDesign(aliased), options);
        Assert.Equal(["twiceDays"], fromBlocks.DroppedFixedEffects);
        AssertSameFit(LinearMixedModel.Fit(aliased, options), fromBlocks);
    }

    [Fact]
    public void MalformedBlocksAreRejectedWithTheReason()
    {
        var blocks = GramBlocks.FromDesign(ReferenceData.ForFit("penicillin_REML"));
        var countsOff = Clone(blocks, terms: [WithCounts(blocks.Terms[0], blocks.Terms[0].LevelCounts.Select((c, l) => l == 0 ? c + 1 : c).ToArray()), blocks.Terms[1]]);
        var e = Assert.Throws<ModelDesignException>(() => LinearMixedModel.Fit(countsOff));
        Assert.Contains("add up to 145 rows, not 144", e.Message);

        var noCross = Clone(blocks, cross: []);
        e = Assert.Throws<ModelDesignException>(() => LinearMixedModel.Fit(noCross));
        Assert.Contains("No cross table for terms 'plate' and 'sample'", e.Message);

        var empty = Clone(blocks, rows: 0);
        e = Assert.Throws<ModelDesignException>(() => LinearMixedModel.Fit(empty));
        Assert.Contains("no rows", e.Message);

        var nan = Clone(blocks, yty: double.NaN);
        e = Assert.Throws<ModelDesignException>(() => LinearMixedModel.Fit(nan));
        Assert.Contains("YtY is NaN", e.Message);
    }

    private static GramTermBlocks WithCounts(GramTermBlocks t, int[] counts) => new()
    {
        Name = t.Name, LevelKeys = t.LevelKeys, ColumnNames = t.ColumnNames, Covariance = t.Covariance,
        LevelCounts = counts, ZtZ = t.ZtZ, ZtX = t.ZtX, Zty = t.Zty,
    };

    private static GramBlocks Clone(GramBlocks b, GramTermBlocks[]? terms = null, GramCrossTable[]? cross = null, long? rows = null, double? yty = null) => new()
    {
        ResponseName = b.ResponseName, Rows = rows ?? b.Rows, FixedEffectNames = b.FixedEffectNames, XtX = b.XtX, Xty = b.Xty,
        YtY = yty ?? b.YtY, YSum = b.YSum, Terms = terms ?? b.Terms, CrossTables = cross ?? b.CrossTables,
    };

    /// <summary>
    /// At one θ (the rows' optimum) the two Grams give the same objective, β, SEs, σ² and modes to 1e-10: the blocks
    /// are the same matrix. (The optimizers' stopping points differ by more, see <see cref="AssertSameFit"/>.)
    /// </summary>
    internal static void AssertSameAtTheta(ModelDesign design, FitOptions options)
    {
        var theta = LinearMixedModel.Fit(design, options).Theta;
        var rows = global::TypedMixed.Estimation.LmmEstimator.AssembleAt(design, options, theta);
        var blocks = global::TypedMixed.Estimation.LmmEstimator.AssembleAt(global::TypedMixed.Estimation.MixedModelProblem.Create(GramBlocks.FromDesign(design)), options, theta);
        ReferenceData.AssertRelative(rows.Objective, blocks.Objective, 1e-12, "objective at θ");
        for (int c = 0; c < rows.FixedEffects.Count; c++)
        {
            ReferenceData.AssertClose(rows.FixedEffects[c].Estimate, blocks.FixedEffects[c].Estimate, 1e-10, 1e-12, $"β {rows.FixedEffects[c].Name} at θ");
            ReferenceData.AssertClose(rows.FixedEffects[c].StdError, blocks.FixedEffects[c].StdError, 1e-10, 1e-12, $"SE {rows.FixedEffects[c].Name} at θ");
        }
        ReferenceData.AssertRelative(rows.ResidualVariance, blocks.ResidualVariance, 1e-10, "σ² at θ");
        for (int t = 0; t < rows.RandomEffects.Count; t++)
            for (int l = 0; l < rows.RandomEffects[t].ConditionalModes.GetLength(0); l++)
                for (int c = 0; c < rows.RandomEffects[t].ConditionalModes.GetLength(1); c++)
                    ReferenceData.AssertClose(rows.RandomEffects[t].ConditionalModes[l, c], blocks.RandomEffects[t].ConditionalModes[l, c], 1e-9, 1e-10 * rows.Sigma, $"mode at θ");
    }

    /// <summary>
    /// Objective and logLik to 1e-10 relative at each fit's own optimum; θ to 1e-8 and β to 1e-8 of its SE. The blocks
    /// differ from the row Gram in the order of additions (≈1e-16 relative) and the objective's value carries rounding
    /// noise (up to ~1e-12 relative), which left BOBYQA's stopping points up to 1e-6 apart in θ; the fit's last Newton
    /// step (NewtonPolish, a gradient from 2 %/1 % steps with Richardson extrapolation) makes them agree to ~1e-9.
    /// </summary>
    internal static void AssertSameFit(LinearMixedModelFit rows, LinearMixedModelFit blocks)
    {
        ReferenceData.AssertRelative(rows.Objective, blocks.Objective, 1e-10, "objective");
        ReferenceData.AssertRelative(rows.LogLikelihood, blocks.LogLikelihood, 1e-10, "logLik");
        ReferenceData.AssertRelative(rows.Aic, blocks.Aic, 1e-10, "AIC");
        Assert.Equal(rows.Theta.Length, blocks.Theta.Length);
        for (int i = 0; i < rows.Theta.Length; i++)
            ReferenceData.AssertClose(rows.Theta[i], blocks.Theta[i], 1e-8, 1e-8, $"θ[{i}]");
        Assert.Equal(rows.FixedEffects.Select(f => f.Name), blocks.FixedEffects.Select(f => f.Name));
        for (int c = 0; c < rows.FixedEffects.Count; c++)
        {
            ReferenceData.AssertClose(rows.FixedEffects[c].Estimate, blocks.FixedEffects[c].Estimate, 0, 1e-8 * rows.FixedEffects[c].StdError, $"β {rows.FixedEffects[c].Name}");
            ReferenceData.AssertClose(rows.FixedEffects[c].StdError, blocks.FixedEffects[c].StdError, 1e-5, 1e-12, $"SE {rows.FixedEffects[c].Name}");
        }
        ReferenceData.AssertRelative(rows.ResidualVariance, blocks.ResidualVariance, 1e-6, "σ²");
        for (int v = 0; v < rows.VarianceComponents.Count; v++)
        {
            ReferenceData.AssertClose(rows.VarianceComponents[v].Estimate, blocks.VarianceComponents[v].Estimate, 1e-5, 1e-8, $"variance component {v}");
            if (double.IsNaN(rows.VarianceComponents[v].StdError)) Assert.True(double.IsNaN(blocks.VarianceComponents[v].StdError), $"variance component SE {v}");
            else ReferenceData.AssertClose(rows.VarianceComponents[v].StdError, blocks.VarianceComponents[v].StdError, 1e-5, 1e-9, $"variance component SE {v}");
        }
        for (int t = 0; t < rows.RandomEffects.Count; t++)
        {
            var a = rows.RandomEffects[t];
            var b = blocks.RandomEffects[t];
            Assert.Equal(a.Name, b.Name);
            Assert.Equal(a.LevelSizes, b.LevelSizes);
            var ca = a.ConditionalCovariances;
            var cb = b.ConditionalCovariances;
            for (int l = 0; l < a.ConditionalModes.GetLength(0); l++)
                for (int c = 0; c < a.ConditionalModes.GetLength(1); c++)
                {
                    ReferenceData.AssertClose(a.ConditionalModes[l, c], b.ConditionalModes[l, c], 1e-5, 1e-5 * rows.Sigma, $"mode {a.Name}[{l},{c}]");
                    ReferenceData.AssertClose(ca[l][c, c], cb[l][c, c], 1e-5, 1e-12, $"conditional variance {a.Name}[{l},{c}]");
                }
        }
        Assert.Empty(blocks.Fitted);
        Assert.Empty(blocks.Residuals);
        Assert.Contains(blocks.Warnings, w => w.Code == "TMW012");
        Assert.DoesNotContain(rows.Warnings, w => w.Code == "TMW012");
    }
}
