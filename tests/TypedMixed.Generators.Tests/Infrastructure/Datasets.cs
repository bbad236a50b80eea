using TypedMixed.Generators.Tests.Models;

namespace TypedMixed.Generators.Tests.Infrastructure;

/// <summary>The reference datasets as the test models' records, each read once.</summary>
internal static class Datasets
{
    private static readonly Lazy<Pupil[]> ExamRows = new(() => ReferenceData.Csv("Exam.csv").Select(r => new Pupil(
        NormExam: ReferenceData.Number(r["normexam"]),
        StandLrt: ReferenceData.Number(r["standLRT"]),
        Sex: r["sex"] == "F" ? Sex.Girl : Sex.Boy,
        SchoolGender: r["schgend"] switch { "mixed" => SchoolGender.Mixed, "boys" => SchoolGender.Boys, "girls" => SchoolGender.Girls, var s => throw new FormatException(s) },
        School: int.Parse(r["school"]))).ToArray());

    private static readonly Lazy<Reading[]> SleepRows = new(() => ReferenceData.Csv("sleepstudy.csv").Select(r => new Reading(
        ReferenceData.Number(r["Reaction"]), ReferenceData.Number(r["Days"]), int.Parse(r["Subject"]))).ToArray());

    /// <summary>The inner-London exam data (4059 pupils, 65 schools).</summary>
    public static Pupil[] Exam => ExamRows.Value;

    /// <summary>lme4's sleepstudy (180 readings, 18 subjects).</summary>
    public static Reading[] Sleep => SleepRows.Value;
}
