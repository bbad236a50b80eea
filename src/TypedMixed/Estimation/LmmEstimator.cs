namespace TypedMixed.Estimation;

internal static class LmmEstimator
{
    public static LinearMixedModelFit Fit(ModelDesign design, FitOptions options, CancellationToken cancellationToken)
    {
        design.Validate();
        throw new InvalidOperationException("The estimator is being written (landing in the next commit).");
    }
}
