using TypedMixed.Factorization;

namespace TypedMixed.Estimation;

/// <summary>
/// The objective minimised over θ, from the factor's diagonal alone (β, u and σ² profiled out):
/// ML deviance  d(θ) = log|L_Z|² + n (1 + log(2π r²/n));
/// REML criterion d_R(θ) = log|L_Z|² + log|L_X|² + (n − p)(1 + log(2π r²/(n − p))).
/// With prior weights (residual variance σ²/wᵢ) both subtract Σ log wᵢ, as lme4 does; r² is then the weighted
/// penalized residual sum of squares the factor was formed with.
/// </summary>
internal sealed class ProfiledDeviance
{
    public ProfiledDeviance(BlockedCholesky factor, int n, int p, bool reml)
    {
        Factor = factor;
        N = n;
        P = p;
        Reml = reml;
    }

    public BlockedCholesky Factor { get; }
    public int N { get; }
    public int P { get; }
    public bool Reml { get; }

    /// <summary>Σ log wᵢ of the prior weights (<see cref="MixedModelProblem.LogWeightSum"/>); 0 without weights.</summary>
    public double LogWeightSum { get; init; }

    /// <summary>Degrees of freedom of the residual variance: n for ML, n − p for REML.</summary>
    public int ResidualDf => Reml ? N - P : N;

    /// <summary>The profiled objective at θ (+∞ where the factorization fails).</summary>
    public double Evaluate(ReadOnlySpan<double> theta)
    {
        if (!Factor.Update(theta)) return double.PositiveInfinity;
        return ObjectiveFromFactor(Reml);
    }

    /// <summary>The profiled ML deviance (reml = false) or REML criterion of the current factor.</summary>
    public double ObjectiveFromFactor(bool reml)
    {
        double r2 = Factor.PenalizedRss;
        int df = reml ? N - P : N;
        double d = Factor.LogDetZ + df * (1 + Math.Log(2 * Math.PI * r2 / df)) - LogWeightSum;
        return reml ? d + Factor.LogDetX : d;
    }

    /// <summary>
    /// The log-likelihood (REML log-likelihood when REML) at θ and a given σ², β profiled out:
    /// −½[log|L_Z|² (+ log|L_X|²) + df·log(2πσ²) + r²/σ²].
    /// </summary>
    public double LogLikelihood(ReadOnlySpan<double> theta, double sigma2)
    {
        if (!(sigma2 > 0) || !Factor.Update(theta)) return double.NaN;
        double d = Factor.LogDetZ + ResidualDf * Math.Log(2 * Math.PI * sigma2) + Factor.PenalizedRss / sigma2 - LogWeightSum;
        if (Reml) d += Factor.LogDetX;
        return -0.5 * d;
    }
}
