using TypedMixed.Generators.Tests.Infrastructure;

namespace TypedMixed.Generators.Tests;

/// <summary>The family settings' diagnostics (TM0014–TM0019), each at the offending argument, and valid GLMMs staying clean.</summary>
public partial class DiagnosticTests
{
    private const string Counts = """
        using TypedMixed;
        public sealed record C(bool Ok, bool? MaybeOk, int Cases, long? Total, double Rate, double LogT, float W, string Name, decimal D,
            [property: Classification] int G, [property: Classification] int H);

        """;

    [Fact]
    public void Valid_glmm_declarations_have_no_diagnostics() => DiagnosticVerifier.Verify(Counts + """
        [MixedModel<C>(Family = ResponseFamily.Binomial, Response = nameof(C.Ok), Fixed = [nameof(C.Rate)], Weights = nameof(C.W))]
        [RandomIntercept(nameof(C.G))]
        public partial record Bernoulli;

        [MixedModel<C>(Family = ResponseFamily.Binomial, Link = LinkFunction.Probit, Response = nameof(C.MaybeOk), QuadraturePoints = 12)]
        [RandomIntercept(nameof(C.G))]
        public partial record NullableBernoulliProbit;

        [MixedModel<C>(Family = ResponseFamily.Binomial, Response = nameof(C.Cases), Trials = nameof(C.Total), Fixed = [nameof(C.Rate)])]
        [RandomSlopes(nameof(C.G), nameof(C.Rate))]
        [RandomIntercept(nameof(C.H))]
        public partial record Proportions;

        [MixedModel<C>(Family = ResponseFamily.Binomial, Response = nameof(C.Rate), Trials = nameof(C.D), Link = LinkFunction.Cloglog)]
        [RandomIntercept(nameof(C.G))]
        public partial record DoubleSuccesses;

        [MixedModel<C>(Family = ResponseFamily.Poisson, Response = nameof(C.Cases), Fixed = [nameof(C.Ok)], Offset = nameof(C.LogT), Weights = nameof(C.W))]
        [RandomIntercept(nameof(C.G))]
        public partial record Rates;

        [MixedModel<C>(Family = ResponseFamily.NegativeBinomial, Link = LinkFunction.Sqrt, Response = nameof(C.Total), QuadraturePoints = 1)]
        [RandomIntercept(nameof(C.G))]
        public partial record Overdispersed;

        [MixedModel<C>(Family = ResponseFamily.Gaussian, Link = LinkFunction.Identity, Response = nameof(C.Rate), QuadraturePoints = 1)]
        [RandomIntercept(nameof(C.G))]
        public partial record ExplicitlyGaussian;
        """);

    [Fact]
    public void TM0014_bool_response_is_never_silently_Gaussian() => DiagnosticVerifier.Verify(Counts + """
        [MixedModel<C>(Response = {|TM0014:nameof(C.Ok)|})]
        [RandomIntercept(nameof(C.G))]
        public partial record M;
        """);

    [Fact]
    public void TM0014_Poisson_response_of_a_double() => DiagnosticVerifier.Verify(Counts + """
        [MixedModel<C>(Family = ResponseFamily.Poisson, Response = {|TM0014:nameof(C.Rate)|})]
        [RandomIntercept(nameof(C.G))]
        public partial record M;
        """);

    [Fact]
    public void TM0014_negative_binomial_response_of_a_bool() => DiagnosticVerifier.Verify(Counts + """
        [MixedModel<C>(Family = ResponseFamily.NegativeBinomial, Response = {|TM0014:nameof(C.Ok)|})]
        [RandomIntercept(nameof(C.G))]
        public partial record M;
        """);

    [Fact]
    public void TM0014_binomial_response_of_a_string() => DiagnosticVerifier.Verify(Counts + """
        [MixedModel<C>(Family = ResponseFamily.Binomial, Response = {|TM0014:nameof(C.Name)|})]
        [RandomIntercept(nameof(C.G))]
        public partial record M;
        """);

    [Fact]
    public void TM0015_binomial_count_without_trials() => DiagnosticVerifier.Verify(Counts + """
        [MixedModel<C>(Family = {|TM0015:ResponseFamily.Binomial|}, Response = nameof(C.Cases))]
        [RandomIntercept(nameof(C.G))]
        public partial record M;
        """);

    [Fact]
    public void TM0016_trials_not_numeric() => DiagnosticVerifier.Verify(Counts + """
        [MixedModel<C>(Family = ResponseFamily.Binomial, Response = nameof(C.Cases), Trials = {|TM0016:nameof(C.Name)|})]
        [RandomIntercept(nameof(C.G))]
        public partial record M;
        """);

    [Fact]
    public void TM0016_offset_and_weights_not_numeric() => DiagnosticVerifier.Verify(Counts + """
        [MixedModel<C>(Family = ResponseFamily.Poisson, Response = nameof(C.Cases), Offset = {|TM0016:nameof(C.Ok)|}, Weights = {|TM0016:nameof(C.Name)|})]
        [RandomIntercept(nameof(C.G))]
        public partial record M;
        """);

    [Fact]
    public void TM0001_unknown_trials_offset_and_weights_members() => DiagnosticVerifier.Verify(Counts + """
        [MixedModel<C>(Family = ResponseFamily.Binomial, Response = nameof(C.Cases), Trials = {|TM0001:"Size"|}, Offset = {|TM0001:"Exposure"|}, Weights = {|TM0001:""|})]
        [RandomIntercept(nameof(C.G))]
        public partial record M;
        """);

    [Fact]
    public void TM0017_trials_on_a_Poisson_model() => DiagnosticVerifier.Verify(Counts + """
        [MixedModel<C>(Family = ResponseFamily.Poisson, Response = nameof(C.Cases), Trials = {|TM0017:nameof(C.Total)|})]
        [RandomIntercept(nameof(C.G))]
        public partial record M;
        """);

    [Fact]
    public void TM0017_trials_with_a_bool_response() => DiagnosticVerifier.Verify(Counts + """
        [MixedModel<C>(Family = ResponseFamily.Binomial, Response = nameof(C.Ok), Trials = {|TM0017:nameof(C.Total)|})]
        [RandomIntercept(nameof(C.G))]
        public partial record M;
        """);

    [Fact]
    public void TM0017_family_settings_on_a_Gaussian_model() => DiagnosticVerifier.Verify(Counts + """
        [MixedModel<C>(Response = nameof(C.Rate), Trials = {|TM0017:nameof(C.Total)|}, Offset = nameof(C.LogT), Weights = nameof(C.W),
            Link = {|TM0017:LinkFunction.Log|}, QuadraturePoints = {|TM0017:5|})]
        [RandomIntercept(nameof(C.G))]
        public partial record M;
        """);

    [Fact]
    public void Gaussian_models_take_an_offset_and_prior_weights_of_any_numeric_type() => DiagnosticVerifier.Verify(Counts + """
        [MixedModel<C>(Response = nameof(C.Rate), Fixed = [nameof(C.Cases)], Offset = nameof(C.LogT), Weights = nameof(C.W))]
        [RandomIntercept(nameof(C.G))]
        public partial record Both;

        [MixedModel<C>(Family = ResponseFamily.Gaussian, Response = nameof(C.Rate), Weights = nameof(C.Total), Method = EstimationMethod.MaximumLikelihood)]
        [RandomIntercept(nameof(C.G))]
        public partial record NullableLongWeights;

        [MixedModel<C>(Response = nameof(C.Rate), Offset = nameof(C.D))]
        [RandomIntercept(nameof(C.G))]
        public partial record DecimalOffset;
        """);

    [Fact]
    public void TM0016_Gaussian_offset_and_weights_not_numeric() => DiagnosticVerifier.Verify(Counts + """
        [MixedModel<C>(Response = nameof(C.Rate), Offset = {|TM0016:nameof(C.Name)|}, Weights = {|TM0016:nameof(C.Ok)|})]
        [RandomIntercept(nameof(C.G))]
        public partial record M;
        """);

    [Fact]
    public void TM0019_Gaussian_weights_that_are_the_response_and_offset_that_is_a_covariate() => DiagnosticVerifier.Verify(Counts + """
        [MixedModel<C>(Response = nameof(C.Rate), Fixed = [nameof(C.LogT)], Offset = {|TM0019:nameof(C.LogT)|}, Weights = {|TM0019:nameof(C.Rate)|})]
        [RandomIntercept(nameof(C.G))]
        public partial record M;
        """);

    [Fact]
    public void TM0017_link_the_family_does_not_take() => DiagnosticVerifier.Verify(Counts + """
        [MixedModel<C>(Family = ResponseFamily.Poisson, Link = {|TM0017:LinkFunction.Logit|}, Response = nameof(C.Cases))]
        [RandomIntercept(nameof(C.G))]
        public partial record M;
        """);

    [Fact]
    public void TM0017_method_on_a_generalized_model() => DiagnosticVerifier.Verify(Counts + """
        [MixedModel<C>(Family = ResponseFamily.Binomial, Response = nameof(C.Ok), Method = {|TM0017:EstimationMethod.Reml|})]
        [RandomIntercept(nameof(C.G))]
        public partial record M;
        """);

    [Fact]
    public void TM0017_undefined_family_value() => DiagnosticVerifier.Verify(Counts + """
        [MixedModel<C>(Family = {|TM0017:(ResponseFamily)9|}, Response = nameof(C.Cases))]
        [RandomIntercept(nameof(C.G))]
        public partial record M;
        """);

    [Fact]
    public void TM0018_quadrature_points_below_one() => DiagnosticVerifier.Verify(Counts + """
        [MixedModel<C>(Family = ResponseFamily.Binomial, Response = nameof(C.Ok), QuadraturePoints = {|TM0018:0|})]
        [RandomIntercept(nameof(C.G))]
        public partial record M;
        """);

    [Fact]
    public void TM0018_quadrature_with_two_terms() => DiagnosticVerifier.Verify(Counts + """
        [MixedModel<C>(Family = ResponseFamily.Binomial, Response = nameof(C.Ok), QuadraturePoints = {|TM0018:25|})]
        [RandomIntercept(nameof(C.G))]
        [RandomIntercept(nameof(C.H))]
        public partial record M;
        """);

    [Fact]
    public void TM0018_quadrature_with_random_slopes() => DiagnosticVerifier.Verify(Counts + """
        [MixedModel<C>(Family = ResponseFamily.Poisson, Response = nameof(C.Cases), Fixed = [nameof(C.Rate)], QuadraturePoints = {|TM0018:7|})]
        [RandomSlopes(nameof(C.G), nameof(C.Rate))]
        public partial record M;
        """);

    [Fact]
    public void TM0019_offset_that_is_a_fixed_covariate() => DiagnosticVerifier.Verify(Counts + """
        [MixedModel<C>(Family = ResponseFamily.Poisson, Response = nameof(C.Cases), Fixed = [nameof(C.LogT)], Offset = {|TM0019:nameof(C.LogT)|})]
        [RandomIntercept(nameof(C.G))]
        public partial record M;
        """);

    [Fact]
    public void TM0016_reported_together_with_an_error_elsewhere() => DiagnosticVerifier.Verify(Counts + """
        [MixedModel<C>(Family = ResponseFamily.Poisson, Response = nameof(C.Cases), Fixed = [{|TM0001:"Age"|}], Offset = {|TM0016:nameof(C.Name)|})]
        [RandomIntercept({|TM0001:"Clinic"|})]
        public partial record M;
        """);

    [Fact]
    public void TM0019_trials_that_are_the_response_and_weights_that_are_the_trials() => DiagnosticVerifier.Verify(Counts + """
        [MixedModel<C>(Family = ResponseFamily.Binomial, Response = nameof(C.Cases), Trials = {|TM0019:nameof(C.Cases)|})]
        [RandomIntercept(nameof(C.G))]
        public partial record M1;

        [MixedModel<C>(Family = ResponseFamily.Binomial, Response = nameof(C.Cases), Trials = nameof(C.Total), Weights = {|TM0019:nameof(C.Total)|})]
        [RandomIntercept(nameof(C.G))]
        public partial record M2;
        """);
}
