using System.Linq;

namespace TypedMixed.Generators;

/// <summary>
/// The parts of an ordinal (cumulative link) model's code: <c>Fit</c> over <c>OrdinalFitOptions</c>, the response coded
/// as its enum member's position, the design's categories and threshold structure, and the typed result over
/// <c>OrdinalMixedModelFit</c> with thresholds named after the enum's members and category probabilities keyed by it.
/// </summary>
internal static partial class Emitter
{
    private static void EmitOrdinalEntryPoints(SourceWriter w, ModelSpec spec, OrdinalSpec ordinal)
    {
        string data = Enumerable(spec);
        string points = Index(ordinal.QuadraturePoints);
        EmitFormula(w, spec);
        w.Line("/// <summary>The quadrature points per random effect declared on the model (1: Laplace); <c>Fit</c> uses them when no options are passed.</summary>");
        w.Line("public static int DeclaredQuadraturePoints => " + points + ";");
        w.Line();
        w.Line("/// <summary>The threshold structure declared on the model.</summary>");
        w.Line("public static " + Tm + "ThresholdStructure DeclaredThresholds => " + Tm + "ThresholdStructure." + ordinal.Thresholds + ";");
        w.Line();
        EmitBuildDesign(w, spec, "ordinal response <c>" + spec.Response.Name + "</c> (" + string.Join(" &lt; ", ordinal.Categories) + "), link " + ordinal.Link + ",",
            spec.Weights is null ? "" : "a weight is negative, ");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Fits the cumulative link mixed model to <paramref name=\"data\"/> by maximum likelihood with <paramref name=\"options\"/> as given; without");
        w.Line("/// options, with the defaults and <see cref=\"DeclaredQuadraturePoints\"/> (" + (ordinal.QuadraturePoints == 1 ? "the Laplace approximation" : points + "-point adaptive Gauss–Hermite quadrature") + ").");
        w.Line("/// </summary>");
        w.Line("/// <exception cref=\"" + Tm + "ModelDesignException\">As for <see cref=\"BuildDesign\"/>, or a category of the response has no rows.</exception>");
        w.Open("public static Result Fit(" + data + " data, " + Tm + "OrdinalFitOptions? options = null, global::System.Threading.CancellationToken cancellationToken = default)");
        w.Line("var encoding = Encode(data, null);");
        w.Line("options ??= new " + Tm + "OrdinalFitOptions { QuadraturePoints = DeclaredQuadraturePoints };");
        w.Line("return new Result(" + Tm + "OrdinalMixedModel.Fit(encoding.Design, options, cancellationToken), encoding);");
        w.Close();
    }

    /// <summary>The categories in order, and the coding of a response value as its category's position (an undefined value is an error naming the row).</summary>
    private static void EmitCategoryCodes(SourceWriter w, ModelSpec spec, OrdinalSpec ordinal)
    {
        string type = spec.Response.Type;
        w.Line("/// <summary>The categories of <c>" + spec.Response.Name + "</c>, lowest first: the members of the enum in declaration order.</summary>");
        w.Line("private static readonly " + type + "[] CategoryOrder = { " + string.Join(", ", ordinal.Categories.Select(c => type + "." + Parser.Escape(c))) + " };");
        w.Line();
        w.Line("/// <summary>The position of <paramref name=\"value\"/> among the categories; a value the enum does not declare is an error naming the row.</summary>");
        w.Open("private static double CategoryIndex(" + type + " value, int row) => value switch");
        for (int j = 0; j < ordinal.Categories.Count; j++)
            w.Line(type + "." + Parser.Escape(ordinal.Categories[j]) + " => " + Index(j) + ",");
        w.Line("_ => throw " + Gen + "DesignChecks.UndefinedEnumValue(" + Literal(spec.Response.Name) + ", value, row),");
        w.Close(";");
    }

    /// <summary>The design's ordinal settings: family, link, category names and threshold structure.</summary>
    private static void EmitOrdinalDesignSettings(SourceWriter w, OrdinalSpec ordinal)
    {
        w.Line("Family = " + Tm + "ResponseFamily.Ordinal,");
        w.Line("Link = " + Tm + "LinkFunction." + ordinal.Link + ",");
        w.Line("Ordinal = new " + Tm + "OrdinalResponse { Categories = new[] { " + string.Join(", ", ordinal.Categories.Select(Literal)) +
               " }, Thresholds = " + Tm + "ThresholdStructure." + ordinal.Thresholds + " },");
    }

    private static void EmitOrdinalResult(SourceWriter w, ModelSpec spec, OrdinalSpec ordinal)
    {
        string category = spec.Response.Type;
        w.Line("/// <summary>");
        w.Line("/// The fit of <see cref=\"" + spec.TypeName + "\"/>: the thresholds between the categories of <c>" + spec.Response.Name + "</c>, a member per fixed-effect column");
        w.Line("/// (latent scale; β &gt; 0 shifts towards higher categories)" + (ordinal.Ratios.Count == 0 ? "," : " and its cumulative odds ratio,") + " a member per random-effects term, named after the");
        w.Line("/// declaration, over the underlying <see cref=\"" + Tm + "OrdinalMixedModelFit\"/>; category probabilities keyed by the enum.");
        w.Line("/// </summary>");
        w.Open("public sealed class Result : " + Gen + "OrdinalModelResult<" + spec.DataType + ", " + category + ">");
        w.Line("private readonly DesignEncoding _encoding;");
        w.Line();
        w.Line("internal Result(" + Tm + "OrdinalMixedModelFit fit, DesignEncoding encoding)");
        w.Line("    : base(fit, encoding.Design, " + ModelType(spec) + ".Formula, CategoryOrder)");
        w.OpenBlock();
        w.Line("_encoding = encoding;");
        w.Line("Thresholds = new ThresholdEstimates(fit);");
        for (int t = 0; t < spec.Terms.Count; t++)
        {
            var term = spec.Terms[t];
            w.Line(Parser.Escape(term.MemberName) + " = new " + term.MemberName + "Effects(fit, fit.RandomEffects[" + Index(t) + "], encoding." + term.Classification + "Levels);");
        }
        w.Close();
        w.Line();
        w.Line("/// <summary>The thresholds τⱼ between adjacent categories, P(" + spec.Response.Name + " ≤ j) = F(τⱼ − η), one member per pair named <c>Lower_Upper</c>.</summary>");
        w.Line("public ThresholdEstimates Thresholds { get; }");
        EmitFixedAndTermMembers(w, spec);
        foreach (var ratio in ordinal.Ratios)
        {
            w.Line();
            w.Line("/// <summary>The cumulative odds ratio of <c>" + ratio.Name + "</c>, exp(β): the factor on the odds of a higher category (above any threshold), with its Wald 95% interval.</summary>");
            w.Line("public " + Gen + "EffectRatio " + Parser.Escape(ratio.MemberName) + " => " + Gen + "EffectRatio.Of(Underlying.FixedEffect(" + Literal(ratio.Name) + "));");
        }
        w.Line();
        EmitOrdinalPredictions(w, spec);
        w.Line();
        w.Line("/// <summary>The thresholds of <see cref=\"" + spec.TypeName + "\"/>, named after the two adjacent members of <c>" + category.Replace("global::", "") + "</c> they separate.</summary>");
        w.Open("public sealed class ThresholdEstimates : " + Gen + "OrdinalThresholds<" + category + ">");
        w.Line("internal ThresholdEstimates(" + Tm + "OrdinalMixedModelFit fit)");
        w.Line("    : base(fit, CategoryOrder)");
        w.OpenBlock();
        w.Close();
        for (int j = 0; j < ordinal.ThresholdMembers.Count; j++)
        {
            var threshold = ordinal.ThresholdMembers[j];
            w.Line();
            w.Line("/// <summary>The threshold <c>" + threshold.Name + "</c>: P(" + spec.Response.Name + " ≤ " + ordinal.Categories[j] + ") = F(τ − η).</summary>");
            w.Line("public " + Tm + "FixedEffectEstimate " + threshold.MemberName + " => All[" + Index(j) + "];");
        }
        w.Close();
        foreach (var term in spec.Terms)
        {
            w.Line();
            EmitTermClass(w, spec, term);
        }
        w.Close();
    }

    /// <summary>
    /// Writes <c>Predictions</c> (η, which <c>PredictLink</c> and <c>PredictFixed</c> use) and <c>LatentPredictions</c> (η with
    /// the variance of the random effects integrated out, which the category probabilities use).
    /// </summary>
    private static void EmitOrdinalPredictions(SourceWriter w, ModelSpec spec)
    {
        string fixedNull = "a fixed-effect covariate" + (spec.Offset is null ? "" : " or the offset");
        w.Line("/// <inheritdoc />");
        w.Open("protected override double[] Predictions(" + Scg + "IEnumerable<" + spec.DataType + "> records, bool fixedOnly, bool allowNewLevels)");
        w.Line("var encoded = Encode(records, _encoding, fixedOnly);");
        w.Line("var prediction = FixedParts(encoded.Design, encoded.Records, fixedOnly ? " + Literal(fixedNull) + " : \"a member the prediction uses\");");
        w.Line("if (fixedOnly) return prediction;");
        for (int t = 0; t < spec.Terms.Count; t++)
        {
            var term = spec.Terms[t];
            w.Line(Parser.Escape(term.MemberName) + ".AddContributions(prediction, encoded." + term.Classification + "Levels, encoded.Design.Terms[" + Index(t) + "], allowNewLevels);");
        }
        w.Line("return prediction;");
        w.Close();
        w.Line();
        w.Line("/// <inheritdoc />");
        w.Open("protected override double[] LatentPredictions(" + Scg + "IEnumerable<" + spec.DataType + "> records, bool allowNewLevels, bool averageAll, out double[] variance)");
        w.Line("var encoded = Encode(records, _encoding);");
        w.Line("var prediction = FixedParts(encoded.Design, encoded.Records, \"a member the prediction uses\");");
        w.Line("variance = new double[prediction.Length];");
        for (int t = 0; t < spec.Terms.Count; t++)
        {
            var term = spec.Terms[t];
            string member = Parser.Escape(term.MemberName);
            string levels = "encoded." + term.Classification + "Levels";
            string design = "encoded.Design.Terms[" + Index(t) + "]";
            w.Line("if (!averageAll) " + member + ".AddContributions(prediction, " + levels + ", " + design + ", allowNewLevels);");
            w.Line(member + ".AddUnknownClusterVariance(variance, " + levels + ", " + design + ", averageAll);");
        }
        w.Line("return prediction;");
        w.Close();
    }

    /// <summary>The latent-scale VPC member of a term class (every term a random intercept).</summary>
    private static void EmitLatentVariancePartition(SourceWriter w, ModelSpec spec, OrdinalSpec ordinal, RandomTermSpec term)
    {
        string latent = ordinal.Link switch { "Probit" => "1", "Cloglog" => "π²/6", _ => "π²/3" };
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Latent-scale variance partition coefficient of <c>" + term.Name + "</c>: σ²_" + term.Name + " / (" + string.Join(" + ", spec.Terms.Select(t => "σ²_" + t.Name)) + " + " + latent + "),");
        w.Line("/// " + latent + " the variance of the " + ordinal.Link.ToLowerInvariant() + " link's latent distribution. Emitted because every term of the model is a random intercept.");
        w.Line("/// </summary>");
        w.Line("public double LatentVariancePartition { get; }");
    }
}
