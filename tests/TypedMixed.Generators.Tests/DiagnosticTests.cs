using Microsoft.CodeAnalysis;
using TypedMixed.Generators.Tests.Infrastructure;

namespace TypedMixed.Generators.Tests;

/// <summary>One test per diagnostic id (more where an id covers several places), each at the offending argument.</summary>
public partial class DiagnosticTests
{
    private const string Data = """
        using TypedMixed;
        public enum Arm { Control, Active }
        public sealed record R(double Y, double X, string Name, System.DateTime When, Arm Arm,
            [property: MeasuredOn(nameof(R.G))] double Size,
            [property: Classification] int G,
            [property: Classification] int H);

        """;

    [Fact]
    public void Valid_declaration_has_no_diagnostics() => DiagnosticVerifier.Verify(Data + """
        [MixedModel<R>(Response = nameof(R.Y), Fixed = [nameof(R.X), nameof(R.Arm), nameof(R.Size)])]
        [Interaction(nameof(R.X), nameof(R.Arm))]
        [RandomSlopes(nameof(R.G), nameof(R.X))]
        [RandomIntercept(nameof(R.H))]
        public partial record M;
        """);

    [Fact]
    public void TM0001_unknown_member() => DiagnosticVerifier.Verify(Data + """
        [MixedModel<R>(Response = nameof(R.Y), Fixed = [nameof(R.X), {|TM0001:"Age"|}])]
        [RandomIntercept(nameof(R.G))]
        public partial record M;
        """);

    [Fact]
    public void TM0001_unknown_member_in_a_random_term() => DiagnosticVerifier.Verify(Data + """
        [MixedModel<R>(Response = nameof(R.Y))]
        [RandomIntercept({|TM0001:"School"|})]
        public partial record M;
        """);

    [Fact]
    public void TM0001_missing_response() => DiagnosticVerifier.Verify(Data + """
        [{|TM0001:MixedModel<R>(Fixed = [nameof(R.X)])|}]
        [RandomIntercept(nameof(R.G))]
        public partial record M;
        """);

    [Fact]
    public void TM0002_response_not_numeric() => DiagnosticVerifier.Verify(Data + """
        [MixedModel<R>(Response = {|TM0002:nameof(R.Name)|})]
        [RandomIntercept(nameof(R.G))]
        public partial record M;
        """);

    [Fact]
    public void TM0003_classification_of_floating_type() => DiagnosticVerifier.Verify("""
        using TypedMixed;
        public sealed record R(double Y, [property: {|TM0003:Classification|}] double G);
        [MixedModel<R>(Response = nameof(R.Y))]
        [RandomIntercept(nameof(R.G))]
        public partial record M;
        """);

    [Fact]
    public void TM0004_random_term_over_a_non_classification() => DiagnosticVerifier.Verify(Data + """
        [MixedModel<R>(Response = nameof(R.Y))]
        [RandomIntercept({|TM0004:nameof(R.X)|})]
        public partial record M;
        """);

    [Fact]
    public void TM0004_measured_on_a_non_classification() => DiagnosticVerifier.Verify("""
        using TypedMixed;
        public sealed record R(double Y, [property: MeasuredOn({|TM0004:nameof(R.Y)|})] double Size, [property: Classification] int G);
        [MixedModel<R>(Response = nameof(R.Y))]
        [RandomIntercept(nameof(R.G))]
        public partial record M;
        """);

    [Fact]
    public void TM0004_nested_in_a_non_classification() => DiagnosticVerifier.Verify("""
        using TypedMixed;
        public sealed record R(double Y, int District, [property: Classification(NestedIn = {|TM0004:nameof(R.District)|})] int School);
        [MixedModel<R>(Response = nameof(R.Y))]
        [RandomIntercept(nameof(R.School))]
        public partial record M;
        """);

    [Fact]
    public void TM0005_nesting_cycle() => DiagnosticVerifier.Verify("""
        using TypedMixed;
        public sealed record R(double Y,
            [property: Classification(NestedIn = nameof(R.B))] int A,
            [property: Classification(NestedIn = {|TM0005:nameof(R.A)|})] int B);
        [MixedModel<R>(Response = nameof(R.Y))]
        [RandomIntercept(nameof(R.A))]
        public partial record M;
        """);

    [Fact]
    public void TM0006_slope_of_a_covariate_measured_on_the_classification() => DiagnosticVerifier.Verify(Data + """
        [MixedModel<R>(Response = nameof(R.Y), Fixed = [nameof(R.Size)])]
        [RandomSlopes(nameof(R.G), {|TM0006:nameof(R.Size)|})]
        public partial record M;
        """);

    [Fact]
    public void TM0006_slope_over_a_classification_nested_in_the_measured_one() => DiagnosticVerifier.Verify("""
        using TypedMixed;
        public sealed record R(double Y,
            [property: MeasuredOn(nameof(R.District))] double Funding,
            [property: Classification] int District,
            [property: Classification(NestedIn = nameof(R.District))] int School);
        [MixedModel<R>(Response = nameof(R.Y), Fixed = [nameof(R.Funding)])]
        [RandomSlopes(nameof(R.School), {|TM0006:nameof(R.Funding)|})]
        public partial record M;
        """);

    [Fact]
    public void TM0007_same_random_term_twice() => DiagnosticVerifier.Verify(Data + """
        [MixedModel<R>(Response = nameof(R.Y), Fixed = [nameof(R.X)])]
        [RandomSlopes(nameof(R.G), nameof(R.X))]
        [RandomIntercept({|TM0007:nameof(R.G)|})]
        public partial record M;
        """);

    [Fact]
    public void TM0007_same_fixed_effect_twice() => DiagnosticVerifier.Verify(Data + """
        [MixedModel<R>(Response = nameof(R.Y), Fixed = [nameof(R.X), {|TM0007:nameof(R.X)|}])]
        [RandomIntercept(nameof(R.G))]
        public partial record M;
        """);

    [Fact]
    public void TM0008_no_random_term() => DiagnosticVerifier.Verify(Data + """
        [{|TM0008:MixedModel<R>(Response = nameof(R.Y))|}]
        public partial record M;
        """);

    [Fact]
    public void TM0009_model_not_partial() => DiagnosticVerifier.Verify(Data + """
        [MixedModel<R>(Response = nameof(R.Y))]
        [RandomIntercept(nameof(R.G))]
        public record {|TM0009:M|};
        """);

    [Fact]
    public void TM0010_data_type_is_an_interface() => DiagnosticVerifier.Verify("""
        using TypedMixed;
        public interface IRow { double Y { get; } }
        [MixedModel<{|TM0010:IRow|}>(Response = "Y")]
        [RandomIntercept("G")]
        public partial record M;
        """);

    [Fact]
    public void TM0010_data_type_without_readable_properties() => DiagnosticVerifier.Verify("""
        using TypedMixed;
        public sealed class Row { public double Y; }
        [MixedModel<{|TM0010:Row|}>(Response = "Y")]
        [RandomIntercept("G")]
        public partial record M;
        """);

    [Fact]
    public void TM0011_nested_model() => DiagnosticVerifier.Verify(Data + """
        public static partial class Outer
        {
            [MixedModel<R>(Response = nameof(R.Y))]
            [RandomIntercept(nameof(R.G))]
            public partial record {|TM0011:M|};
        }
        """);

    [Fact]
    public void TM0011_generic_model() => DiagnosticVerifier.Verify(Data + """
        [MixedModel<R>(Response = nameof(R.Y))]
        [RandomIntercept(nameof(R.G))]
        public partial record {|TM0011:M|}<T>;
        """);

    [Fact]
    public void TM0012_fixed_effect_of_unsupported_type() => DiagnosticVerifier.Verify(Data + """
        [MixedModel<R>(Response = nameof(R.Y), Fixed = [{|TM0012:nameof(R.When)|}])]
        [RandomIntercept(nameof(R.G))]
        public partial record M;
        """);

    [Fact]
    public void TM0012_random_slope_of_a_string() => DiagnosticVerifier.Verify(Data + """
        [MixedModel<R>(Response = nameof(R.Y), Fixed = [nameof(R.Name)])]
        [RandomSlopes(nameof(R.G), {|TM0012:nameof(R.Name)|})]
        public partial record M;
        """);

    [Fact]
    public void TM0013_interaction_of_one_member() => DiagnosticVerifier.Verify(Data + """
        [MixedModel<R>(Response = nameof(R.Y), Fixed = [nameof(R.X)])]
        [{|TM0013:Interaction(nameof(R.X))|}]
        [RandomIntercept(nameof(R.G))]
        public partial record M;
        """);

    [Fact]
    public void Interaction_member_outside_Fixed_is_valid_as_in_R() => DiagnosticVerifier.Verify(Data + """
        [MixedModel<R>(Response = nameof(R.Y), Intercept = false, Fixed = [nameof(R.Arm)])]
        [Interaction(nameof(R.X), nameof(R.Arm))]
        [RandomIntercept(nameof(R.G))]
        public partial record M;
        """);

    [Fact]
    public void TM0013_random_term_without_columns() => DiagnosticVerifier.Verify(Data + """
        [MixedModel<R>(Response = nameof(R.Y))]
        [{|TM0013:RandomSlopes(nameof(R.G), Intercept = false)|}]
        public partial record M;
        """);

    [Fact]
    public void Every_descriptor_has_a_docs_page_and_a_test()
    {
        string root = Path.GetFullPath(Path.Combine(GeneratorHarness.ProjectDirectory(), "..", ".."));
        var testNames = typeof(DiagnosticTests).GetMethods().Select(m => m.Name).ToList();
        foreach (var d in DiagnosticDescriptors.All)
        {
            Assert.True(File.Exists(Path.Combine(root, "docs", "diagnostics", d.Id + ".md")), $"docs/diagnostics/{d.Id}.md is missing");
            Assert.Equal(DiagnosticDescriptors.HelpLinkRoot + d.Id + ".md", d.HelpLinkUri);
            Assert.EndsWith("/docs/diagnostics/", DiagnosticDescriptors.HelpLinkRoot, StringComparison.Ordinal);
            Assert.Contains(testNames, n => n.StartsWith(d.Id + "_", StringComparison.Ordinal));
        }
        string unshipped = File.ReadAllText(Path.Combine(root, "generators", "TypedMixed.Generators", "AnalyzerReleases.Unshipped.md"));
        Assert.All(DiagnosticDescriptors.All, d => Assert.Contains(d.Id + " |", unshipped));
    }
}
