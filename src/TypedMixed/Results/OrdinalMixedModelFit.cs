using TypedMixed.Families;

namespace TypedMixed;

/// <summary>
/// A fitted cumulative link mixed model, P(Y ≤ j | b) = F(τⱼ − x'β − z'b) (R's <c>ordinal::clmm</c>): the thresholds
/// and β with standard errors on clmm's scale and sign convention (β &gt; 0 shifts towards higher categories), the
/// variance components with SEs, conditional modes with conditional SDs, predicted category probabilities, the
/// latent-scale VPC, and the (Laplace or quadrature) log-likelihood as clmm's <c>logLik</c>.
/// </summary>
/// <remarks>
/// <see cref="MixedModelFit.Fitted"/> holds each row's fitted probability of its observed category at the conditional
/// modes (clmm's <c>fitted</c>); <see cref="MixedModelFit.Residuals"/> is empty: a cumulative link model has no
/// residual on the response scale.
/// </remarks>
public sealed class OrdinalMixedModelFit : MixedModelFit
{
    internal OrdinalMixedModelFit() { }

    /// <summary>The link: logit, probit or cloglog (the latent distribution F).</summary>
    public required LinkFunction Link { get; init; }

    /// <summary>Quadrature points per random effect: 1 = Laplace approximation.</summary>
    public required int QuadraturePoints { get; init; }

    /// <summary>The category names from lowest to highest.</summary>
    public required IReadOnlyList<string> Categories { get; init; }

    /// <summary>The threshold structure that was fitted.</summary>
    public required ThresholdStructure ThresholdStructure { get; init; }

    /// <summary>The K − 1 thresholds τⱼ, named as clmm (<c>1|2</c>, <c>2|3</c>, …), with standard errors.</summary>
    public required IReadOnlyList<FixedEffectEstimate> Thresholds { get; init; }

    /// <summary>
    /// Names of the rows and columns of <see cref="ParameterCovariance"/>: the thresholds, the fixed effects, then θ
    /// (for a scalar term θ is its random-effect standard deviation).
    /// </summary>
    public required IReadOnlyList<string> ParameterNames { get; init; }

    /// <summary>
    /// Covariance of (τ, β, θ): the inverse of half the Hessian of −2 log L at the optimum (central differences of the
    /// analytic gradient for Laplace fits, of values for quadrature); a θ on its bound is left out (its entries NaN, the
    /// others conditional on it); null when the Hessian is not positive definite.
    /// </summary>
    public double[,]? ParameterCovariance { get; init; }

    /// <summary>The linear predictor ηᵢ = xᵢ'β̂ + zᵢ'b̂ (+ offset) at the conditional modes, one per row.</summary>
    public required double[] LinearPredictor { get; init; }

    /// <summary>The log-likelihood of the same model without random effects (clm), for <see cref="OrdinalLikelihoodRatioTest"/>.</summary>
    public required double SingleLevelLogLikelihood { get; init; }

    /// <summary>Number of parameters of the model without random effects (thresholds and β).</summary>
    public required int SingleLevelParameterCount { get; init; }

    /// <summary>−2 Σ log p(yᵢ | b̂), the conditional deviance at the modes.</summary>
    public required double ConditionalDeviance { get; init; }

    /// <summary>−2 × <see cref="MixedModelFit.LogLikelihood"/>.</summary>
    public double Deviance => -2 * LogLikelihood;

    /// <summary>Index of a category by name.</summary>
    public int CategoryIndex(string category)
    {
        for (int j = 0; j < Categories.Count; j++) if (Categories[j] == category) return j;
        throw new KeyNotFoundException($"No category '{category}'. The categories are: {string.Join(", ", Categories)}.");
    }

    /// <summary>The K category probabilities at linear predictor η = x'β + z'b (any cluster, any covariates).</summary>
    public double[] CategoryProbabilities(double eta)
    {
        var tau = Thresholds.Select(t => t.Estimate).ToArray();
        return CumulativeLink.Probabilities(Link, tau, eta);
    }

    /// <summary>
    /// The K category probabilities at η + e with e ~ N(0, <paramref name="latentVariance"/>) integrated out (40-point
    /// Gauss–Hermite): the probabilities for random effects whose values are unknown (a new cluster), z'Σz their
    /// variance. A variance of 0 gives <see cref="CategoryProbabilities(double)"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The variance is negative or not finite.</exception>
    public double[] CategoryProbabilities(double eta, double latentVariance)
    {
        if (!(latentVariance >= 0) || !double.IsFinite(latentVariance))
            throw new ArgumentOutOfRangeException(nameof(latentVariance), latentVariance, "The variance of the integrated random effects must be finite and non-negative.");
        if (latentVariance == 0) return CategoryProbabilities(eta);
        double sd = Math.Sqrt(latentVariance);
        var (nodes, weights) = GaussHermite.Rule(40);
        var result = new double[Categories.Count];
        for (int k = 0; k < nodes.Length; k++)
        {
            var pr = CategoryProbabilities(eta + sd * nodes[k]);
            for (int j = 0; j < pr.Length; j++) result[j] += weights[k] * pr[j];
        }
        return result;
    }

    /// <summary>Row i's fitted category probabilities at the conditional modes (an existing cluster).</summary>
    public double[] FittedProbabilities(int row) => CategoryProbabilities(LinearPredictor[row]);

    /// <summary>
    /// The fixed part x'β̂ for covariate values given in <see cref="MixedModelFit.FixedEffects"/> order (the intercept is
    /// absorbed by the thresholds and is not among them).
    /// </summary>
    public double FixedPredictor(IReadOnlyList<double> covariates)
    {
        if (covariates.Count != FixedEffects.Count)
            throw new ArgumentException($"Give {FixedEffects.Count} covariate values ({string.Join(", ", FixedEffects.Select(f => f.Name))}); got {covariates.Count}.", nameof(covariates));
        double eta = 0;
        for (int c = 0; c < covariates.Count; c++) eta += covariates[c] * FixedEffects[c].Estimate;
        return eta;
    }

    /// <summary>
    /// Category probabilities for an existing cluster: the fixed part for <paramref name="covariates"/> plus the
    /// conditional mode of the random intercept of the level given for each term named in <paramref name="levels"/> (other terms at 0).
    /// </summary>
    public double[] PredictExisting(IReadOnlyList<double> covariates, IReadOnlyDictionary<string, string> levels)
    {
        double eta = FixedPredictor(covariates);
        foreach (var (termName, level) in levels)
        {
            var term = Term(termName);
            int l = -1;
            for (int j = 0; j < term.LevelKeys.Count; j++) if (term.LevelKeys[j] == level) { l = j; break; }
            if (l < 0) throw new KeyNotFoundException($"Term '{termName}' has no level '{level}'.");
            int c = term.ColumnNames.ToList().IndexOf("(Intercept)");
            if (c < 0) throw new InvalidOperationException($"Term '{termName}' has no random intercept; predictions with random slopes need the slope covariates.");
            eta += term.ConditionalModes[l, c];
        }
        return CategoryProbabilities(eta);
    }

    /// <summary>
    /// Category probabilities for a new cluster (population-averaged): the fixed part for <paramref name="covariates"/>,
    /// with the random intercepts of every term integrated out (40-point Gauss–Hermite over N(0, Σ σ²)). Terms with
    /// random slopes are not supported here.
    /// </summary>
    public double[] PredictNewCluster(IReadOnlyList<double> covariates)
    {
        if (RandomEffects.Any(t => t.ColumnNames.Count != 1 || t.ColumnNames[0] != "(Intercept)"))
            throw new InvalidOperationException("Population-averaged probabilities are computed for random-intercept models only.");
        double eta = FixedPredictor(covariates);
        double sd = Math.Sqrt(RandomEffects.Sum(t => t.Variance()));
        var (nodes, weights) = GaussHermite.Rule(40);
        var result = new double[Categories.Count];
        for (int k = 0; k < nodes.Length; k++)
        {
            var pr = CategoryProbabilities(eta + sd * nodes[k]);
            for (int j = 0; j < pr.Length; j++) result[j] += weights[k] * pr[j];
        }
        return result;
    }

    /// <summary>Variance of the standard latent distribution: π²/3 (logit), 1 (probit), π²/6 (cloglog, Gumbel).</summary>
    public double LatentResidualVariance => Link switch
    {
        LinkFunction.Probit => 1,
        LinkFunction.Cloglog => Math.PI * Math.PI / 6,
        _ => Math.PI * Math.PI / 3,
    };

    /// <summary>
    /// Latent-scale variance partition coefficient of a random-intercept term: σ²_term / (Σ σ²_intercepts +
    /// <see cref="LatentResidualVariance"/>). Null for models with random slopes or an unknown term.
    /// </summary>
    public double? LatentVariancePartition(string term)
    {
        if (RandomEffects.Any(t => t.ColumnNames.Count != 1 || t.ColumnNames[0] != "(Intercept)")) return null;
        var target = RandomEffects.FirstOrDefault(t => t.Name == term);
        if (target is null) return null;
        return target.Variance() / (LatentResidualVariance + RandomEffects.Sum(t => t.Variance()));
    }
}

/// <summary>Likelihood-ratio tests between nested cumulative link mixed models, and against the model without random effects.</summary>
public static class OrdinalLikelihoodRatioTest
{
    /// <summary>
    /// Tests <paramref name="smaller"/> against <paramref name="larger"/> (either order): both fits to the same
    /// observations with the same approximation of the likelihood.
    /// </summary>
    public static LikelihoodRatioTestResult Compare(OrdinalMixedModelFit smaller, OrdinalMixedModelFit larger)
    {
        ArgumentNullException.ThrowIfNull(smaller);
        ArgumentNullException.ThrowIfNull(larger);
        if (smaller.ObservationCount != larger.ObservationCount)
            throw new ArgumentException($"The fits use different observations ({smaller.ObservationCount} and {larger.ObservationCount} rows): a likelihood-ratio test needs the same data.");
        if (smaller.QuadraturePoints != larger.QuadraturePoints)
            throw new ArgumentException($"The fits use different approximations of the likelihood ({smaller.QuadraturePoints} and {larger.QuadraturePoints} quadrature points): refit both the same way.");
        int df = larger.ParameterCount - smaller.ParameterCount;
        if (df < 0) (smaller, larger, df) = (larger, smaller, -df);
        bool oneVariance = df == 1 && larger.VarianceComponents.Count == smaller.VarianceComponents.Count + 1
            && larger.FixedEffects.Count == smaller.FixedEffects.Count;
        return LikelihoodRatioTestResult.Of(smaller.LogLikelihood, larger.LogLikelihood, df, oneVariance);
    }

    /// <summary>
    /// Tests the fit against the cumulative link model with the same thresholds and fixed effects and no random effects
    /// (clm): the test that every variance is zero; with a single variance the boundary p-value is half the χ²₁ one.
    /// </summary>
    public static LikelihoodRatioTestResult AgainstSingleLevel(OrdinalMixedModelFit fit)
    {
        ArgumentNullException.ThrowIfNull(fit);
        int df = fit.ParameterCount - fit.SingleLevelParameterCount;
        return LikelihoodRatioTestResult.Of(fit.SingleLevelLogLikelihood, fit.LogLikelihood, df, oneVariance: df == 1);
    }
}
