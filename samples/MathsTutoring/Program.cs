// Simulates the maths-tutoring trial of the review article (Table 2) from its Model 2 estimates, fits Models 1-3
// declared by attributes (TestScore.cs) by maximum likelihood, and compares what is recovered with the published values.
using System.Globalization;
using System.Reflection;
using System.Text;
using MathsTutoring;
using TypedMixed;
using TypedMixed.Plotting;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
Console.OutputEncoding = Encoding.UTF8;

string? outDir = null;
for (int a = 0; a < args.Length; a++)
{
    switch (args[a])
    {
        case "--out" when a + 1 < args.Length: outDir = args[++a]; break;
        case "-h" or "--help":
            Console.WriteLine("usage: MathsTutoring [--out DIR]");
            Console.WriteLine("  --out DIR  folder for the figures (PNG and SVG); default samples/MathsTutoring/output");
            return 0;
        default:
            Console.Error.WriteLine($"unknown or incomplete option '{args[a]}' (try --help)");
            return 2;
    }
}

// ── The simulated trial ──────────────────────────────────────────────────────────────────────────────────────────────
var (scores, trueEffects) = TrialSimulation.Simulate();
var growth = GrowthModel.Fit(scores);
var tutoring = TutoringModel.Fit(scores);
var ar1 = Ar1TutoringModel.Fit(scores);
var testsByPupil = tutoring.Pupil.Sizes;
Console.WriteLine("Maths-tutoring trial (Table 2 of the review article), SIMULATED: the published data are not available.");
Console.WriteLine($"  {testsByPupil.Count} pupils, {scores.Where(s => s.Time == 0).Count(s => s.Group == Group.Tutored)} tutored; " +
    $"{testsByPupil.Values.Count(n => n == 6)} with all six tests, {testsByPupil.Values.Count(n => n < 6)} dropping out after " +
    string.Join(", ", Enumerable.Range(1, 5).Select(k => $"{k} ({testsByPupil.Values.Count(n => n == k)})")) + $" tests; {scores.Count} scores.");
Console.WriteLine($"  Drawn from Table 2 Model 2's estimates (seed {TrialSimulation.Seed}): correlated random intercept and slope per pupil, " +
    $"σ²e = {F(Published.ResidualVariance)}, random arms, dropout completely at random.");
Console.WriteLine();

foreach (var (name, fit) in new[] { ("Model 1", growth.Underlying), ("Model 2", tutoring.Underlying), ("Model 3", ar1.Underlying) })
    foreach (var warning in fit.Warnings) Console.WriteLine($"{name}: warning {warning.Code}: {warning.Message}");

// ── Recovered against published ──────────────────────────────────────────────────────────────────────────────────────
Console.WriteLine("Table 2, maximum likelihood, estimates (SE): published (from the trial's real data) | ours (from the simulated data)");
Console.WriteLine("Ours differ from the published values by sampling error; the SEs say by how much to expect. For Model 2 the last column is");
Console.WriteLine("(ours − value simulated from) / our SE, roughly standard normal when the fit recovers the simulation's parameters.");
Console.WriteLine();
var published1 = new[] { "54.46 (0.66)", "8.39 (0.65)", null, null, "64.98 (8.18)", "31.80 (7.78)", "2.07 (5.87)", "0.05 (0.13)", "22.00 (1.26)", "6229" };
var published2 = new[] { "54.06 (0.93)", "5.83 (0.89)", "0.80 (1.31)", "5.05 (1.25)", "64.93 (8.17)", "25.95 (7.09)", "0.42 (5.64)", "0.01 (0.14)", "21.97 (1.25)", "6211" };
var labels = new[] { "β0 intercept", "β1 time", "β2 treatment", "β3 treatment × time", "σ²u0 intercept variance", "σ²u1 slope variance",
    "σu01 covariance", "ρu01 correlation", "σ²e residual variance", "deviance" };
var pupil1 = growth.Pupil;
var ours1 = Parameters([growth.Intercept, growth.Time, null, null],
    [(pupil1.InterceptVariance, pupil1.InterceptVarianceStdError), (pupil1.TimeVariance, pupil1.TimeVarianceStdError), (pupil1.InterceptTimeCovariance, pupil1.InterceptTimeCovarianceStdError),
     (pupil1.InterceptTimeCorrelation, pupil1.InterceptTimeCorrelationStdError), (growth.ResidualVariance, growth.ResidualVarianceStdError)], growth.Underlying.Deviance);
var pupil2 = tutoring.Pupil;
var ours2 = Parameters([tutoring.Intercept, tutoring.Time, tutoring.GroupTutored, tutoring.TimeByGroupTutored],
    [(pupil2.InterceptVariance, pupil2.InterceptVarianceStdError), (pupil2.TimeVariance, pupil2.TimeVarianceStdError), (pupil2.InterceptTimeCovariance, pupil2.InterceptTimeCovarianceStdError),
     (pupil2.InterceptTimeCorrelation, pupil2.InterceptTimeCorrelationStdError), (tutoring.ResidualVariance, tutoring.ResidualVarianceStdError)], tutoring.Underlying.Deviance);
var truth = new[] { Published.Beta[0], Published.Beta[1], Published.Beta[2], Published.Beta[3], Published.InterceptVariance,
    Published.SlopeVariance, Published.Covariance, Published.Covariance / Math.Sqrt(Published.InterceptVariance * Published.SlopeVariance),
    Published.ResidualVariance, double.NaN };
Console.WriteLine($"{"",-24}  {"Model 1",18}{"",11}  {"Model 2",18}");
Console.WriteLine($"{"",-24}  {"published",14} {"ours",14}  {"published",14} {"ours",14}  {"(ours-sim)/SE",13}");
for (int r = 0; r < labels.Length; r++)
{
    string z = double.IsNaN(truth[r]) || !(ours2[r].Se > 0) ? "" : F((ours2[r].Estimate - truth[r]) / ours2[r].Se, 2);
    Console.WriteLine($"{labels[r],-24}  {published1[r] ?? "",14} {Cell(ours1[r], published1[r]),14}  {published2[r],14} {Cell(ours2[r], published2[r]),14}  {z,13}".TrimEnd());
}
Console.WriteLine();
// Model 3: Model 2 with AR(1) residuals between a pupil's tests. Of its published column only ρ = 0.17 is recorded here.
var rho = ar1.ResidualCorrelation;
var pupil3 = ar1.Pupil;
var lrtAr1 = LikelihoodRatioTest.Compare(tutoring.Underlying, ar1.Underlying);
bool rhoCoversZero = rho.ConfidenceLower <= 0 && 0 <= rho.ConfidenceUpper;
Console.WriteLine($"Model 3: Model 2 with {rho.StructureName} residuals over {rho.TimeName} within {rho.ClusterName}, ours (ML):");
Console.WriteLine($"  β0 {Est(ar1.Intercept)}, β1 {Est(ar1.Time)}, β2 {Est(ar1.GroupTutored)}, β3 {Est(ar1.TimeByGroupTutored)}");
Console.WriteLine($"  σ²u0 {Vc(pupil3.InterceptVariance, pupil3.InterceptVarianceStdError)}, σ²u1 {Vc(pupil3.TimeVariance, pupil3.TimeVarianceStdError)}, " +
    $"σu01 {Vc(pupil3.InterceptTimeCovariance, pupil3.InterceptTimeCovarianceStdError)}, σ²e {Vc(ar1.ResidualVariance, ar1.ResidualVarianceStdError)}, deviance {F(ar1.Underlying.Deviance, 0)}");
Console.WriteLine($"  ρ = {F(rho.Parameter, 2)} ({F(rho.StdError, 2)}), 95 % CI ({F(rho.ConfidenceLower, 2)}, {F(rho.ConfidenceUpper, 2)});   published ρ = 0.17 (from the trial's real data)");
Console.WriteLine($"  against Model 2: L = {F(lrtAr1.ChiSquare, 2)}, df = {lrtAr1.DegreesOfFreedom}, p = {P(lrtAr1.PValue)}");
Console.WriteLine("  The data are simulated from Model 2, whose residuals are independent (ρ = 0), so the published 0.17 is not expected here: " +
    (rhoCoversZero ? "our interval covers 0, as it should within sampling error" : "our interval excludes 0, a sampling fluctuation (or a misfit) worth a look") +
    (rho.ConfidenceLower <= 0.17 && 0.17 <= rho.ConfidenceUpper ? $"; it covers 0.17 too: {scores.Count} scores cannot tell the two apart." : "."));
Console.WriteLine();
var lrt = LikelihoodRatioTest.Compare(growth.Underlying, tutoring.Underlying);
Console.WriteLine($"Model 2 against Model 1: L = {F(lrt.ChiSquare, 2)}, df = {lrt.DegreesOfFreedom}, p = {P(lrt.PValue)}   (published: 6229 − 6211 = 18 on 2 df)");
Console.WriteLine($"Tutoring effect on the 5-week gain, β3: ours {F(tutoring.TimeByGroupTutored.Estimate, 2)}, 95 % CI ({F(tutoring.TimeByGroupTutored.Lower95, 2)}, " +
    $"{F(tutoring.TimeByGroupTutored.Upper95, 2)}); published 5.05 (1.25); simulated from 5.05.");
Console.WriteLine();

// ── Model-implied between-pupil variance and correlation across occasions ────────────────────────────────────────────
var ourVc = (U0: pupil2.InterceptVariance, U1: pupil2.TimeVariance, U01: pupil2.InterceptTimeCovariance, E: tutoring.ResidualVariance);
var pubVc = (U0: Published.InterceptVariance, U1: Published.SlopeVariance, U01: Published.Covariance, E: Published.ResidualVariance);
var times = Published.Times;
Console.WriteLine("Model 2: between-pupil variance at each occasion, σ²u0 + 2σu01 t + σ²u1 t²");
Console.WriteLine($"  {"t",-34}" + string.Concat(times.Select(t => $"{F(t, 1),8}")));
Console.WriteLine($"  {"published",-34}" + string.Concat(new[] { "64.93", "66.14", "69.42", "74.78", "82.21", "91.72" }.Select(v => $"{v,8}")));
Console.WriteLine($"  {"from the published estimates",-34}" + string.Concat(times.Select(t => $"{F(Between(pubVc, t), 2),8}")));
Console.WriteLine($"  {"ours",-34}" + string.Concat(times.Select(t => $"{F(Between(ourVc, t), 2),8}")));
Console.WriteLine();
Console.WriteLine("Model 2: implied correlation of a pupil's scores across occasions (σ²e added to each variance)");
string[] publishedCorrelation =
[
    "1.00",
    "0.74 1.00",
    "0.73 0.75 1.00",
    "0.71 0.74 0.76 1.00",
    "0.69 0.73 0.76 0.78 1.00",
    "0.66 0.71 0.74 0.77 0.79 1.00",
];
int formulaMismatches = 0;
Console.WriteLine($"  {"published",-36}{"from the published estimates",-36}ours");
for (int i = 0; i < times.Length; i++)
{
    var fromPublished = Enumerable.Range(0, i + 1).Select(j => F(Correlation(pubVc, times[i], times[j]), 2)).ToArray();
    formulaMismatches += fromPublished.Where((v, j) => v != publishedCorrelation[i].Split(' ')[j]).Count();
    var ours = Enumerable.Range(0, i + 1).Select(j => F(Correlation(ourVc, times[i], times[j]), 2));
    Console.WriteLine($"  {publishedCorrelation[i],-36}{string.Join(' ', fromPublished),-36}{string.Join(' ', ours)}");
}
Console.WriteLine(formulaMismatches == 0
    ? "  The published estimates reproduce every printed variance and correlation."
    : $"  {formulaMismatches} published correlations differ from those implied by the published estimates (rounding of the estimates).");
Console.WriteLine();

// ── Predicted trajectories ───────────────────────────────────────────────────────────────────────────────────────────
var series = new List<TrajectorySeries>();
var colour = new Dictionary<Group, (string Strong, string Light)> { [Group.Control] = ("#1f5fa8", "#8fb4df"), [Group.Tutored] = ("#c4481c", "#eea98c") };
// A few pupils of each arm with all six tests: fixed part plus their predicted effects (generated Predict, which does
// not read the score: NaN stands for "not yet tested").
foreach (var arm in new[] { Group.Control, Group.Tutored })
{
    foreach (int pupil in testsByPupil.Where(kv => kv.Value == 6).Select(kv => kv.Key).Where(p => scores.First(s => s.Pupil == p).Group == arm).Order().Take(3))
    {
        var y = times.Select(t => tutoring.Predict(new TestScore(double.NaN, t, arm, pupil))).ToArray();
        series.Add(new TrajectorySeries($"pupil {pupil} ({arm.ToString().ToLowerInvariant()})", times, y) { Color = colour[arm].Light, Width = 1.2f });
    }
}
// Population-average trajectories: the fixed part only (generated PredictFixed, which reads neither score nor pupil).
foreach (var arm in new[] { Group.Control, Group.Tutored })
{
    var y = times.Select(t => tutoring.PredictFixed(new TestScore(double.NaN, t, arm, Pupil: 0))).ToArray();
    series.Add(new TrajectorySeries($"{arm.ToString().ToLowerInvariant()}: population average", times, y) { Color = colour[arm].Strong, Markers = true, Width = 3 });
}
var trajectories = TrajectoryFigure.Create(series, new TrajectoryOptions
{
    XLabel = "time (0 = baseline, 1 = after 5 weeks)",
    YLabel = "predicted maths score (Model 2, simulated trial)",
});
string figures = Directory.CreateDirectory(outDir ?? SampleOutput()).FullName;
foreach (var extension in new[] { ".png", ".svg" }) trajectories.Save(Path.Combine(figures, "maths-tutoring-trajectories" + extension));
DiagnosticFigure.Residuals(tutoring.Underlying).Save(Path.Combine(figures, "maths-tutoring-residuals.png"));
CaterpillarFigure.Create(tutoring.Underlying, "Pupil").Save(Path.Combine(figures, "maths-tutoring-pupil-effects.png"));
Console.WriteLine($"Figures in {figures}: predicted trajectories (population average by arm, and three pupils of each arm; .png, .svg), " +
    "Model 2's residual diagnostics and pupils' predicted effects (.png).");
return 0;

// output/ beside the sample's project file (recorded at build time), or ./output when the build tree is not there.
static string SampleOutput()
{
    string? project = typeof(TestScore).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(m => m.Key == "SampleDirectory")?.Value;
    return Path.Combine(project is not null && Directory.Exists(project) ? project : Directory.GetCurrentDirectory(), "output");
}

// Estimates and SEs in the table's row order: β0..β3, then σ²u0, σ²u1, σu01, ρu01 (SE by the delta method), σ²e, then deviance.
static (double Estimate, double Se)[] Parameters(FixedEffectEstimate?[] beta, (double Estimate, double Se)[] variances, double deviance) =>
    [.. beta.Select(e => e is null ? (double.NaN, double.NaN) : (e.Estimate, e.StdError)), .. variances, (deviance, double.NaN)];

// Our value with the published cell's decimals, and an SE when the published cell has one.
static string Cell((double Estimate, double Se) ours, string? published)
{
    if (published is null || double.IsNaN(ours.Estimate)) return "";
    var parts = published.Split(" (");
    int decimals = parts[0].IndexOf('.') is var dot and >= 0 ? parts[0].Length - dot - 1 : 0;
    return parts.Length == 1 ? F(ours.Estimate, decimals) : $"{F(ours.Estimate, decimals)} ({F(ours.Se, decimals)})";
}

static double Between((double U0, double U1, double U01, double E) vc, double t) => vc.U0 + 2 * vc.U01 * t + vc.U1 * t * t;

// Occasions s ≠ t share only the pupil's effects; the same occasion has correlation 1.
static double Correlation((double U0, double U1, double U01, double E) vc, double s, double t) => s == t ? 1.0 :
    (vc.U0 + vc.U01 * (s + t) + vc.U1 * s * t) / Math.Sqrt((Between(vc, s) + vc.E) * (Between(vc, t) + vc.E));

static string F(double value, int decimals = 2)
{
    string text = value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    return text.StartsWith('-') && text.Trim('-', '0', '.').Length == 0 ? text[1..] : text;
}

static string Est(FixedEffectEstimate e) => Vc(e.Estimate, e.StdError);

static string Vc(double estimate, double se) => $"{F(estimate, 2)} ({F(se, 2)})";

static string P(double p) => p < 1e-4 ? "< 0.0001" : F(p, 4);
