using TypedMixed.Estimation;
using TypedMixed.Tests.Estimation;

namespace TypedMixed.Tests.Residual;

/// <summary>
/// The residual-structure objective (whitened blocked Gram + log|R|) equals −2 log L (ML) and the REML criterion
/// computed by brute force from the dense marginal covariance V = σ²(ZΛΛ'Z' + R), R = S C S coded here independently
/// (S the variance function's SDs, C the AR(1)/CAR(1) correlation ρ^|tᵢ − tⱼ| within a cluster), β by GLS, on 200
/// small random designs per structure: 1–3 terms, nested and crossed, random slopes, unbalanced, gaps in the occasions;
/// residual clusters either nested in every term or the first term's levels with other terms crossed with them;
/// AR1+Ident with prior weights too.
/// </summary>
public class ResidualDenseProofTests
{
    public enum Structure { Ar1Gaps, Car1, Ident, Exponential, Power, LogLinear, Quadratic, Ar1Ident, Ar1Crossed, Car1CrossedIdent, Ar1Consecutive, Ar1ConsecutiveCrossed }

    [Theory]
    [InlineData(Structure.Ar1Gaps)]
    [InlineData(Structure.Car1)]
    [InlineData(Structure.Ident)]
    [InlineData(Structure.Exponential)]
    [InlineData(Structure.Power)]
    [InlineData(Structure.LogLinear)]
    [InlineData(Structure.Quadratic)]
    [InlineData(Structure.Ar1Ident)]
    [InlineData(Structure.Ar1Crossed)]
    [InlineData(Structure.Car1CrossedIdent)]
    [InlineData(Structure.Ar1Consecutive)]
    [InlineData(Structure.Ar1ConsecutiveCrossed)]
    public void Objective_equals_dense_marginal_likelihood(Structure structure)
    {
        int checkedDesigns = 0, crossedPairs = 0, pieces = 0, withPairs = 0;
        for (int seed = 0; seed < 200; seed++)
        {
            var rng = new Random(1000 * (int)structure + seed);
            var (design, eta, time, cluster, rho, sd) = WithStructure(RandomDesigns.Create(rng), structure, rng);
            var problem = MixedModelProblem.Create(design);
            if (problem.Residual is { RowsShareEveryLevel: false }) crossedPairs++;
            if (problem.Residual!.PairFirst.Length > 0) withPairs++;
            var (theta, lower) = problem.InitialTheta();
            for (int i = 0; i < theta.Length; i++)
                theta[i] = lower[i] == 0 ? 0.05 + 2 * rng.NextDouble() : rng.NextDouble() - 0.5;
            foreach (bool reml in new[] { false, true })
            {
                var objective = new ResidualStructureDeviance(problem, reml);
                if (reml && objective.UsesPieces) pieces++;
                double blocked = objective.Evaluate([.. theta, .. eta]);
                // The one-pass Gram gives the same objective (to rounding) wherever the pieces are used.
                if (objective.UsesPieces)
                {
                    double onePass = new ResidualStructureDeviance(MixedModelProblem.Create(design), reml, usePieces: false).Evaluate([.. theta, .. eta]);
                    Assert.True(Math.Abs(onePass - blocked) <= 1e-10 * Math.Abs(blocked), $"{structure} seed {seed}: pieces {blocked:R} vs one pass {onePass:R}");
                }
                double dense = DenseDeviance(problem, design, theta, reml, cluster, time, rho, sd);
                double rel = Math.Abs(blocked - dense) / Math.Abs(dense);
                Assert.True(rel < 1e-9, $"{structure} seed {seed} reml {reml}: blocked {blocked:R} vs dense {dense:R} (relative {rel:E2}); terms {string.Join(", ", design.Terms.Select(t => $"{t.Name}[{t.LevelCount}×{t.ColumnCount}]"))}");
            }
            checkedDesigns++;
        }
        Assert.Equal(200, checkedDesigns);
        // The *Crossed structures correlate within the first term's clusters, across which other terms change level:
        // most of their designs take the squares-and-cross-products Gram.
        // Equally spaced occasions without a variance function take the precomputed pieces (when a cluster has two rows).
        if (structure is Structure.Ar1Consecutive or Structure.Ar1ConsecutiveCrossed) Assert.True(pieces == withPairs && pieces > 150, $"{pieces} of {withPairs}");
        // varIdent alone: one Gram per stratum.
        if (structure == Structure.Ident) Assert.Equal(200, pieces);
        if (structure is Structure.Ar1Crossed or Structure.Car1CrossedIdent or Structure.Ar1ConsecutiveCrossed) Assert.True(crossedPairs > 50, $"{crossedPairs} designs with crossed terms");
        else Assert.Equal(0, crossedPairs);
    }

    /// <summary>
    /// Adds the structure to a random design, with random parameters: the coordinates η the objective takes, and the
    /// same structure in plain terms (cluster, time, ρ, SD factor per row) for the dense reference.
    /// </summary>
    private static (ModelDesign, double[] Eta, double[]? Time, int[]? Cluster, double Rho, double[] Sd) WithStructure(ModelDesign d, Structure s, Random rng)
    {
        int n = d.Rows;
        var sd = Enumerable.Repeat(1.0, n).ToArray();
        ResidualCorrelation? correlation = null;
        ResidualVarianceFunction? variance = null;
        double[]? time = null;
        int[]? cluster = null;
        double rho = 0;
        var eta = new List<double>();
        bool crossed = s is Structure.Ar1Crossed or Structure.Car1CrossedIdent or Structure.Ar1ConsecutiveCrossed;
        bool consecutive = s is Structure.Ar1Consecutive or Structure.Ar1ConsecutiveCrossed;
        bool continuous = s is Structure.Car1 or Structure.Car1CrossedIdent;
        if (s is Structure.Ar1Gaps or Structure.Car1 or Structure.Ar1Ident || crossed || consecutive)
        {
            // Residual clusters: the cells of all terms (nested in every term), or for the crossed structures the levels
            // of the first term (other terms may change between occasions); times increase in row order with gaps.
            var keys = new Dictionary<string, int>();
            cluster = new int[n];
            time = new double[n];
            var last = new Dictionary<int, double>();
            for (int i = 0; i < n; i++)
            {
                string key = crossed ? d.Terms[0].LevelIndex[i].ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Join("|", d.Terms.Select(t => t.LevelIndex[i]));
                if (!keys.TryGetValue(key, out int c)) keys[key] = c = keys.Count;
                cluster[i] = c;
                double step = continuous ? 0.1 + 2 * rng.NextDouble() : consecutive ? 1 : 1 + rng.Next(3);
                time[i] = last.TryGetValue(c, out double prev) ? prev + step : (continuous ? 3 * rng.NextDouble() : rng.Next(4));
                last[c] = time[i];
            }
            double e = continuous ? 4 * rng.NextDouble() - 2 : 3 * rng.NextDouble() - 1.5;
            rho = continuous ? 1 / (1 + Math.Exp(-e)) : Math.Tanh(e);
            eta.Add(e);
            correlation = new ResidualCorrelation
            {
                Structure = continuous ? ResidualCorrelationStructure.ContinuousAr1 : ResidualCorrelationStructure.Ar1,
                TimeName = "t", Time = time, ClusterName = "cell", ClusterIndex = cluster,
                ClusterKeys = keys.Keys.ToArray(),
            };
        }
        if (s is Structure.Ident or Structure.Ar1Ident or Structure.Car1CrossedIdent)
        {
            int strata = 2 + rng.Next(2);
            var stratum = Enumerable.Range(0, n).Select(i => i < strata ? i : rng.Next(strata)).ToArray();
            var logRatio = Enumerable.Range(1, strata - 1).Select(_ => 2 * rng.NextDouble() - 1).ToArray();
            eta.AddRange(logRatio);
            for (int i = 0; i < n; i++) sd[i] = stratum[i] == 0 ? 1 : Math.Exp(logRatio[stratum[i] - 1]);
            variance = new ResidualVarianceFunction { Kind = ResidualVarianceFunctionKind.Ident, StratumName = "g", StratumIndex = stratum, StratumKeys = Enumerable.Range(0, strata).Select(k => "s" + k).ToArray() };
        }
        if (s is Structure.Exponential or Structure.Power)
        {
            var x = Enumerable.Range(0, n).Select(_ => s == Structure.Power ? 0.5 + 1.5 * rng.NextDouble() : 2 * rng.NextDouble() - 1).ToArray();
            double delta = 2 * rng.NextDouble() - 1;
            eta.Add(delta);
            for (int i = 0; i < n; i++) sd[i] = s == Structure.Power ? Math.Pow(Math.Abs(x[i]), delta) : Math.Exp(delta * x[i]);
            variance = new ResidualVarianceFunction { Kind = s == Structure.Power ? ResidualVarianceFunctionKind.Power : ResidualVarianceFunctionKind.Exponential, CovariateNames = ["x"], Covariates = x };
        }
        if (s == Structure.LogLinear)
        {
            var z = Enumerable.Range(0, 2 * n).Select(_ => 2 * rng.NextDouble() - 1).ToArray();
            var gamma = new[] { rng.NextDouble() - 0.5, rng.NextDouble() - 0.5 };
            eta.AddRange(gamma);
            for (int i = 0; i < n; i++) sd[i] = Math.Sqrt(Math.Exp(gamma[0] * z[i] + gamma[1] * z[n + i]));
            variance = new ResidualVarianceFunction { Kind = ResidualVarianceFunctionKind.LogLinear, CovariateNames = ["z1", "z2"], Covariates = z };
        }
        if (s == Structure.Quadratic)
        {
            var x = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
            double c = 0.6 * rng.NextDouble() - 0.3, q = 0.5 * rng.NextDouble();
            eta.Add(c);
            eta.Add(q);
            for (int i = 0; i < n; i++) sd[i] = Math.Sqrt(1 + 2 * c * x[i] + q * x[i] * x[i]);
            variance = new ResidualVarianceFunction { Kind = ResidualVarianceFunctionKind.Quadratic, CovariateNames = ["x"], Covariates = x };
        }
        // Prior weights with AR(1) + varIdent: row variance σ² sᵢ²/wᵢ.
        double[]? weights = null;
        if (s == Structure.Ar1Ident)
        {
            weights = Enumerable.Range(0, n).Select(_ => 0.5 + 1.5 * rng.NextDouble()).ToArray();
            for (int i = 0; i < n; i++) sd[i] /= Math.Sqrt(weights[i]);
        }
        var design = new ModelDesign
        {
            Response = d.Response, FixedEffects = d.FixedEffects, FixedEffectNames = d.FixedEffectNames, Terms = d.Terms,
            ResidualCorrelation = correlation, ResidualVariance = variance, Weights = weights,
        };
        return (design, eta.ToArray(), time, cluster, rho, sd);
    }

    /// <summary>−2 log L (or the REML criterion), β and σ² profiled, from the dense V₀ = ZΛΛ'Z' + S C S.</summary>
    private static double DenseDeviance(MixedModelProblem problem, ModelDesign d, double[] theta, bool reml,
        int[]? cluster, double[]? time, double rho, double[] sd)
    {
        int n = d.Rows;
        var kept = problem.KeptColumns;
        int p = kept.Length;
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
            for (int j = 0; j < n; j++)
            {
                double r = i == j ? 1 : cluster is not null && cluster[i] == cluster[j] ? Math.Pow(rho, Math.Abs(time![i] - time[j])) : 0;
                v[i, j] = sd[i] * sd[j] * r;
                foreach (var c in columns) v[i, j] += c[i] * c[j];
            }
        var l0 = Dense.Cholesky(v);
        double logDetV = 0;
        for (int i = 0; i < n; i++) logDetV += 2 * Math.Log(l0[i, i]);
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
