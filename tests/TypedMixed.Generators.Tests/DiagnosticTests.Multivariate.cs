using TypedMixed.Generators.Tests.Infrastructure;

namespace TypedMixed.Generators.Tests;

/// <summary>
/// The multivariate diagnostics (TM0032–TM0034, and TM0001 for an unknown response), each at the offending argument or
/// attribute, and a valid multivariate declaration staying clean.
/// </summary>
public partial class DiagnosticTests
{
    private const string Scores = """
        using TypedMixed;
        public sealed record S(double? Written, double Course, int Oral, string Grade, bool Passed, double W, double X,
            [property: Classification] int School, [property: Classification(NestedIn = nameof(S.School))] int Class);

        """;

    [Fact]
    public void Valid_multivariate_models_have_no_diagnostics() => DiagnosticVerifier.Verify(Scores + """
        [MixedModel<S>(Responses = [nameof(S.Written), nameof(S.Course), nameof(S.Oral)], Fixed = [nameof(S.X), nameof(S.Passed)])]
        [RandomIntercept(nameof(S.School)), RandomIntercept(nameof(S.Class))]
        public partial record M;

        [MixedModel<S>(Responses = [nameof(S.Written), nameof(S.Course)], Fixed = [nameof(S.X)])]
        [RandomSlopes(nameof(S.School), nameof(S.X), nameof(S.Passed)), RandomSlopes(nameof(S.Class), nameof(S.X), Intercept = false)]
        public partial record WithSlopes;
        """);

    [Fact]
    public void TM0032_response_listed_twice() => DiagnosticVerifier.Verify(Scores + """
        [MixedModel<S>(Responses = [nameof(S.Written), {|TM0032:nameof(S.Written)|}])]
        [RandomIntercept(nameof(S.School))]
        public partial record M;
        """);

    [Fact]
    public void TM0033_non_numeric_response() => DiagnosticVerifier.Verify(Scores + """
        [MixedModel<S>(Responses = [nameof(S.Written), {|TM0033:nameof(S.Grade)|}, {|TM0033:nameof(S.Passed)|}])]
        [RandomIntercept(nameof(S.School))]
        public partial record M;
        """);

    [Fact]
    public void TM0001_unknown_response() => DiagnosticVerifier.Verify(Scores + """
        [MixedModel<S>(Responses = [nameof(S.Written), {|TM0001:"Essay"|}])]
        [RandomIntercept(nameof(S.School))]
        public partial record M;
        """);

    [Fact]
    public void TM0034_multivariate_model_with_an_unsupported_setting() => DiagnosticVerifier.Verify(Scores + """
        [MixedModel<S>(Response = {|TM0034:nameof(S.W)|}, Responses = [nameof(S.Written), nameof(S.Course)])]
        [RandomIntercept(nameof(S.School))]
        [{|TM0034:ResidualVariance(ResidualVarianceFunctionKind.Exponential, nameof(S.X))|}]
        public partial record WithStructure;

        [MixedModel<S>(Responses = [nameof(S.Written), nameof(S.Course)], Weights = {|TM0034:nameof(S.W)|})]
        [RandomIntercept(nameof(S.School))]
        public partial record Weighted;

        [MixedModel<S>(Responses = [nameof(S.Written), nameof(S.Oral)], Family = {|TM0034:ResponseFamily.Poisson|})]
        [RandomIntercept(nameof(S.School))]
        public partial record Counts;

        [MixedModel<S>(Responses = [nameof(S.Written), nameof(S.Oral)])]
        [{|TM0034:RandomSlopes(nameof(S.School), nameof(S.X), Correlated = false)|}]
        public partial record Uncorrelated;

        [MixedModel<S>(Responses = {|TM0034:[nameof(S.Written)]|})]
        [RandomIntercept(nameof(S.School))]
        public partial record Single;
        """);
}
