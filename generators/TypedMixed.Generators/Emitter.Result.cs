using System.Collections.Generic;
using System.Linq;

namespace TypedMixed.Generators;

internal static partial class Emitter
{
    /// <summary>Writes the typed result: a member per fixed-effect column and per random term, <c>Predict</c> and <c>PredictFixed</c>.</summary>
    private static void EmitResult(SourceWriter w, ModelSpec spec)
    {
        w.Line("/// <summary>");
        w.Line("/// The fit of <see cref=\"" + spec.TypeName + "\"/>: a member per fixed-effect column and per random-effects term, named after");
        w.Line("/// the declaration, over the underlying <see cref=\"" + Tm + "LinearMixedModelFit\"/>.");
        w.Line("/// </summary>");
        w.Open("public sealed class Result");
        EmitResultConstructor(w, spec, "LinearMixedModelFit");
        w.Line();
        w.Line("/// <summary>The fit as the runtime reports it: all estimates, variance components, fit statistics and the optimizer's record.</summary>");
        w.Line("public " + Tm + "LinearMixedModelFit Underlying { get; }");
        w.Line();
        w.Line("/// <summary>The design that was fitted.</summary>");
        w.Line("public " + Tm + "ModelDesign Design => _encoding.Design;");
        w.Line();
        w.Line("/// <summary>The residual (level-1) variance σ̂².</summary>");
        w.Line("public double ResidualVariance => Underlying.ResidualVariance;");
        w.Line();
        w.Line("/// <summary>Standard error of <see cref=\"ResidualVariance\"/> (observed information; NaN when not computed).</summary>");
        w.Line("public double ResidualVarianceStdError => global::System.Linq.Enumerable.Last(Underlying.VarianceComponents, c => c.Kind == " + Tm + "VarianceComponentKind.ResidualVariance).StdError;");
        EmitFixedAndTermMembers(w, spec);
        w.Line();
        EmitPredict(w, spec);
        foreach (var term in spec.Terms)
        {
            w.Line();
            EmitTermClass(w, spec, term);
        }
        w.Close();
    }

    /// <summary>The result's fields and constructor over a fit of type <paramref name="fitType"/>: β by column, one term object per term.</summary>
    private static void EmitResultConstructor(SourceWriter w, ModelSpec spec, string fitType)
    {
        w.Line("private readonly DesignEncoding _encoding;");
        w.Line("private readonly double[] _beta;");
        w.Line();
        w.Open("internal Result(" + Tm + fitType + " fit, DesignEncoding encoding)");
        w.Line("Underlying = fit;");
        w.Line("_encoding = encoding;");
        w.Line("var names = encoding.Design.FixedEffectNames;");
        w.Line("_beta = new double[names.Count];");
        w.Line("for (int c = 0; c < names.Count; c++)");
        w.Line("    foreach (var estimate in fit.FixedEffects)");
        w.Line("        if (estimate.Name == names[c]) _beta[c] = estimate.Estimate;");
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
        foreach (var column in spec.FixedColumns)
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

    private static void EmitPredict(SourceWriter w, ModelSpec spec)
    {
        string response = "<c>" + spec.Response.Name + "</c>";
        w.Line("/// <summary>");
        w.Line("/// Predicts the response of <paramref name=\"record\"/>: fixed part plus the predicted random effects of its clusters;");
        w.Line("/// a cluster not in the fitted data contributes zero (the population-level prediction). The response " + response + " is not read.");
        w.Line("/// </summary>");
        w.Line("/// <exception cref=\"" + Tm + "ModelDesignException\">A covariate or classification the model uses is null, not finite, or a category not seen in the fitted data.</exception>");
        w.Open("public double Predict(" + spec.DataType + " record)");
        w.Line("var encoded = Encode(new[] { record }, _encoding);");
        w.Line("if (encoded.Design.Rows == 0)");
        w.Line("    throw new " + Tm + "ModelDesignException(\"The record has a null in a covariate or classification the model uses, so it cannot be predicted.\");");
        w.Line("double prediction = FixedPart(encoded.Design.FixedEffects);");
        for (int t = 0; t < spec.Terms.Count; t++)
        {
            var term = spec.Terms[t];
            w.Line("prediction += " + Parser.Escape(term.MemberName) + ".Contribution(encoded." + term.Classification + "Keys[0], encoded.Design.Terms[" + Index(t) + "].Columns);");
        }
        w.Line("return prediction;");
        w.Close();
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Predicts the population-level response of <paramref name=\"record\"/>, the fixed part xβ̂ alone (no random effects).");
        w.Line("/// Only the fixed effects' covariates are read: the response " + response + " and the classifications may be anything, or null.");
        w.Line("/// </summary>");
        w.Line("/// <exception cref=\"" + Tm + "ModelDesignException\">A fixed-effect covariate is null, not finite, or a category not seen in the fitted data.</exception>");
        w.Open("public double PredictFixed(" + spec.DataType + " record)");
        w.Line("var encoded = Encode(new[] { record }, _encoding, fixedOnly: true);");
        w.Line("if (encoded.Design.Rows == 0)");
        w.Line("    throw new " + Tm + "ModelDesignException(\"The record has a null in a fixed-effect covariate, so it cannot be predicted.\");");
        w.Line("return FixedPart(encoded.Design.FixedEffects);");
        w.Close();
        w.Line();
        w.Line("/// <summary>xβ̂ for the one row of <paramref name=\"x\"/> (an aliased column's coefficient is zero).</summary>");
        w.Open("private double FixedPart(double[] x)");
        w.Line("double sum = 0.0;");
        w.Line("for (int c = 0; c < _beta.Length; c++) sum += _beta[c] * x[c];");
        w.Line("return sum;");
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
        w.Line("/// <summary>The random effects over <c>" + term.Name + "</c> (" + string.Join(", ", term.Columns.Select(c => c.Name)) + (single ? "" : term.Correlated ? "; correlated" : "; uncorrelated") + ").</summary>");
        w.Open("public sealed class " + name);
        w.Line("private readonly " + Gen + "LevelSet<" + key + "> _levels;");
        w.Line();
        var glmm = spec.Glmm;
        string fitType = glmm is null ? "LinearMixedModelFit" : "GeneralizedLinearMixedModelFit";
        w.Open("internal " + name + "(" + Tm + fitType + " fit, " + Tm + "RandomEffectsTermFit term, " + Gen + "LevelSet<" + key + "> levels)");
        w.Line("Term = term;");
        w.Line("_levels = levels;");
        w.Line("var effects = new " + Scg + "Dictionary<" + key + ", " + effect + ">(levels.Count);");
        w.Line("var sizes = new " + Scg + "Dictionary<" + key + ", int>(levels.Count);");
        w.Open("for (int l = 0; l < levels.Count; l++)");
        string value = single
            ? "term.ConditionalModes[l, 0]"
            : "new " + effect + "(" + string.Join(", ", term.Columns.Select((_, c) => "term.ConditionalModes[l, " + Index(c) + "]")) + ")";
        w.Line("effects.Add(levels[l], " + value + ");");
        w.Line("sizes.Add(levels[l], term.LevelSizes[l]);");
        w.Close();
        w.Line("Effects = effects;");
        w.Line("Sizes = sizes;");
        if (glmm is null && InterceptsOnly(spec))
            w.Line("IntraclassCorrelation = fit.IntraclassCorrelation(" + Literal(term.Name) + ") ?? double.NaN;");
        if (glmm is { LatentIcc: true })
            w.Line("LatentIntraclassCorrelation = fit.LatentIntraclassCorrelation(" + Literal(term.Name) + ") ?? double.NaN;");
        foreach (var (a, b) in CorrelatedPairs(term))
            w.Line(PairName(term, a, b) + "CorrelationStdError = " + Gen + "TermComponents.CorrelationStdError(fit, term, " + Index(a) + ", " + Index(b) + ");");
        w.Close();
        w.Line();
        w.Line("/// <summary>The runtime's view of the term: covariance matrix, conditional modes and their variances by level index.</summary>");
        w.Line("public " + Tm + "RandomEffectsTermFit Term { get; }");
        w.Line();
        w.Line("/// <summary>The clusters, in level order.</summary>");
        w.Line("public " + Scg + "IReadOnlyList<" + key + "> Levels => _levels;");
        w.Line();
        w.Line("/// <summary>Variance of the <c>" + term.Columns[0].Name + "</c> effects.</summary>");
        w.Line("public double Variance => Term.Variance(0);");
        w.Line();
        w.Line("/// <summary>Standard deviation of the <c>" + term.Columns[0].Name + "</c> effects.</summary>");
        w.Line("public double StdDev => Term.StdDev(0);");
        w.Line();
        w.Line("/// <summary>Standard error of <see cref=\"Variance\"/> (observed information; NaN on the boundary or when not computed).</summary>");
        w.Line("public double VarianceStdError => Term.VarianceStdError(0);");
        if (glmm is { LatentIcc: true })
        {
            w.Line();
            w.Line("/// <summary>");
            w.Line("/// Latent-scale intraclass correlation of <c>" + term.Name + "</c>: its variance over the total on the scale of the latent");
            w.Line("/// " + (glmm.Link == "Logit" ? "logistic" : "normal") + " response, " + LatentIccFormula(spec, glmm, term) + ". Emitted for binomial logit and probit models whose terms are all random intercepts.");
            w.Line("/// </summary>");
            w.Line("public double LatentIntraclassCorrelation { get; }");
        }
        if (glmm is null && InterceptsOnly(spec))
        {
            w.Line();
            w.Line("/// <summary>");
            w.Line("/// Intraclass correlation (variance partition coefficient) of <c>" + term.Name + "</c>: its variance over the total,");
            w.Line("/// " + IccFormula(spec, term) + " with σ² the residual variance. Emitted because every term of the model is a random intercept.");
            w.Line("/// </summary>");
            w.Line("public double IntraclassCorrelation { get; }");
        }
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
                w.Line("/// <summary>Standard error of <see cref=\"" + pair + "Correlation\"/> by the delta method from <see cref=\"" + Tm + (glmm is null ? "LinearMixedModelFit" : "MixedModelFit") + ".VarianceComponentsCovariance\"/> (NaN when that is not computed).</summary>");
                w.Line("public double " + pair + "CorrelationStdError { get; }");
                w.Line();
                w.Line("/// <summary>Covariance of the " + both + " effects.</summary>");
                w.Line("public double " + pair + "Covariance => Term.Covariance[" + Index(a) + ", " + Index(b) + "];");
                w.Line();
                w.Line("/// <summary>Standard error of <see cref=\"" + pair + "Covariance\"/> (observed information; NaN on the boundary or when not computed).</summary>");
                w.Line("public double " + pair + "CovarianceStdError => " + Gen + "TermComponents.Covariance(Term, " + Index(a) + ", " + Index(b) + ").StdError;");
            }
        }
        w.Line();
        w.Line("/// <summary>Each cluster's predicted effects (conditional modes, BLUPs), keyed by <c>" + term.Classification + "</c>.</summary>");
        w.Line("public " + Scg + "IReadOnlyDictionary<" + key + ", " + effect + "> Effects { get; }");
        w.Line();
        w.Line("/// <summary>Each cluster's number of observations (rows fitted), keyed by <c>" + term.Classification + "</c>; they sum to the rows fitted.</summary>");
        w.Line("public " + Scg + "IReadOnlyDictionary<" + key + ", int> Sizes { get; }");
        w.Line();
        w.Line("/// <summary>Conditional standard deviation of effect <paramref name=\"column\"/> of cluster <paramref name=\"key\"/>.</summary>");
        w.Line("public double ConditionalStdDev(" + key + " key, int column = 0) => _levels.TryGetIndex(key, out int level)");
        w.Line("    ? Term.ConditionalStdDev(level, column)");
        w.Line("    : throw new " + Scg + "KeyNotFoundException(\"The cluster \" + " + Gen + "LevelText.Of(key) + \" is not in the fitted data.\");");
        w.Line();
        w.Open("internal double Contribution(" + key + " key, double[] z)");
        w.Line("if (!_levels.TryGetIndex(key, out int level)) return 0.0;");
        w.Line("double sum = 0.0;");
        w.Line("for (int c = 0; c < z.Length; c++) sum += Term.ConditionalModes[level, c] * z[c];");
        w.Line("return sum;");
        w.Close();
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
