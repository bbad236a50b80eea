namespace TypedMixed;

/// <summary>
/// One weighted membership of a record in a multiple-membership classification: a pupil's share of time at one school.
/// </summary>
/// <typeparam name="TKey">The classification's key type (an integer, <see cref="string"/>, enum or other comparable key, as for <see cref="ClassificationAttribute"/>).</typeparam>
/// <param name="Level">The level (e.g. the school's id).</param>
/// <param name="Weight">The weight: finite and ≥ 0; by default a record's weights sum to 1 (see <see cref="MultipleMembershipAttribute.Weighting"/>).</param>
public readonly record struct Membership<TKey>(TKey Level, double Weight);

/// <summary>
/// Marks a property of a data type as a multiple-membership classification: each record belongs to several levels with
/// weights (a pupil who attended several schools). The property's type is a list or array of
/// <see cref="Membership{TKey}"/>, e.g. <c>IReadOnlyList&lt;Membership&lt;int&gt;&gt;</c>. Name it in
/// <c>[RandomIntercept]</c> or <c>[RandomSlopes]</c> like a classification; the term's effects are keyed by
/// <c>TKey</c>, and row <i>i</i> carries Σₖ wᵢₖ · (its covariates) · b[levelᵢₖ] (see docs/multiple-membership.md).
/// </summary>
/// <remarks>
/// The generated design builder rejects, naming the record and the member: an empty list, a level listed twice in one
/// record's list, a negative or non-finite weight, and (with <see cref="MembershipWeighting.SumToOne"/>) weights not
/// summing to 1 within 1e-6. A null list drops the record like any missing value. It cannot be an ordinary
/// classification, be nested, carry a <c>[MeasuredOn]</c> covariate (TM0030), or enter a generalized model or one with a
/// residual structure (TM0031).
/// </remarks>
/// <example><code>public sealed record Pupil(double Y, double X, [property: MultipleMembership] IReadOnlyList&lt;Membership&lt;int&gt;&gt; Schools);</code></example>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class MultipleMembershipAttribute : Attribute
{
    /// <summary>How each record's weights are checked or scaled: by default they must sum to 1.</summary>
    public MembershipWeighting Weighting { get; set; } = MembershipWeighting.SumToOne;
}
