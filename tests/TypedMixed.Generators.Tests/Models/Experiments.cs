namespace TypedMixed.Generators.Tests.Models;

/// <summary>One strength measurement of the Pastes data (Davies and Goldsmith 1972): casks are nested in batches.</summary>
public sealed record Paste(
    double Strength,
    [property: Classification] string Batch,
    [property: Classification(NestedIn = nameof(Paste.Batch))] string Cask);

/// <summary>strength ~ 1 + (1 | batch/cask), REML: cask labels a, b, c restart in each batch.</summary>
[MixedModel<Paste>(Response = nameof(Paste.Strength))]
[RandomIntercept(nameof(Paste.Batch))]
[RandomIntercept(nameof(Paste.Cask))]
public partial record PastesModel;

/// <summary>One inhibition-zone diameter of the Penicillin assay (Davies and Goldsmith 1972): plates crossed with samples.</summary>
public sealed record Assay(double Diameter, [property: Classification] string Plate, [property: Classification] string Sample);

/// <summary>diameter ~ 1 + (1 | plate) + (1 | sample), REML.</summary>
[MixedModel<Assay>(Response = nameof(Assay.Diameter))]
[RandomIntercept(nameof(Assay.Plate))]
[RandomIntercept(nameof(Assay.Sample))]
public partial record PenicillinModel;
