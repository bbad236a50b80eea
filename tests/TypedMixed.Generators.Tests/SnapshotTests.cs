using Microsoft.CodeAnalysis;
using TypedMixed.Generators.Tests.Infrastructure;

namespace TypedMixed.Generators.Tests;

/// <summary>Pins the generated source of each sample model (the same declarations the end-to-end tests compile).</summary>
public class SnapshotTests
{
    private static string ModelFile(string name) => File.ReadAllText(Path.Combine(GeneratorHarness.ProjectDirectory(), "Models", name));

    public static TheoryData<string, string> Models => new()
    {
        { "InnerLondon.cs", "EmptyModel" },
        { "InnerLondon.cs", "StandLrtModel" },
        { "InnerLondon.cs", "SchoolGenderModel" },
        { "InnerLondon.cs", "RandomSlopeModel" },
        { "SleepStudy.cs", "SleepModel" },
        { "SleepStudy.cs", "SleepUncorrelatedModel" },
        { "Structures.cs", "NestedModel" },
        { "Structures.cs", "CrossedModel" },
        { "Structures.cs", "CrossLevelModel" },
        { "Structures.cs", "ThreeWayModel" },
        { "NoIntercept.cs", "NoInterceptModel" },
        { "NoIntercept.cs", "SlopePerSexModel" },
        { "Experiments.cs", "PastesModel" },
        { "Experiments.cs", "PenicillinModel" },
        { "Prediction.cs", "SlopeOnlyModel" },
        { "WeightedSleepStudy.cs", "WeightedOffsetSleepModel" },
        { "Glmm.cs", "CbppModel" },
        { "Glmm.cs", "RecoveryModel" },
        { "Glmm.cs", "EventRateModel" },
        { "ResidualStructures.cs", "SleepAr1Model" },
        { "ResidualStructures.cs", "ExamVarIdentModel" },
        { "ResidualStructures.cs", "ExamLogLinearModel" },
        { "ResidualStructures.cs", "ClinicCar1Model" },
        { "ResidualStructures.cs", "ClinicPowerModel" },
        { "Memberships.cs", "MmPupilModel" },
        { "Memberships.cs", "MmWardSlopeModel" },
        { "Multivariate.cs", "GcseBivariateModel" },
        { "Multivariate.cs", "GcseSlopesModel" },
        { "Ordinal.cs", "WineModel" },
        { "Ordinal.cs", "WineEquidistantModel" },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Sample_model(string file, string model)
    {
        // The model's file, plus the file declaring its data type when that is another one.
        string[] sources = file switch
        {
            "NoIntercept.cs" => [ModelFile(file), ModelFile("InnerLondon.cs")],
            "ResidualStructures.cs" => [ModelFile(file), ModelFile("InnerLondon.cs"), ModelFile("Structures.cs")],
            _ => [ModelFile(file)],
        };
        var (output, diagnostics, run) = GeneratorHarness.Run(sources);
        Assert.Empty(diagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        var generated = run.Results.Single().GeneratedSources.Single(s => s.HintName.EndsWith("." + model + ".g.cs", StringComparison.Ordinal));
        Snapshot.Verify(model, generated.SourceText.ToString());
    }
}
