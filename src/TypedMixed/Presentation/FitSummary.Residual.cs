using static TypedMixed.Presentation.NumberText;

namespace TypedMixed.Presentation;

public static partial class FitSummary
{
    /// <summary>
    /// nlme-like blocks for the residual structures: "Correlation Structure: AR(1)" with its formula and
    /// "Parameter estimate(s): Phi …", and "Variance function:" with its structure, formula and parameter estimates
    /// (for varIdent every stratum's SD ratio, the reference's 1 included); each estimate with its SE and 95 % interval.
    /// </summary>
    internal static List<string> ResidualStructureLines(LinearMixedModelFit fit, int d)
    {
        var lines = new List<string>();
        if (fit.ResidualCorrelation is { } c)
        {
            lines.Add($"Correlation Structure: {c.StructureName}");
            lines.Add($" Formula: ~{c.TimeName} | {c.ClusterName}");
            lines.Add(" Parameter estimate(s):");
            var t = new ReportTable(["", "Estimate", "Std. Error", "2.5 %", "97.5 %"], [false, true, true, true, true]);
            t.Add("Phi", Sig(c.Parameter, d), Sig(c.StdError, d), Sig(c.ConfidenceLower, d), Sig(c.ConfidenceUpper, d));
            lines.AddRange(t.ToText().TrimEnd('\n').Split('\n').Select(l => "  " + l));
        }
        if (fit.ResidualVarianceFunction is { } v)
        {
            lines.Add("Variance function:");
            lines.Add($" Structure: {v.StructureName}");
            lines.Add(v.Kind == ResidualVarianceFunctionKind.Ident ? $" Formula: ~1 | {v.StratumName}" : $" Formula: ~{string.Join(" + ", v.CovariateNames)}");
            lines.Add(" Parameter estimates:");
            if (v.StratumKeys is { } keys && v.StratumRatios is { } ratios)
            {
                var header = new ReportTable([.. keys], keys.Select(_ => true).ToArray());
                header.Add([.. ratios.Select(r => Fixed(r, 3))]);
                lines.AddRange(header.ToText().TrimEnd('\n').Split('\n').Select(l => "  " + l));
            }
            var t = new ReportTable(["", "Estimate", "Std. Error", "2.5 %", "97.5 %"], [false, true, true, true, true]);
            for (int i = 0; i < v.ParameterNames.Count; i++)
                t.Add(v.ParameterNames[i], Sig(v.Parameters[i], d), Sig(v.StdErrors[i], d), Sig(v.ConfidenceLower[i], d), Sig(v.ConfidenceUpper[i], d));
            lines.AddRange(t.ToText().TrimEnd('\n').Split('\n').Select(l => "  " + l));
            if (v.VarianceByStratum is { } byStratum)
                lines.Add(" Residual variance by stratum: " + string.Join("; ", v.StratumKeys!.Select((k, s) => $"{k} {Sig(byStratum[s], d)}")));
        }
        return lines;
    }
}
