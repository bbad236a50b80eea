using System.Globalization;
using TypedMixed.Tests.Estimation;

namespace TypedMixed.Tests.Robustness;

/// <summary>Builds and transforms <see cref="ModelDesign"/>s for the robustness tests: simulated responses, row permutations, relabelled levels, rescaling, duplication.</summary>
internal static class Designs
{
    public static FitOptions Fast(EstimationMethod method) => new()
    {
        Method = method,
        VarianceComponentErrors = false,
        Satterthwaite = false,
        FunctionTolerance = 0,
    };

    /// <summary>
    /// A random structure from <see cref="RandomDesigns"/> (24–120 rows) with a response simulated from that model:
    /// β ~ U(−2, 2), each term's effects N(0, 1.5²) per column, residual N(0, 1), so most fits are interior rather than
    /// singular. Structures with more than n/2 random effects are redrawn: with as many effects as rows, ZΛ spans the
    /// data, θ̂ runs off to infinity and nothing about the optimum is well defined (see the report).
    /// </summary>
    public static ModelDesign SimulatedRandom(Random rng)
    {
        while (true)
        {
            var d = RandomDesigns.Create(rng, rng.Next(24, 121));
            if (d.Terms.Sum(t => t.LevelCount * t.ColumnCount) + d.FixedEffectCount > d.Rows / 2) continue;
            return WithResponse(d, Simulate(d, rng, 1.5, 1.0));
        }
    }

    /// <summary>y = Xβ + Σ Z_t b_t + ε with independent effects of standard deviation <paramref name="effectSd"/>.</summary>
    public static double[] Simulate(ModelDesign d, Random rng, double effectSd, double residualSd)
    {
        int n = d.Rows;
        var y = new double[n];
        for (int c = 0; c < d.FixedEffectCount; c++)
        {
            double beta = rng.NextDouble() * 4 - 2;
            for (int i = 0; i < n; i++) y[i] += beta * d.FixedEffects[c * n + i];
        }
        foreach (var term in d.Terms)
        {
            var b = new double[term.LevelCount * term.ColumnCount];
            for (int j = 0; j < b.Length; j++) b[j] = effectSd * Normal(rng);
            for (int i = 0; i < n; i++)
                for (int a = 0; a < term.ColumnCount; a++)
                    y[i] += term.Columns[a * n + i] * b[term.LevelIndex[i] * term.ColumnCount + a];
        }
        for (int i = 0; i < n; i++) y[i] += residualSd * Normal(rng);
        return y;
    }

    public static double Normal(Random rng)
    {
        double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    public static ModelDesign WithResponse(ModelDesign d, double[] y) => new()
    {
        ResponseName = d.ResponseName,
        Response = y,
        FixedEffects = d.FixedEffects,
        FixedEffectNames = d.FixedEffectNames,
        Terms = d.Terms,
    };

    /// <summary>Row i of the result is row <c>perm[i]</c> of <paramref name="d"/> (a permutation, or any selection with repeats).</summary>
    public static ModelDesign PermuteRows(ModelDesign d, int[] perm)
    {
        int n = d.Rows, m = perm.Length;
        double[] Reorder(double[] colMajor, int cols)
        {
            var r = new double[cols * m];
            for (int c = 0; c < cols; c++)
                for (int i = 0; i < m; i++) r[c * m + i] = colMajor[c * n + perm[i]];
            return r;
        }
        return new ModelDesign
        {
            ResponseName = d.ResponseName,
            Response = perm.Select(i => d.Response[i]).ToArray(),
            FixedEffects = Reorder(d.FixedEffects, d.FixedEffectCount),
            FixedEffectNames = d.FixedEffectNames,
            Terms = d.Terms.Select(t => new RandomEffectsTerm
            {
                Name = t.Name,
                LevelIndex = perm.Select(i => t.LevelIndex[i]).ToArray(),
                LevelKeys = t.LevelKeys,
                ColumnNames = t.ColumnNames,
                Columns = Reorder(t.Columns, t.ColumnCount),
                Covariance = t.Covariance,
            }).ToArray(),
        };
    }

    /// <summary>The same data with each term's level indices permuted at random; the keys follow their levels.</summary>
    public static ModelDesign RelabelLevels(ModelDesign d, Random rng) => new()
    {
        ResponseName = d.ResponseName,
        Response = d.Response,
        FixedEffects = d.FixedEffects,
        FixedEffectNames = d.FixedEffectNames,
        Terms = d.Terms.Select(t =>
        {
            var map = Permutation(rng, t.LevelCount); // old level l becomes map[l]
            var keys = new string[t.LevelCount];
            for (int l = 0; l < t.LevelCount; l++) keys[map[l]] = t.LevelKeys[l];
            return new RandomEffectsTerm
            {
                Name = t.Name,
                LevelIndex = t.LevelIndex.Select(l => map[l]).ToArray(),
                LevelKeys = keys,
                ColumnNames = t.ColumnNames,
                Columns = t.Columns,
                Covariance = t.Covariance,
            };
        }).ToArray(),
    };

    public static int[] Permutation(Random rng, int n)
    {
        var p = Enumerable.Range(0, n).ToArray();
        rng.Shuffle(p);
        return p;
    }

    /// <summary>Every row repeated <paramref name="times"/> times (rows of one copy stay together).</summary>
    public static ModelDesign RepeatRows(ModelDesign d, int times) =>
        PermuteRows(d, Enumerable.Range(0, d.Rows * times).Select(i => i / times).ToArray());

    /// <summary>The response multiplied by <paramref name="c"/>.</summary>
    public static ModelDesign ScaleResponse(ModelDesign d, double c) => WithResponse(d, d.Response.Select(v => v * c).ToArray());

    /// <summary>Fixed-effects column <paramref name="column"/> multiplied by <paramref name="c"/>.</summary>
    public static ModelDesign ScaleFixedColumn(ModelDesign d, int column, double c)
    {
        int n = d.Rows;
        var x = (double[])d.FixedEffects.Clone();
        for (int i = 0; i < n; i++) x[column * n + i] *= c;
        return new ModelDesign { ResponseName = d.ResponseName, Response = d.Response, FixedEffects = x, FixedEffectNames = d.FixedEffectNames, Terms = d.Terms };
    }

    /// <summary>Random-effects column <paramref name="column"/> of every term that has it by name, and the fixed column of that name, multiplied by <paramref name="c"/>.</summary>
    public static ModelDesign ScaleCovariate(ModelDesign d, string name, double c)
    {
        int n = d.Rows;
        var x = (double[])d.FixedEffects.Clone();
        int fc = d.FixedEffectNames.ToList().IndexOf(name);
        if (fc >= 0)
            for (int i = 0; i < n; i++) x[fc * n + i] *= c;
        return new ModelDesign
        {
            ResponseName = d.ResponseName,
            Response = d.Response,
            FixedEffects = x,
            FixedEffectNames = d.FixedEffectNames,
            Terms = d.Terms.Select(t =>
            {
                int rc = t.ColumnNames.ToList().IndexOf(name);
                var cols = (double[])t.Columns.Clone();
                if (rc >= 0)
                    for (int i = 0; i < n; i++) cols[rc * n + i] *= c;
                return new RandomEffectsTerm { Name = t.Name, LevelIndex = t.LevelIndex, LevelKeys = t.LevelKeys, ColumnNames = t.ColumnNames, Columns = cols, Covariance = t.Covariance };
            }).ToArray(),
        };
    }

    /// <summary>
    /// Two crossed random intercepts with many levels (<paramref name="levelsA"/> ≥ <paramref name="levelsB"/> ≥ 256), so
    /// the second term's diagonal block is dense and large enough for the blocked, two-thread Cholesky.
    /// </summary>
    public static ModelDesign LargeCrossed(Random rng, int rows, int levelsA, int levelsB)
    {
        var a = Enumerable.Range(0, rows).Select(i => i < levelsA ? i : rng.Next(levelsA)).ToArray();
        var b = Enumerable.Range(0, rows).Select(i => i < levelsB ? i : rng.Next(levelsB)).ToArray();
        var x = Enumerable.Range(0, rows).Select(_ => rng.NextDouble()).ToArray();
        var d = new ModelDesign
        {
            Response = new double[rows],
            FixedEffects = [.. Enumerable.Repeat(1.0, rows), .. x],
            FixedEffectNames = ["(Intercept)", "x"],
            Terms =
            [
                RandomEffectsTerm.Intercept("a", a, Enumerable.Range(0, levelsA).Select(l => "a" + Key(l)).ToArray()),
                RandomEffectsTerm.Intercept("b", b, Enumerable.Range(0, levelsB).Select(l => "b" + Key(l)).ToArray()),
            ],
        };
        return WithResponse(d, Simulate(d, rng, 1.0, 1.0));
    }

    public static string Describe(ModelDesign d) =>
        $"n={d.Rows}, p={d.FixedEffectCount}, terms " + string.Join(", ", d.Terms.Select(t => $"{t.Name}[{t.LevelCount}×{t.ColumnCount} {t.Covariance}]"));

    public static string Key(int l) => l.ToString(CultureInfo.InvariantCulture);
}
