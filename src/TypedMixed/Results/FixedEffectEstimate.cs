namespace TypedMixed;

/// <summary>One fixed-effect coefficient with its Wald and Satterthwaite inference.</summary>
public sealed record FixedEffectEstimate
{
    /// <summary>Column name, e.g. <c>(Intercept)</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The estimate β̂.</summary>
    public required double Estimate { get; init; }

    /// <summary>Standard error, from σ̂²(X'V⁻¹X)⁻¹ at the estimates.</summary>
    public required double StdError { get; init; }

    /// <summary>Wald statistic β̂ / SE.</summary>
    public double Z => Estimate / StdError;

    /// <summary>Two-sided p-value of the Wald z test.</summary>
    public double PValue => 2 * Distributions.NormalUpperTail(Math.Abs(Z));

    /// <summary>Lower end of the 95 % Wald interval.</summary>
    public double Lower95 => Estimate - Distributions.NormalQuantile975 * StdError;

    /// <summary>Upper end of the 95 % Wald interval.</summary>
    public double Upper95 => Estimate + Distributions.NormalQuantile975 * StdError;

    /// <summary>Satterthwaite denominator degrees of freedom (NaN when not computed).</summary>
    public double SatterthwaiteDf { get; init; } = double.NaN;

    /// <summary>Two-sided p-value of the t test with Satterthwaite degrees of freedom (NaN when not computed).</summary>
    public double SatterthwaitePValue => double.IsNaN(SatterthwaiteDf) ? double.NaN : 2 * Distributions.StudentUpperTail(Math.Abs(Z), SatterthwaiteDf);
}
