using TypedMixed.Generators.Tests.Infrastructure;

namespace TypedMixed.Generators.Tests;

/// <summary>
/// The multiple-membership diagnostics (TM0029–TM0031, and TM0024 for an undefined weighting), each at the offending
/// attribute, and valid declarations staying clean.
/// </summary>
public partial class DiagnosticTests
{
    private const string Pupils = """
        using System.Collections.Generic;
        using TypedMixed;
        public sealed record P(double Y, double X, int Count,
            [property: MultipleMembership] IReadOnlyList<Membership<int>> Schools,
            [property: Classification] int Area);

        """;

    [Fact]
    public void Valid_memberships_have_no_diagnostics() => DiagnosticVerifier.Verify("""
        using System.Collections.Generic;
        using TypedMixed;
        public enum Ward { North, South }
        public sealed record Q(double Y, double X,
            [property: MultipleMembership] IReadOnlyList<Membership<int>> Schools,
            [property: MultipleMembership(Weighting = MembershipWeighting.AsGiven)] Membership<string>[]? Clubs,
            [property: MultipleMembership(Weighting = MembershipWeighting.Normalize)] List<Membership<Ward>> Wards,
            [property: MultipleMembership] System.Collections.Immutable.ImmutableArray<Membership<System.Guid>> Teams,
            [property: Classification] int Area);
        [MixedModel<Q>(Response = nameof(Q.Y), Fixed = [nameof(Q.X)])]
        [RandomIntercept(nameof(Q.Schools)), RandomIntercept(nameof(Q.Area)), RandomIntercept(nameof(Q.Clubs))]
        [RandomSlopes(nameof(Q.Wards), nameof(Q.X), Correlated = false), RandomIntercept(nameof(Q.Teams))]
        public partial record M;
        """);

    [Fact]
    public void TM0029_membership_member_of_a_wrong_type() => DiagnosticVerifier.Verify("""
        using System.Collections.Generic;
        using TypedMixed;
        public sealed record Q(double Y,
            [property: {|TM0029:MultipleMembership|}] IReadOnlyList<int> Schools,
            [property: {|TM0029:MultipleMembership|}] Membership<double>[] Clubs,
            [property: {|TM0029:MultipleMembership|}] int Ward,
            [property: {|TM0029:MultipleMembership|}] string Team,
            [property: {|TM0029:MultipleMembership|}] List<Membership<int?>> Houses);
        [MixedModel<Q>(Response = nameof(Q.Y))]
        [RandomIntercept(nameof(Q.Schools))]
        public partial record M;
        """);

    [Fact]
    public void TM0030_membership_used_as_an_ordinary_classification() => DiagnosticVerifier.Verify("""
        using System.Collections.Generic;
        using TypedMixed;
        public sealed record Q(double Y,
            [property: MeasuredOn({|TM0030:nameof(Q.Schools)|})] double Funding,
            [property: MultipleMembership] IReadOnlyList<Membership<int>> Schools,
            [property: Classification, {|TM0030:MultipleMembership|}] IReadOnlyList<Membership<int>> Clubs,
            [property: Classification(NestedIn = {|TM0030:nameof(Q.Schools)|})] int Class);
        [MixedModel<Q>(Response = nameof(Q.Y), Fixed = [nameof(Q.Funding)])]
        [RandomIntercept(nameof(Q.Schools))]
        public partial record M;
        """);

    [Fact]
    public void TM0031_membership_term_in_a_glmm_or_beside_a_residual_structure() => DiagnosticVerifier.Verify(Pupils + """
        [{|TM0031:MixedModel<P>(Response = nameof(P.Count), Family = ResponseFamily.Poisson)|}]
        [RandomIntercept(nameof(P.Schools))]
        public partial record Counts;

        [{|TM0031:MixedModel<P>(Response = nameof(P.Y))|}]
        [RandomIntercept(nameof(P.Schools)), RandomIntercept(nameof(P.Area))]
        [ResidualVariance(ResidualVarianceFunctionKind.Exponential, nameof(P.X))]
        public partial record Heteroscedastic;
        """);

    [Fact]
    public void TM0024_undefined_weighting() => DiagnosticVerifier.Verify("""
        using System.Collections.Generic;
        using TypedMixed;
        public sealed record Q(double Y, [property: MultipleMembership(Weighting = {|TM0024:(MembershipWeighting)7|})] IReadOnlyList<Membership<int>> Schools);
        [MixedModel<Q>(Response = nameof(Q.Y))]
        [RandomIntercept(nameof(Q.Schools))]
        public partial record M;
        """);

    [Fact]
    public void TM0012_membership_as_a_fixed_effect() => DiagnosticVerifier.Verify(Pupils + """
        [MixedModel<P>(Response = nameof(P.Y), Fixed = [{|TM0012:nameof(P.Schools)|}])]
        [RandomIntercept(nameof(P.Schools))]
        public partial record AsFixed;
        """);

    [Fact]
    public void Membership_of_an_unknown_type_is_left_to_the_compiler()
    {
        var (output, generatorDiagnostics, run) = GeneratorHarness.Run("""
            using System.Collections.Generic;
            using TypedMixed;
            public sealed record U(double Y, [property: MultipleMembership] IReadOnlyList<Membership<Nope>> Schools);
            [MixedModel<U>(Response = nameof(U.Y))]
            [RandomIntercept(nameof(U.Schools))]
            public partial record Unknown;
            """);
        Assert.Null(run.Results.Single().Exception);
        Assert.Empty(generatorDiagnostics);
        Assert.Empty(run.GeneratedTrees);
        Assert.Contains(output.GetDiagnostics(), d => d.Id == "CS0246");
    }
}
