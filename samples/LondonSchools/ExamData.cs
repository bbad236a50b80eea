using System.Globalization;

namespace LondonSchools;

/// <summary>Reads <c>Data/Exam.csv</c> (the mlmRev layout: header row, quoted labels) into <see cref="Pupil"/> records.</summary>
public static class ExamData
{
    /// <summary>The pupils of the file at <paramref name="path"/>, in file order.</summary>
    /// <exception cref="FormatException">A required column is missing or a value does not parse; the message names the line.</exception>
    public static List<Pupil> Read(string path)
    {
        using var reader = new StreamReader(path);
        var header = Split(reader.ReadLine() ?? throw new FormatException($"{path} is empty."));
        int Column(string name) => Array.IndexOf(header, name) is var i and >= 0 ? i : throw new FormatException($"{path} has no column '{name}'.");
        int exam = Column("normexam"), lrt = Column("standLRT"), sex = Column("sex"), schgend = Column("schgend"), school = Column("school");

        var pupils = new List<Pupil>(4096);
        int line = 1;
        for (string? text; (text = reader.ReadLine()) is not null;)
        {
            line++;
            if (text.Length == 0) continue;
            var f = Split(text);
            try
            {
                pupils.Add(new Pupil(
                    NormExam: double.Parse(f[exam], CultureInfo.InvariantCulture),
                    StandLrt: double.Parse(f[lrt], CultureInfo.InvariantCulture),
                    Sex: f[sex] switch { "M" => Sex.Boy, "F" => Sex.Girl, var s => throw new FormatException($"sex '{s}'") },
                    SchoolGender: f[schgend] switch
                    {
                        "mixed" => SchoolGender.Mixed,
                        "boys" => SchoolGender.Boys,
                        "girls" => SchoolGender.Girls,
                        var s => throw new FormatException($"schgend '{s}'"),
                    },
                    School: int.Parse(f[school], CultureInfo.InvariantCulture)));
            }
            catch (Exception e) when (e is FormatException or IndexOutOfRangeException)
            {
                throw new FormatException($"{path}, line {line}: {e.Message}", e);
            }
        }
        return pupils;
    }

    // The file quotes labels but never embeds commas or quotes in them, so splitting on commas and trimming quotes suffices.
    private static string[] Split(string line)
    {
        var fields = line.Split(',');
        for (int i = 0; i < fields.Length; i++) fields[i] = fields[i].Trim().Trim('"');
        return fields;
    }
}
