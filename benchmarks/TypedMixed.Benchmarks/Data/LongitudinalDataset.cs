using System.Globalization;
using System.Text;

namespace TypedMixed.Benchmarks.Data;

/// <summary>The synthetic longitudinal data set of the residual-structure benchmark (issue 12).</summary>
internal static class LongitudinalDataset
{
    public const int Subjects = 20_000, Occasions = 5;

    /// <summary>
    /// 20,000 subjects × 5 occasions t = 0..4 (100,000 rows, sorted by subject then time):
    /// y = 2 + 0.5 t + b₀ + b₁ t + e, (b₀, b₁) normal with SDs 1.0 and 0.3 and correlation 0.3, and within a subject
    /// e AR(1) with ρ = 0.5 and SD 0.8 (stationary start). Columns: id, time, y. Seed 20261201.
    /// </summary>
    public static void Write(TextWriter w)
    {
        var rng = new Rng(20261201);
        const double sd0 = 1.0, sd1 = 0.3, corr = 0.3, rho = 0.5, sigma = 0.8;
        w.WriteLine("id,time,y");
        var line = new StringBuilder(48);
        for (int s = 0; s < Subjects; s++)
        {
            double z0 = rng.Normal(), z1 = rng.Normal();
            double b0 = sd0 * z0, b1 = sd1 * (corr * z0 + Math.Sqrt(1 - corr * corr) * z1);
            double e = sigma * rng.Normal();
            for (int t = 0; t < Occasions; t++)
            {
                if (t > 0) e = rho * e + sigma * Math.Sqrt(1 - rho * rho) * rng.Normal();
                double y = 2 + 0.5 * t + b0 + b1 * t + e;
                line.Clear();
                line.Append('S').Append((s + 1).ToString(CultureInfo.InvariantCulture)).Append(',')
                    .Append(t.ToString(CultureInfo.InvariantCulture)).Append(',')
                    .Append(Math.Round(y, 4).ToString("R", CultureInfo.InvariantCulture));
                w.WriteLine(line);
            }
        }
    }
}
