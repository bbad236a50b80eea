using System.Linq;

namespace TypedMixed.Generators;

internal static partial class Emitter
{
    /// <summary>Writes the typed result: a member per fixed-effect column and per random term, and <c>Predict</c>.</summary>
    private static void EmitResult(SourceWriter w, ModelSpec spec)
    {
        w.Line("/// <summary>");
        w.Line("/// The fit of <see cref=\"" + spec.TypeName + "\"/>: a member per fixed-effect column and per random-effects term, named after");
        w.Line("/// the declaration, over the underlying <see cref=\"" + Tm + "LinearMixedModelFit\"/>.");
        w.Line("/// </summary>");
        w.Open("public sealed class Result");
        w.Line("private readonly DesignEncoding _encoding;");
        w.Line("private readonly double[] _beta;");
        w.Line();
        w.Open("internal Result(" + Tm + "LinearMixedModelFit fit, DesignEncoding encoding)");
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
            w.Line(term.MemberName + " = new " + term.MemberName + "Effects(fit.RandomEffects[" + Index(t) + "], encoding." + term.Classification + "Levels);");
        }
        w.Close();
        w.Line();
        w.Line("/// <summary>The fit as the runtime reports it: all estimates, variance components, fit statistics and the optimizer's record.</summary>");
        w.Line("public " + Tm + "LinearMixedModelFit Underlying { get; }");
        w.Line();
        w.Line("/// <summary>The design that was fitted.</summary>");
        w.Line("public " + Tm + "ModelDesign Design => _encoding.Design;");
        w.Line();
        w.Line("/// <summary>The residual (level-1) variance σ̂².</summary>");
        w.Line("public double ResidualVariance => Underlying.ResidualVariance;");
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
        w.Line();
        EmitPredict(w, spec);
        foreach (var term in spec.Terms)
        {
            w.Line();
            EmitTermClass(w, spec, term);
        }
        w.Close();
    }

    private static void EmitPredict(SourceWriter w, ModelSpec spec)
    {
        w.Line("/// <summary>");
        w.Line("/// Predicts the response of <paramref name=\"record\"/>: fixed part plus the predicted random effects of its clusters;");
        w.Line("/// a cluster not in the fitted data contributes zero (the population-level prediction).");
        w.Line("/// </summary>");
        w.Line("/// <exception cref=\"" + Tm + "ModelDesignException\">A member the model uses is null, not finite, or a category not seen in the fitted data.</exception>");
        w.Open("public double Predict(" + spec.DataType + " record)");
        w.Line("var encoded = Encode(new[] { record }, _encoding);");
        w.Line("if (encoded.Design.Rows == 0)");
        w.Line("    throw new " + Tm + "ModelDesignException(\"The record has a null in a member the model uses, so it cannot be predicted.\");");
        w.Line("var x = encoded.Design.FixedEffects;");
        w.Line("double prediction = 0.0;");
        w.Line("for (int c = 0; c < _beta.Length; c++) prediction += _beta[c] * x[c];");
        for (int t = 0; t < spec.Terms.Count; t++)
        {
            var term = spec.Terms[t];
            w.Line("prediction += " + Parser.Escape(term.MemberName) + ".Contribution(encoded." + term.Classification + "Keys[0], encoded.Design.Terms[" + Index(t) + "].Columns);");
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
        w.Line("/// <summary>The random effects over <c>" + term.Name + "</c> (" + string.Join(", ", term.Columns.Select(c => c.Name)) + (single ? "" : term.Correlated ? "; correlated" : "; uncorrelated") + ").</summary>");
        w.Open("public sealed class " + name);
        w.Line("private readonly " + Gen + "LevelSet<" + key + "> _levels;");
        w.Line();
        w.Open("internal " + name + "(" + Tm + "RandomEffectsTermFit term, " + Gen + "LevelSet<" + key + "> levels)");
        w.Line("Term = term;");
        w.Line("_levels = levels;");
        w.Line("var effects = new " + Scg + "Dictionary<" + key + ", " + effect + ">(levels.Count);");
        w.Line("for (int l = 0; l < levels.Count; l++)");
        string value = single
            ? "term.ConditionalModes[l, 0]"
            : "new " + effect + "(" + string.Join(", ", term.Columns.Select((_, c) => "term.ConditionalModes[l, " + Index(c) + "]")) + ")";
        w.Line("    effects.Add(levels[l], " + value + ");");
        w.Line("Effects = effects;");
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
            }
            if (term.Correlated)
                for (int a = 0; a < term.Columns.Count; a++)
                    for (int b = a + 1; b < term.Columns.Count; b++)
                    {
                        w.Line();
                        w.Line("/// <summary>Correlation of the <c>" + term.Columns[a].Name + "</c> and <c>" + term.Columns[b].Name + "</c> effects.</summary>");
                        w.Line("public double " + term.Columns[a].MemberName + term.Columns[b].MemberName + "Correlation => Term.Correlation(" + Index(a) + ", " + Index(b) + ");");
                    }
        }
        w.Line();
        w.Line("/// <summary>Each cluster's predicted effects (conditional modes, BLUPs), keyed by <c>" + term.Classification + "</c>.</summary>");
        w.Line("public " + Scg + "IReadOnlyDictionary<" + key + ", " + effect + "> Effects { get; }");
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
}
