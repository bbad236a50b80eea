namespace TypedMixed.Estimation;

/// <summary>Placeholder while the estimator is written (replaced in this change).</summary>
internal static class GlmmEstimator
{
    public static GeneralizedLinearMixedModelFit Fit(ModelDesign design, GlmmFitOptions options, CancellationToken cancellationToken)
        => throw new NotImplementedException();
}
