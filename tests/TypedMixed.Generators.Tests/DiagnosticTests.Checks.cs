using Microsoft.CodeAnalysis;
using TypedMixed.Generators.Tests.Infrastructure;

namespace TypedMixed.Generators.Tests;

/// <summary>
/// The checks for mistakes that used to compile and fail at run time (TM0020–TM0024) and the "did you mean" of TM0001,
/// each at the offending argument; the valid declarations next to them stay clean.
/// </summary>
public partial class DiagnosticTests
{
    private const string Survey = """
        using TypedMixed;
        public enum Arm { Control, Active }
        public sealed record S(double Score, double Age, Arm Arm,
            [property: MeasuredOn(nameof(S.Region))] double RegionRate,
            [property: Classification] int Region,
            [property: Classification(NestedIn = nameof(S.Region))] int Town,
            [property: Classification] string Nurse);

        """;

    [Fact]
    public void TM0020_response_as_a_fixed_covariate() => DiagnosticVerifier.Verify(Survey + """
        [MixedModel<S>(Response = nameof(S.Score), Fixed = [nameof(S.Age), {|TM0020:nameof(S.Score)|}])]
        [RandomIntercept(nameof(S.Region))]
        public partial record M;
        """);

    [Fact]
    public void TM0020_response_in_an_interaction() => DiagnosticVerifier.Verify(Survey + """
        [MixedModel<S>(Response = nameof(S.Score), Fixed = [nameof(S.Age)])]
        [Interaction(nameof(S.Age), {|TM0020:nameof(S.Score)|})]
        [RandomIntercept(nameof(S.Region))]
        public partial record M;
        """);

    [Fact]
    public void TM0020_response_as_a_random_slope() => DiagnosticVerifier.Verify(Survey + """
        [MixedModel<S>(Response = nameof(S.Score), Fixed = [nameof(S.Age)])]
        [RandomSlopes(nameof(S.Region), nameof(S.Age), {|TM0020:nameof(S.Score)|})]
        public partial record M;
        """);

    [Fact]
    public void TM0020_response_as_the_classification() => DiagnosticVerifier.Verify("""
        using TypedMixed;
        public sealed record T([property: Classification] int Count, [property: Classification] int G);
        [MixedModel<T>(Response = nameof(T.Count))]
        [RandomIntercept(nameof(T.G))]
        [RandomIntercept({|TM0020:nameof(T.Count)|})]
        public partial record M;
        """);

    [Fact]
    public void TM0020_message_names_the_role_and_the_fix()
    {
        var (_, diagnostics, _) = GeneratorHarness.Run(Survey + """
            [MixedModel<S>(Response = nameof(S.Score), Fixed = [nameof(S.Score)])]
            [RandomIntercept(nameof(S.Region))]
            public partial record M;
            """);
        var d = Assert.Single(diagnostics);
        Assert.Equal("TM0020", d.Id);
        Assert.Equal("'Score' is the response and cannot also be a fixed effect: a model cannot explain a variable by itself; remove 'Score' from Fixed, or name another member as the response", d.GetMessage());
    }

    [Fact]
    public void TM0021_classification_as_a_numeric_fixed_covariate() => DiagnosticVerifier.Verify(Survey + """
        [MixedModel<S>(Response = nameof(S.Score), Fixed = [nameof(S.Age), {|TM0021:nameof(S.Region)|}])]
        [RandomIntercept(nameof(S.Town))]
        public partial record M;
        """);

    [Fact]
    public void TM0021_classification_as_a_numeric_slope_or_interaction_member() => DiagnosticVerifier.Verify(Survey + """
        [MixedModel<S>(Response = nameof(S.Score), Fixed = [nameof(S.Age)])]
        [Interaction(nameof(S.Age), {|TM0021:nameof(S.Town)|})]
        [RandomSlopes(nameof(S.Region), {|TM0021:nameof(S.Town)|})]
        public partial record M;
        """);

    [Fact]
    public void A_string_classification_as_a_categorical_fixed_effect_stays_clean() => DiagnosticVerifier.Verify(Survey + """
        [MixedModel<S>(Response = nameof(S.Score), Fixed = [nameof(S.Age), nameof(S.Nurse)])]
        [RandomIntercept(nameof(S.Region))]
        public partial record M;
        """);

    [Fact]
    public void TM0022_response_measured_on_the_classification_of_a_term() => DiagnosticVerifier.Verify("""
        using TypedMixed;
        public sealed record T([property: MeasuredOn(nameof(T.Region))] double Rate, double Age,
            [property: Classification] int Region,
            [property: Classification(NestedIn = nameof(T.Region))] int Town,
            [property: Classification] int Nurse);
        [MixedModel<T>(Response = nameof(T.Rate), Fixed = [nameof(T.Age)])]
        [RandomIntercept({|TM0022:nameof(T.Region)|})]
        [RandomIntercept(nameof(T.Nurse))]
        public partial record M1;

        [MixedModel<T>(Response = nameof(T.Rate), Fixed = [nameof(T.Age)])]
        [RandomSlopes({|TM0022:nameof(T.Town)|}, nameof(T.Age))]
        public partial record M2;
        """);

    [Fact]
    public void A_response_measured_on_a_classification_without_a_term_over_it_stays_clean() => DiagnosticVerifier.Verify("""
        using TypedMixed;
        public sealed record T([property: MeasuredOn(nameof(T.Region))] double Rate, double Age,
            [property: Classification] int Region,
            [property: Classification] int Nurse);
        [MixedModel<T>(Response = nameof(T.Rate), Fixed = [nameof(T.Age)])]
        [RandomIntercept(nameof(T.Nurse))]
        public partial record M;
        """);

    [Fact]
    public void TM0023_no_intercept_and_no_covariates_is_a_warning_and_still_generates() => DiagnosticVerifier.Verify(Survey + """
        [MixedModel<S>(Response = nameof(S.Score), Intercept = {|TM0023:false|})]
        [RandomIntercept(nameof(S.Region))]
        public partial record M;
        """, emitsCode: true);

    [Fact]
    public void No_intercept_with_a_covariate_or_an_interaction_stays_clean() => DiagnosticVerifier.Verify(Survey + """
        [MixedModel<S>(Response = nameof(S.Score), Intercept = false, Fixed = [nameof(S.Arm)])]
        [RandomIntercept(nameof(S.Region))]
        public partial record M1;

        [MixedModel<S>(Response = nameof(S.Score), Intercept = false)]
        [Interaction(nameof(S.Age), nameof(S.Arm))]
        [RandomIntercept(nameof(S.Region))]
        public partial record M2;
        """);

    [Fact]
    public void TM0024_undefined_estimation_method() => DiagnosticVerifier.Verify(Survey + """
        [MixedModel<S>(Response = nameof(S.Score), Method = {|TM0024:(EstimationMethod)7|})]
        [RandomIntercept(nameof(S.Region))]
        public partial record M;
        """);

    [Fact]
    public void TM0024_message_lists_the_defined_members()
    {
        var (_, diagnostics, _) = GeneratorHarness.Run(Survey + """
            [MixedModel<S>(Response = nameof(S.Score), Method = (EstimationMethod)7)]
            [RandomIntercept(nameof(S.Region))]
            public partial record M;
            """);
        var d = Assert.Single(diagnostics);
        Assert.Equal("TM0024", d.Id);
        Assert.Equal("Method = 7 is not a member of EstimationMethod; use one of Reml, MaximumLikelihood", d.GetMessage());
    }

    [Theory]
    [InlineData("Scroe", "Score")]
    [InlineData("age", "Age")]
    [InlineData("Regoin", "Region")]
    [InlineData("RegionRates", "RegionRate")]
    public void TM0001_suggests_the_closest_member(string misspelt, string suggestion)
    {
        var (_, diagnostics, _) = GeneratorHarness.Run(Survey + $$"""
            [MixedModel<S>(Response = nameof(S.Score), Fixed = ["{{misspelt}}"])]
            [RandomIntercept(nameof(S.Region))]
            public partial record M;
            """);
        var d = Assert.Single(diagnostics);
        Assert.Equal("TM0001", d.Id);
        Assert.Equal($"'{misspelt}' is not a readable public property of 'S' (did you mean '{suggestion}'?); name one of its properties with nameof(S.Member)", d.GetMessage());
    }

    [Theory]
    [InlineData("Weight")]
    [InlineData("X")]
    [InlineData("")]
    public void TM0001_suggests_nothing_when_no_member_is_close(string unknown)
    {
        var (_, diagnostics, _) = GeneratorHarness.Run(Survey + $$"""
            [MixedModel<S>(Response = nameof(S.Score), Fixed = ["{{unknown}}"])]
            [RandomIntercept(nameof(S.Region))]
            public partial record M;
            """);
        var d = Assert.Single(diagnostics);
        Assert.Equal("TM0001", d.Id);
        Assert.DoesNotContain("did you mean", d.GetMessage(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Score", "Score", 0)]
    [InlineData("Score", "Scroe", 1)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    [InlineData("ca", "abc", 3)]
    public void Member_name_distance_is_the_optimal_string_alignment_distance(string a, string b, int expected) =>
        Assert.Equal(expected, MemberNames.Distance(a, b));
}
