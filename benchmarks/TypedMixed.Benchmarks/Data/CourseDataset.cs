using System.Globalization;
using System.Text;

namespace TypedMixed.Benchmarks.Data;

/// <summary>
/// The 1,000,000-row crossed benchmark of issue 16 (students × items, 100,000 × 20,000 levels), written as
/// <c>students1m.csv</c>. Structure: 20,000 items in 1,000 courses of 20 items; 10 courses form a programme (100
/// programmes of 200 items). Each of 100,000 students belongs to one programme (uniform), takes 2 distinct courses
/// of it — with probability 0.1 the second course comes from the neighbouring programme instead (programme + 1, the
/// last one's neighbour is the one before it) — and answers 5 distinct items of each course: 10 rows per student.
/// After the students are eliminated, items couple only within a programme and, through the 10 % of students who
/// cross, with the next programme: the item block of the factor is a chain of 200-item blocks, not a 20,000² matrix
/// (a uniformly random crossing would couple every pair of items). y = 0.5 + 0.3·x + u_student + v_item + e with
/// SDs 0.6, 0.4 and 1, x ~ N(0, 1). Columns: student, item, course, programme, x, y. Seed 20261201.
/// </summary>
internal static class CourseDataset
{
    public const int Students = 100_000, Items = 20_000, ItemsPerCourse = 20, CoursesPerProgramme = 10;

    public static void Write(TextWriter w) => Write(w, Students, Items);

    /// <param name="w">Target.</param>
    /// <param name="students">Students (10 rows each).</param>
    /// <param name="items">Items (a multiple of 200).</param>
    /// <param name="crossShare">Probability that a student's second course comes from the neighbouring programme.</param>
    /// <param name="seed">Seed of the generator.</param>
    public static void Write(TextWriter w, int students, int items, double crossShare = 0.1, ulong seed = 20261201)
    {
        var rng = new Rng(seed);
        int courses = items / ItemsPerCourse, programmes = courses / CoursesPerProgramme;
        var itemEffect = new double[items];
        for (int i = 0; i < items; i++) itemEffect[i] = 0.4 * rng.Normal();
        w.WriteLine("student,item,course,programme,x,y");
        var line = new StringBuilder(64);
        Span<int> picked = stackalloc int[5];
        for (int s = 0; s < students; s++)
        {
            int programme = rng.Below(programmes);
            double u = 0.6 * rng.Normal();
            int first = programme * CoursesPerProgramme + rng.Below(CoursesPerProgramme);
            int second;
            if (programmes > 1 && rng.Uniform() < crossShare)
            {
                int next = programme + 1 < programmes ? programme + 1 : programme - 1;
                second = next * CoursesPerProgramme + rng.Below(CoursesPerProgramme);
            }
            else
                do second = programme * CoursesPerProgramme + rng.Below(CoursesPerProgramme); while (second == first);
            foreach (int course in (ReadOnlySpan<int>)[first, second])
            {
                // 5 distinct items of the course's 20.
                for (int k = 0; k < 5; k++)
                {
                    int item;
                    bool again;
                    do
                    {
                        item = course * ItemsPerCourse + rng.Below(ItemsPerCourse);
                        again = false;
                        for (int e = 0; e < k; e++) again |= picked[e] == item;
                    } while (again);
                    picked[k] = item;
                    double x = Math.Round(rng.Normal(), 4);
                    double y = 0.5 + 0.3 * x + u + itemEffect[item] + rng.Normal();
                    line.Clear();
                    line.Append('S').Append((s + 1).ToString(CultureInfo.InvariantCulture)).Append(",I")
                        .Append((item + 1).ToString(CultureInfo.InvariantCulture)).Append(",C")
                        .Append((course + 1).ToString(CultureInfo.InvariantCulture)).Append(",P")
                        .Append((course / CoursesPerProgramme + 1).ToString(CultureInfo.InvariantCulture)).Append(',')
                        .Append(x.ToString("0.####", CultureInfo.InvariantCulture)).Append(',')
                        .Append(Math.Round(y, 4).ToString("0.####", CultureInfo.InvariantCulture));
                    w.WriteLine(line);
                }
            }
        }
    }
}
