using MathNet.Numerics.Distributions;

namespace TypedMixed;

/// <summary>
/// New responses drawn from a fitted model (lme4's <c>simulate(fit)</c> with new random effects): b ~ N(0, Σ̂) for
/// every level of every term, η = offset + Xβ̂ + Zb, then the response given η from the fitted family. The design must
/// be the one the fit came from.
/// </summary>
public static class ResponseSimulation
{
    /// <summary>
    /// One simulated response vector for the rows of <paramref name="design"/>: Gaussian yᵢ = ηᵢ + εᵢ with
    /// εᵢ ~ N(0, σ̂²/wᵢ), or with a residual structure ε ~ N(0, σ̂² S R S) per residual cluster (S the fitted variance
    /// function's SD factors, R the AR(1)/CAR(1) correlation ρ̂^|tⱼ − tₖ|); binomial successes out of the rows' trials (or 0/1); Poisson counts; negative binomial counts
    /// (NB2, shape k̂, drawn as Poisson with a Gamma(k̂, k̂/μ) rate); ordinal category indices drawn from the fitted
    /// cumulative-link probabilities.
    /// </summary>
    /// <exception cref="ArgumentException">The fit does not belong to the design (a fixed effect or term is missing).</exception>
    /// <exception cref="NotSupportedException">Prior weights of a non-Gaussian model.</exception>
    public static double[] Simulate(ModelDesign design, MixedModelFit fit, Random random)
    {
        ArgumentNullException.ThrowIfNull(design);
        ArgumentNullException.ThrowIfNull(fit);
        ArgumentNullException.ThrowIfNull(random);
        if (design.Family != ResponseFamily.Gaussian && design.Weights is not null)
            throw new NotSupportedException($"Simulating a {design.Family} response with prior weights is not supported: the weights have no generative meaning there. Fit without them, or use Trials for binomial proportions.");
        var eta = LinearPredictor(design, fit, random);
        int n = design.Rows;
        var y = new double[n];
        switch (fit)
        {
            case LinearMixedModelFit lmm:
                var residuals = GaussianResiduals(design, lmm, random);
                for (int i = 0; i < n; i++) y[i] = eta[i] + residuals[i];
                break;
            case GeneralizedLinearMixedModelFit glmm:
                for (int i = 0; i < n; i++)
                {
                    double mu = glmm.InverseLink(eta[i]);
                    y[i] = glmm.Family switch
                    {
                        ResponseFamily.Binomial => Binomial.Sample(random, Math.Clamp(mu, 0, 1), design.Trials is { } t ? (int)Math.Round(t[i]) : 1),
                        ResponseFamily.Poisson => mu > 0 ? Poisson.Sample(random, mu) : 0,
                        ResponseFamily.NegativeBinomial => mu > 0 ? Poisson.Sample(random, Gamma.Sample(random, glmm.NegativeBinomialShape, glmm.NegativeBinomialShape / mu)) : 0,
                        _ => throw new NotSupportedException($"Simulating family {glmm.Family} is not supported."),
                    };
                }
                break;
            case OrdinalMixedModelFit ordinal:
                for (int i = 0; i < n; i++)
                {
                    var p = ordinal.CategoryProbabilities(eta[i]);
                    double u = random.NextDouble(), cumulative = 0;
                    int category = p.Length - 1;
                    for (int j = 0; j < p.Length - 1; j++)
                    {
                        cumulative += p[j];
                        if (u < cumulative) { category = j; break; }
                    }
                    y[i] = category;
                }
                break;
            default:
                throw new NotSupportedException($"Simulating from a {fit.GetType().Name} is not supported.");
        }
        return y;
    }

    /// <summary>η = offset + Xβ̂ + Zb with new random effects b ~ N(0, Σ̂) per level (Σ̂ the term's fitted covariance).</summary>
    private static double[] LinearPredictor(ModelDesign design, MixedModelFit fit, Random random)
    {
        int n = design.Rows;
        var eta = design.Offset is { } offset ? (double[])offset.Clone() : new double[n];
        foreach (var effect in fit.FixedEffects)
        {
            int c = IndexOf(design.FixedEffectNames, effect.Name);
            if (c < 0)
                throw new ArgumentException($"The fit has fixed effect '{effect.Name}', which the design does not: simulate from the design the fit came from.", nameof(fit));
            Factorization.DenseKernels.Axpy(effect.Estimate, design.FixedEffects.AsSpan(c * n, n), eta);
        }
        if (fit.RandomEffects.Count != design.Terms.Count)
            throw new ArgumentException($"The fit has {fit.RandomEffects.Count} random-effects terms and the design {design.Terms.Count}: simulate from the design the fit came from.", nameof(fit));
        for (int t = 0; t < design.Terms.Count; t++)
        {
            var term = design.Terms[t];
            var termFit = fit.RandomEffects[t];
            int q = term.ColumnCount;
            if (termFit.Name != term.Name || termFit.ColumnNames.Count != q)
                throw new ArgumentException($"The fit's term '{termFit.Name}' does not match the design's '{term.Name}': simulate from the design the fit came from.", nameof(fit));
            var l = SemiDefiniteCholesky(termFit.Covariance);
            // b_level = L z, z standard normal, for each level.
            var b = new double[term.LevelCount * q];
            var z = new double[q];
            for (int level = 0; level < term.LevelCount; level++)
            {
                for (int a = 0; a < q; a++) z[a] = Normal.Sample(random, 0, 1);
                for (int a = 0; a < q; a++)
                {
                    double s = 0;
                    for (int k = 0; k <= a; k++) s += l[a, k] * z[k];
                    b[level * q + a] = s;
                }
            }
            if (term.Memberships is { } mm)
            {
                var omega = mm.EffectiveWeights();
                for (int i = 0; i < n; i++)
                    for (int e = mm.RowStart[i]; e < mm.RowStart[i + 1]; e++)
                        for (int a = 0; a < q; a++) eta[i] += omega[e] * term.Columns[a * n + i] * b[mm.Level[e] * q + a];
                continue;
            }
            for (int i = 0; i < n; i++)
            {
                int level = term.LevelIndex[i];
                for (int a = 0; a < q; a++) eta[i] += term.Columns[a * n + i] * b[level * q + a];
            }
        }
        return eta;
    }

    /// <summary>
    /// Level-1 residuals of a linear model: independent N(0, σ̂² sᵢ²) with sᵢ the row's SD factor (1/√wᵢ for prior
    /// weights, the variance function's factor when there is one); with a residual correlation, within each of its
    /// clusters the correlated vector L z, L the Cholesky factor of σ̂² S R S.
    /// </summary>
    private static double[] GaussianResiduals(ModelDesign design, LinearMixedModelFit fit, Random random)
    {
        int n = design.Rows;
        if ((design.ResidualCorrelation is null) != (fit.ResidualCorrelation is null) || (design.ResidualVariance is null) != (fit.ResidualVarianceFunction is null))
            throw new ArgumentException("The fit's residual structure does not match the design's: simulate from the design the fit came from.", nameof(fit));
        double sigma = fit.Sigma;
        var sd = new double[n];
        for (int i = 0; i < n; i++)
            sd[i] = sigma * (fit.RowSdFactor is { } f ? f[i] : design.Weights is { } w ? 1 / Math.Sqrt(w[i]) : 1);
        var e = new double[n];
        if (design.ResidualCorrelation is not { } correlation)
        {
            for (int i = 0; i < n; i++) e[i] = sd[i] * Normal.Sample(random, 0, 1);
            return e;
        }
        double rho = fit.ResidualCorrelation!.Parameter;
        // Rows of each residual cluster, in row order (the correlation depends on times only, not on the order).
        var clusters = new List<int>[correlation.ClusterKeys.Count];
        for (int i = 0; i < n; i++) (clusters[correlation.ClusterIndex[i]] ??= []).Add(i);
        foreach (var rows in clusters)
        {
            if (rows is null) continue;
            int m = rows.Count;
            var v = new double[m, m];
            for (int a = 0; a < m; a++)
                for (int b = 0; b < m; b++)
                    v[a, b] = sd[rows[a]] * sd[rows[b]] * Math.Pow(rho, Math.Abs(correlation.Time[rows[a]] - correlation.Time[rows[b]]));
            var l = SemiDefiniteCholesky(v);
            var z = new double[m];
            for (int a = 0; a < m; a++) z[a] = Normal.Sample(random, 0, 1);
            for (int a = 0; a < m; a++)
            {
                double s = 0;
                for (int k = 0; k <= a; k++) s += l[a, k] * z[k];
                e[rows[a]] = s;
            }
        }
        return e;
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++) if (names[i] == name) return i;
        return -1;
    }

    /// <summary>Lower L with L L' = S for a positive semi-definite S (a zero pivot leaves its column zero).</summary>
    private static double[,] SemiDefiniteCholesky(double[,] s)
    {
        int q = s.GetLength(0);
        var l = new double[q, q];
        for (int j = 0; j < q; j++)
        {
            double d = s[j, j];
            for (int k = 0; k < j; k++) d -= l[j, k] * l[j, k];
            double pivot = d > 1e-14 * Math.Max(s[j, j], 1e-300) ? Math.Sqrt(d) : 0;
            l[j, j] = pivot;
            for (int i = j + 1; i < q; i++)
            {
                double r = s[i, j];
                for (int k = 0; k < j; k++) r -= l[i, k] * l[j, k];
                l[i, j] = pivot > 0 ? r / pivot : 0;
            }
        }
        return l;
    }
}
