using System.Collections.Generic;
using System.Linq;

namespace TypedMixed.Generators;

/// <summary>
/// How categories become columns, as R's <c>model.matrix</c> decides it (lme4 builds its X and Z with it): terms in order
/// of degree, an interaction's members in the order they are first named; a category in a term is coded by treatment contrasts when the term without it is empty or contained in an
/// earlier term, otherwise by a dummy for every level; without an intercept, the first category of the first term that
/// has one is coded by every level (<c>0 + sex</c> gives <c>sexBoy</c>, <c>sexGirl</c>).
/// </summary>
internal sealed partial class Parser
{
    /// <summary>The fixed terms in R's order (main effects, then interactions by degree, each group as declared) and coding.</summary>
    private List<FixedTermSpec> CodeFixedTerms(bool intercept, List<EquatableArray<string>> declared)
    {
        // R's variable order: first mention in the formula, i.e. Fixed, then the interactions as declared.
        var variables = new List<string>();
        foreach (var term in declared)
            foreach (var covariate in term)
                if (!variables.Contains(covariate)) variables.Add(covariate);

        // Terms by degree, stable; the members of an interaction in variable order, as R labels it (x:f whichever way written).
        var ordered = declared.Select((term, k) => (term, k)).OrderBy(p => p.term.Count).ThenBy(p => p.k)
            .Select(p => p.term.OrderBy(variables.IndexOf).ToEquatableArray()).ToList();
        var allLevels = new List<bool[]>();
        for (int k = 0; k < ordered.Count; k++)
        {
            var term = ordered[k];
            var code = new bool[term.Count];
            for (int j = 0; j < term.Count; j++)
            {
                if (!IsCategory(_covariates[term[j]])) continue;
                // The margin: the term without this covariate. Empty, or inside an earlier term → contrasts.
                var margin = term.Where((_, i) => i != j).ToList();
                bool marginPresent = margin.Count == 0 || ordered.Take(k).Any(earlier => margin.All(earlier.Contains));
                code[j] = !marginPresent;
            }
            allLevels.Add(code);
        }
        if (!intercept)
        {
            // R's rule for a model without intercept: the first category (in variable order) of the first term holding one.
            for (int k = 0; k < ordered.Count; k++)
            {
                var first = variables.FirstOrDefault(v => ordered[k].Contains(v) && IsMultiLevelCategory(_covariates[v]));
                if (first is null) continue;
                allLevels[k][IndexOf(ordered[k], first)] = true;
                break;
            }
        }
        return ordered.Select((term, k) => new FixedTermSpec(term, allLevels[k].ToEquatableArray())).ToList();
    }

    /// <summary>A random term's slopes: treatment contrasts, except the first category of a term without intercept.</summary>
    private EquatableArray<bool> CodeSlopes(bool intercept, List<string> slopes)
    {
        var code = new bool[slopes.Count];
        if (!intercept)
        {
            int first = slopes.FindIndex(s => IsMultiLevelCategory(_covariates[s]));
            if (first >= 0) code[first] = true;
        }
        return code.ToEquatableArray();
    }

    private static bool IsCategory(CovariateSpec covariate) => covariate.Kind != CovariateKind.Numeric;

    /// <summary>R's test for the first factor (<c>nlevels &gt; 1</c>); a string's levels are only known at run time.</summary>
    private static bool IsMultiLevelCategory(CovariateSpec covariate) =>
        covariate.Kind is CovariateKind.Bool or CovariateKind.String || (covariate.Kind == CovariateKind.Enum && covariate.Levels.Count > 1);

    private static int IndexOf(EquatableArray<string> items, string item)
    {
        for (int i = 0; i < items.Count; i++)
            if (items[i] == item) return i;
        return -1;
    }

    /// <summary>The compile-time columns of a covariate: name as R's <c>model.matrix</c> (member + level), and result member.</summary>
    private static IEnumerable<(string Column, string Member)> CovariateColumns(CovariateSpec covariate, bool allLevels)
    {
        string name = covariate.Member.Name;
        switch (covariate.Kind)
        {
            case CovariateKind.Numeric:
                yield return (name, name);
                break;
            case CovariateKind.Bool:
                if (allLevels) yield return (name + "FALSE", name + "FALSE");
                yield return (name + "TRUE", name + "TRUE");
                break;
            case CovariateKind.Enum:
                for (int l = allLevels ? 0 : 1; l < covariate.Levels.Count; l++)
                    yield return (name + covariate.Levels[l], name + covariate.Levels[l]);
                break;
        }
    }
}
