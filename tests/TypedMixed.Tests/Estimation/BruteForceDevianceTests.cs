using TypedMixed.Estimation;

namespace TypedMixed.Tests.Estimation;

/// <summary>
/// The blocked profiled deviance equals −2 log-likelihood computed by brute force from the dense marginal covariance
/// V = σ²(ZΛΛ'Z' + I), on many small random designs: 1–3 terms, random slopes, nested and crossed, unbalanced.
/// </summary>
public class BruteForceDevianceTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Blocked_deviance_equals_dense_marginal_deviance(bool reml)
    {
        for (int seed = 0; seed < 300; seed++)
        {
            var rng = new Random(seed);
            var design = RandomDesigns.Create(rng);
            var problem = MixedModelProblem.Create(design);
            var deviance = new ProfiledDeviance(problem.Factor, problem.N, problem.P, reml);
            var (theta, lower) = problem.InitialTheta();
            for (int i = 0; i < theta.Length; i++)
                theta[i] = lower[i] == 0 ? 0.05 + 2 * rng.NextDouble() : rng.NextDouble() - 0.5;
            double blocked = deviance.Evaluate(theta);
            double dense = DenseDeviance(problem, design, theta, reml);
            double rel = Math.Abs(blocked - dense) / Math.Abs(dense);
            Assert.True(rel < 1e-9, $"seed {seed}: blocked {blocked:R} vs dense {dense:R} (relative {rel:E2}); terms {string.Join(", ", design.Terms.Select(t => $"{t.Name}[{t.LevelCount}×{t.ColumnCount}]"))}");
        }
    }

    /// <summary>−2 log L (or the REML criterion) with β and σ² profiled, from the dense n × n V₀ = ZΛΛ'Z' + I.</summary>
    private static double DenseDeviance(MixedModelProblem problem, ModelDesign d, double[] theta, bool reml)
    {
        int n = d.Rows;
        var kept = problem.KeptColumns;
        int p = kept.Length;
        // ZΛ as dense n × Σq·L.
        var columns = new List<double[]>();
        foreach (var (term, t) in d.Terms.Select((term, t) => (term, t)))
        {
            int q = term.ColumnCount;
            var tf = new double[q * q];
            problem.Templates[t].FillFactor(theta, tf);
            for (int l = 0; l < term.LevelCount; l++)
                for (int b = 0; b < q; b++)
                {
                    var col = new double[n];
                    for (int i = 0; i < n; i++)
                    {
                        if (term.LevelIndex[i] != l) continue;
                        double s = 0;
                        for (int a = b; a < q; a++) s += term.Columns[a * n + i] * tf[b * q + a];
                        col[i] = s;
                    }
                    columns.Add(col);
                }
        }
        var v = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            v[i, i] = 1;
            for (int j = 0; j < n; j++)
                foreach (var c in columns) v[i, j] += c[i] * c[j];
        }
        var l0 = Dense.Cholesky(v);
        double logDetV = 0;
        for (int i = 0; i < n; i++) logDetV += 2 * Math.Log(l0[i, i]);
        // Whiten: X̃ = L⁻¹X, ỹ = L⁻¹y, then ordinary least squares.
        var xt = new double[p][];
        for (int c = 0; c < p; c++) xt[c] = Dense.ForwardSolve(l0, d.FixedEffects.AsSpan(kept[c] * n, n).ToArray());
        var yt = Dense.ForwardSolve(l0, d.Response);
        var xtx = new double[p, p];
        var xty = new double[p];
        for (int a = 0; a < p; a++)
        {
            xty[a] = xt[a].Zip(yt, (u, w) => u * w).Sum();
            for (int b = 0; b < p; b++) xtx[a, b] = xt[a].Zip(xt[b], (u, w) => u * w).Sum();
        }
        var lx = Dense.Cholesky(xtx);
        double logDetX = 0;
        for (int a = 0; a < p; a++) logDetX += 2 * Math.Log(lx[a, a]);
        var z = Dense.ForwardSolve(lx, xty);
        double r2 = yt.Sum(w => w * w) - z.Sum(w => w * w);
        int df = reml ? n - p : n;
        double dev = logDetV + df * (1 + Math.Log(2 * Math.PI * r2 / df));
        return reml ? dev + logDetX : dev;
    }
}

/// <summary>Small dense linear algebra for reference computations in tests.</summary>
internal static class Dense
{
    public static double[,] Cholesky(double[,] a)
    {
        int n = a.GetLength(0);
        var l = new double[n, n];
        for (int j = 0; j < n; j++)
        {
            double d = a[j, j];
            for (int k = 0; k < j; k++) d -= l[j, k] * l[j, k];
            l[j, j] = Math.Sqrt(d);
            for (int i = j + 1; i < n; i++)
            {
                double s = a[i, j];
                for (int k = 0; k < j; k++) s -= l[i, k] * l[j, k];
                l[i, j] = s / l[j, j];
            }
        }
        return l;
    }

    public static double[] ForwardSolve(double[,] l, double[] b)
    {
        int n = b.Length;
        var x = new double[n];
        for (int i = 0; i < n; i++)
        {
            double s = b[i];
            for (int k = 0; k < i; k++) s -= l[i, k] * x[k];
            x[i] = s / l[i, i];
        }
        return x;
    }
}

/// <summary>Random small designs: 1–3 terms (crossed, or nested in the previous one), random slopes, unbalanced clusters.</summary>
internal static class RandomDesigns
{
    /// <summary>A random design that passes validation (each term has fewer random effects than rows); redrawn until it does.</summary>
    public static ModelDesign Create(Random rng, int? rows = null)
    {
        while (true)
        {
            var d = Draw(rng, rows);
            if (d.Terms.All(t => t.LevelCount * t.ColumnCount < d.Rows)) return d;
        }
    }

    private static ModelDesign Draw(Random rng, int? rows)
    {
        int n = rows ?? rng.Next(12, 45);
        int p = rng.Next(1, 4);
        var x = new double[n * p];
        for (int i = 0; i < n; i++) x[i] = 1;
        for (int c = 1; c < p; c++)
            for (int i = 0; i < n; i++) x[c * n + i] = rng.NextDouble() * 4 - 2;
        var y = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 10).ToArray();
        int k = rng.Next(1, 4);
        var terms = new List<RandomEffectsTerm>();
        int[]? previous = null;
        int previousLevels = 0;
        for (int t = 0; t < k; t++)
        {
            int[] index;
            int levels;
            if (previous is not null && rng.Next(2) == 0)
            {
                // Nested in the previous term: split each of its levels into 1–3 sublevels.
                int split = rng.Next(1, 4);
                index = previous.Select((l, i) => l * split + rng.Next(split)).ToArray();
                levels = previousLevels * split;
            }
            else
            {
                levels = rng.Next(2, 7);
                index = Enumerable.Range(0, n).Select(i => i < levels ? i : rng.Next(levels)).ToArray();
            }
            // Compact to the levels that occur.
            var used = index.Distinct().OrderBy(l => l).ToArray();
            var map = used.Select((l, i) => (l, i)).ToDictionary(v => v.l, v => v.i);
            index = index.Select(l => map[l]).ToArray();
            levels = used.Length;
            if (levels < 2) { index[0] = 0; index[1] = 1; levels = index.Max() + 1; }
            int q = rng.Next(1, 3);
            var names = new List<string> { "(Intercept)" };
            var cols = new List<double>(Enumerable.Repeat(1.0, n));
            for (int s = 1; s < q; s++)
            {
                names.Add($"s{s}");
                cols.AddRange(Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 1));
            }
            var structure = (CovarianceStructure)rng.Next(3);
            terms.Add(new RandomEffectsTerm
            {
                Name = $"g{t}",
                LevelIndex = index,
                LevelKeys = Enumerable.Range(0, levels).Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
                ColumnNames = names,
                Columns = cols.ToArray(),
                Covariance = structure,
            });
            previous = index;
            previousLevels = levels;
        }
        return new ModelDesign
        {
            Response = y,
            FixedEffects = x,
            FixedEffectNames = Enumerable.Range(0, p).Select(c => c == 0 ? "(Intercept)" : $"x{c}").ToArray(),
            Terms = terms,
        };
    }
}
