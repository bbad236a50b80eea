using System.Globalization;
using System.Text;

namespace TypedMixed.Benchmarks.Data;

/// <summary>The synthetic bivariate data set of the multivariate benchmark (issue 14).</summary>
internal static class MultivariateDataset
{
    public const int Schools = 1_000, PupilsPerSchool = 200;

    /// <summary>
    /// 200,000 pupils, 200 in each of 1,000 schools (wide, one row per pupil): female ~ Bernoulli(0.5);
    /// written = 50 − 2.5 female + u₁ + e₁ and csework = 70 + 6.8 female + u₂ + e₂, school effects (u₁, u₂) with SDs 7 and
    /// 9 and correlation 0.4, pupil residuals (e₁, e₂) with SDs 11 and 13 and correlation 0.5 (Gcsemv's estimates,
    /// rounded); 10 % of pupils miss written and another 10 % miss csework (written as NA). Columns: school, pupil,
    /// female, written, csework. Seed 20261214.
    /// </summary>
    public static void Write(TextWriter w)
    {
        var rng = new Rng(20261214);
        w.WriteLine("school,pupil,female,written,csework");
        var line = new StringBuilder(64);
        int pupil = 0;
        for (int s = 0; s < Schools; s++)
        {
            double z1 = rng.Normal(), z2 = rng.Normal();
            double u1 = 7 * z1, u2 = 9 * (0.4 * z1 + Math.Sqrt(1 - 0.16) * z2);
            pupil = WriteSchool(w, line, rng, s, pupil, u1, u2, 0, 0);
        }
    }

    /// <summary>
    /// The random-slopes variant (wide, one row per pupil, <paramref name="schools"/> schools of 200 pupils): as
    /// <see cref="Write"/>, plus a school slope of female per response: school effects (written intercept, written
    /// female slope, csework intercept, csework female slope) with SDs 7, 2.5, 9, 7 from the unit-norm rows of the
    /// factor L = [1; 0.1, √0.99; 0.4, 0, √0.84; −0.2, 0, 0.3, √0.87] (correlation LL′); the same residuals and 10 % + 10 %
    /// missing scores. Columns: school, pupil, female, written, csework. Seed 20261215 + schools.
    /// </summary>
    public static void WriteSlopes(TextWriter w, int schools)
    {
        var rng = new Rng((ulong)(20261215 + schools));
        w.WriteLine("school,pupil,female,written,csework");
        var line = new StringBuilder(64);
        int pupil = 0;
        for (int s = 0; s < schools; s++)
        {
            double z1 = rng.Normal(), z2 = rng.Normal(), z3 = rng.Normal(), z4 = rng.Normal();
            double u1 = 7 * z1, a1 = 2.5 * (0.1 * z1 + Math.Sqrt(0.99) * z2);
            double u2 = 9 * (0.4 * z1 + Math.Sqrt(0.84) * z3), a2 = 7 * (-0.2 * z1 + 0.3 * z3 + Math.Sqrt(0.87) * z4);
            pupil = WriteSchool(w, line, rng, s, pupil, u1, u2, a1, a2);
        }
    }

    /// <summary>
    /// One school's pupils (numbered after <paramref name="pupil"/>): female, the two scores with the school's intercepts
    /// u and female slopes a (0 for the intercept-only set: the same arithmetic and draws as without them), correlated
    /// residuals, 10 % + 10 % missing. Returns the last pupil's number.
    /// </summary>
    private static int WriteSchool(TextWriter w, StringBuilder line, Rng rng, int s, int pupil, double u1, double u2, double a1, double a2)
    {
        for (int j = 0; j < PupilsPerSchool; j++)
        {
            pupil++;
            int female = rng.Uniform() < 0.5 ? 1 : 0;
            double x1 = rng.Normal(), x2 = rng.Normal();
            double written = 50 + (-2.5 + a1) * female + u1 + 11 * x1;
            double csework = 70 + (6.8 + a2) * female + u2 + 13 * (0.5 * x1 + Math.Sqrt(1 - 0.25) * x2);
            double m = rng.Uniform();
            line.Clear();
            line.Append('S').Append((s + 1).ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(pupil.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(female.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(m < 0.1 ? "NA" : Math.Round(written, 1).ToString("R", CultureInfo.InvariantCulture)).Append(',')
                .Append(m >= 0.1 && m < 0.2 ? "NA" : Math.Round(csework, 1).ToString("R", CultureInfo.InvariantCulture));
            w.WriteLine(line);
        }
        return pupil;
    }
}
