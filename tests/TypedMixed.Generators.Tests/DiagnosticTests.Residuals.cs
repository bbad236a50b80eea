using TypedMixed.Generators.Tests.Infrastructure;

namespace TypedMixed.Generators.Tests;

/// <summary>
/// The residual structures' diagnostics (TM0025–TM0028, and the shared TM0001, TM0004, TM0007, TM0013, TM0017, TM0020,
/// TM0024 where they apply), each at the offending argument, and valid declarations staying clean.
/// </summary>
public partial class DiagnosticTests
{
    private const string Occasions = """
        using TypedMixed;
        public enum Arm { Control, Treated }
        public enum Empty { }
        public sealed record O(double Y, int Week, long? Visit, double Time, decimal Dose, string Site, bool Female, Arm Arm, Empty None,
            System.DateTime When, float W,
            [property: Classification] int Child, [property: Classification(NestedIn = nameof(O.Child))] int Episode,
            [property: Classification] string School, [property: Classification] int Rater);

        """;

    [Fact]
    public void Valid_residual_structures_have_no_diagnostics() => DiagnosticVerifier.Verify(Occasions + """
        [MixedModel<O>(Response = nameof(O.Y), Fixed = [nameof(O.Time)])]
        [RandomIntercept(nameof(O.Child))]
        [ResidualCorrelation(ResidualCorrelationStructure.Ar1, nameof(O.Week), nameof(O.Child))]
        [ResidualVariance(ResidualVarianceFunctionKind.Ident, nameof(O.Arm))]
        public partial record Ar1Ident;

        [MixedModel<O>(Response = nameof(O.Y))]
        [RandomIntercept(nameof(O.Child))]
        [ResidualCorrelation(ResidualCorrelationStructure.Ar1, nameof(O.Visit), nameof(O.Episode))]
        [ResidualVariance(ResidualVarianceFunctionKind.Exponential, nameof(O.Dose))]
        public partial record NestedAr1;

        [MixedModel<O>(Response = nameof(O.Y))]
        [RandomSlopes(nameof(O.Child), nameof(O.Time))]
        [ResidualCorrelation(ResidualCorrelationStructure.ContinuousAr1, nameof(O.Time), nameof(O.Child))]
        [ResidualVariance(ResidualVarianceFunctionKind.LogLinear, nameof(O.Female), nameof(O.Site), nameof(O.Arm), nameof(O.W))]
        public partial record Car1LogLinear;

        [MixedModel<O>(Response = nameof(O.Y))]
        [RandomIntercept(nameof(O.School))]
        [ResidualVariance(ResidualVarianceFunctionKind.Quadratic, nameof(O.Time), nameof(O.Week))]
        public partial record Quadratic;

        [MixedModel<O>(Response = nameof(O.Y))]
        [RandomIntercept(nameof(O.School))]
        [ResidualVariance(ResidualVarianceFunctionKind.Power, nameof(O.Dose))]
        [ResidualVariance(ResidualVarianceFunctionKind.Ident, nameof(O.Site)), RandomIntercept(nameof(O.Rater))]
        public partial record PowerTwice;
        """.Replace("[ResidualVariance(ResidualVarianceFunctionKind.Ident, nameof(O.Site)), RandomIntercept(nameof(O.Rater))]", "[RandomIntercept(nameof(O.Rater))]", StringComparison.Ordinal));

    [Fact]
    public void TM0025_AR1_needs_an_integer_time() => DiagnosticVerifier.Verify(Occasions + """
        [MixedModel<O>(Response = nameof(O.Y))]
        [RandomIntercept(nameof(O.Child))]
        [ResidualCorrelation(ResidualCorrelationStructure.Ar1, {|TM0025:nameof(O.Time)|}, nameof(O.Child))]
        public partial record M;
        """);

    [Fact]
    public void TM0025_continuous_AR1_needs_a_numeric_time() => DiagnosticVerifier.Verify(Occasions + """
        [MixedModel<O>(Response = nameof(O.Y))]
        [RandomIntercept(nameof(O.Child))]
        [ResidualCorrelation(ResidualCorrelationStructure.ContinuousAr1, {|TM0025:nameof(O.When)|}, nameof(O.Child))]
        public partial record M;
        """);

    [Fact]
    public void TM0026_correlation_classification_not_in_the_model() => DiagnosticVerifier.Verify(Occasions + """
        [MixedModel<O>(Response = nameof(O.Y))]
        [RandomIntercept(nameof(O.Child))]
        [ResidualCorrelation(ResidualCorrelationStructure.Ar1, nameof(O.Week), {|TM0026:nameof(O.Rater)|})]
        public partial record M;
        """);

    [Fact]
    public void TM0026_an_enclosing_classification_is_not_nested_in_the_terms() => DiagnosticVerifier.Verify(Occasions + """
        [MixedModel<O>(Response = nameof(O.Y))]
        [RandomIntercept(nameof(O.Episode))]
        [ResidualCorrelation(ResidualCorrelationStructure.Ar1, nameof(O.Week), {|TM0026:nameof(O.Child)|})]
        public partial record M;
        """);

    [Fact]
    public void TM0004_correlation_over_a_member_that_is_not_a_classification() => DiagnosticVerifier.Verify(Occasions + """
        [MixedModel<O>(Response = nameof(O.Y))]
        [RandomIntercept(nameof(O.Child))]
        [ResidualCorrelation(ResidualCorrelationStructure.Ar1, nameof(O.Week), {|TM0004:nameof(O.Site)|})]
        public partial record M;
        """);

    [Fact]
    public void TM0001_unknown_or_empty_members() => DiagnosticVerifier.Verify(Occasions + """
        [MixedModel<O>(Response = nameof(O.Y))]
        [RandomIntercept(nameof(O.Child))]
        [ResidualCorrelation(ResidualCorrelationStructure.Ar1, {|TM0001:"Weak"|}, {|TM0001:null!|})]
        [ResidualVariance(ResidualVarianceFunctionKind.LogLinear, nameof(O.Time), {|TM0001:"Sight"|})]
        public partial record M;
        """);

    [Theory]
    [InlineData("Ident", "O.Time")]
    [InlineData("Ident", "O.Week")]
    [InlineData("Exponential", "O.Female")]
    [InlineData("Power", "O.Site")]
    [InlineData("Quadratic", "O.Arm")]
    [InlineData("LogLinear", "O.When")]
    [InlineData("LogLinear", "O.None")]
    public void TM0027_variance_member_of_a_wrong_type(string kind, string member) => DiagnosticVerifier.Verify(Occasions + $$"""
        [MixedModel<O>(Response = nameof(O.Y))]
        [RandomIntercept(nameof(O.Child))]
        [ResidualVariance(ResidualVarianceFunctionKind.{{kind}}, {|TM0027:nameof({{member}})|})]
        public partial record M;
        """);

    [Fact]
    public void TM0028_two_correlation_structures() => DiagnosticVerifier.Verify(Occasions + """
        [MixedModel<O>(Response = nameof(O.Y))]
        [RandomIntercept(nameof(O.Child))]
        [ResidualCorrelation(ResidualCorrelationStructure.Ar1, nameof(O.Week), nameof(O.Child))]
        [{|TM0028:ResidualCorrelation(ResidualCorrelationStructure.ContinuousAr1, nameof(O.Time), nameof(O.Child))|}]
        public partial record M;
        """);

    [Fact]
    public void TM0028_two_variance_functions() => DiagnosticVerifier.Verify(Occasions + """
        [MixedModel<O>(Response = nameof(O.Y))]
        [RandomIntercept(nameof(O.Child))]
        [ResidualVariance(ResidualVarianceFunctionKind.Ident, nameof(O.Female))]
        [{|TM0028:ResidualVariance(ResidualVarianceFunctionKind.Exponential, nameof(O.Time))|}]
        public partial record M;
        """);

    [Theory]
    [InlineData("Ident, nameof(O.Female), nameof(O.Arm)")]
    [InlineData("Ident")]
    [InlineData("Exponential")]
    [InlineData("Power, nameof(O.Time), nameof(O.Dose)")]
    [InlineData("LogLinear")]
    [InlineData("Quadratic, null!")]
    public void TM0013_wrong_number_of_variance_members(string arguments) => DiagnosticVerifier.Verify(Occasions + $$"""
        [MixedModel<O>(Response = nameof(O.Y))]
        [RandomIntercept(nameof(O.Child))]
        [{|TM0013:ResidualVariance(ResidualVarianceFunctionKind.{{arguments}})|}]
        public partial record M;
        """);

    [Fact]
    public void TM0007_a_variance_member_twice() => DiagnosticVerifier.Verify(Occasions + """
        [MixedModel<O>(Response = nameof(O.Y))]
        [RandomIntercept(nameof(O.Child))]
        [ResidualVariance(ResidualVarianceFunctionKind.LogLinear, nameof(O.Time), {|TM0007:nameof(O.Time)|})]
        public partial record M;
        """);

    [Fact]
    public void TM0017_residual_structures_on_a_generalized_model() => DiagnosticVerifier.Verify(Occasions + """
        [MixedModel<O>(Response = nameof(O.Female), Family = ResponseFamily.Binomial)]
        [RandomIntercept(nameof(O.Child))]
        [{|TM0017:ResidualCorrelation(ResidualCorrelationStructure.Ar1, nameof(O.Week), nameof(O.Child))|}]
        [{|TM0017:ResidualVariance(ResidualVarianceFunctionKind.Exponential, nameof(O.Time))|}]
        public partial record M;
        """);

    [Fact]
    public void TM0017_variance_function_with_prior_weights() => DiagnosticVerifier.Verify(Occasions + """
        [MixedModel<O>(Response = nameof(O.Y), Weights = nameof(O.W))]
        [RandomIntercept(nameof(O.Child))]
        [{|TM0017:ResidualVariance(ResidualVarianceFunctionKind.Exponential, nameof(O.Time))|}]
        public partial record M;
        """);

    [Fact]
    public void TM0024_undefined_structure_or_kind() => DiagnosticVerifier.Verify(Occasions + """
        [MixedModel<O>(Response = nameof(O.Y))]
        [RandomIntercept(nameof(O.Child))]
        [ResidualCorrelation({|TM0024:(ResidualCorrelationStructure)7|}, nameof(O.Week), nameof(O.Child))]
        [ResidualVariance({|TM0024:(ResidualVarianceFunctionKind)9|}, nameof(O.Time))]
        public partial record M;
        """);

    [Fact]
    public void TM0020_the_response_as_time_or_variance_member() => DiagnosticVerifier.Verify(Occasions + """
        [MixedModel<O>(Response = nameof(O.Y))]
        [RandomIntercept(nameof(O.Child))]
        [ResidualCorrelation(ResidualCorrelationStructure.ContinuousAr1, {|TM0020:nameof(O.Y)|}, nameof(O.Child))]
        [ResidualVariance(ResidualVarianceFunctionKind.Exponential, {|TM0020:nameof(O.Y)|})]
        public partial record M;
        """);
}
