using System.Collections.Generic;
using System.Linq;

namespace TypedMixed.Generators;

internal static partial class Emitter
{
    /// <summary>
    /// Writes the typed result over the runtime base (<c>LinearModelResult</c> or <c>GeneralizedModelResult</c>, which hold
    /// the fit, the design, the formula, the summaries and the <c>Predict</c> methods): a member per fixed-effect column
    /// (and, for a GLMM on a log or logit link, its ratio) and per random term, and the <c>Predictions</c> the base calls.
    /// </summary>
    private static void EmitResult(SourceWriter w, ModelSpec spec)
    {
        if (spec.Ordinal is { } ordinal)
        {
            EmitOrdinalResult(w, spec, ordinal);
            return;
        }
        var glmm = spec.Glmm;
        w.Line("/// <summary>");
        if (glmm is null)
        {
            w.Line("/// The fit of <see cref=\"" + spec.TypeName + "\"/>: a member per fixed-effect column and per random-effects term, named after");
            w.Line("/// the declaration, over the underlying <see cref=\"" + Tm + "LinearMixedModelFit\"/>.");
        }
        else
        {
            w.Line("/// The fit of <see cref=\"" + spec.TypeName + "\"/>: a member per fixed-effect column (link scale)" + (glmm.RatioName is null ? "" : " and its " + RatioText(glmm) + ",") + " a member per");
            w.Line("/// random-effects term, named after the declaration, over the underlying <see cref=\"" + Tm + "GeneralizedLinearMixedModelFit\"/>.");
        }
        w.Line("/// </summary>");
        w.Open("public sealed class Result : " + Gen + (glmm is null ? "LinearModelResult<" : "GeneralizedModelResult<") + spec.DataType + ">");
        EmitResultConstructor(w, spec);
        EmitFixedAndTermMembers(w, spec);
        EmitResidualResultMembers(w, spec);
        if (glmm is not null) EmitRatios(w, glmm);
        w.Line();
        EmitPredictions(w, spec);
        foreach (var term in spec.Terms)
        {
            w.Line();
            EmitTermClass(w, spec, term);
        }
        w.Close();
    }

    /// <summary>The runtime's fit type the result and its term classes are built from.</summary>
    private static string FitType(ModelSpec spec) =>
        Tm + (spec.Ordinal is not null ? "OrdinalMixedModelFit" : spec.Glmm is null ? "LinearMixedModelFit" : "GeneralizedLinearMixedModelFit");

    /// <summary>The model type's fully qualified name, for its static members from inside the nested result.</summary>
    private static string ModelType(ModelSpec spec) => "global::" + (spec.Namespace.Length == 0 ? "" : spec.Namespace + ".") + spec.TypeName;

    /// <summary>The result's constructor over the model's <see cref="FitType"/>: the base keeps fit, design and formula; one term object per term.</summary>
    private static void EmitResultConstructor(SourceWriter w, ModelSpec spec)
    {
        w.Line("private readonly DesignEncoding _encoding;");
        w.Line();
        w.Line("internal Result(" + FitType(spec) + " fit, DesignEncoding encoding)");
        w.Line("    : base(fit, encoding.Design, " + ModelType(spec) + ".Formula)");
        w.OpenBlock();
        w.Line("_encoding = encoding;");
        for (int t = 0; t < spec.Terms.Count; t++)
        {
            var term = spec.Terms[t];
            w.Line(Parser.Escape(term.MemberName) + " = new " + term.MemberName + "Effects(fit, fit.RandomEffects[" + Index(t) + "], encoding." + term.Classification + "Levels);");
        }
        w.Close();
    }

    /// <summary>A member per fixed-effect column and per random-effects term.</summary>
    private static void EmitFixedAndTermMembers(SourceWriter w, ModelSpec spec)
    {
        // An ordinal model's intercept is absorbed by its thresholds: it has no coefficient.
        foreach (var column in spec.FixedColumns.Where(c => spec.Ordinal is null || c.Name != "(Intercept)"))
        {
            w.Line();
            w.Line("/// <summary>The fixed effect <c>" + column.Name + "</c>.</summary>");
            w.Line("public " + Tm + "FixedEffectEstimate " + Parser.Escape(column.MemberName) + " => Underlying.FixedEffect(" + Literal(column.Name) + ");");
        }
        foreach (var term in spec.Terms)
        {
            w.Line();
            w.Line("/// <summary>The random effects over <c>" + term.Name + "</c>: their variances and each cluster's predicted effects.</summary>");
            w.Line("public " + term.MemberName + "Effects " + Parser.Escape(term.MemberName) + " { get; }");
        }
    }

    /// <summary>
    /// Writes <c>Predictions</c>, which the runtime base's <c>Predict</c> methods call: the records encoded in one pass by
    /// the fit's levels, the fixed part, and unless only that is asked for, each term's contribution.
    /// </summary>
    private static void EmitPredictions(SourceWriter w, ModelSpec spec)
    {
        string fixedNull = "a fixed-effect covariate" + (spec.Offset is null ? "" : " or the offset");
        string allNull = spec.Glmm is null && spec.Offset is null ? "a covariate or classification the model uses" : "a member the prediction uses";
        w.Line("/// <inheritdoc />");
        w.Open("protected override double[] Predictions(" + Scg + "IEnumerable<" + spec.DataType + "> records, bool fixedOnly, bool allowNewLevels)");
        EmitMembershipPredictionGuard(w, spec);
        w.Line("var encoded = Encode(records, _encoding, fixedOnly);");
        w.Line("var prediction = FixedParts(encoded.Design, encoded.Records, fixedOnly ? " + Literal(fixedNull) + " : " + Literal(allNull) + ");");
        w.Line("if (fixedOnly) return prediction;");
        for (int t = 0; t < spec.Terms.Count; t++)
        {
            var term = spec.Terms[t];
            w.Line(Parser.Escape(term.MemberName) + ".AddContributions(prediction, encoded." + term.Classification + "Levels, encoded.Design.Terms[" + Index(t) + "], allowNewLevels);");
        }
        w.Line("return prediction;");
        w.Close();
    }

    private static void EmitTermClass(SourceWriter w, ModelSpec spec, RandomTermSpec term)
    {
        var classification = spec.Classifications.First(c => c.Member.Name == term.Classification);
        string key = KeyType(spec, classification);
        bool single = term.Columns.Count == 1;
        string effect = single ? "double" : term.MemberName + "Effect";
        string name = term.MemberName + "Effects";

        if (!single)
        {
            w.Line("/// <summary>The predicted effects of one <c>" + term.Name + "</c> cluster.</summary>");
            w.Line("public readonly record struct " + effect + "(" + string.Join(", ", term.Columns.Select(c => "double " + Parser.Escape(c.MemberName))) + ");");
            w.Line();
        }
        w.Line("/// <summary>The random effects over <c>" + term.Name + "</c> (" + string.Join(", ", term.Columns.Select(c => c.Name)) + (single ? "" : term.Correlated ? "; correlated" : "; uncorrelated") + "), keyed by <c>" + term.Classification + "</c>.</summary>");
        w.Open("public sealed class " + name + " : " + Gen + "TermEffects<" + key + ", " + effect + ">");
        EmitMembershipTermFields(w, spec, term, inConstructor: false);
        var glmm = spec.Glmm;
        string value = single
            ? "t.ConditionalModes[l, 0]"
            : "new " + effect + "(" + string.Join(", ", term.Columns.Select((_, c) => "t.ConditionalModes[l, " + Index(c) + "]")) + ")";
        w.Line("internal " + name + "(" + FitType(spec) + " fit, " + Tm + "RandomEffectsTermFit term, " + Gen + "LevelSet<" + key + "> levels)");
        w.Line("    : base(term, levels, " + Literal(term.Classification) + ", static (t, l) => " + value + ")");
        w.OpenBlock();
        EmitMembershipTermFields(w, spec, term, inConstructor: true);
        // With a variance function σ² is only the reference rows' level-1 variance, so no single ICC is emitted.
        bool linear = glmm is null && spec.Ordinal is null;
        if (linear && InterceptsOnly(spec) && spec.Variance is null)
            w.Line("IntraclassCorrelation = fit.IntraclassCorrelation(" + Literal(term.Name) + ") ?? double.NaN;");
        if (spec.Ordinal is not null && InterceptsOnly(spec))
            w.Line("LatentVariancePartition = fit.LatentVariancePartition(" + Literal(term.Name) + ") ?? double.NaN;");
        if (glmm is { LatentIcc: true })
            w.Line("LatentIntraclassCorrelation = fit.LatentIntraclassCorrelation(" + Literal(term.Name) + ") ?? double.NaN;");
        foreach (var (a, b) in CorrelatedPairs(term))
            w.Line(PairName(term, a, b) + "CorrelationStdError = " + Gen + "TermComponents.CorrelationStdError(fit, term, " + Index(a) + ", " + Index(b) + ");");
        w.Close();
        if (glmm is { LatentIcc: true })
        {
            w.Line();
            w.Line("/// <summary>");
            w.Line("/// Latent-scale intraclass correlation of <c>" + term.Name + "</c>: its variance over the total on the scale of the latent");
            w.Line("/// " + (glmm.Link == "Logit" ? "logistic" : "normal") + " response, " + LatentIccFormula(spec, glmm, term) + ". Emitted for binomial logit and probit models whose terms are all random intercepts.");
            w.Line("/// </summary>");
            w.Line("public double LatentIntraclassCorrelation { get; }");
        }
        if (spec.Ordinal is { } ordinal && InterceptsOnly(spec))
            EmitLatentVariancePartition(w, spec, ordinal, term);
        if (linear && InterceptsOnly(spec) && spec.Variance is null)
        {
            w.Line();
            w.Line("/// <summary>");
            w.Line("/// Intraclass correlation (variance partition coefficient) of <c>" + term.Name + "</c>: its variance over the total,");
            w.Line("/// " + IccFormula(spec, term) + " with σ² the residual variance. Emitted because every term of the model is a random intercept.");
            w.Line("/// </summary>");
            w.Line("public double IntraclassCorrelation { get; }");
        }
        EmitMembershipTermMembers(w, spec, term);
        if (!single)
        {
            for (int c = 0; c < term.Columns.Count; c++)
            {
                var column = term.Columns[c];
                w.Line();
                w.Line("/// <summary>Variance of the <c>" + column.Name + "</c> effects.</summary>");
                w.Line("public double " + column.MemberName + "Variance => Term.Variance(" + Index(c) + ");");
                w.Line();
                w.Line("/// <summary>Standard deviation of the <c>" + column.Name + "</c> effects.</summary>");
                w.Line("public double " + column.MemberName + "StdDev => Term.StdDev(" + Index(c) + ");");
                w.Line();
                w.Line("/// <summary>Standard error of <see cref=\"" + column.MemberName + "Variance\"/> (observed information; NaN on the boundary or when not computed).</summary>");
                w.Line("public double " + column.MemberName + "VarianceStdError => Term.VarianceStdError(" + Index(c) + ");");
            }
            foreach (var (a, b) in CorrelatedPairs(term))
            {
                string pair = PairName(term, a, b);
                string both = "<c>" + term.Columns[a].Name + "</c> and <c>" + term.Columns[b].Name + "</c>";
                w.Line();
                w.Line("/// <summary>Correlation of the " + both + " effects.</summary>");
                w.Line("public double " + pair + "Correlation => Term.Correlation(" + Index(a) + ", " + Index(b) + ");");
                w.Line();
                w.Line("/// <summary>Standard error of <see cref=\"" + pair + "Correlation\"/> by the delta method from <see cref=\"" + Tm + (linear ? "LinearMixedModelFit" : "MixedModelFit") + ".VarianceComponentsCovariance\"/> (NaN when that is not computed).</summary>");
                w.Line("public double " + pair + "CorrelationStdError { get; }");
                w.Line();
                w.Line("/// <summary>Covariance of the " + both + " effects.</summary>");
                w.Line("public double " + pair + "Covariance => Term.Covariance[" + Index(a) + ", " + Index(b) + "];");
                w.Line();
                w.Line("/// <summary>Standard error of <see cref=\"" + pair + "Covariance\"/> (observed information; NaN on the boundary or when not computed).</summary>");
                w.Line("public double " + pair + "CovarianceStdError => " + Gen + "TermComponents.Covariance(Term, " + Index(a) + ", " + Index(b) + ").StdError;");
            }
        }
        w.Close();
    }

    /// <summary>True when every term is a random intercept alone: then each term has a single intraclass correlation.</summary>
    private static bool InterceptsOnly(ModelSpec spec) => spec.Terms.All(t => t.Intercept && t.Slopes.Count == 0);

    /// <summary>The ICC's formula for the doc comment, e.g. σ²_School / (σ²_School + σ²), σ² the residual variance.</summary>
    private static string IccFormula(ModelSpec spec, RandomTermSpec term) =>
        "σ²_" + term.Name + " / (" + string.Join(" + ", spec.Terms.Select(t => "σ²_" + t.Name)) + " + σ²)";

    /// <summary>The column pairs (a &lt; b) of a correlated term, whose covariances are estimated.</summary>
    private static IEnumerable<(int A, int B)> CorrelatedPairs(RandomTermSpec term)
    {
        if (!term.Correlated) yield break;
        for (int a = 0; a < term.Columns.Count; a++)
            for (int b = a + 1; b < term.Columns.Count; b++) yield return (a, b);
    }

    private static string PairName(RandomTermSpec term, int a, int b) => term.Columns[a].MemberName + term.Columns[b].MemberName;
}
