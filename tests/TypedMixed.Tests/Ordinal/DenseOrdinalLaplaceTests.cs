using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;
using TypedMixed.Estimation;

namespace TypedMixed.Tests.Ordinal;

/// <summary>
/// The blocked ordinal objective against independent dense computations on small random designs (crossed or nested
/// terms, correlated random slopes, four categories, each link): the Laplace approximation by Newton on the dense
/// joint log-density with its own CDFs (the Hessian by central differences of the analytic gradient), and adaptive
/// quadrature against the marginal likelihood integrated per cluster on a fine grid.
/// </summary>
public class DenseOrdinalLaplaceTests
{
    internal sealed record Case(ModelDesign Design, double[] Tau, double[] Beta, double[] Theta);

    internal static Case RandomCase(int seed, LinkFunction link, bool scalarOnly)
    {
        var rng = new Random(seed);
        int n = rng.Next(40, 90);
        int terms = scalarOnly ? 1 : rng.Next(1, 3);
        var x1 = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var x2 = Enumerable.Range(0, n).Select(_ => rng.Next(2) * 1.0).ToArray();
        var list = new List<RandomEffectsTerm>();
        var theta = new List<double>();
        for (int t = 0; t < terms; t++)
        {
            int levels = rng.Next(3, 9);
            var index = Enumerable.Range(0, n).Select(i => i < levels ? i : rng.Next(levels)).ToArray();
            bool slope = !scalarOnly && rng.Next(2) == 0;
            var names = slope ? new[] { "(Intercept)", "x1" } : new[] { "(Intercept)" };
            var cols = Enumerable.Repeat(1.0, n).Concat(slope ? x1 : []).ToArray();
            list.Add(new RandomEffectsTerm { Name = "g" + t, LevelIndex = index, LevelKeys = Enumerable.Range(0, levels).Select(l => l.ToString()).ToArray(), ColumnNames = names, Columns = cols });
            theta.Add(0.3 + rng.NextDouble());
            if (slope) { theta.Add(rng.NextDouble() - 0.5); theta.Add(0.2 + 0.5 * rng.NextDouble()); }
        }
        var tau = new[] { -1.0, 0.2, 1.3 };
        var beta = new[] { 0.8, -0.6 };
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double eta = beta[0] * x1[i] + beta[1] * x2[i] + 0.8 * (rng.NextDouble() - 0.5);
            double v = rng.NextDouble();
            int cat = 0;
            while (cat < 3 && v > Cdf(link, tau[cat] - eta)) cat++;
            y[i] = cat;
        }
        // Every category at least once.
        for (int j = 0; j < 4; j++) y[j] = j;
        var design = new ModelDesign
        {
            Response = y,
            FixedEffects = x1.Concat(x2).ToArray(),
            FixedEffectNames = ["x1", "x2"],
            Terms = list,
            Family = ResponseFamily.Ordinal,
            Link = link,
        };
        var tauAt = tau.Select(t => t + 0.2 * (rng.NextDouble() - 0.5)).ToArray();
        return new Case(design, tauAt, beta.Select(b => b + 0.2 * (rng.NextDouble() - 0.5)).ToArray(), theta.ToArray());
    }

    private static double Cdf(LinkFunction link, double x) => link switch
    {
        LinkFunction.Logit => 1 / (1 + Math.Exp(-x)),
        LinkFunction.Probit => Normal.CDF(0, 1, x),
        _ => 1 - Math.Exp(-Math.Exp(x)),
    };

    private static double Pdf(LinkFunction link, double x) => link switch
    {
        LinkFunction.Logit => Math.Exp(-x) / ((1 + Math.Exp(-x)) * (1 + Math.Exp(-x))),
        LinkFunction.Probit => Normal.PDF(0, 1, x),
        _ => Math.Exp(x - Math.Exp(x)),
    };

    /// <summary>Dense Z Λ (n × total effects), term by term, level-major within a term.</summary>
    private static Matrix<double> ZLambda(Case c)
    {
        var d = c.Design;
        int n = d.Rows;
        int total = d.Terms.Sum(t => t.LevelCount * t.ColumnCount);
        var zl = Matrix<double>.Build.Dense(n, total);
        int offset = 0, th = 0;
        foreach (var term in d.Terms)
        {
            int q = term.ColumnCount;
            var lambda = Matrix<double>.Build.Dense(q, q);
            for (int b = 0; b < q; b++)
                for (int a = b; a < q; a++) lambda[a, b] = c.Theta[th++];
            for (int i = 0; i < n; i++)
            {
                int l = term.LevelIndex[i];
                for (int b = 0; b < q; b++)
                {
                    double s = 0;
                    for (int a = 0; a < q; a++) s += term.Columns[a * n + i] * lambda[a, b];
                    zl[i, offset + l * q + b] = s;
                }
            }
            offset += term.LevelCount * q;
        }
        return zl;
    }

    private static double LogP(LinkFunction link, double[] tau, int y, double eta)
    {
        double upper = y < tau.Length ? Cdf(link, tau[y] - eta) : 1;
        double lower = y > 0 ? Cdf(link, tau[y - 1] - eta) : 0;
        return Math.Log(upper - lower);
    }

    private static double DLogP(LinkFunction link, double[] tau, int y, double eta)
    {
        double upper = y < tau.Length ? Cdf(link, tau[y] - eta) : 1;
        double lower = y > 0 ? Cdf(link, tau[y - 1] - eta) : 0;
        double fu = y < tau.Length ? Pdf(link, tau[y] - eta) : 0;
        double fl = y > 0 ? Pdf(link, tau[y - 1] - eta) : 0;
        return (fl - fu) / (upper - lower);
    }

    /// <summary>The dense Laplace −2 log L: Newton on h(u) = Σ log p(yᵢ | ηᵢ) − ‖u‖²/2 to the exact mode.</summary>
    private static double DenseLaplace(Case c)
    {
        var d = c.Design;
        var link = d.Link;
        int n = d.Rows;
        var zl = ZLambda(c);
        int m = zl.ColumnCount;
        var fixedEta = Enumerable.Range(0, n).Select(i => c.Beta[0] * d.FixedEffects[i] + c.Beta[1] * d.FixedEffects[n + i]).ToArray();
        var y = d.Response.Select(v => (int)v).ToArray();
        Vector<double> Gradient(Vector<double> u)
        {
            var eta = zl * u;
            var g = Vector<double>.Build.Dense(n, i => DLogP(link, c.Tau, y[i], fixedEta[i] + eta[i]));
            return zl.TransposeThisAndMultiply(g) - u;
        }
        Matrix<double> Hessian(Vector<double> u)
        {
            var h = Matrix<double>.Build.Dense(m, m);
            const double step = 1e-5;
            for (int j = 0; j < m; j++)
            {
                var up = u.Clone(); up[j] += step;
                var dn = u.Clone(); dn[j] -= step;
                h.SetColumn(j, (Gradient(up) - Gradient(dn)) / (2 * step));
            }
            return (h + h.Transpose()) / 2;
        }
        var u = Vector<double>.Build.Dense(m);
        for (int it = 0; it < 100; it++)
        {
            var delta = Hessian(u).Solve(-Gradient(u));
            u += delta;
            if (delta.AbsoluteMaximum() < 1e-13) break;
        }
        var etaHat = zl * u;
        double ll = 0;
        for (int i = 0; i < n; i++) ll += LogP(link, c.Tau, y[i], fixedEta[i] + etaHat[i]);
        var info = -Hessian(u);
        return -2 * ll + u.DotProduct(u) + info.LU().Determinant switch { var det => Math.Log(det) };
    }

    public static TheoryData<int, LinkFunction> Cases()
    {
        var data = new TheoryData<int, LinkFunction>();
        foreach (var link in new[] { LinkFunction.Logit, LinkFunction.Probit, LinkFunction.Cloglog })
            for (int seed = 1; seed <= 4; seed++) data.Add(seed * 7 + (int)link, link);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Laplace_matches_a_dense_computation(int seed, LinkFunction link)
    {
        var c = RandomCase(seed, link, scalarOnly: false);
        double dense = DenseLaplace(c);
        double blocked = OrdinalEstimator.DevianceAt(c.Design, 1, c.Tau, c.Beta, c.Theta);
        Assert.True(Math.Abs(dense - blocked) < 1e-7 * Math.Abs(dense), $"dense {dense} blocked {blocked}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Quadrature_matches_the_integrated_likelihood(int seed, LinkFunction link)
    {
        var c = RandomCase(seed, link, scalarOnly: true);
        var d = c.Design;
        int n = d.Rows;
        var term = d.Terms[0];
        double sd = c.Theta[0];
        // Per cluster ∫ Π p(yᵢ | b) φ(b/σ)/σ db by the trapezoid rule on [−12σ, 12σ] (smooth, rapidly decaying integrand).
        double exact = 0;
        for (int l = 0; l < term.LevelCount; l++)
        {
            var rows = Enumerable.Range(0, n).Where(i => term.LevelIndex[i] == l).ToArray();
            const int grid = 20000;
            double lo = -12 * sd, h = 24 * sd / grid, sum = 0;
            for (int g = 0; g <= grid; g++)
            {
                double b = lo + g * h, lp = 0;
                foreach (int i in rows) lp += LogP(link, c.Tau, (int)d.Response[i], c.Beta[0] * d.FixedEffects[i] + c.Beta[1] * d.FixedEffects[n + i] + b);
                double v = Math.Exp(lp) * Normal.PDF(0, sd, b);
                sum += (g == 0 || g == grid ? 0.5 : 1) * v;
            }
            exact += Math.Log(sum * h);
        }
        double agq = OrdinalEstimator.DevianceAt(d, 25, c.Tau, c.Beta, c.Theta);
        Assert.True(Math.Abs(-2 * exact - agq) < 1e-8 * Math.Abs(agq), $"integral {-2 * exact} AGQ25 {agq}");
        // And one node is the Laplace approximation.
        Assert.Equal(OrdinalEstimator.DevianceAt(d, 1, c.Tau, c.Beta, c.Theta), DenseLaplace(c), 1e-7 * Math.Abs(agq));
    }
}
