namespace TypedMixed;

/// <summary>
/// Correlates a linear mixed model's level-1 residuals within the clusters of a classification, ordered by a time member
/// (nlme's <c>correlation = corAR1(~ time | cluster)</c> or <c>corCAR1</c>). Rows of different clusters stay independent.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="ResidualCorrelationStructure.Ar1"/> needs whole-number occasions: the time member must be an integer type
/// (TM0025); gaps are allowed, the correlation of two rows is ρ to the power of their occasions' difference.
/// <see cref="ResidualCorrelationStructure.ContinuousAr1"/> takes any numeric time. A null time drops the row.
/// </para>
/// <para>
/// The classification must be one a random-effects term of the model is over, or declared nested in one with
/// <see cref="ClassificationAttribute.NestedIn"/> (TM0026): residuals are correlated within the model's clusters. A model
/// has at most one such attribute (TM0028); Gaussian models only (TM0017).
/// </para>
/// <para>
/// Within a cluster the records must come in strictly increasing time: the generated <c>BuildDesign</c> never reorders
/// them and throws a <see cref="ModelDesignException"/> naming the two rows otherwise.
/// </para>
/// </remarks>
/// <example><code>
/// [MixedModel&lt;Reading&gt;(Response = nameof(Reading.Reaction), Fixed = [nameof(Reading.Days)])]
/// [RandomIntercept(nameof(Reading.Subject))]
/// [ResidualCorrelation(ResidualCorrelationStructure.Ar1, nameof(Reading.Days), nameof(Reading.Subject))]
/// public partial record SleepAr1Model;
/// </code></example>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class ResidualCorrelationAttribute : Attribute
{
    /// <summary>Declares the residual correlation <paramref name="structure"/> over <paramref name="time"/> within <paramref name="classification"/> (name both with <c>nameof</c>).</summary>
    public ResidualCorrelationAttribute(ResidualCorrelationStructure structure, string time, string classification)
    {
        Structure = structure;
        Time = time;
        Classification = classification;
    }

    /// <summary>AR(1) over whole-number occasions or continuous-time AR(1).</summary>
    public ResidualCorrelationStructure Structure { get; }

    /// <summary>The member holding each record's time (an integer occasion for AR(1)).</summary>
    public string Time { get; }

    /// <summary>The classification whose clusters carry the correlation.</summary>
    public string Classification { get; }
}

/// <summary>
/// Lets a linear mixed model's level-1 variance depend on members of the record (nlme's <c>weights = varIdent(…)</c>,
/// <c>varExp</c>, <c>varPower</c>; the multilevel literature's log-linear variance and MLwiN's quadratic one).
/// </summary>
/// <remarks>
/// What the constructor's <c>members</c> must be, by <see cref="Kind"/> (TM0013 for the wrong count, TM0027
/// for a wrong type):
/// <list type="bullet">
/// <item><see cref="ResidualVarianceFunctionKind.Ident"/>: one bool, enum or string member, one variance per level
/// (the first enum member, <c>false</c>, or the first string in ordinal order is the reference, variance σ²).</item>
/// <item><see cref="ResidualVarianceFunctionKind.Exponential"/> and <see cref="ResidualVarianceFunctionKind.Power"/>: one
/// numeric member (for the power function never 0 at run time).</item>
/// <item><see cref="ResidualVarianceFunctionKind.LogLinear"/>: one or more numeric, bool, enum or string members; a
/// category enters as its treatment-contrast columns.</item>
/// <item><see cref="ResidualVarianceFunctionKind.Quadratic"/>: one or more numeric members.</item>
/// </list>
/// A null in a member drops the row. A model has at most one such attribute (TM0028), and not together with
/// <c>Weights</c>; Gaussian models only (TM0017).
/// </remarks>
/// <example><code>
/// [ResidualVariance(ResidualVarianceFunctionKind.Ident, nameof(Pupil.Sex))]
/// [ResidualVariance(ResidualVarianceFunctionKind.LogLinear, nameof(Pupil.Sex), nameof(Pupil.StandLrt))]
/// </code></example>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class ResidualVarianceAttribute : Attribute
{
    /// <summary>Declares the variance function <paramref name="kind"/> of <paramref name="members"/> (name them with <c>nameof</c>).</summary>
    public ResidualVarianceAttribute(ResidualVarianceFunctionKind kind, params string[] members)
    {
        Kind = kind;
        Members = members;
    }

    /// <summary>The form of the variance function.</summary>
    public ResidualVarianceFunctionKind Kind { get; }

    /// <summary>The members it depends on: the stratum of <see cref="ResidualVarianceFunctionKind.Ident"/>, otherwise the covariates.</summary>
    public string[] Members { get; }
}
