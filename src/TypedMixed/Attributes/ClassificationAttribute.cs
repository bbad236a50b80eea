namespace TypedMixed;

/// <summary>
/// Marks a property of a data type as a classification (a grouping factor such as school, subject or batch): a discrete
/// key whose levels are the clusters over which random effects vary.
/// </summary>
/// <remarks>
/// The key may be an integer type, <see cref="string"/>, an enum, <see cref="char"/>, <see cref="Guid"/>, <see cref="bool"/>
/// or any type implementing <see cref="IComparable{T}"/> (floating-point types are rejected, TM0003). A nullable key
/// marks a missing classification; such rows are dropped (complete-case analysis).
/// </remarks>
/// <example><code>public sealed record Pupil(double NormExam, [property: Classification] int School);</code></example>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class ClassificationAttribute : Attribute
{
    /// <summary>
    /// The classification this one is nested in (e.g. a school within a district, when school ids are reused across
    /// districts). A random term over a nested classification has one level per distinct combination, named innermost
    /// first (<c>School:District</c>, levels <c>5:2</c>) as lme4's <c>(1 | district/school)</c>; its typed key is the tuple
    /// <c>(District, School)</c>. Name it with <c>nameof</c>.
    /// </summary>
    public string? NestedIn { get; set; }
}

/// <summary>
/// Declares that a covariate is measured on a classification: it is constant within each of that classification's
/// clusters (e.g. a school's gender policy is a school-level covariate).
/// </summary>
/// <remarks>
/// The generator rejects a random slope of the covariate over that classification or one nested in it (TM0006). The
/// generated design builder checks the data and throws a <see cref="ModelDesignException"/> naming the cluster and the
/// two values when the covariate varies within a cluster.
/// </remarks>
/// <example><code>[property: MeasuredOn(nameof(School))] SchoolGender SchoolGender</code></example>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class MeasuredOnAttribute : Attribute
{
    /// <summary>Declares the covariate as measured on <paramref name="classification"/> (use <c>nameof</c>).</summary>
    public MeasuredOnAttribute(string classification) => Classification = classification;

    /// <summary>The classification whose clusters the covariate is constant within.</summary>
    public string Classification { get; }
}
