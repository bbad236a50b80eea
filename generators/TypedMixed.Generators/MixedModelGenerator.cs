using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace TypedMixed.Generators;

/// <summary>
/// Generates, for each type marked <c>[MixedModel&lt;T&gt;]</c>, a design builder, <c>Fit</c> and a typed result. This
/// file only wires the pipeline: <see cref="Parser"/> (symbols → spec and diagnostics), <see cref="Emitter"/> (spec → code).
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class MixedModelGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var models = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                Parser.MixedModelAttribute,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => Parser.Parse(ctx, ct))
            .WithTrackingName(TrackingNames.Parse);

        var specs = models
            .Where(static r => r.Spec is not null)
            .Select(static (r, _) => r.Spec!)
            .WithTrackingName(TrackingNames.Specs);

        var modelDiagnostics = models
            .Select(static (r, _) => r.ModelDiagnostics)
            .WithTrackingName(TrackingNames.ModelDiagnostics);

        // A data type's own attribute errors are found once per model that uses it; report each once.
        var dataDiagnostics = models
            .Select(static (r, _) => r.DataDiagnostics)
            .Collect()
            .Select(static (all, _) => all.SelectMany(d => d).Distinct().ToEquatableArray())
            .WithTrackingName(TrackingNames.DataDiagnostics);

        context.RegisterSourceOutput(specs, static (spc, spec) =>
            spc.AddSource(Emitter.HintName(spec), SourceText.From(Emitter.Emit(spec), System.Text.Encoding.UTF8)));
        context.RegisterSourceOutput(modelDiagnostics, static (spc, diagnostics) => Report(spc, diagnostics));
        context.RegisterSourceOutput(dataDiagnostics, static (spc, diagnostics) => Report(spc, diagnostics));
    }

    private static void Report(SourceProductionContext context, IEnumerable<DiagnosticInfo> diagnostics)
    {
        foreach (var d in diagnostics) context.ReportDiagnostic(d.ToDiagnostic());
    }
}
