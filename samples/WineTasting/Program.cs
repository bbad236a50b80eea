// Fits the wine-tasting data (Randall 1989) as a cumulative link mixed model declared by attributes (Tasting.cs):
// the typed thresholds, effects and judges, category probabilities for a known and a new judge, and the
// likelihood-ratio test of skin contact. The same model in R: ordinal::clmm(rating ~ temp + contact + (1 | judge)).
using System.Globalization;
using System.Text;
using TypedMixed;
using WineTasting;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
Console.OutputEncoding = Encoding.UTF8;

var tastings = ReadWine(Path.Combine(AppContext.BaseDirectory, "Data", "wine.csv"));
var fit = BitternessModel.Fit(tastings);
Console.WriteLine(fit.Summary());

Console.WriteLine("Typed results");
Console.WriteLine($"  threshold Least|Less   {fit.Thresholds.Least_Less.Estimate,8:F4} (SE {fit.Thresholds.Least_Less.StdError:F4})");
Console.WriteLine($"  threshold More|Most    {fit.Thresholds.More_Most.Estimate,8:F4} (SE {fit.Thresholds.More_Most.StdError:F4})");
Console.WriteLine($"  warm crushing          {fit.TemperatureWarm.Estimate,8:F4} (SE {fit.TemperatureWarm.StdError:F4}), cumulative odds ratio {fit.TemperatureWarmOddsRatio.Ratio:F2}");
Console.WriteLine($"  skin contact           {fit.ContactYes.Estimate,8:F4} (SE {fit.ContactYes.StdError:F4}), cumulative odds ratio {fit.ContactYesOddsRatio.Ratio:F2}");
Console.WriteLine($"  judge variance         {fit.Judge.Variance,8:F4}, latent-scale VPC {fit.Judge.LatentVariancePartition:F3}");
Console.WriteLine($"  judge 1 effect         {fit.Judge.Effects[1],8:F4} (conditional SD {fit.Judge.ConditionalStdDev(1):F4})");
Console.WriteLine();

// A warm, skin-contact wine: for judge 1 (a fitted judge), for a new judge (their effect integrated out), and for a
// typical judge (effect zero).
var wine = new Tasting(Bitterness.Least, Temperature.Warm, SkinContact.Yes, Bottle: 0, Judge: 1);
Print("judge 1", fit.Predict(wine));
Print("a new judge", fit.Predict(wine with { Judge = 10 }, allowNewLevels: true));
Print("a typical judge", fit.PredictFixed(wine));
Console.WriteLine();

var lrt = OrdinalLikelihoodRatioTest.Compare(TemperatureOnlyModel.Fit(tastings).Underlying, fit.Underlying);
Console.WriteLine($"Skin contact: likelihood-ratio χ² = {lrt.ChiSquare:F3} on {lrt.DegreesOfFreedom} df, p = {lrt.PValue:G3}");
return 0;

static void Print(string who, IReadOnlyDictionary<Bitterness, double> probabilities) =>
    Console.WriteLine($"  P(bitterness) for {who,-16} " + string.Join("  ", probabilities.Select(p => $"{p.Key} {p.Value:F3}")));

static Tasting[] ReadWine(string path) => File.ReadLines(path).Skip(1).Select(line =>
{
    // "response","rating","temp","contact","bottle","judge"
    var f = line.Replace("\"", "", StringComparison.Ordinal).Split(',');
    return new Tasting(
        Bitterness: (Bitterness)(int.Parse(f[1], CultureInfo.InvariantCulture) - 1),
        Temperature: f[2] == "warm" ? Temperature.Warm : Temperature.Cold,
        Contact: f[3] == "yes" ? SkinContact.Yes : SkinContact.No,
        Bottle: int.Parse(f[4], CultureInfo.InvariantCulture),
        Judge: int.Parse(f[5], CultureInfo.InvariantCulture));
}).ToArray();
