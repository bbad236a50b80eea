using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace TypedMixed.Generators.Tests.Infrastructure;

/// <summary>
/// Runs the generator on markup source and checks its diagnostics exactly. <c>{|TM0001:text|}</c> marks where a
/// diagnostic is expected; any other diagnostic of warning or error severity — from the generator, the compiler, or
/// the compiler on generated code — fails the test, as does an exception thrown by the generator.
/// </summary>
internal static partial class DiagnosticVerifier
{
    [GeneratedRegex(@"\{\|(?<id>[A-Z]+\d+):(?<text>.*?)\|\}", RegexOptions.Singleline)]
    private static partial Regex Marker();

    /// <param name="markup">The source, with the expected diagnostics marked.</param>
    /// <param name="emitsCode">
    /// True when the expected diagnostics are warnings that still let the model's code be generated (TM0023); otherwise
    /// an expected diagnostic means nothing is generated.
    /// </param>
    public static void Verify(string markup, bool emitsCode = false)
    {
        var expected = new List<(string Id, TextSpan Span)>();
        var source = new StringBuilder();
        int last = 0;
        foreach (Match m in Marker().Matches(markup))
        {
            source.Append(markup, last, m.Index - last);
            expected.Add((m.Groups["id"].Value, new TextSpan(source.Length, m.Groups["text"].Length)));
            source.Append(m.Groups["text"].Value);
            last = m.Index + m.Length;
        }
        source.Append(markup, last, markup.Length - last);

        var (output, generatorDiagnostics, run) = GeneratorHarness.Run(source.ToString());
        Assert.Null(run.Results.Single().Exception);
        var actual = generatorDiagnostics.Concat(output.GetDiagnostics())
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Select(d => (d.Id, d.Location.SourceSpan, Message: d.GetMessage()))
            .ToList();
        string Describe() => string.Join("\n", actual.Select(a => $"  {a.Id} at {a.SourceSpan}: {a.Message}"));
        Assert.True(actual.Count == expected.Count, $"Expected {expected.Count} diagnostic(s), got:\n{Describe()}");
        foreach (var (id, span) in expected)
            Assert.True(actual.Any(a => a.Id == id && a.SourceSpan == span),
                $"Expected {id} at {span} ('{source.ToString(span.Start, span.Length)}'), got:\n{Describe()}");
        if (emitsCode)
            Assert.NotEmpty(run.GeneratedTrees);
        else if (expected.Any(e => DiagnosticDescriptors.ById(e.Id).DefaultSeverity >= DiagnosticSeverity.Warning))
            Assert.Empty(run.GeneratedTrees);
    }
}
