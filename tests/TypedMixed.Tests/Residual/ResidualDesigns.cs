using TypedMixed.Tests.Reference;

namespace TypedMixed.Tests.Residual;

/// <summary>The designs of the residual-structure reference fits (sleepstudy, Exam), built by hand as the CLI would.</summary>
internal static class ResidualDesigns
{
    public static ResidualCorrelation Correlation(ResidualCorrelationStructure structure, double[] time, string[] cluster, string timeName = "Days", string clusterName = "Subject")
    {
        var (index, keys) = ReferenceData.Factor(cluster);
        return new ResidualCorrelation { Structure = structure, TimeName = timeName, Time = time, ClusterName = clusterName, ClusterIndex = index, ClusterKeys = keys };
    }

    /// <summary>Reaction ~ Days + (1 | Subject) or (Days | Subject), optionally on a subset of rows.</summary>
    public static ModelDesign Sleep(bool slope, Func<int, string, double, bool>? keep = null,
        ResidualCorrelationStructure? correlation = null, Func<double[], ResidualVarianceFunction>? variance = null)
    {
        var t = ReferenceData.ReadCsv("sleepstudy.csv");
        var (subjectIndex, _) = ReferenceData.Factor(t["Subject"]);
        var rows = Enumerable.Range(0, t["Days"].Length)
            .Where(i => keep is null || keep(subjectIndex[i], t["Subject"][i], double.Parse(t["Days"][i], System.Globalization.CultureInfo.InvariantCulture)))
            .ToArray();
        var days = rows.Select(i => ReferenceData.Numbers(t["Days"])[i]).ToArray();
        var y = rows.Select(i => ReferenceData.Numbers(t["Reaction"])[i]).ToArray();
        var subject = rows.Select(i => t["Subject"][i]).ToArray();
        var term = slope ? ReferenceData.Term("Subject", subject, ("Days", days)) : ReferenceData.Term("Subject", subject);
        var design = ReferenceData.Design("Reaction", y, [("Days", days)], term);
        return new ModelDesign
        {
            ResponseName = design.ResponseName,
            Response = design.Response,
            FixedEffects = design.FixedEffects,
            FixedEffectNames = design.FixedEffectNames,
            Terms = design.Terms,
            ResidualCorrelation = correlation is { } c ? Correlation(c, days, subject) : null,
            ResidualVariance = variance?.Invoke(days),
        };
    }

    /// <summary>The gapped sleepstudy of the nlme references: without Days 2 and 5 of every third subject (1-based index divisible by 3) and Day 8 of the others.</summary>
    public static bool Gaps(int subjectIndex, string subject, double day) =>
        !(((subjectIndex + 1) % 3 == 0 && (day == 2 || day == 5)) || ((subjectIndex + 1) % 3 != 0 && day == 8));

    /// <summary>normexam ~ standLRT + sex + (1 | school), varIdent(~ 1 | sex) with F the reference stratum.</summary>
    public static ModelDesign ExamVarIdent()
    {
        var t = ReferenceData.ReadCsv("Exam.csv");
        var male = t["sex"].Select(s => s == "M" ? 1.0 : 0).ToArray();
        var design = ReferenceData.Design("normexam", ReferenceData.Numbers(t["normexam"]),
            [("standLRT", ReferenceData.Numbers(t["standLRT"])), ("sexM", male)], ReferenceData.Term("school", t["school"]));
        return new ModelDesign
        {
            ResponseName = design.ResponseName,
            Response = design.Response,
            FixedEffects = design.FixedEffects,
            FixedEffectNames = design.FixedEffectNames,
            Terms = design.Terms,
            ResidualVariance = new ResidualVarianceFunction
            {
                Kind = ResidualVarianceFunctionKind.Ident,
                StratumName = "sex",
                StratumIndex = t["sex"].Select(s => s == "M" ? 1 : 0).ToArray(),
                StratumKeys = ["F", "M"],
            },
        };
    }
}
