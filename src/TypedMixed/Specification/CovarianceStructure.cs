namespace TypedMixed;

/// <summary>The covariance structure of the random effects of one term (the q × q matrix Σ of one cluster's effects).</summary>
public enum CovarianceStructure
{
    /// <summary>Unstructured (correlated effects): every variance and covariance is a parameter, as lme4's <c>(x | g)</c>.</summary>
    Unstructured,

    /// <summary>Diagonal (uncorrelated effects): one variance per column, covariances zero, as lme4's <c>(x || g)</c>.</summary>
    Diagonal,

    /// <summary>Scalar: one variance shared by all columns, covariances zero.</summary>
    Scalar,
}

/// <summary>How the variance parameters are estimated.</summary>
public enum EstimationMethod
{
    /// <summary>Restricted (residual) maximum likelihood, lme4's default.</summary>
    Reml,

    /// <summary>Maximum likelihood (needed for likelihood-ratio tests between models with different fixed effects).</summary>
    MaximumLikelihood,
}
