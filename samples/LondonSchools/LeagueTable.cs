namespace LondonSchools;

/// <summary>One school's row of the value-added league table.</summary>
/// <param name="School">The school's id.</param>
/// <param name="Pupils">Its number of pupils.</param>
/// <param name="Effect">Predicted school effect: the conditional mode (shrunken towards 0).</param>
/// <param name="ConditionalSd">Conditional standard deviation of the effect.</param>
/// <param name="MeanResidual">Unshrunken effect: the mean of its pupils' residuals from the fixed part.</param>
/// <param name="RankFromBottom">1 for the lowest predicted effect.</param>
public sealed record LeagueRow(int School, int Pupils, double Effect, double ConditionalSd, double MeanResidual, int RankFromBottom)
{
    /// <summary>Lower end of the 95 % interval, effect − 1.96 conditional SD.</summary>
    public double Lower => Effect - 1.96 * ConditionalSd;

    /// <summary>Upper end of the 95 % interval, effect + 1.96 conditional SD.</summary>
    public double Upper => Effect + 1.96 * ConditionalSd;
}

/// <summary>The value-added league table of Model 2: schools ranked by their predicted effect given the age-11 score.</summary>
public sealed class LeagueTable
{
    private LeagueTable(IReadOnlyList<LeagueRow> rows) => Rows = rows;

    /// <summary>The schools, lowest predicted effect first.</summary>
    public IReadOnlyList<LeagueRow> Rows { get; }

    /// <summary>Builds the table from Model 2's fit and the pupils it was fitted to.</summary>
    public static LeagueTable Build(IReadOnlyList<Pupil> pupils, Model2.Result fit)
    {
        double b0 = fit.Intercept.Estimate, b1 = fit.StandLrt.Estimate;
        var bySchool = pupils.GroupBy(p => p.School).ToDictionary(
            g => g.Key,
            g => (Count: g.Count(), MeanResidual: g.Average(p => p.NormExam - (b0 + b1 * p.StandLrt))));
        var ranked = fit.School.Levels
            .Select(s => (School: s, Effect: fit.School.Effects[s], Sd: fit.School.ConditionalStdDev(s)))
            .OrderBy(s => s.Effect)
            .Select((s, i) => new LeagueRow(s.School, bySchool[s.School].Count, s.Effect, s.Sd, bySchool[s.School].MeanResidual, i + 1))
            .ToList();
        return new LeagueTable(ranked);
    }

    /// <summary>Writes the table, highest effect first as league tables are read, marking intervals that exclude 0.</summary>
    public void Print(TextWriter o)
    {
        o.WriteLine("Value-added league table, Model 2 (school effects given the age-11 score; 95 % interval = mode ± 1.96 × conditional SD)");
        o.WriteLine("  rank  school  pupils   effect   95 % interval       unshrunken   interval excludes 0");
        foreach (var r in Rows.Reverse())
        {
            int rank = Rows.Count - r.RankFromBottom + 1;
            string excludes = r.Upper < 0 ? "below average" : r.Lower > 0 ? "above average" : "";
            o.WriteLine($"  {rank,4}  {r.School,6}  {r.Pupils,6}  {F(r.Effect),7}  ({F(r.Lower),6}, {F(r.Upper),6})   {F(r.MeanResidual),9}    {excludes}");
        }
    }

    private static string F(double value) => PublishedCheck.Format(value, 3);
}
