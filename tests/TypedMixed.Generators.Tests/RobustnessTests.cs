using Microsoft.CodeAnalysis;
using TypedMixed.Generators.Tests.Infrastructure;

namespace TypedMixed.Generators.Tests;

/// <summary>Malformed or half-typed declarations never make the generator throw, and an invalid model emits nothing.</summary>
public class RobustnessTests
{
    private const string Valid = """
        using TypedMixed;
        namespace Sample;
        public enum Arm { Control, Active }
        public sealed record Visit(double? Score, double Time, Arm Arm, string Region,
            [property: MeasuredOn(nameof(Visit.Clinic))] double Size,
            [property: Classification] string Clinic,
            [property: Classification(NestedIn = nameof(Visit.Clinic))] int Patient);
        [MixedModel<Visit>(Response = nameof(Visit.Score), Fixed = [nameof(Visit.Time), nameof(Visit.Arm), nameof(Visit.Region)], Method = EstimationMethod.MaximumLikelihood)]
        [Interaction(nameof(Visit.Time), nameof(Visit.Arm))]
        [RandomIntercept(nameof(Visit.Clinic))]
        [RandomSlopes(nameof(Visit.Patient), nameof(Visit.Time), Correlated = false)]
        public partial record M;
        """;

    public static TheoryData<string> Corpus => new()
    {
        "using TypedMixed; [MixedModel<>] public partial record M;",
        "using TypedMixed; [MixedModel<int>(Response = \"X\")] [RandomIntercept(\"G\")] public partial record M;",
        "using TypedMixed; [MixedModel<Missing>(Response = \"X\")] public partial record M;",
        "using TypedMixed; public record R(double Y); [MixedModel<R>(Response = )] public partial record M;",
        "using TypedMixed; public record R(double Y); [MixedModel<R>(Response = null!, Fixed = null!)] [RandomIntercept(null!)] public partial record M;",
        "using TypedMixed; public record R(double Y); [MixedModel<R>(Response = nameof(R.Y), Fixed = [null!, \"\"])] [RandomSlopes(null!, null!)] public partial record M;",
        "using TypedMixed; public record R(double Y, [property: Classification(NestedIn = null)] int G); [MixedModel<R>(Response = nameof(R.Y))] [RandomSlopes(nameof(R.G), Intercept = false, Correlated = false)] [Interaction] [Interaction(null!)] public partial record M;",
        "using TypedMixed; public record R(double Y, [property: MeasuredOn(null!)] int S, [property: Classification(NestedIn = \"\")] int G); [MixedModel<R>(Response = nameof(R.Y), Fixed = [nameof(R.S)])] [RandomIntercept(nameof(R.G))] public partial record M;",
        "using TypedMixed; public record R(double Y); [MixedModel<R>(Response = nameof(R.Y), Method = (EstimationMethod)7)] [RandomIntercept(nameof(R.Y))] public partial record M;",
        "using TypedMixed; public record R(double Y); [MixedModel<R>(Response = nameof(R.Y))] [RandomIntercept(nameof(R.Y))] public partial interface M;",
        "using TypedMixed; public record R(double Y); [MixedModel<R>(Response = nameof(R.Y))] [RandomIntercept(nameof(R.Y))] public partial record struct M;",
        "using TypedMixed; public record R(double Y); [MixedModel<R>(Response = nameof(R.Y))] [RandomIntercept(nameof(R.Y))] public static partial class M;",
        "using TypedMixed; public record R(double Y); [MixedModel<R>(Response = nameof(R.Y))] [MixedModel<R>(Response = nameof(R.Y))] public partial record M;",
        "using TypedMixed; public record R<T>(T Y); [MixedModel<R<T>>(Response = \"Y\")] public partial record M<T>;",
        "using TypedMixed; public enum E { } public record R(double Y, E E, [property: Classification] E G); [MixedModel<R>(Response = nameof(R.Y), Fixed = [nameof(R.E)])] [RandomIntercept(nameof(R.G))] public partial record M;",
        "using TypedMixed; public record R(double Y, [property: Classification] int G) { public double this[int i] => i; } [MixedModel<R>(Response = nameof(R.Y), Fixed = [\"this[]\", \"Item\"])] [RandomIntercept(nameof(R.G))] public partial record M;",
        "using TypedMixed; public record R(double Y, [property: Classification] int G); [MixedModel<R>(Response = nameof(R.Y))] [RandomIntercept(nameof(R.G))] public partial record M; public partial record M;",
        "using TypedMixed; public record R(double Y, [property: Classification] int G); [MixedModel<R>(Response = nameof(R.Y))] [RandomIntercept(nameof(R.G))] partial record M; partial class M;",
        "[TypedMixed.MixedModel<R>(Response = \"Y\"", 
        "using TypedMixed; public record R(bool Y, [property: Classification] int G); [MixedModel<R>(Response = nameof(R.Y), Family = (ResponseFamily)(-1), Link = (LinkFunction)99)] [RandomIntercept(nameof(R.G))] public partial record M;",
        "using TypedMixed; public record R(int Y, [property: Classification] int G); [MixedModel<R>(Response = nameof(R.Y), Family = ResponseFamily.Binomial, Trials = null!, Offset = \"\", Weights = null)] [RandomIntercept(nameof(R.G))] public partial record M;",
        "using TypedMixed; public record R(int Y, [property: Classification] int G); [MixedModel<R>(Response = nameof(R.Y), Family = ResponseFamily.Poisson, QuadraturePoints = int.MaxValue)] [RandomIntercept(nameof(R.G))] public partial record M;",
        "using TypedMixed; public record R(int Y, [property: Classification] int G); [MixedModel<R>(Response = nameof(R.Y), Family = ResponseFamily.Poisson, QuadraturePoints = -5, Offset = nameof(R.G), Weights = nameof(R.G))] [RandomIntercept(nameof(R.G))] public partial record M;",
        "using TypedMixed; public record R(bool? Y, [property: Classification] int G); [MixedModel<R>(Response = nameof(R.Y), Family = ResponseFamily.Binomial, Trials = nameof(R.Y), Link = LinkFunction.Canonical)] [RandomIntercept(nameof(R.G))] public partial record M;",
        "using TypedMixed; public record R(int Y, [property: Classification] int G); [MixedModel<R>(Response = nameof(R.Y), Family = ResponseFamily.Poisson, Trials = , Offset = 3)] [RandomIntercept(nameof(R.G))] public partial record M;",
        "using TypedMixed; public record R(int Y, [property: Classification] int G); [MixedModel<R>(Response = nameof(R.Y), Family = ResponseFamily.NegativeBinomial, QuadraturePoints = \"7\")] [RandomIntercept(nameof(R.G))] public partial record M;",
        "using TypedMixed; public record R([property: Classification, MeasuredOn(nameof(R.Y))] int Y); [MixedModel<R>(Response = nameof(R.Y), Fixed = [nameof(R.Y), nameof(R.Y)], Intercept = false)] [Interaction(nameof(R.Y), nameof(R.Y))] [RandomSlopes(nameof(R.Y), nameof(R.Y))] public partial record M;",
        "using TypedMixed; public record R([property: MeasuredOn(nameof(R.G))] double Y, [property: Classification(NestedIn = nameof(R.G))] int G); [MixedModel<R>(Response = nameof(R.Y), Method = (EstimationMethod)(-1), Intercept = false)] [RandomIntercept(nameof(R.G))] public partial record M;",
        "using TypedMixed; public record R(double Y, [property: Classification] int G); [MixedModel<R>(Response = \"y\", Fixed = [\"g\", \"\", \"Gg\"])] [RandomIntercept(\"g\")] public partial record M;",
        "using TypedMixed; public record R(double Y, [property: Classification] int G); [MixedModel<R>(Response = nameof(R.Y), Method = EstimationMethod.MaximumLikelihood, Intercept = false, Fixed = [])] [RandomIntercept(nameof(R.G))] public partial record M;",
        // Residual structures: missing, null, undefined and mistyped arguments, duplicates, and no random term at all.
        "using TypedMixed; public record R(double Y, [property: Classification] int G); [MixedModel<R>(Response = nameof(R.Y))] [RandomIntercept(nameof(R.G))] [ResidualCorrelation] [ResidualVariance] public partial record M;",
        "using TypedMixed; public record R(double Y, [property: Classification] int G); [MixedModel<R>(Response = nameof(R.Y))] [RandomIntercept(nameof(R.G))] [ResidualCorrelation((ResidualCorrelationStructure)(-3), null!, null!)] [ResidualVariance((ResidualVarianceFunctionKind)42, null!)] public partial record M;",
        "using TypedMixed; public record R(double Y, [property: Classification] int G); [MixedModel<R>(Response = nameof(R.Y))] [ResidualCorrelation(ResidualCorrelationStructure.Ar1, nameof(R.G), nameof(R.G))] [ResidualVariance(ResidualVarianceFunctionKind.Ident, nameof(R.G))] public partial record M;",
        "using TypedMixed; public record R(double Y, [property: Classification] int G); [MixedModel<R>(Response = nameof(R.Y))] [RandomIntercept(nameof(R.G))] [ResidualCorrelation(ResidualCorrelationStructure.Ar1, nameof(R.Y), nameof(R.Y))] [ResidualCorrelation(ResidualCorrelationStructure.Ar1, \"\", \"\")] [ResidualVariance(ResidualVarianceFunctionKind.LogLinear, nameof(R.Y), nameof(R.G), null!, \"\")] [ResidualVariance(ResidualVarianceFunctionKind.Quadratic)] public partial record M;",
        "using TypedMixed; public record R(double Y, [property: Classification(NestedIn = nameof(R.H))] int G, [property: Classification(NestedIn = nameof(R.G))] int H); [MixedModel<R>(Response = nameof(R.Y))] [RandomIntercept(nameof(R.G))] [ResidualCorrelation(ResidualCorrelationStructure.ContinuousAr1, nameof(R.Y), nameof(R.H))] public partial record M;",
        "using TypedMixed; public record R(double Y, [property: Classification] int G); [MixedModel<R>(Response = nameof(R.Y))] [RandomIntercept(nameof(R.G))] [ResidualCorrelation(ResidualCorrelationStructure.Ar1, Time = 3)] [ResidualVariance(ResidualVarianceFunctionKind.Power, 3.5)] public partial record M;",
    };

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Malformed_declaration_does_not_throw(string source) => AssertRobust(source);

    [Fact]
    public void Every_prefix_of_a_valid_declaration_is_handled()
    {
        for (int length = Valid.IndexOf("[MixedModel", StringComparison.Ordinal); length < Valid.Length; length += 7)
            AssertRobust(Valid[..length]);
    }

    private const string ValidGlmm = """
        using TypedMixed;
        namespace Sample;
        public enum Arm { Control, Active }
        public sealed record Visit(int? Cases, long Trials, double? LogDays, float Weight, Arm Arm,
            [property: Classification] string Clinic);
        [MixedModel<Visit>(Family = ResponseFamily.Binomial, Link = LinkFunction.Cloglog, Response = nameof(Visit.Cases), Trials = nameof(Visit.Trials), Fixed = [nameof(Visit.Arm)], Offset = nameof(Visit.LogDays), Weights = nameof(Visit.Weight), QuadraturePoints = 9)]
        [RandomIntercept(nameof(Visit.Clinic))]
        public partial record M;
        """;

    [Fact]
    public void Every_prefix_of_a_valid_generalized_declaration_is_handled()
    {
        for (int length = ValidGlmm.IndexOf("[MixedModel", StringComparison.Ordinal); length < ValidGlmm.Length; length += 5)
            AssertRobust(ValidGlmm[..length]);
    }

    [Fact]
    public void The_complete_generalized_declaration_generates_code_that_compiles()
    {
        var (output, diagnostics, run) = GeneratorHarness.Run(ValidGlmm);
        Assert.Empty(diagnostics);
        Assert.Single(run.GeneratedTrees);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void The_complete_declaration_generates_code_that_compiles()
    {
        var (output, diagnostics, run) = GeneratorHarness.Run(Valid);
        Assert.Empty(diagnostics);
        Assert.Single(run.GeneratedTrees);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    private static void AssertRobust(string source)
    {
        var (output, diagnostics, run) = GeneratorHarness.Run(source);
        var result = run.Results.Single();
        Assert.Null(result.Exception);
        Assert.DoesNotContain(diagnostics, d => d.Id is "CS8785" or "CS8784");
        bool modelInvalid = diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error)
            || GeneratorHarness.Compile(source).GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error);
        if (modelInvalid) Assert.True(run.GeneratedTrees.Length == 0, "Code was generated for an invalid declaration: " + source);
        else Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }
}
