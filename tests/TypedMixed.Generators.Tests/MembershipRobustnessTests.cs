using Microsoft.CodeAnalysis;
using TypedMixed.Generators.Tests.Infrastructure;

namespace TypedMixed.Generators.Tests;

/// <summary>
/// Multiple-membership declarations the generator must survive: malformed, half-typed and misused ones never crash it,
/// and code is generated only for a valid declaration (then it compiles).
/// </summary>
public class MembershipRobustnessTests
{
    private const string Valid = """
        using System.Collections.Generic;
        using TypedMixed;
        namespace Sample;
        public sealed record Pupil(double? Y, double X,
            [property: MultipleMembership(Weighting = MembershipWeighting.AsGiven)] List<Membership<string>>? Schools,
            [property: Classification] int Area);
        [MixedModel<Pupil>(Response = nameof(Pupil.Y), Fixed = [nameof(Pupil.X)])]
        [RandomSlopes(nameof(Pupil.Schools), nameof(Pupil.X), Correlated = false)]
        [RandomIntercept(nameof(Pupil.Area))]
        public partial record M;
        """;

    public static TheoryData<string> Corpus => new()
    {
        "using TypedMixed; public record R(double Y, [property: MultipleMembership] Membership<> S); [MixedModel<R>(Response = nameof(R.Y))] [RandomIntercept(nameof(R.S))] public partial record M;",
        "using TypedMixed; public record R(double Y, [property: MultipleMembership(Weighting = (MembershipWeighting)(-1))] Membership<int>[] S); [MixedModel<R>(Response = nameof(R.Y))] [RandomIntercept(nameof(R.S))] public partial record M;",
        "using TypedMixed; public record R(double Y, [property: MultipleMembership(Weighting = null!)] Membership<int>[][] S); [MixedModel<R>(Response = nameof(R.Y))] [RandomIntercept(nameof(R.S))] public partial record M;",
        "using TypedMixed; public record R(double Y, [property: MultipleMembership, MultipleMembership] Membership<int>[,] S); [MixedModel<R>(Response = nameof(R.Y))] [RandomIntercept(nameof(R.S))] public partial record M;",
        "using TypedMixed; public record R(double Y, [property: MultipleMembership] System.Collections.Generic.IEnumerable<Membership<R>> S); [MixedModel<R>(Response = nameof(R.Y), Fixed = [nameof(R.S)])] [RandomSlopes(nameof(R.S), nameof(R.S))] public partial record M;",
        "using TypedMixed; public record R([property: MultipleMembership] Membership<int>[] Y); [MixedModel<R>(Response = nameof(R.Y))] [RandomIntercept(nameof(R.Y))] public partial record M;",
        "using TypedMixed; public record R(double Y, [property: MultipleMembership] Membership<int>[] S, [property: MeasuredOn(nameof(R.S)), Classification(NestedIn = nameof(R.S))] int G); [MixedModel<R>(Response = nameof(R.Y))] [RandomIntercept(nameof(R.G))] [ResidualCorrelation(ResidualCorrelationStructure.Ar1, nameof(R.G), nameof(R.S))] public partial record M;",
        "using TypedMixed; public record R(int Y, [property: MultipleMembership] Membership<int>[] S); [MixedModel<R>(Response = nameof(R.Y), Family = ResponseFamily.Poisson)] [RandomIntercept(nameof(R.S))] [RandomIntercept(nameof(R.S))] public partial record M;",
        "using TypedMixed; public record R(double Y, [property: MultipleMembership] Membership<int>[] S); [MixedModel<R>(Response = nameof(R.Y))] [RandomIntercept(nameof(R.S))] [ResidualVariance(ResidualVarianceFunctionKind.Ident, nameof(R.S))] public partial record M;",
    };

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Malformed_membership_declaration_does_not_throw(string source) => AssertRobust(source);

    [Fact]
    public void Every_prefix_of_a_valid_membership_declaration_is_handled()
    {
        // Up to the final ';': "public partial record M" without it is a declaration the generator still completes (as for every
        // model; the compiler reports the missing semicolon), so that prefix is not an "invalid declaration" here.
        for (int length = Valid.IndexOf("[property: MultipleMembership", StringComparison.Ordinal); length < Valid.Length - 1; length += 9)
            AssertRobust(Valid[..length]);
    }

    [Fact]
    public void The_complete_membership_declaration_generates_code_that_compiles()
    {
        var (output, diagnostics, run) = GeneratorHarness.Run(Valid);
        Assert.Empty(diagnostics);
        Assert.Single(run.GeneratedTrees);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    private static void AssertRobust(string source)
    {
        var (output, diagnostics, run) = GeneratorHarness.Run(source);
        Assert.Null(run.Results.Single().Exception);
        Assert.DoesNotContain(diagnostics, d => d.Id is "CS8785" or "CS8784");
        bool modelInvalid = diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error)
            || GeneratorHarness.Compile(source).GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error);
        if (modelInvalid) Assert.True(run.GeneratedTrees.Length == 0, "Code was generated for an invalid declaration: " + source);
        else Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }
}
