namespace TypedMixed.Presentation;

/// <summary>One row of lme4's <c>as.data.frame(VarCorr(fit))</c>, as reported (group names made unique as lme4 does).</summary>
/// <param name="Group">Reported group name: the term's name, with <c>.1</c>, <c>.2</c> … appended to later repeats.</param>
/// <param name="Component">The fit's variance component (estimate, SD or correlation, standard error).</param>
/// <param name="Term">The term the row belongs to (null for the residual).</param>
internal sealed record ReportedComponent(string Group, VarianceComponent Component, RandomEffectsTermFit? Term);

/// <summary>
/// Arranges a fit's variance components as lme4 reports them. lme4 writes <c>(x || g)</c> as separate terms
/// <c>(1 | g) + (0 + x | g)</c> and names repeated groups with R's <c>make.unique</c> (<c>Subject</c>,
/// <c>Subject.1</c>); TypedMixed fits one diagonal term, so each of its columns is reported as its own group, and its
/// structurally zero covariances are left out.
/// </summary>
internal static class ReportedVarianceComponents
{
    public static IReadOnlyList<ReportedComponent> Rows(MixedModelFit fit)
    {
        var rows = new List<ReportedComponent>();
        var all = fit.VarianceComponents;
        int next = 0;
        var groupNames = new List<string>();
        var pending = new List<(int GroupSlot, VarianceComponent Component, RandomEffectsTermFit Term)>();
        foreach (var term in fit.RandomEffects)
        {
            var columns = term.ColumnNames;
            var seenVariances = new HashSet<string>(StringComparer.Ordinal);
            var seenPairs = new HashSet<(string, string)>();
            bool split = term.Structure == CovarianceStructure.Diagonal && columns.Count > 1;
            int firstSlot = groupNames.Count;
            if (split) foreach (var _ in columns) groupNames.Add(term.Name);
            else groupNames.Add(term.Name);
            // The term's rows are consecutive: variances of its columns (each once), then covariances of pairs (each once).
            while (next < all.Count)
            {
                var vc = all[next];
                if (vc.Kind == VarianceComponentKind.ResidualVariance || vc.Var1 is null || !columns.Contains(vc.Var1)) break;
                if (vc.Kind == VarianceComponentKind.Variance)
                {
                    if (!seenVariances.Add(vc.Var1)) break;
                    int slot = split ? firstSlot + IndexOf(columns, vc.Var1) : firstSlot;
                    pending.Add((slot, vc, term));
                }
                else
                {
                    if (vc.Var2 is null || !columns.Contains(vc.Var2) || !seenPairs.Add((vc.Var1, vc.Var2))) break;
                    if (term.Structure == CovarianceStructure.Unstructured)
                        pending.Add((firstSlot, vc, term));
                }
                next++;
            }
        }
        var unique = MakeUnique(groupNames);
        // Keep lme4's order: group by group (a split term's columns are separate groups), each group's variances then covariances.
        foreach (var slotRows in pending.GroupBy(p => p.GroupSlot).OrderBy(g => g.Key))
            foreach (var p in slotRows)
                rows.Add(new ReportedComponent(unique[p.GroupSlot], p.Component, p.Term));
        foreach (var vc in all.Skip(next).Where(v => v.Kind == VarianceComponentKind.ResidualVariance))
            rows.Add(new ReportedComponent("Residual", vc, null));
        return rows;
    }

    /// <summary>R's <c>make.unique</c>: later duplicates get <c>.1</c>, <c>.2</c>, … appended.</summary>
    public static IReadOnlyList<string> MakeUnique(IReadOnlyList<string> names)
    {
        var used = new HashSet<string>(names, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var counters = new Dictionary<string, int>(StringComparer.Ordinal);
        var result = new List<string>(names.Count);
        foreach (var name in names)
        {
            if (seen.Add(name)) { result.Add(name); continue; }
            int k = counters.GetValueOrDefault(name);
            string candidate;
            do { k++; candidate = name + "." + k.ToString(System.Globalization.CultureInfo.InvariantCulture); } while (used.Contains(candidate));
            counters[name] = k;
            used.Add(candidate);
            seen.Add(candidate);
            result.Add(candidate);
        }
        return result;
    }

    /// <summary>Number of levels of each distinct term name, in order (lme4's <c>ngrps</c>).</summary>
    public static IReadOnlyList<(string Name, int Levels)> Groups(MixedModelFit fit)
    {
        var list = new List<(string, int)>();
        foreach (var t in fit.RandomEffects)
            if (!list.Any(g => g.Item1 == t.Name)) list.Add((t.Name, t.LevelCount));
        return list;
    }

    private static int IndexOf(IReadOnlyList<string> list, string value)
    {
        for (int i = 0; i < list.Count; i++) if (list[i] == value) return i;
        return -1;
    }
}
