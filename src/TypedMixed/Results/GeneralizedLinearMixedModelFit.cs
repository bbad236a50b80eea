namespace TypedMixed;

/// <summary>
/// A fitted generalized linear mixed model: fixed effects on the link scale with inference, variance components of
/// the random effects, conditional modes with conditional SDs, the (Laplace or quadrature) log-likelihood with all
/// constants as R's density functions, and how the optimum was found.
/// </summary>
public sealed class GeneralizedLinearMixedModelFit : MixedModelFit
{
    internal GeneralizedLinearMixedModelFit() { }

    /// <summary>The response family.</summary>
    public required ResponseFamily Family { get; init; }

    /// <summary>The link used (never <see cref="LinkFunction.Canonical"/>: the canonical link is resolved).</summary>
    public required LinkFunction Link { get; init; }

    /// <summary>Quadrature points per random effect: 1 = Laplace approximation.</summary>
    public required int QuadraturePoints { get; init; }

    /// <summary>The curvature used in the Laplace log-determinant (matters only for non-canonical links).</summary>
    public required LaplaceHessian LaplaceHessian { get; init; }

    /// <summary>Where <see cref="MixedModelFit.FixedEffectsCovariance"/> came from.</summary>
    public required FixedEffectsCovarianceSource FixedEffectsCovarianceSource { get; init; }

    /// <summary>The fixed-effects covariance from the PIRLS factor (lme4's <c>use.hessian = FALSE</c>), whatever is reported.</summary>
    public required double[,] FixedEffectsCovarianceFromFactor { get; init; }

    /// <summary>−2 × <see cref="MixedModelFit.LogLikelihood"/> (what glmer's summary prints as "deviance").</summary>
    public double Deviance => -2 * LogLikelihood;

    /// <summary>Sum of the squared deviance residuals at the conditional modes (lme4's <c>deviance(fit)</c>).</summary>
    public required double ConditionalDeviance { get; init; }

    /// <summary>Residual degrees of freedom: observations − parameters.</summary>
    public int ResidualDf => ObservationCount - ParameterCount;

    /// <summary>The linear predictor η = Xβ̂ + Zb̂ + offset at the conditional modes, one per row.</summary>
    public required double[] LinearPredictor { get; init; }

    /// <summary>Pearson residuals (y − μ̂)·√(w / V(μ̂)) on the response scale (proportions for binomial), one per row.</summary>
    public required double[] PearsonResiduals { get; init; }

    /// <summary>Σ Pearson residual² / residual df: about 1 for a Poisson or binomial model that fits; well above 1 means overdispersion.</summary>
    public double PearsonDispersion => PearsonResiduals.Sum(r => r * r) / ResidualDf;

    /// <summary>Negative binomial only: the estimated (or given) shape k of Var(y) = μ + μ²/k; NaN otherwise.</summary>
    public double NegativeBinomialShape { get; init; } = double.NaN;

    /// <summary>Standard error of <see cref="NegativeBinomialShape"/> (observed information; NaN when not estimated).</summary>
    public double NegativeBinomialShapeStdError { get; init; } = double.NaN;

    /// <summary>μ = g⁻¹(η) for this fit's link.</summary>
    public double InverseLink(double eta) => Families.Links.Inverse(Link, eta);

    /// <summary>
    /// Latent-scale intraclass correlation (VPC) of a random-intercept term of a binary/binomial logit or probit model:
    /// σ²_term / (Σ σ²_intercepts + π²/3) for logit, (… + 1) for probit. Null for other links or models with slopes.
    /// </summary>
    public double? LatentIntraclassCorrelation(string term)
    {
        if (Family != ResponseFamily.Binomial || (Link != LinkFunction.Logit && Link != LinkFunction.Probit)) return null;
        if (RandomEffects.Any(t => t.ColumnNames.Count != 1 || t.ColumnNames[0] != "(Intercept)")) return null;
        var target = RandomEffects.FirstOrDefault(t => t.Name == term);
        if (target is null) return null;
        double level1 = Link == LinkFunction.Logit ? Math.PI * Math.PI / 3 : 1;
        return target.Variance() / (level1 + RandomEffects.Sum(t => t.Variance()));
    }
}
