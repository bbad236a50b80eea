using TypedMixed.Generators.Tests.Infrastructure;

namespace TypedMixed.Generators.Tests;

/// <summary>
/// The ordinal declarations' diagnostics (TM0035–TM0037, and TM0017/TM0018/TM0024 where an ordinal model shares them),
/// each at the offending argument, and valid ordinal declarations staying clean.
/// </summary>
public partial class DiagnosticTests
{
    private const string Ratings = """
        using System.Collections.Generic;
        using TypedMixed;
        public enum Grade { Low, Medium, High }
        public enum Aliased { Low = 0, Bottom = 0, Medium = 1, High = 2 }
        public enum Pass { No, Yes }
        public enum Single { Only }
        public enum None { }
        public sealed record R(Grade Grade, Grade? MaybeGrade, Aliased Aliased, Pass Pass, Single Single, None None,
            int Score, bool Ok, string Text, double X, double LogT, double W, int Week,
            [property: Classification] int Rater, [property: Classification] int Item,
            [property: MultipleMembership] IReadOnlyList<Membership<int>> Panels);

        """;

    [Fact]
    public void Valid_ordinal_declarations_have_no_diagnostics() => DiagnosticVerifier.Verify(Ratings + """
        [MixedModel<R>(Family = ResponseFamily.Ordinal, Response = nameof(R.Grade), Fixed = [nameof(R.X), nameof(R.Ok)])]
        [RandomIntercept(nameof(R.Rater))]
        public partial record Logit;

        [MixedModel<R>(Family = ResponseFamily.Ordinal, Link = LinkFunction.Cloglog, Thresholds = ThresholdStructure.Equidistant,
            Response = nameof(R.MaybeGrade), Fixed = [nameof(R.X)], Offset = nameof(R.LogT), Weights = nameof(R.W))]
        [RandomSlopes(nameof(R.Rater), nameof(R.X))]
        [RandomIntercept(nameof(R.Item))]
        public partial record CrossedSlopes;

        [MixedModel<R>(Family = ResponseFamily.Ordinal, Link = LinkFunction.Probit, Response = nameof(R.Aliased), QuadraturePoints = 15,
            Thresholds = ThresholdStructure.Flexible)]
        [RandomIntercept(nameof(R.Rater))]
        public partial record QuadratureOnAliasedEnum;
        """);

    [Fact]
    public void TM0035_ordinal_response_that_is_not_an_enum() => DiagnosticVerifier.Verify(Ratings + """
        [MixedModel<R>(Family = ResponseFamily.Ordinal, Response = {|TM0035:nameof(R.Score)|})]
        [RandomIntercept(nameof(R.Rater))]
        public partial record IntegerScore;

        [MixedModel<R>(Family = ResponseFamily.Ordinal, Response = {|TM0035:nameof(R.Ok)|})]
        [RandomIntercept(nameof(R.Rater))]
        public partial record BoolIsBinary;

        [MixedModel<R>(Family = ResponseFamily.Ordinal, Response = {|TM0035:nameof(R.Text)|})]
        [RandomIntercept(nameof(R.Rater))]
        public partial record StringCategories;
        """);

    [Fact]
    public void TM0014_enum_response_without_the_ordinal_family() => DiagnosticVerifier.Verify(Ratings + """
        [MixedModel<R>(Response = {|TM0014:nameof(R.Grade)|})]
        [RandomIntercept(nameof(R.Rater))]
        public partial record GaussianOnEnum;

        [MixedModel<R>(Family = ResponseFamily.Poisson, Response = {|TM0014:nameof(R.Grade)|})]
        [RandomIntercept(nameof(R.Rater))]
        public partial record PoissonOnEnum;
        """);

    [Fact]
    public void TM0036_enum_with_fewer_than_three_categories() => DiagnosticVerifier.Verify(Ratings + """
        [MixedModel<R>(Family = ResponseFamily.Ordinal, Response = {|TM0036:nameof(R.Pass)|})]
        [RandomIntercept(nameof(R.Rater))]
        public partial record Binary;

        [MixedModel<R>(Family = ResponseFamily.Ordinal, Response = {|TM0036:nameof(R.Single)|})]
        [RandomIntercept(nameof(R.Rater))]
        public partial record OneCategory;

        [MixedModel<R>(Family = ResponseFamily.Ordinal, Response = {|TM0036:nameof(R.None)|})]
        [RandomIntercept(nameof(R.Rater))]
        public partial record NoCategory;
        """);

    [Fact]
    public void TM0037_structures_an_ordinal_model_does_not_take() => DiagnosticVerifier.Verify(Ratings + """
        [MixedModel<R>(Family = ResponseFamily.Ordinal, Response = nameof(R.Grade))]
        [RandomIntercept(nameof(R.Rater))]
        [{|TM0037:ResidualCorrelation(ResidualCorrelationStructure.Ar1, nameof(R.Week), nameof(R.Rater))|}]
        public partial record Correlated;

        [MixedModel<R>(Family = ResponseFamily.Ordinal, Response = nameof(R.Grade))]
        [RandomIntercept(nameof(R.Rater))]
        [{|TM0037:ResidualVariance(ResidualVarianceFunctionKind.Exponential, nameof(R.X))|}]
        public partial record Heteroscedastic;

        [{|TM0037:MixedModel<R>(Family = ResponseFamily.Ordinal, Response = nameof(R.Grade))|}]
        [RandomIntercept(nameof(R.Panels))]
        public partial record Memberships;
        """);

    [Fact]
    public void TM0017_settings_an_ordinal_model_does_not_take() => DiagnosticVerifier.Verify(Ratings + """
        [MixedModel<R>(Family = ResponseFamily.Ordinal, Response = nameof(R.Grade), Intercept = {|TM0017:false|}, Fixed = [nameof(R.X)])]
        [RandomIntercept(nameof(R.Rater))]
        public partial record NoIntercept;

        [MixedModel<R>(Family = ResponseFamily.Ordinal, Response = nameof(R.Grade), Link = {|TM0017:LinkFunction.Log|})]
        [RandomIntercept(nameof(R.Rater))]
        public partial record LogLink;

        [MixedModel<R>(Family = ResponseFamily.Ordinal, Response = nameof(R.Grade), Trials = {|TM0017:nameof(R.Score)|})]
        [RandomIntercept(nameof(R.Rater))]
        public partial record WithTrials;

        [MixedModel<R>(Family = ResponseFamily.Ordinal, Response = nameof(R.Grade), Method = {|TM0017:EstimationMethod.Reml|})]
        [RandomIntercept(nameof(R.Rater))]
        public partial record WithMethod;

        [MixedModel<R>(Response = nameof(R.X), Thresholds = {|TM0017:ThresholdStructure.Equidistant|})]
        [RandomIntercept(nameof(R.Rater))]
        public partial record ThresholdsOnGaussian;
        """);

    [Fact]
    public void TM0018_and_TM0024_on_ordinal_models() => DiagnosticVerifier.Verify(Ratings + """
        [MixedModel<R>(Family = ResponseFamily.Ordinal, Response = nameof(R.Grade), QuadraturePoints = {|TM0018:10|})]
        [RandomIntercept(nameof(R.Rater))]
        [RandomIntercept(nameof(R.Item))]
        public partial record QuadratureOnCrossed;

        [MixedModel<R>(Family = ResponseFamily.Ordinal, Response = nameof(R.Grade), Thresholds = {|TM0024:(ThresholdStructure)5|})]
        [RandomIntercept(nameof(R.Rater))]
        public partial record UndefinedThresholds;
        """);
}
