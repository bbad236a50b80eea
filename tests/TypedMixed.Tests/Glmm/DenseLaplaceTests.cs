using MathNet.Numerics.LinearAlgebra;
using TypedMixed.Estimation;
using TypedMixed.Families;

namespace TypedMixed.Tests.Glmm;

/// <summary>
/// The blocked Laplace objective against an independent dense computation on many small random designs: Newton's
/// method on the joint log-density for the exact mode (dense Z, dense Λ), then the log-determinant of
/// Λ'Z'WZΛ + I with W the IRLS (or observed) weights there. And adaptive quadrature with many nodes against the exact
/// marginal likelihood by adaptive numerical integration, per cluster.
/// </summary>
public class DenseLaplaceTests
{
    private sealed record Case(ModelDesign Design, double[] Theta, double[] Beta);

    /// <summary>A random design: 1–2 terms (nested or crossed), sometimes a correlated slope; a random family/link.</summary>
    private static Case RandomCase(int seed, ResponseFamily family, LinkFunction link, bool scalarOnly = false)
    {
        var rng = new Random(seed);
        int n = rng.Next(30, 80);
        int terms = scalarOnly ? 1 : rng.Next(1, 3);
        var x1 = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var x = Enumerable.Repeat(1.0, n).Concat(x1).ToArray();
        var list = new List<RandomEffectsTerm>();
        var theta = new List<double>();
        for (int t = 0; t < terms; t++)
        {
            int levels = rng.Next(3, 9);
            var index = Enumerable.Range(0, n).Select(i => i < levels ? i : rng.Next(levels)).ToArray();
            bool slope = !scalarOnly && rng.Next(3) == 0;
            var names = slope ? new[] { "(Intercept)", "x" } : new[] { "(Intercept)" };
            var cols = Enumerable.Repeat(1.0, n).Concat(slope ? x1 : []).ToArray();
            list.Add(new RandomEffectsTerm { Name = "g" + t, LevelIndex = index, LevelKeys = Enumerable.Range(0, levels).Select(l => l.ToString()).ToArray(), ColumnNames = names, Columns = cols });
            theta.Add(0.3 + rng.NextDouble());
            if (slope) { theta.Add(rng.NextDouble() - 0.5); theta.Add(0.2 + 0.5 * rng.NextDouble()); }
        }
        double b0 = family == ResponseFamily.Binomial ? (link == LinkFunction.Log ? -1.5 : -0.3) : 1.0, b1 = 0.5;
        var trials = Enumerable.Range(0, n).Select(_ => (double)rng.Next(1, 6)).ToArray();
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double eta = b0 + b1 * x1[i] + 0.7 * (rng.NextDouble() - 0.5);
            double mu = Links.Inverse(link, eta);
            if (family == ResponseFamily.Binomial)
            {
                int s = 0;
                for (int k = 0; k < trials[i]; k++) if (rng.NextDouble() < mu) s++;
                y[i] = s;
            }
            else
            {
                // Poisson-ish counts by inversion.
                double u = rng.NextDouble(), pr = Math.Exp(-mu), cdf = pr; int c = 0;
                while (u > cdf && c < 200) { c++; pr *= mu / c; cdf += pr; }
                y[i] = c;
            }
        }
        var design = new ModelDesign
        {
            Response = y, FixedEffects = x, FixedEffectNames = ["(Intercept)", "x"], Terms = list,
            Family = family, Link = link, Trials = family == ResponseFamily.Binomial ? trials : null,
            Offset = family == ResponseFamily.Poisson ? Enumerable.Range(0, n).Select(_ => 0.3 * rng.NextDouble()).ToArray() : null,
        };
        return new Case(design, theta.ToArray(), [b0 + 0.1, b1 - 0.1]);
    }

    /// <summary>Dense Z (n × Σ levels·q) and Λ (block diagonal T per level) of a design.</summary>
    private static (Matrix<double> Z, Matrix<double> Lambda) Dense(ModelDesign design, double[] theta)
    {
        int n = design.Rows, m = design.Terms.Sum(t => t.LevelCount * t.ColumnCount);
        var z = Matrix<double>.Build.Dense(n, m);
        var lambda = Matrix<double>.Build.Dense(m, m);
        int offset = 0, th = 0;
        foreach (var term in design.Terms)
        {
            int q = term.ColumnCount;
            var t = Matrix<double>.Build.Dense(q, q);
            for (int j = 0; j < q; j++)
                for (int i = j; i < q; i++) t[i, j] = theta[th++];
            for (int l = 0; l < term.LevelCount; l++)
                for (int a = 0; a < q; a++)
                    for (int b = 0; b < q; b++) lambda[offset + l * q + a, offset + l * q + b] = t[a, b];
            for (int i = 0; i < n; i++)
                for (int a = 0; a < q; a++) z[i, offset + term.LevelIndex[i] * q + a] = term.Columns[a * n + i];
            offset += term.LevelCount * q;
        }
        return (z, lambda);
    }

    /// <summary>Data of one row as the family sees it: y (proportion for binomial), trials, prior weight.</summary>
    private static (double y, double m, double pw) Row(ModelDesign d, int i) =>
        d.Family == ResponseFamily.Binomial ? (d.Response[i] / d.Trials![i], d.Trials[i], d.Trials[i]) : (d.Response[i], 1, 1);

    private static double DenseLaplace(ModelDesign design, double[] theta, double[] beta, bool observed)
    {
        var family = new GlmFamily(design.Family, design.Link);
        var (z, lambda) = Dense(design, theta);
        int n = design.Rows, m = z.ColumnCount;
        var zl = z * lambda;
        var fixedEta = Vector<double>.Build.Dense(n, i => (design.Offset?[i] ?? 0) + beta[0] + beta[1] * design.FixedEffects[n + i]);
        var u = Vector<double>.Build.Dense(m);
        double LogJoint(Vector<double> uu)
        {
            var eta = fixedEta + zl * uu;
            double s = 0;
            for (int i = 0; i < n; i++) { var (y, mt, _) = Row(design, i); s += family.LogDensity(y, Links.Inverse(family.Link, eta[i]), mt, 1); }
            return s - 0.5 * uu.DotProduct(uu);
        }
        // Newton with the exact Hessian of the joint log-density, with halving.
        for (int iter = 0; iter < 200; iter++)
        {
            var eta = fixedEta + zl * u;
            var grad = -u.Clone();
            var w = Vector<double>.Build.Dense(n);
            for (int i = 0; i < n; i++)
            {
                var (y, _, pw) = Row(design, i);
                double mu = Links.Inverse(family.Link, eta[i]), me = Links.Derivative(family.Link, eta[i]);
                double score = pw * (y - mu) * me / family.Variance(mu);
                grad += zl.Row(i) * score;
                w[i] = family.ObservedWeight(y, eta[i], mu, me, pw);
            }
            var hess = zl.TransposeThisAndMultiply(Matrix<double>.Build.DenseOfDiagonalVector(w) * zl) + Matrix<double>.Build.DenseIdentity(m);
            var step = hess.Solve(grad);
            double before = LogJoint(u), t = 1;
            while (t > 1e-10 && LogJoint(u + step * t) < before - 1e-14 * Math.Abs(before)) t /= 2;
            u += step * t;
            if (step.AbsoluteMaximum() * t < 1e-13) break;
        }
        var etaHat = fixedEta + zl * u;
        var weights = Vector<double>.Build.Dense(n, i =>
        {
            var (y, _, pw) = Row(design, i);
            double mu = Links.Inverse(family.Link, etaHat[i]), me = Links.Derivative(family.Link, etaHat[i]);
            return observed ? family.ObservedWeight(y, etaHat[i], mu, me, pw) : family.IrlsWeight(mu, me, pw);
        });
        var a = zl.TransposeThisAndMultiply(Matrix<double>.Build.DenseOfDiagonalVector(weights) * zl) + Matrix<double>.Build.DenseIdentity(m);
        double logDet = 2 * a.Cholesky().Factor.Diagonal().PointwiseLog().Sum();
        return -2 * LogJoint(u) + logDet;
    }

    public static TheoryData<ResponseFamily, LinkFunction, bool> Families() => new()
    {
        { ResponseFamily.Binomial, LinkFunction.Logit, false },
        { ResponseFamily.Binomial, LinkFunction.Probit, false },
        { ResponseFamily.Binomial, LinkFunction.Probit, true },
        { ResponseFamily.Binomial, LinkFunction.Cloglog, false },
        { ResponseFamily.Poisson, LinkFunction.Log, false },
        { ResponseFamily.Poisson, LinkFunction.Sqrt, true },
    };

    [Theory]
    [MemberData(nameof(Families))]
    public void Laplace_equals_the_dense_computation(ResponseFamily family, LinkFunction link, bool observed)
    {
        for (int seed = 1; seed <= 40; seed++)
        {
            var c = RandomCase(seed * 7 + (int)link, family, link);
            var options = new GlmmFitOptions { LaplaceHessian = observed ? LaplaceHessian.Observed : LaplaceHessian.Expected };
            double ours = GlmmEstimator.DevianceAt(c.Design, options, c.Theta, c.Beta);
            double dense = DenseLaplace(c.Design, c.Theta, c.Beta, observed);
            Assert.True(Math.Abs(ours - dense) <= 1e-9 * Math.Abs(dense), $"seed {seed}: blocked {ours:R} vs dense {dense:R}");
        }
    }

    [Theory]
    [InlineData(ResponseFamily.Binomial, LinkFunction.Logit)]
    [InlineData(ResponseFamily.Binomial, LinkFunction.Cloglog)]
    [InlineData(ResponseFamily.Poisson, LinkFunction.Log)]
    public void Quadrature_converges_to_the_exact_integral(ResponseFamily family, LinkFunction link)
    {
        for (int seed = 1; seed <= 10; seed++)
        {
            var c = RandomCase(seed, family, link, scalarOnly: true);
            double exact = ExactDeviance(c.Design, c.Theta[0], c.Beta);
            double laplace = GlmmEstimator.DevianceAt(c.Design, new GlmmFitOptions(), c.Theta, c.Beta);
            double agq = GlmmEstimator.DevianceAt(c.Design, new GlmmFitOptions { QuadraturePoints = 25 }, c.Theta, c.Beta);
            Assert.True(Math.Abs(agq - exact) <= 1e-9 * Math.Abs(exact), $"seed {seed}: AGQ25 {agq:R} vs exact {exact:R}");
            Assert.True(Math.Abs(agq - exact) <= Math.Abs(laplace - exact) + 1e-12, $"seed {seed}: AGQ no closer than Laplace");
        }
    }

    /// <summary>−2 log ∫ p(y | u) φ(u) du, one integral per cluster, by adaptive integration (MathNet).</summary>
    private static double ExactDeviance(ModelDesign design, double theta, double[] beta)
    {
        var family = new GlmFamily(design.Family, design.Link);
        var term = design.Terms[0];
        int n = design.Rows;
        double total = 0;
        for (int l = 0; l < term.LevelCount; l++)
        {
            var rows = Enumerable.Range(0, n).Where(i => term.LevelIndex[i] == l).ToArray();
            double LogIntegrand(double u) => rows.Sum(i =>
            {
                var (y, m, _) = Row(design, i);
                double eta = (design.Offset?[i] ?? 0) + beta[0] + beta[1] * design.FixedEffects[n + i] + theta * u;
                return family.LogDensity(y, Links.Inverse(family.Link, eta), m, 1);
            }) - 0.5 * u * u - 0.5 * Math.Log(2 * Math.PI);
            // Scale by the peak so the integrand is O(1).
            double peak = Enumerable.Range(-800, 1601).Select(k => LogIntegrand(k / 100.0)).Max();
            double integral = MathNet.Numerics.Integrate.DoubleExponential(u => Math.Exp(LogIntegrand(u) - peak), -12, 12, 1e-14);
            total += peak + Math.Log(integral);
        }
        return -2 * total;
    }
}
