using Microsoft.CodeAnalysis;
using TypedMixed.Generators.Tests.Infrastructure;

namespace TypedMixed.Generators.Tests;

/// <summary>The emitter from hand-built specs: GLMM variants no sample model declares, compiled against the runtime.</summary>
public class EmitterTests
{
    private const string Data = """
        namespace Hand;
        public sealed record Row(bool? Passed, double Hours, int Items, double Weight, int Class);
        public partial record M;
        """;

    private static ModelSpec Spec(FamilySpec family) => new(
        Namespace: "Hand",
        TypeName: "M",
        TypeKeyword: "record",
        DataType: "global::Hand.Row",
        DataIsReferenceType: true,
        Response: new MemberSpec("Passed", "Passed", "bool", CanBeMissing: true, IsFloatingPoint: false),
        Intercept: true,
        Method: "global::TypedMixed.EstimationMethod.Reml",
        Covariates: new[] { new CovariateSpec(new MemberSpec("Hours", "Hours", "double", false, true), CovariateKind.Numeric, EquatableArray<string>.Empty, null) }.ToEquatableArray(),
        FixedTerms: new[] { new FixedTermSpec(new[] { "Hours" }.ToEquatableArray(), new[] { false }.ToEquatableArray()) }.ToEquatableArray(),
        FixedColumns: new[] { new ColumnSpec("(Intercept)", "Intercept"), new ColumnSpec("Hours", "Hours") }.ToEquatableArray(),
        Classifications: new[] { new ClassificationSpec(new MemberSpec("Class", "Class", "int", false, false), KeyKind.Comparable, new[] { "Class" }.ToEquatableArray()) }.ToEquatableArray(),
        Terms: new[] { new RandomTermSpec("Class", "Class", "Class", true, EquatableArray<string>.Empty, EquatableArray<bool>.Empty, true, new[] { new ColumnSpec("(Intercept)", "Intercept") }.ToEquatableArray()) }.ToEquatableArray(),
        MeasuredOn: EquatableArray<MeasuredOnSpec>.Empty,
        Glmm: family);

    private static string EmitAndCompile(ModelSpec spec)
    {
        string code = Emitter.Emit(spec);
        var compilation = GeneratorHarness.Compile(Data, code);
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        return code;
    }

    [Fact]
    public void Probit_bernoulli_with_quadrature_has_a_latent_ICC_over_one_and_no_ratios()
    {
        var code = EmitAndCompile(Spec(new FamilySpec("Binomial", "Probit", BernoulliResponse: true, Trials: null,
            QuadraturePoints: 3, RatioName: null, Ratios: EquatableArray<ColumnSpec>.Empty, LatentIcc: true)));
        Assert.Contains("public static int DeclaredQuadraturePoints => 3;", code, StringComparison.Ordinal);
        Assert.Contains("Link = global::TypedMixed.LinkFunction.Probit,", code, StringComparison.Ordinal);
        Assert.Contains("σ²_Class / (σ²_Class + 1)", code, StringComparison.Ordinal);
        Assert.Contains("(v_Passed ? 1.0 : 0.0)", code, StringComparison.Ordinal);
        Assert.DoesNotContain("EffectRatio", code, StringComparison.Ordinal);
        Assert.DoesNotContain("Trials =", code, StringComparison.Ordinal);
    }

    [Fact]
    public void Weighted_count_model_on_the_sqrt_link_reads_weights_only_when_fitting()
    {
        var spec = Spec(new FamilySpec("NegativeBinomial", "Sqrt", BernoulliResponse: false, Trials: null, QuadraturePoints: 1, RatioName: null,
            Ratios: EquatableArray<ColumnSpec>.Empty, LatentIcc: false)) with
        {
            Response = new MemberSpec("Items", "Items", "int", false, false),
            Weights = new MemberSpec("Weight", "Weight", "double", false, true),
        };
        var code = EmitAndCompile(spec);
        Assert.Contains("response[n] = fitted is null ? global::TypedMixed.Generated.GlmmChecks.Count((double)v_Items, \"Items\", i) : 0.0;", code, StringComparison.Ordinal);
        Assert.Contains("weights[n] = fitted is null ? global::TypedMixed.Generated.GlmmChecks.Weight(global::TypedMixed.Generated.DesignChecks.Finite(v_Weight, \"Weight\", i), \"Weight\", i) : 0.0;", code, StringComparison.Ordinal);
        Assert.Contains("Weights = global::TypedMixed.Generated.EncodedDesign.Kept(weights, n),", code, StringComparison.Ordinal);
        Assert.Contains("public static string Formula => \"Items ~ 1 + Hours + (1 | Class)\";", code, StringComparison.Ordinal);
        Assert.DoesNotContain("LatentIntraclassCorrelation", code, StringComparison.Ordinal);
        Assert.DoesNotContain("EffectRatio", code, StringComparison.Ordinal);
    }

    [Fact]
    public void Formula_writes_lme4_notation_for_trials_offset_no_intercept_interactions_and_uncorrelated_slopes()
    {
        var binomial = Spec(new FamilySpec("Binomial", "Logit", BernoulliResponse: false, Trials: new MemberSpec("Items", "Items", "int", false, false),
            QuadraturePoints: 1, RatioName: "OddsRatio", Ratios: EquatableArray<ColumnSpec>.Empty, LatentIcc: false)) with
        {
            Offset = new MemberSpec("Weight", "Weight", "double", false, true),
        };
        Assert.Equal("cbind(Passed, Items - Passed) ~ 1 + Hours + offset(Weight) + (1 | Class)", Emitter.Formula(binomial));

        var linear = Spec(null!) with
        {
            Glmm = null,
            Intercept = false,
            FixedTerms = new[]
            {
                new FixedTermSpec(new[] { "Hours" }.ToEquatableArray(), new[] { false }.ToEquatableArray()),
                new FixedTermSpec(new[] { "Hours", "Items" }.ToEquatableArray(), new[] { false, false }.ToEquatableArray()),
            }.ToEquatableArray(),
            Terms = new[]
            {
                new RandomTermSpec("Class", "Class", "Class", false, new[] { "Hours" }.ToEquatableArray(), new[] { false }.ToEquatableArray(), true,
                    new[] { new ColumnSpec("Hours", "Hours") }.ToEquatableArray()),
                new RandomTermSpec("Pupil", "Pupil:Class", "Pupil", true, new[] { "Hours" }.ToEquatableArray(), new[] { false }.ToEquatableArray(), false,
                    new[] { new ColumnSpec("(Intercept)", "Intercept"), new ColumnSpec("Hours", "Hours") }.ToEquatableArray()),
            }.ToEquatableArray(),
        };
        Assert.Equal("Passed ~ 0 + Hours + Hours:Items + (0 + Hours | Class) + (1 + Hours || Pupil:Class)", Emitter.Formula(linear));
    }

    [Fact]
    public void Gaussian_model_with_weights_checks_them_positive_and_keeps_the_offset_for_predictions()
    {
        var spec = Spec(null!) with
        {
            Glmm = null,
            Response = new MemberSpec("Hours", "Hours", "double", false, true),
            Covariates = new[] { new CovariateSpec(new MemberSpec("Items", "Items", "int", false, false), CovariateKind.Numeric, EquatableArray<string>.Empty, null) }.ToEquatableArray(),
            FixedTerms = new[] { new FixedTermSpec(new[] { "Items" }.ToEquatableArray(), new[] { false }.ToEquatableArray()) }.ToEquatableArray(),
            FixedColumns = new[] { new ColumnSpec("(Intercept)", "Intercept"), new ColumnSpec("Items", "Items") }.ToEquatableArray(),
            Weights = new MemberSpec("Weight", "Weight", "double", false, true),
        };
        var code = EmitAndCompile(spec);
        Assert.Contains("weights[n] = fitted is null ? global::TypedMixed.Generated.DesignChecks.PositiveWeight(global::TypedMixed.Generated.DesignChecks.Finite(v_Weight, \"Weight\", i), \"Weight\", i) : 0.0;", code, StringComparison.Ordinal);
        Assert.Contains("Weights = global::TypedMixed.Generated.EncodedDesign.Kept(weights, n),", code, StringComparison.Ordinal);
        Assert.Contains("global::TypedMixed.LinearMixedModel.Fit(", code, StringComparison.Ordinal);
        Assert.DoesNotContain("GlmmChecks", code, StringComparison.Ordinal);
        Assert.DoesNotContain("Family =", code, StringComparison.Ordinal);
        Assert.DoesNotContain("Offset =", code, StringComparison.Ordinal);
        Assert.Contains("a weight is not positive", code, StringComparison.Ordinal);

        var withOffset = EmitAndCompile(spec with { Weights = null, Offset = new MemberSpec("Weight", "Weight", "double", false, true) });
        Assert.Contains("offset[n] = global::TypedMixed.Generated.DesignChecks.Finite(v_Weight, \"Weight\", i);", withOffset, StringComparison.Ordinal);
        Assert.Contains("Offset = global::TypedMixed.Generated.EncodedDesign.Kept(offset, n),", withOffset, StringComparison.Ordinal);
        Assert.Contains("\"a fixed-effect covariate or the offset\"", withOffset, StringComparison.Ordinal);
        Assert.Equal("Hours ~ 1 + Items + offset(Weight) + (1 | Class)", Emitter.Formula(spec with { Offset = spec.Weights }));
    }

    [Fact]
    public void Residual_structures_from_a_hand_built_spec_are_read_for_fitting_only()
    {
        // Gaussian: Weight ~ Hours + (1 | Class), AR(1) over Items within Class, varPower of Items (read nowhere else).
        var items = new MemberSpec("Items", "Items", "int", false, false);
        var spec = Spec(null!) with
        {
            Glmm = null,
            Response = new MemberSpec("Weight", "Weight", "double", false, true),
            Covariates = new[]
            {
                new CovariateSpec(new MemberSpec("Hours", "Hours", "double", false, true), CovariateKind.Numeric, EquatableArray<string>.Empty, null),
                new CovariateSpec(items, CovariateKind.Numeric, EquatableArray<string>.Empty, null),
            }.ToEquatableArray(),
            Correlation = new ResidualCorrelationSpec("Ar1", items, "Class", "Class"),
            Variance = new ResidualVarianceSpec("Power", new[] { "Items" }.ToEquatableArray()),
        };
        var code = EmitAndCompile(spec);
        Assert.Contains("if (fitted is null) c_Items[n] = (double)v_Items;", code, StringComparison.Ordinal);
        Assert.Contains("if (fitted is null) rt[n] = (double)v_Items;", code, StringComparison.Ordinal);
        Assert.Contains("ResidualDesign.Correlation(global::TypedMixed.ResidualCorrelationStructure.Ar1, \"Items\", rt, \"Class\", g_Class, l_Class, n, recordOf)", code, StringComparison.Ordinal);
        Assert.Contains("ResidualDesign.Covariates(global::TypedMixed.ResidualVarianceFunctionKind.Power, vz, n, recordOf)", code, StringComparison.Ordinal);
        Assert.Contains("the power variance function's covariate is 0", code, StringComparison.Ordinal);
        Assert.DoesNotContain("IntraclassCorrelation", code, StringComparison.Ordinal);
        // Without the structures nothing of them is emitted.
        var plain = Emitter.Emit(spec with { Correlation = null, Variance = null });
        Assert.DoesNotContain("recordOf", plain, StringComparison.Ordinal);
        Assert.DoesNotContain("Residual", plain.Replace("ResidualVariance =>", "", StringComparison.Ordinal).Replace("ResidualVarianceStdError", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
