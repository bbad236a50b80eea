namespace TypedMixed.Presentation.Notebooks;

/// <summary>
/// Names the formatter source of a type for .NET Interactive (Polyglot Notebooks, Jupyter) without a reference to
/// its package: the kernel looks for an attribute whose type is named <c>TypeFormatterSourceAttribute</c>, reads its
/// <see cref="FormatterSourceType"/> and <see cref="PreferredMimeTypes"/>, creates the source and calls its
/// <c>CreateTypeFormatters()</c>; each formatter has a <c>MimeType</c>, a <c>Type</c> and
/// <c>bool Format(object, TextWriter)</c> (the convention of dotnet/interactive's <c>Formatter</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = true)]
internal sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
{
    /// <summary>The type whose <c>CreateTypeFormatters()</c> yields the formatters.</summary>
    public Type FormatterSourceType { get; } = formatterSourceType;

    /// <summary>MIME types the kernel should prefer for the attributed type.</summary>
    public string[]? PreferredMimeTypes { get; set; }
}
