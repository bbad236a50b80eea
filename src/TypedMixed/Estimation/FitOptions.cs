namespace TypedMixed;

/// <summary>Settings of one fit. All members have defaults; set what you need with an object initializer.</summary>
public sealed class FitOptions
{
    /// <summary>
    /// How the factor's tail is stored: chosen by its measured fill (default), or forced dense or sparse — for tests
    /// that compare the two paths on one model.
    /// </summary>
    internal Estimation.TailFactorization TailFactorization { get; init; } = Estimation.TailFactorization.Auto;

    /// <summary>REML (default, as lme4) or maximum likelihood.</summary>
    public EstimationMethod Method { get; init; } = EstimationMethod.Reml;

    /// <summary>Receives optimizer progress (evaluation count and current objective).</summary>
    public IProgress<FitProgress>? Progress { get; init; }

    /// <summary>
    /// Starting θ (relative covariance factor, in the order of <see cref="MixedModelFit.ThetaNames"/>); by default
    /// Λ = I on columns scaled to unit root mean square (for intercepts the same as lme4's start).
    /// </summary>
    public double[]? InitialTheta { get; init; }

    /// <summary>Maximum number of objective evaluations before the optimizer stops.</summary>
    public int MaxEvaluations { get; init; } = 100_000;

    /// <summary>
    /// Stop BOBYQA early when a trust-region step gains, and its model predicts, less than this (deviance units);
    /// the convergence check's Newton step then polishes θ. Used only when <see cref="CheckConvergence"/> is on.
    /// </summary>
    public double FunctionTolerance { get; init; } = 1e-6;

    /// <summary>
    /// Initial trust-region radius of BOBYQA (ρ_beg; not used by the quasi-Newton method). The optimizer works on θ scaled by the root mean
    /// square of each entry's random-effects column, where the start (Λ = I on that scale) has 1 on the diagonals.
    /// </summary>
    public double InitialTrustRadius { get; init; } = 0.2;

    /// <summary>
    /// Trust-region radius at which BOBYQA stops (ρ_end, in θ units; not used by the quasi-Newton method). The convergence check's Newton
    /// step then polishes θ (see <see cref="CheckConvergence"/>).
    /// </summary>
    public double FinalTrustRadius { get; init; } = 1e-6;

    /// <summary>Compute standard errors of the variance components from the observed information (a few dozen extra evaluations).</summary>
    public bool VarianceComponentErrors { get; init; } = true;

    /// <summary>
    /// Confirm the optimum from finite-difference derivatives of the objective (a Newton-decrement test), and restart
    /// the optimizer once if it is not confirmed. Costs about 2d² + 2d evaluations for d = |θ|.
    /// </summary>
    public bool CheckConvergence { get; init; } = true;

    /// <summary>
    /// The optimizer over θ. <see cref="FitOptimizer.Bobyqa"/> needs only objective values;
    /// <see cref="FitOptimizer.QuasiNewton"/> uses the analytic gradient of the profiled objective (models without a
    /// residual structure, without an envelope-stored membership term and without a sparse tail; others fall back to
    /// BOBYQA). Null (the default): the quasi-Newton method where the gradient covers the model and one evaluation with
    /// it is estimated to cost at most three evaluations without it
    /// (with several θ it needs 3–5 times fewer evaluations than BOBYQA), BOBYQA otherwise.
    /// </summary>
    public FitOptimizer? Optimizer { get; init; }

    /// <summary>
    /// Where the convergence check and the variance-component information take derivatives from: by default the analytic
    /// gradient when it is estimated to cost fewer objective evaluations than finite differences (tests force either).
    /// </summary>
    internal DerivativeSource Derivatives { get; init; } = DerivativeSource.Cheaper;

    /// <summary>Compute Satterthwaite denominator degrees of freedom for the fixed effects.</summary>
    public bool Satterthwaite { get; init; } = true;

    /// <summary>The defaults: REML.</summary>
    public static FitOptions Default { get; } = new();

    /// <summary>Maximum likelihood with other settings at their defaults.</summary>
    public static FitOptions MaximumLikelihood { get; } = new() { Method = EstimationMethod.MaximumLikelihood };
}

/// <summary>Progress of a fit: the optimizer's evaluation count and the objective (deviance or REML criterion) just computed.</summary>
public readonly record struct FitProgress(int Evaluations, double Objective, double BestObjective);

/// <summary>The optimizer of a linear mixed model's profiled objective.</summary>
public enum FitOptimizer
{
    /// <summary>Powell's derivative-free BOBYQA (as lme4).</summary>
    Bobyqa,

    /// <summary>A projected quasi-Newton method on the analytic gradient (<see cref="Optimization.ProjectedQuasiNewton"/>).</summary>
    QuasiNewton,
}

/// <summary>Derivatives for the convergence check and the variance-component information.</summary>
internal enum DerivativeSource
{
    /// <summary>The analytic gradient when its estimated cost (<see cref="Estimation.ProfiledDevianceGradient.RelativeCost"/>) is lower.</summary>
    Cheaper,

    /// <summary>Finite differences of the objective.</summary>
    FiniteDifferences,

    /// <summary>Differences of the analytic gradient (where it covers the model).</summary>
    Gradient,
}
