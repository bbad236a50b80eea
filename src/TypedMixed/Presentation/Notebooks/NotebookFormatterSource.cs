namespace TypedMixed.Presentation.Notebooks;

/// <summary>
/// The formatters .NET Interactive finds by convention on <see cref="MixedModelFit"/> and
/// <see cref="ModelComparisonResult"/>: HTML (the default in notebooks) and plain text.
/// </summary>
internal sealed class NotebookFormatterSource
{
    /// <summary>Called by the kernel (by name) the first time it displays one of the attributed types.</summary>
    public IEnumerable<object> CreateTypeFormatters() =>
    [
        new NotebookFormatter(typeof(MixedModelFit), "text/html", o => FitSummary.ToHtml((MixedModelFit)o)),
        new NotebookFormatter(typeof(MixedModelFit), "text/plain", o => FitSummary.ToText((MixedModelFit)o)),
        new NotebookFormatter(typeof(ModelComparisonResult), "text/html", o => ((ModelComparisonResult)o).ToHtml()),
        new NotebookFormatter(typeof(ModelComparisonResult), "text/plain", o => o.ToString()!),
    ];
}

/// <summary>One formatter of the convention: the type it formats, its MIME type, and <c>Format(object, TextWriter)</c>.</summary>
internal sealed class NotebookFormatter(Type type, string mimeType, Func<object, string> render)
{
    /// <summary>The formatted type (and its subclasses).</summary>
    public Type Type { get; } = type;

    /// <summary>The MIME type written.</summary>
    public string MimeType { get; } = mimeType;

    /// <summary>Writes the instance and returns true; false for an instance of another type.</summary>
    public bool Format(object instance, TextWriter writer)
    {
        if (instance is null || !Type.IsInstanceOfType(instance)) return false;
        writer.Write(render(instance));
        return true;
    }
}
