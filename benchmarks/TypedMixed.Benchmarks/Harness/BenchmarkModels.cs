using System.Globalization;
using TypedMixed.Benchmarks.Data;
using TypedMixed.Cli.Data;
using TypedMixed.Cli.Design;
using TypedMixed.Cli.Formulas;

namespace TypedMixed.Benchmarks.Harness;

/// <summary>One model of the comparison: a data file (written by <see cref="Datasets"/>), an lme4 formula and the method.</summary>
/// <param name="Name">Short name used in tables and in the <c>ratio</c> lines.</param>
/// <param name="File">CSV file name inside the data folder.</param>
/// <param name="Formula">lme4 formula, read by TypedMixed's formula parser and by R.</param>
/// <param name="Reml">REML (true) or ML.</param>
/// <param name="Repetitions">Timed TypedMixed fits (after warm-up) in the side-by-side comparison.</param>
/// <param name="Lme4Repetitions">Timed lmer fits per BLAS (fewer for the 1M-row model, whose lmer fit takes about a minute).</param>
internal sealed record BenchmarkModel(string Name, string File, string Formula, bool Reml, int Repetitions, int Lme4Repetitions)
{
    public EstimationMethod Method => Reml ? EstimationMethod.Reml : EstimationMethod.MaximumLikelihood;

    /// <summary>The models of <c>compare.sh</c>, in the order they are run (the InstEval-shaped one last).</summary>
    public static readonly BenchmarkModel[] All =
    [
        new("sleepstudy-reml", "sleepstudy.csv", "Reaction ~ Days + (Days | Subject)", true, 20, 20),
        new("penicillin-reml", "Penicillin.csv", "diameter ~ 1 + (1 | plate) + (1 | sample)", true, 20, 20),
        new("exam-m3-ml", "ExamDerived.csv", "normexam ~ standLRT + girl + boysch + girlsch + (1 | school)", false, 20, 20),
        new("nested1m-ml", "nested1m.csv", "y ~ x1 + x2 + x3 + (x1 | g)", false, 3, 1),
        new("nested1m-reml", "nested1m.csv", "y ~ x1 + x2 + x3 + (x1 | g)", true, 3, 1),
        // lme4's own InstEval (written to CSV by compare.sh from the installed R package; not in the in-process benchmarks).
        new("insteval-lme4data-reml", "InstEval.csv", "y ~ service + (1 | s) + (1 | d) + (1 | dept)", true, 3, 3),
        new("insteval-reml", "insteval.csv", "y ~ service + (1 | s) + (1 | d) + (1 | dept)", true, 3, 3),
    ];

    /// <summary>
    /// The multiple-membership models of <c>compare.sh --mm</c> (issue 13), compared with lme4 fed the same weighted Z
    /// (<c>lme4_mm_fit.R</c>), not with lmer's formula interface, which has no <c>mm()</c>.
    /// </summary>
    public static readonly BenchmarkModel[] MultipleMembership =
    [
        new("mm1m-ml", "mm1m.csv", "y ~ x + (1 | mm(school1, school2, school3, weights = cbind(w1, w2, w3)))", false, 3, 1),
        new("mm1m-reml", "mm1m.csv", "y ~ x + (1 | mm(school1, school2, school3, weights = cbind(w1, w2, w3)))", true, 3, 1),
        new("mm1m-area-ml", "mm1m.csv", "y ~ x + (1 | mm(school1, school2, school3, weights = cbind(w1, w2, w3))) + (1 | area)", false, 3, 1),
    ];

    /// <summary>
    /// The crossed model of <c>compare.sh --huge</c> (issue 16): 1,000,000 rows, 100,000 students × 20,000 items
    /// (<see cref="Data.CourseDataset"/>), whose item block is factored sparsely; not in the default runs.
    /// </summary>
    public static readonly BenchmarkModel[] Huge =
    [
        new("crossed1m-ml", "students1m.csv", "y ~ x + (1 | student) + (1 | item)", false, 1, 1),
    ];

    public static BenchmarkModel Named(string name) =>
        All.Concat(MultipleMembership).Concat(Huge).FirstOrDefault(m => m.Name == name)
        ?? throw new ArgumentException($"no benchmark model '{name}'; known: {string.Join(", ", All.Concat(MultipleMembership).Concat(Huge).Select(m => m.Name))}");

    /// <summary>Reads a CSV file and builds the design from the formula exactly as <c>typedmixed fit</c> does.</summary>
    public static ModelDesign LoadDesign(string csvPath, string formula) =>
        DesignBuilder.Build(FormulaParser.Parse(formula), CsvTable.Load(csvPath)).Design;

    /// <summary>
    /// The design of this model from data generated in memory (for in-process benchmarks, which must not depend on
    /// a data folder): the same bytes as the CSV file, parsed by the same reader.
    /// </summary>
    public ModelDesign BuildDesignInMemory()
    {
        var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        switch (File)
        {
            case "insteval.csv": Datasets.WriteInstEvalShaped(writer); break;
            case "nested1m.csv": Datasets.WriteNested(writer); break;
            case "ExamDerived.csv": writer.Write(Datasets.ExamDerivedCsv()); break;
            default: writer.Write(Datasets.ReferenceCsv(File)); break;
        }
        var table = CsvTable.Parse(writer.ToString(), File);
        return DesignBuilder.Build(FormulaParser.Parse(Formula), table).Design;
    }

    /// <summary>Options for a fit comparable with <c>lmer</c>: no variance-component SEs, no Satterthwaite df.</summary>
    public FitOptions LmerLikeOptions => new() { Method = Method, VarianceComponentErrors = false, Satterthwaite = false };

    /// <summary>Options for the full fit (both inferences on, the library's defaults).</summary>
    public FitOptions FullOptions => new() { Method = Method };
}
