namespace TypedMixed;

/// <summary>Writes a fit's model in lme4's formula notation, e.g. <c>normexam ~ standLRT + (1 | school)</c>.</summary>
internal static class ModelFormulaText
{
    public static string Of(MixedModelFit fit)
    {
        var parts = new List<string>();
        var fixedNames = fit.FixedEffects.Select(f => f.Name).Concat(fit.DroppedFixedEffects).ToList();
        if (!fixedNames.Contains("(Intercept)")) parts.Add("0");
        parts.AddRange(fixedNames.Where(n => n != "(Intercept)"));
        if (parts.Count == 0) parts.Add("1");
        foreach (var t in fit.RandomEffects)
        {
            var cols = t.ColumnNames.Select(c => c == "(Intercept)" ? "1" : c).ToList();
            if (!cols.Contains("1")) cols.Insert(0, "0");
            string bar = t.Structure == CovarianceStructure.Diagonal && t.ColumnNames.Count > 1 ? "||" : "|";
            parts.Add($"({string.Join(" + ", cols)} {bar} {t.Name})");
        }
        return $"{fit.ResponseName} ~ {string.Join(" + ", parts)}";
    }
}
