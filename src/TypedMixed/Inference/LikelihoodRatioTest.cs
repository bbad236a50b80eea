namespace TypedMixed;

/// <summary>A likelihood-ratio test of a smaller model against a larger one that contains it.</summary>
public sealed record LikelihoodRatioTestResult
{
    /// <summary>χ² statistic: the drop in deviance (−2 log-likelihood) from the smaller to the larger model.</summary>
    public required double ChiSquare { get; init; }

    /// <summary>Degrees of freedom: the difference in the number of parameters.</summary>
    public required int DegreesOfFreedom { get; init; }

    /// <summary>P(χ²_df ≥ statistic).</summary>
    public required double PValue { get; init; }

    /// <summary>
    /// For a single variance tested on its boundary (zero), the p-value from the ½χ²₀ + ½χ²₁ mixture, half of
    /// <see cref="PValue"/>; NaN otherwise.
    /// </summary>
    public double BoundaryPValue { get; init; } = double.NaN;

    /// <summary>
    /// The test of the smaller model's log-likelihood against the larger's on <paramref name="df"/> degrees of freedom;
    /// with <paramref name="oneVariance"/> the boundary p-value is half the χ² one.
    /// </summary>
    internal static LikelihoodRatioTestResult Of(double smallerLogLikelihood, double largerLogLikelihood, int df, bool oneVariance)
    {
        double chi2 = Math.Max(0, -2 * (smallerLogLikelihood - largerLogLikelihood));
        double p = df == 0 ? double.NaN : Distributions.ChiSquareUpperTail(chi2, df);
        return new LikelihoodRatioTestResult { ChiSquare = chi2, DegreesOfFreedom = df, PValue = p, BoundaryPValue = oneVariance ? p / 2 : double.NaN };
    }
}

/// <summary>Likelihood-ratio tests between nested fits, and against the single-level (ordinary regression) model.</summary>
public static class LikelihoodRatioTest
{
    /// <summary>
    /// Tests <paramref name="smaller"/> against <paramref name="larger"/>. Both fits must use the same observations and
    /// method. REML fits with different fixed effects are refused (their REML likelihoods are not comparable): refit them
    /// by ML, or use <see cref="ModelComparison.Compare(ComparedModel[])"/> with the designs, which refits them as lme4's
    /// <c>anova</c> does. Fits with residual structures (AR(1)/CAR(1) correlation, variance functions) are compared the
    /// same way: their parameters count in <see cref="MixedModelFit.ParameterCount"/>, so the test of an AR(1) fit against
    /// the same model with independent residuals has one degree of freedom, as nlme's <c>anova</c>.
    /// </summary>
    /// <exception cref="ArgumentException">Different observations or methods, or REML fits with different fixed effects.</exception>
    public static LikelihoodRatioTestResult Compare(LinearMixedModelFit smaller, LinearMixedModelFit larger)
    {
        ArgumentNullException.ThrowIfNull(smaller);
        ArgumentNullException.ThrowIfNull(larger);
        if (smaller.ObservationCount != larger.ObservationCount)
            throw new ArgumentException($"The fits use different observations ({smaller.ObservationCount} and {larger.ObservationCount} rows): a likelihood-ratio test needs the same data.");
        if (smaller.Method != larger.Method)
            throw new ArgumentException("One fit is REML and the other ML: refit both with the same method (ML when the fixed effects differ).");
        int df = larger.ParameterCount - smaller.ParameterCount;
        if (df < 0)
            (smaller, larger, df) = (larger, smaller, -df);
        if (smaller.Method == EstimationMethod.Reml && !ModelComparison.SameFixedEffects(smaller, larger))
            throw new ArgumentException("These REML fits have different fixed effects: their REML likelihoods are not comparable, so no valid p-value " +
                "exists. Refit both by maximum likelihood (FitOptions.MaximumLikelihood), or compare them with ModelComparison.Compare and their " +
                "designs, which refits them by ML as lme4's anova does.");
        bool oneVariance = df == 1 && larger.RandomEffects.Sum(t => t.ColumnNames.Count) == smaller.RandomEffects.Sum(t => t.ColumnNames.Count) + 1
            && larger.VarianceComponents.Count == smaller.VarianceComponents.Count + 1;
        return LikelihoodRatioTestResult.Of(smaller.LogLikelihood, larger.LogLikelihood, df, oneVariance);
    }

    /// <summary>
    /// Tests the fit against its single-level version (the same fixed effects, no random effects, fitted by ordinary
    /// least squares with the same method): the test that every variance component is zero.
    /// </summary>
    public static LikelihoodRatioTestResult AgainstSingleLevel(LinearMixedModelFit fit, ModelDesign design)
    {
        var single = SingleLevelModel.Fit(design, fit.Method);
        int df = fit.ParameterCount - single.ParameterCount;
        return LikelihoodRatioTestResult.Of(single.LogLikelihood, fit.LogLikelihood, df, oneVariance: df == 1);
    }
}

/// <summary>Likelihood-ratio tests between generalized fits, and against the generalized linear model without random effects.</summary>
public static class GeneralizedLikelihoodRatioTest
{
    /// <summary>
    /// Tests <paramref name="smaller"/> against <paramref name="larger"/> (either order): both maximum-likelihood fits of
    /// the same family to the same observations, by the same approximation (Laplace or the same number of quadrature
    /// points), since −2 log L of different approximations are not comparable.
    /// </summary>
    public static LikelihoodRatioTestResult Compare(GeneralizedLinearMixedModelFit smaller, GeneralizedLinearMixedModelFit larger)
    {
        ArgumentNullException.ThrowIfNull(smaller);
        ArgumentNullException.ThrowIfNull(larger);
        if (smaller.ObservationCount != larger.ObservationCount)
            throw new ArgumentException($"The fits use different observations ({smaller.ObservationCount} and {larger.ObservationCount} rows): a likelihood-ratio test needs the same data.");
        if (smaller.Family != larger.Family)
            throw new ArgumentException($"The fits have different families ({smaller.Family} and {larger.Family}): their likelihoods are not comparable.");
        if (smaller.QuadraturePoints != larger.QuadraturePoints || smaller.LaplaceHessian != larger.LaplaceHessian)
            throw new ArgumentException($"The fits use different approximations of the likelihood ({smaller.QuadraturePoints} and {larger.QuadraturePoints} quadrature points): refit both the same way.");
        int df = larger.ParameterCount - smaller.ParameterCount;
        if (df < 0) (smaller, larger, df) = (larger, smaller, -df);
        bool oneVariance = df == 1 && larger.VarianceComponents.Count == smaller.VarianceComponents.Count + 1
            && larger.FixedEffects.Count == smaller.FixedEffects.Count;
        return LikelihoodRatioTestResult.Of(smaller.LogLikelihood, larger.LogLikelihood, df, oneVariance);
    }

    /// <summary>
    /// Tests the fit against the generalized linear model with the same fixed effects and no random effects (R's
    /// <c>glm</c>; for the negative binomial <c>glm.nb</c>, its shape re-estimated): the test that every variance
    /// component is zero. With a single variance the boundary-corrected p-value is half the χ²₁ one.
    /// </summary>
    public static LikelihoodRatioTestResult AgainstSingleLevel(GeneralizedLinearMixedModelFit fit, ModelDesign design)
    {
        ArgumentNullException.ThrowIfNull(fit);
        var single = GeneralizedLinearModel.Fit(design);
        int df = fit.ParameterCount - single.ParameterCount;
        return LikelihoodRatioTestResult.Of(single.LogLikelihood, fit.LogLikelihood, df, oneVariance: df == 1);
    }
}

/// <summary>The generalized linear model without random effects (R's <c>glm</c>, or <c>glm.nb</c>), for comparisons.</summary>
public static class GeneralizedLinearModel
{
    /// <summary>
    /// Fits η = Xβ + offset by iteratively reweighted least squares, ignoring the design's random-effects terms; the
    /// log-likelihood carries R's constants. For the negative binomial the shape k is estimated too (then counted).
    /// </summary>
    public static SingleLevelFit Fit(ModelDesign design)
    {
        var g = Estimation.GlmmProblem.Create(design);
        if (g.Family.Family != ResponseFamily.NegativeBinomial)
        {
            var r = Estimation.SingleLevelGlm.Fit(g);
            return new SingleLevelFit(r.LogLikelihood, -2 * r.LogLikelihood, double.NaN, g.P, r.Beta);
        }
        // Profile the shape: golden-section search on log k of the IRLS fit's log-likelihood.
        Estimation.SingleLevelGlm.Result FitAt(double logK) { g.Family.Shape = Math.Exp(logK); return Estimation.SingleLevelGlm.Fit(g); }
        double a = -8, b = 12, phi = (Math.Sqrt(5) - 1) / 2;
        double c = b - phi * (b - a), d = a + phi * (b - a);
        double fc = FitAt(c).LogLikelihood, fd = FitAt(d).LogLikelihood;
        while (b - a > 1e-9)
        {
            if (fc > fd) { b = d; d = c; fd = fc; c = b - phi * (b - a); fc = FitAt(c).LogLikelihood; }
            else { a = c; c = d; fc = fd; d = a + phi * (b - a); fd = FitAt(d).LogLikelihood; }
        }
        var best = FitAt(0.5 * (a + b));
        return new SingleLevelFit(best.LogLikelihood, -2 * best.LogLikelihood, double.NaN, g.P + 1, best.Beta);
    }
}

/// <summary>The single-level linear model (ordinary least squares) on a design's fixed effects, for comparisons.</summary>
public sealed record SingleLevelFit(double LogLikelihood, double Deviance, double ResidualVariance, int ParameterCount, double[] Coefficients);

/// <summary>Fits the single-level model y = Xβ + e by least squares, with ML or REML log-likelihood.</summary>
public static class SingleLevelModel
{
    /// <summary>Fits y = Xβ + e (the design's terms ignored).</summary>
    public static SingleLevelFit Fit(ModelDesign design, EstimationMethod method)
    {
        design.Validate();
        int n = design.Rows, p = design.FixedEffectCount;
        // The response less any offset; prior weights w make row i's variance σ²/wᵢ (the Gram of √w-scaled rows).
        var y = design.Response;
        if (design.Offset is { } offset)
        {
            y = new double[n];
            for (int i = 0; i < n; i++) y[i] = design.Response[i] - offset[i];
        }
        var w = design.Weights;
        double logWeightSum = w is null ? 0 : w.Sum(Math.Log);
        // Normal equations of [X y] by Cholesky (columns are few): X'WX = R'R, then rss = y'Wy − ‖R⁻ᵀX'Wy‖².
        var a = new double[(p + 1) * (p + 1)];
        var wc = w is null ? null : new double[n];
        for (int i = 0; i <= p; i++)
        {
            ReadOnlySpan<double> ci = i < p ? design.FixedEffects.AsSpan(i * n, n) : y;
            if (wc is not null)
            {
                for (int r = 0; r < n; r++) wc[r] = w![r] * ci[r];
                ci = wc;
            }
            for (int j = 0; j <= i; j++)
            {
                var cj = j < p ? design.FixedEffects.AsSpan(j * n, n) : y;
                a[j * (p + 1) + i] = Factorization.DenseKernels.Dot(ci, cj);
            }
        }
        int m = p + 1;
        double logDetX = 0;
        var kept = new List<int>();
        // Cholesky with aliased columns skipped (pivot ≤ tolerance of the original diagonal).
        var l = new double[m * m];
        Array.Copy(a, l, a.Length);
        var keep = new bool[m];
        for (int j = 0; j < m; j++)
        {
            double d = l[j * m + j];
            for (int c = 0; c < j; c++) if (keep[c]) d -= l[c * m + j] * l[c * m + j];
            bool last = j == p;
            if (!last && d <= 1e-14 * a[j * m + j]) continue;
            keep[j] = true;
            double r = Math.Sqrt(Math.Max(d, 0));
            l[j * m + j] = r;
            if (!last) logDetX += 2 * Math.Log(r);
            for (int i = j + 1; i < m; i++)
            {
                double s = l[j * m + i];
                for (int c = 0; c < j; c++) if (keep[c]) s -= l[c * m + i] * l[c * m + j];
                l[j * m + i] = r > 0 ? s / r : 0;
            }
        }
        int rank = keep.Take(p).Count(k => k);
        double rss = l[p * m + p] * l[p * m + p];
        bool reml = method == EstimationMethod.Reml;
        int df = reml ? n - rank : n;
        double sigma2 = rss / df;
        double dev = df * (1 + Math.Log(2 * Math.PI * sigma2)) + (reml ? logDetX : 0) - logWeightSum;
        var beta = new double[p];
        for (int j = p - 1; j >= 0; j--)
        {
            if (!keep[j]) continue;
            double s = l[j * m + p];
            for (int i = j + 1; i < p; i++) if (keep[i]) s -= l[j * m + i] * beta[i];
            beta[j] = s / l[j * m + j];
        }
        return new SingleLevelFit(-0.5 * dev, dev, sigma2, rank + 1, beta);
    }
}
