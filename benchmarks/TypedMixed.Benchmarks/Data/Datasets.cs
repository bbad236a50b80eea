using System.Globalization;
using System.Text;
using TypedMixed.Cli.Data;

namespace TypedMixed.Benchmarks.Data;

/// <summary>
/// The benchmark data sets, written as CSV. The synthetic ones are deterministic (fixed seeds, own generator, values
/// rounded and printed with the invariant culture), so the same bytes are produced on every run and both TypedMixed
/// and lme4 read the same file.
/// </summary>
internal static class Datasets
{
    /// <summary>File names of the reference datasets copied from <c>tests/Data/reference/</c> (embedded in this assembly).</summary>
    /// cbpp.csv (Lesnoff et al. 2004, via R package lme4; provenance in <c>tests/Data/reference/PROVENANCE.md</c>) is
    /// the binomial GLMM benchmark's data set.
    public static readonly string[] ReferenceFiles = ["Exam.csv", "sleepstudy.csv", "Penicillin.csv", "Dyestuff.csv", "Pastes.csv", "cbpp.csv", "wine.csv", "Gcsemv.csv"];

    /// <summary>Writes every data set (or only the files named in <paramref name="only"/>) into <paramref name="directory"/>.</summary>
    public static void WriteAll(string directory, TextWriter log, IReadOnlyCollection<string>? only = null)
    {
        Directory.CreateDirectory(directory);
        if (only is { Count: > 0 })
        {
            void Write(string directory, string name, Action<TextWriter> write, TextWriter log)
            {
                if (only.Contains(name)) Datasets.Write(directory, name, write, log);
            }
            WriteSelected(directory, log, Write);
            // The 1,000,000-row students × items set of compare.sh --huge: only when named.
            if (only.Contains("students1m.csv")) Datasets.Write(directory, "students1m.csv", CourseDataset.Write, log);
            return;
        }
        WriteSelected(directory, log, Datasets.Write);
    }

    private static void WriteSelected(string directory, TextWriter log, Action<string, string, Action<TextWriter>, TextWriter> Write)
    {
        Write(directory, "insteval.csv", WriteInstEvalShaped, log);
        Write(directory, "nested1m.csv", w => WriteNested(w), log);
        Write(directory, "binary_crossed.csv", WriteBinaryCrossed, log);
        Write(directory, "poisson1m.csv", w => WritePoissonOffset(w), log);
        Write(directory, "longitudinal100k.csv", LongitudinalDataset.Write, log);
        Write(directory, "mv200k.csv", MultivariateDataset.Write, log);
        Write(directory, "mv_slopes20k.csv", w => MultivariateDataset.WriteSlopes(w, 100), log);
        Write(directory, "mv_slopes200k.csv", w => MultivariateDataset.WriteSlopes(w, 1_000), log);
        Write(directory, "mm1m.csv", w => WriteMultipleMembership(w), log);
        Write(directory, "ordinal_crossed.csv", w => WriteOrdinalCrossed(w), log);
        foreach (var name in ReferenceFiles) Write(directory, name, w => w.Write(ReferenceCsv(name)), log);
        Write(directory, "ExamDerived.csv", w => w.Write(ExamDerivedCsv()), log);
    }

    private static void Write(string directory, string name, Action<TextWriter> write, TextWriter log)
    {
        var path = Path.Combine(directory, name);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var tmp = path + ".tmp";
        using (var w = new StreamWriter(tmp, false, new UTF8Encoding(false), 1 << 20) { NewLine = "\n" }) write(w);
        File.Move(tmp, path, overwrite: true);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {path} ({new FileInfo(path).Length / 1e6:F1} MB, {watch.Elapsed.TotalSeconds:F1} s)"));
    }

    /// <summary>
    /// InstEval-shaped crossed design (after lme4's InstEval): 73,421 ratings y of 1,128 instructors d by 2,972
    /// students s (about 25 ratings each, log-normally unbalanced; instructors' popularity log-normal too), instructors
    /// nested in 28 departments, a binary covariate service (probability varying by instructor).
    /// Each student has a home department (drawn by the departments' total popularity) and rates its instructors with
    /// probability 0.85, any instructor otherwise.
    /// y = 3.2 − 0.07·service + b_s + b_d + b_dept + e with SDs 0.32, 0.51, 0.09, 1.18 (close to lme4's InstEval fit).
    /// Columns: s, d, dept, service, y. Seed 20240601.
    /// </summary>
    public static void WriteInstEvalShaped(TextWriter w)
    {
        const int rows = 73_421, students = 2_972, instructors = 1_128, departments = 28;
        var rng = new Rng(20240601);
        var (student, instructor, deptOf, serviceShare) = InstEvalStructure(rng, rows, students, instructors, departments);

        var bS = Enumerable.Range(0, students).Select(_ => 0.32 * rng.Normal()).ToArray();
        var bD = Enumerable.Range(0, instructors).Select(_ => 0.51 * rng.Normal()).ToArray();
        var bDept = Enumerable.Range(0, departments).Select(_ => 0.09 * rng.Normal()).ToArray();

        w.WriteLine("s,d,dept,service,y");
        var line = new StringBuilder(64);
        for (int i = 0; i < rows; i++)
        {
            int d = instructor[i], dept = deptOf[d];
            int service = rng.Bernoulli(serviceShare[d]) ? 1 : 0;
            double y = 3.2 - 0.07 * service + bS[student[i]] + bD[d] + bDept[dept] + 1.18 * rng.Normal();
            line.Clear();
            line.Append('S').Append((student[i] + 1).ToString(CultureInfo.InvariantCulture)).Append(",D")
                .Append((d + 1).ToString(CultureInfo.InvariantCulture)).Append(",P")
                .Append((dept + 1).ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(service.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(Number(y, 4));
            w.WriteLine(line);
        }
    }

    /// <summary>
    /// The crossed structure of the InstEval-shaped data sets (drawn from <paramref name="rng"/> in a fixed order):
    /// departments of log-normal size (every department gets an instructor), instructors of log-normal popularity with a
    /// share of service courses each, students with log-normally unbalanced numbers of ratings (at least 1) who rate
    /// the instructors of a home department with probability 0.85 and any instructor otherwise; every instructor rated.
    /// </summary>
    private static (int[] Student, int[] Instructor, int[] DeptOf, double[] ServiceShare) InstEvalStructure(
        Rng rng, int rows, int students, int instructors, int departments)
    {
        // Departments of different sizes; every department gets at least one instructor.
        var deptWeight = Enumerable.Range(0, departments).Select(_ => Math.Exp(0.7 * rng.Normal())).ToArray();
        var deptCumulative = Cumulative(deptWeight);
        var deptOf = new int[instructors];
        for (int d = 0; d < instructors; d++) deptOf[d] = d < departments ? d : Draw(deptCumulative, rng.Uniform());

        // Popularity of instructors (log-normal), and each instructor's share of service courses.
        var weight = Enumerable.Range(0, instructors).Select(_ => Math.Exp(1.0 * rng.Normal())).ToArray();
        var popularity = Cumulative(weight);
        var serviceShare = Enumerable.Range(0, instructors).Select(_ => 0.1 + 0.6 * rng.Uniform()).ToArray();
        // Students study in a home department: most of their ratings go to its instructors (as in InstEval, where the
        // instructor-by-instructor block left after eliminating students is far from dense), the rest anywhere.
        var members = Enumerable.Range(0, departments).Select(p => Enumerable.Range(0, instructors).Where(d => deptOf[d] == p).ToArray()).ToArray();
        var withinDept = members.Select(m => Cumulative(m.Select(d => weight[d]).ToArray())).ToArray();
        var deptPopularity = Cumulative(members.Select(m => m.Sum(d => weight[d])).ToArray());
        const double HomeShare = 0.85;

        // Ratings per student: at least 1, total rows (73,421 in InstEval: mean 24.7).
        var perStudent = rng.UnbalancedCounts(rows, students, 1, 0.6);
        var student = new int[rows];
        var instructor = new int[rows];
        for (int s = 0, i = 0; s < students; s++)
        {
            int home = Draw(deptPopularity, rng.Uniform());
            for (int c = 0; c < perStudent[s]; c++, i++)
            {
                student[i] = s;
                instructor[i] = rng.Bernoulli(HomeShare)
                    ? members[home][Draw(withinDept[home], rng.Uniform())]
                    : Draw(popularity, rng.Uniform());
            }
        }
        // Every instructor appears: instructor d takes over a randomly chosen row d.
        var order = rng.Permutation(rows);
        for (int d = 0; d < instructors; d++) instructor[order[d]] = d;

        return (student, instructor, deptOf, serviceShare);
    }

    /// <summary>
    /// A large two-level design: <paramref name="rows"/> rows in <paramref name="clusters"/> clusters g (sizes
    /// log-normally unbalanced, at least 2), covariates x1 (row level), x2 (row level with a cluster component) and
    /// x3 (binary, cluster level), correlated random intercept and slope of x1 (SDs 0.7 and 0.25, correlation 0.35).
    /// y = 1 + 0.5·x1 − 0.3·x2 + 0.4·x3 + b0_g + b1_g·x1 + e, σ = 1. Columns: g, x1, x2, x3, y. Seed 20240602.
    /// </summary>
    public static void WriteNested(TextWriter w, int rows = 1_000_000, int clusters = 50_000)
    {
        var rng = new Rng(20240602);
        var size = rng.UnbalancedCounts(rows, clusters, 2, 0.5);
        const double sd0 = 0.7, sd1 = 0.25, rho = 0.35;
        w.WriteLine("g,x1,x2,x3,y");
        var line = new StringBuilder(64);
        for (int g = 0; g < clusters; g++)
        {
            double z0 = rng.Normal(), z1 = rng.Normal();
            double b0 = sd0 * z0, b1 = sd1 * (rho * z0 + Math.Sqrt(1 - rho * rho) * z1);
            double x2Mean = 0.5 * rng.Normal();
            int x3 = rng.Bernoulli(0.3) ? 1 : 0;
            string label = "G" + (g + 1).ToString(CultureInfo.InvariantCulture);
            for (int c = 0; c < size[g]; c++)
            {
                double x1 = Math.Round(rng.Normal(), 4), x2 = Math.Round(x2Mean + rng.Normal(), 4);
                double y = 1 + 0.5 * x1 - 0.3 * x2 + 0.4 * x3 + b0 + b1 * x1 + rng.Normal();
                line.Clear();
                line.Append(label).Append(',').Append(Number(x1, 4)).Append(',').Append(Number(x2, 4)).Append(',')
                    .Append(x3.ToString(CultureInfo.InvariantCulture)).Append(',').Append(Number(y, 4));
                w.WriteLine(line);
            }
        }
    }

    /// <summary>
    /// Multiple membership with realistic mobility (issue 13): <paramref name="rows"/> pupils and
    /// <paramref name="schools"/> schools on a ring (neighbouring numbers are nearby schools). A pupil's first school is
    /// uniform; with probability 0.70 it is the only one, 0.22 a second and 0.08 a second and third follow, each a
    /// distinct school within ±25 places of the first (pupils move locally). Weights: one school 1; two: w1 = U(0.2, 0.8)
    /// rounded to 2 decimals, w2 = 1 − w1; three: shares of U(1, 2) draws rounded to 2 decimals, w3 = 1 − w1 − w2.
    /// y = 1 + 0.5·x + Σ w_k u[school_k] + e, u ~ N(0, 0.5²), e ~ N(0, 1), x ~ N(0, 1). Columns
    /// pupil, y, x, school1, school2, school3, w1, w2, w3 (empty: not attended), and area (1..40, uniform, crossed with
    /// the schools; drawn from its own stream, seed 20241214, and absent from y, so the mm-only models' data do not
    /// depend on it). Seed 20241213.
    /// </summary>
    public static void WriteMultipleMembership(TextWriter w, int rows = 1_000_000, int schools = 20_000)
    {
        var rng = new Rng(20241213);
        var areaRng = new Rng(20241214);
        var u = new double[schools];
        for (int s = 0; s < schools; s++) u[s] = 0.5 * rng.Normal();
        w.WriteLine("pupil,y,x,school1,school2,school3,w1,w2,w3,area");
        var line = new StringBuilder(96);
        var chosen = new int[3];
        var weight = new double[3];
        for (int i = 0; i < rows; i++)
        {
            // Every school is someone's first school: pupil i < schools starts at school i.
            int first = i < schools ? i : rng.Below(schools);
            double v = rng.Uniform();
            int k = v < 0.70 ? 1 : v < 0.92 ? 2 : 3;
            chosen[0] = first;
            for (int c = 1; c < k; c++)
            {
                int s;
                do
                {
                    int d = 1 + rng.Below(25);
                    s = ((first + (rng.Bernoulli(0.5) ? d : -d)) % schools + schools) % schools;
                } while (Array.IndexOf(chosen, s, 0, c) >= 0);
                chosen[c] = s;
            }
            if (k == 1) weight[0] = 1;
            else if (k == 2)
            {
                weight[0] = Math.Round(0.2 + 0.6 * rng.Uniform(), 2);
                weight[1] = Math.Round(1 - weight[0], 2);
            }
            else
            {
                double a = 1 + rng.Uniform(), b = 1 + rng.Uniform(), c = 1 + rng.Uniform(), sum = a + b + c;
                weight[0] = Math.Round(a / sum, 2);
                weight[1] = Math.Round(b / sum, 2);
                weight[2] = Math.Round(1 - weight[0] - weight[1], 2);
            }
            double x = Math.Round(rng.Normal(), 4);
            double y = 1 + 0.5 * x + rng.Normal();
            for (int c = 0; c < k; c++) y += weight[c] * u[chosen[c]];
            line.Clear();
            line.Append((i + 1).ToString(CultureInfo.InvariantCulture)).Append(',').Append(Number(y, 4)).Append(',').Append(Number(x, 4));
            for (int c = 0; c < 3; c++) line.Append(',').Append(c < k ? (chosen[c] + 1).ToString(CultureInfo.InvariantCulture) : "");
            for (int c = 0; c < 3; c++) line.Append(',').Append(c < k ? Number(weight[c], 2) : "");
            line.Append(',').Append((1 + areaRng.Below(40)).ToString(CultureInfo.InvariantCulture));
            w.WriteLine(line);
        }
    }

    /// <summary>
    /// Binary response on a larger InstEval-shaped crossed design (the GLMM benchmark glmm-binary-crossed): 120,000
    /// ratings of 1,128 instructors d by 4,860 students s (same structure as <see cref="WriteInstEvalShaped"/>: about 25
    /// ratings per student, home departments, 28 departments dept, binary service). A rating-like latent
    /// r = 3.2 − 0.2·service + b_s + b_d + b_dept + ε with SDs 0.42, 0.51, 0.09 and ε logistic with scale 0.6 is
    /// thresholded: y = 1 when r ≥ 3.5. So y follows a logit GLMM exactly, with intercept −0.5, service −1/3 and
    /// random-intercept SDs 0.7 (students), 0.85 (instructors) and 0.15 (departments) on the logit scale.
    /// Columns: s, d, dept, service, y. Seed 20240603.
    /// </summary>
    public static void WriteBinaryCrossed(TextWriter w)
    {
        const int rows = 120_000, students = 4_860, instructors = 1_128, departments = 28;
        const double Cut = 3.5, NoiseScale = 0.6;
        var rng = new Rng(20240603);
        var (student, instructor, deptOf, serviceShare) = InstEvalStructure(rng, rows, students, instructors, departments);

        var bS = Enumerable.Range(0, students).Select(_ => 0.42 * rng.Normal()).ToArray();
        var bD = Enumerable.Range(0, instructors).Select(_ => 0.51 * rng.Normal()).ToArray();
        var bDept = Enumerable.Range(0, departments).Select(_ => 0.09 * rng.Normal()).ToArray();

        w.WriteLine("s,d,dept,service,y");
        var line = new StringBuilder(64);
        for (int i = 0; i < rows; i++)
        {
            int d = instructor[i], dept = deptOf[d];
            int service = rng.Bernoulli(serviceShare[d]) ? 1 : 0;
            double latent = 3.2 - 0.2 * service + bS[student[i]] + bD[d] + bDept[dept] + NoiseScale * rng.Logistic();
            int y = latent >= Cut ? 1 : 0;
            line.Clear();
            line.Append('S').Append((student[i] + 1).ToString(CultureInfo.InvariantCulture)).Append(",D")
                .Append((d + 1).ToString(CultureInfo.InvariantCulture)).Append(",P")
                .Append((dept + 1).ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(service.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(y.ToString(CultureInfo.InvariantCulture));
            w.WriteLine(line);
        }
    }

    /// <summary>
    /// Poisson counts with exposure (the GLMM benchmark glmm-poisson-1m): <paramref name="rows"/> rows in
    /// <paramref name="clusters"/> clusters g (sizes log-normally unbalanced, at least 2), x1 row level (standard
    /// normal), x2 binary cluster level (probability 0.4), exposure log-normal (median e^0.5, log SD 0.6, 3 decimals).
    /// count ~ Poisson(exposure · exp(−1 + 0.3·x1 − 0.4·x2 + b_g)) with b_g ~ N(0, 0.5²), the exposure as written, so
    /// the model is count ~ x1 + x2 + (1 | g) with offset log(exposure). Columns: g, x1, x2, exposure, count.
    /// Seed 20240604.
    /// </summary>
    public static void WritePoissonOffset(TextWriter w, int rows = 1_000_000, int clusters = 50_000)
    {
        var rng = new Rng(20240604);
        var size = rng.UnbalancedCounts(rows, clusters, 2, 0.5);
        w.WriteLine("g,x1,x2,exposure,count");
        var line = new StringBuilder(64);
        for (int g = 0; g < clusters; g++)
        {
            double b = 0.5 * rng.Normal();
            int x2 = rng.Bernoulli(0.4) ? 1 : 0;
            string label = "G" + (g + 1).ToString(CultureInfo.InvariantCulture);
            for (int c = 0; c < size[g]; c++)
            {
                double x1 = Math.Round(rng.Normal(), 4);
                double exposure = Math.Max(0.001, Math.Round(Math.Exp(0.5 + 0.6 * rng.Normal()), 3));
                int count = rng.Poisson(exposure * Math.Exp(-1 + 0.3 * x1 - 0.4 * x2 + b));
                line.Clear();
                line.Append(label).Append(',').Append(Number(x1, 4)).Append(',')
                    .Append(x2.ToString(CultureInfo.InvariantCulture)).Append(',').Append(Number(exposure, 3)).Append(',')
                    .Append(count.ToString(CultureInfo.InvariantCulture));
                w.WriteLine(line);
            }
        }
    }

    /// <summary>
    /// Ordered categories on a crossed design (the ordinal benchmark ordinal-crossed-100k): <paramref name="rows"/>
    /// ratings by <paramref name="raters"/> raters r (sizes log-normally unbalanced, at least 2) of
    /// <paramref name="items"/> items i (drawn with log-normal popularity), x row level (standard normal), treat binary
    /// at item level (probability 0.5). A latent 0.6·x − 0.4·treat + b_r + b_i + ε with b_r ~ N(0, 0.8²),
    /// b_i ~ N(0, 0.5²) and ε standard logistic is cut at −1.5, −0.3, 0.8, 2.0 into the categories 1 … 5, so
    /// rating ~ x + treat + (1 | r) + (1 | i) is a cumulative logit model exactly. Columns: r, i, x, treat, rating.
    /// Seed 20261201.
    /// </summary>
    public static void WriteOrdinalCrossed(TextWriter w, int rows = 100_000, int raters = 5_000, int items = 400)
    {
        var rng = new Rng(20261201);
        var counts = rng.UnbalancedCounts(rows, raters, 2, 0.5);
        var popularity = Enumerable.Range(0, items).Select(_ => Math.Exp(0.7 * rng.Normal())).ToArray();
        var cumulative = new double[items];
        double total = 0;
        for (int k = 0; k < items; k++) { total += popularity[k]; cumulative[k] = total; }
        var treat = Enumerable.Range(0, items).Select(_ => rng.Bernoulli(0.5) ? 1 : 0).ToArray();
        var bR = Enumerable.Range(0, raters).Select(_ => 0.8 * rng.Normal()).ToArray();
        var bI = Enumerable.Range(0, items).Select(_ => 0.5 * rng.Normal()).ToArray();
        double[] cuts = [-1.5, -0.3, 0.8, 2.0];
        w.WriteLine("r,i,x,treat,rating");
        var line = new StringBuilder(64);
        int row = 0;
        for (int r = 0; r < raters; r++)
            for (int c = 0; c < counts[r]; c++, row++)
            {
                // The first items go to the first rows so that every item is rated; then by popularity.
                int item = row;
                if (row >= items)
                {
                    int at = Array.BinarySearch(cumulative, rng.Uniform() * total);
                    item = Math.Min(at >= 0 ? at : ~at, items - 1);
                }
                double x = Math.Round(rng.Normal(), 4);
                double latent = 0.6 * x - 0.4 * treat[item] + bR[r] + bI[item] + rng.Logistic();
                int category = 1;
                while (category <= cuts.Length && latent > cuts[category - 1]) category++;
                line.Clear();
                line.Append('R').Append((r + 1).ToString(CultureInfo.InvariantCulture)).Append(",I")
                    .Append((item + 1).ToString(CultureInfo.InvariantCulture)).Append(',')
                    .Append(x.ToString("R", CultureInfo.InvariantCulture)).Append(',')
                    .Append(treat[item].ToString(CultureInfo.InvariantCulture)).Append(',')
                    .Append(category.ToString(CultureInfo.InvariantCulture));
                w.WriteLine(line);
            }
    }

    /// <summary>A reference dataset, as shipped in <c>tests/Data/reference/</c>.</summary>
    public static string ReferenceCsv(string name)
    {
        using var stream = typeof(Datasets).Assembly.GetManifestResourceStream("reference/" + name)
            ?? throw new FileNotFoundException($"reference dataset {name} is not embedded in the benchmark assembly");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// Exam with the 0/1 columns of inner-London Model 3 as lme4's reference fit used them: girl = (sex = F),
    /// boysch = (schgend = boys), girlsch = (schgend = girls). Columns: school, normexam, standLRT, girl, boysch, girlsch.
    /// </summary>
    public static string ExamDerivedCsv()
    {
        var exam = CsvTable.Parse(ReferenceCsv("Exam.csv"), "Exam.csv");
        var school = exam.Column("school").Raw;
        var normexam = exam.Column("normexam").Raw;
        var standLrt = exam.Column("standLRT").Raw;
        var sex = exam.Column("sex").Raw;
        var schgend = exam.Column("schgend").Raw;
        var sb = new StringBuilder("school,normexam,standLRT,girl,boysch,girlsch\n");
        for (int i = 0; i < exam.RowCount; i++)
            sb.Append(school[i]).Append(',').Append(normexam[i]).Append(',').Append(standLrt[i]).Append(',')
              .Append(sex[i] == "F" ? '1' : '0').Append(',')
              .Append(schgend[i] == "boys" ? '1' : '0').Append(',')
              .Append(schgend[i] == "girls" ? '1' : '0').Append('\n');
        return sb.ToString();
    }

    private static double[] Cumulative(double[] weights)
    {
        var c = new double[weights.Length];
        double s = 0;
        for (int i = 0; i < weights.Length; i++) c[i] = s += weights[i];
        for (int i = 0; i < c.Length; i++) c[i] /= s;
        return c;
    }

    /// <summary>Index drawn with probabilities given by the normalised cumulative weights.</summary>
    private static int Draw(double[] cumulative, double u)
    {
        int k = Array.BinarySearch(cumulative, u);
        if (k < 0) k = ~k;
        return Math.Min(k, cumulative.Length - 1);
    }

    private static string Number(double v, int decimals) =>
        Math.Round(v, decimals).ToString("R", CultureInfo.InvariantCulture);
}
