using TypedMixed.Estimation;
using TypedMixed.Families;

namespace TypedMixed.Tests.Glmm;

/// <summary>
/// PIRLS steps solved by conjugate gradients preconditioned with an earlier factor (used where the tail of the factor is
/// large) against steps that refactor every time: the same modes and the same Laplace objective, evaluation after
/// evaluation, whatever factor the preconditioner was left with.
/// </summary>
public class PirlsKrylovTests
{
    /// <summary>Crossed binary (or Poisson) design whose second term has enough levels to be solved by conjugate gradients.</summary>
    private static ModelDesign Crossed(int seed, ResponseFamily family, bool slope)
    {
        var rng = new Random(seed);
        int na = 700, nb = 320, n = 9000;
        var ua = Enumerable.Range(0, na).Select(_ => 0.8 * (rng.NextDouble() - 0.5)).ToArray();
        var ub = Enumerable.Range(0, nb).Select(_ => 1.2 * (rng.NextDouble() - 0.5)).ToArray();
        var a = new int[n]; var b = new int[n]; var x = new double[n]; var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = i < na ? i : rng.Next(na);
            b[i] = i < nb ? i : (a[i] * 5 + rng.Next(40)) % nb;
            x[i] = rng.NextDouble() * 2 - 1;
            double eta = -0.2 + 0.6 * x[i] + ua[a[i]] + ub[b[i]];
            if (family == ResponseFamily.Binomial) y[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-eta)) ? 1 : 0;
            else
            {
                double mu = Math.Exp(eta), u = rng.NextDouble(), pr = Math.Exp(-mu), cdf = pr; int c = 0;
                while (u > cdf && c < 100) { c++; pr *= mu / c; cdf += pr; }
                y[i] = c;
            }
        }
        var termB = slope
            ? new RandomEffectsTerm { Name = "b", LevelIndex = b, LevelKeys = Names(nb), ColumnNames = ["(Intercept)", "x"], Columns = Enumerable.Repeat(1.0, n).Concat(x).ToArray() }
            : RandomEffectsTerm.Intercept("b", b, Names(nb));
        return new ModelDesign
        {
            Response = y, FixedEffects = Enumerable.Repeat(1.0, n).Concat(x).ToArray(), FixedEffectNames = ["(Intercept)", "x"],
            Terms = [RandomEffectsTerm.Intercept("a", a, Names(na)), termB], Family = family,
        };
        static string[] Names(int k) => Enumerable.Range(0, k).Select(l => l.ToString()).ToArray();
    }

    [Theory]
    [InlineData(1, ResponseFamily.Binomial, false)]
    [InlineData(2, ResponseFamily.Poisson, false)]
    [InlineData(3, ResponseFamily.Binomial, true)]
    public void Conjugate_gradient_steps_give_the_refactoring_objective(int seed, ResponseFamily family, bool slope)
    {
        var design = Crossed(seed, family, slope);
        var withKrylov = new LaplaceDeviance(new Pirls(GlmmProblem.Create(design), allowKrylov: true), 1, LaplaceHessian.Expected);
        var direct = new LaplaceDeviance(new Pirls(GlmmProblem.Create(design), allowKrylov: false), 1, LaplaceHessian.Expected);
        Assert.True(PirlsKrylovStep.Worthwhile(withKrylov.Pirls.Problem.Structure), "the design must exercise the conjugate-gradient path");
        double[] beta = [-0.2, 0.6];
        withKrylov.Pirls.SetStart(beta, null);
        direct.Pirls.SetStart(beta, null);
        var rng = new Random(seed);
        // A walk of θ and β as an optimizer would take, with β solved (stage 1) and held (stage 2): the preconditioner is
        // always the factor of the previous evaluation.
        for (int step = 0; step < 8; step++)
        {
            bool solveBeta = step < 3;
            double[] theta = slope
                ? [0.3 + 0.3 * rng.NextDouble(), 0.5 + 0.4 * rng.NextDouble(), 0.1 * rng.NextDouble(), 0.2 + 0.2 * rng.NextDouble()]
                : [0.3 + 0.3 * rng.NextDouble(), 0.5 + 0.4 * rng.NextDouble()];
            double[] b = [beta[0] + 0.05 * (rng.NextDouble() - 0.5), beta[1] + 0.05 * (rng.NextDouble() - 0.5)];
            double expected = direct.Evaluate(theta, b, solveBeta, 100);
            double actual = withKrylov.Evaluate(theta, b, solveBeta, 100);
            Assert.True(Math.Abs(actual - expected) <= 1e-10 * Math.Abs(expected), $"step {step}: {actual:R} vs {expected:R}");
            for (int t = 0; t < direct.Pirls.U.Length; t++)
                for (int j = 0; j < direct.Pirls.U[t].Length; j++)
                    Assert.True(Math.Abs(withKrylov.Pirls.U[t][j] - direct.Pirls.U[t][j]) < 1e-8, $"step {step}, mode {t}/{j}");
            if (solveBeta)
                for (int c = 0; c < 2; c++)
                    Assert.True(Math.Abs(withKrylov.Pirls.Beta[c] - direct.Pirls.Beta[c]) < 1e-8, $"step {step}, β[{c}]");
        }
        var (solved, _, iterations) = withKrylov.Pirls.KrylovSteps;
        Assert.True(solved > 0 && iterations > 0, "no step was solved by conjugate gradients");
    }

    [Theory]
    [InlineData(4, ResponseFamily.Binomial, false)]
    [InlineData(5, ResponseFamily.Binomial, true)]
    public void Anchored_starts_reach_the_same_objective_with_less_work(int seed, ResponseFamily family, bool slope)
    {
        // Runs that hold β start from the last run's modes moved to the new (θ, β) (b kept, u following β to first
        // order): the objective is that of runs from the plain fixed start, and the steps need less work.
        var design = Crossed(seed, family, slope);
        var anchored = new LaplaceDeviance(new Pirls(GlmmProblem.Create(design)), 1, LaplaceHessian.Expected);
        var plain = new LaplaceDeviance(new Pirls(GlmmProblem.Create(design)), 1, LaplaceHessian.Expected);
        double[] theta0 = slope ? [0.45, 0.7, 0.05, 0.3] : [0.45, 0.7];
        double[] beta0 = [-0.2, 0.6];
        foreach (var d in new[] { anchored, plain })
        {
            d.Pirls.SetStart(beta0, null);
            d.Evaluate(theta0, beta0, solveBeta: true, 100);
            d.Pirls.SetStart(d.Pirls.Beta, d.Pirls.U);
        }
        anchored.Pirls.AnchorHeldBetaStart(theta0, anchored.Pirls.Beta);
        var rng = new Random(seed);
        long anchoredIterations = 0, plainIterations = 0;
        for (int step = 0; step < 8; step++)
        {
            var theta = theta0.Select(t => t * (1 + 0.1 * (rng.NextDouble() - 0.5))).ToArray();
            double[] beta = [anchored.Pirls.Beta[0] + 0.05 * (rng.NextDouble() - 0.5), anchored.Pirls.Beta[1] + 0.05 * (rng.NextDouble() - 0.5)];
            double expected = plain.Evaluate(theta, beta, solveBeta: false, 100);
            plainIterations += plain.Pirls.Iterations;
            double actual = anchored.Evaluate(theta, beta, solveBeta: false, 100);
            anchoredIterations += anchored.Pirls.Iterations;
            Assert.True(Math.Abs(actual - expected) <= 1e-10 * Math.Abs(expected), $"step {step}: {actual:R} vs {expected:R}");
        }
        Assert.True(anchoredIterations <= plainIterations, $"anchored {anchoredIterations} vs plain {plainIterations} iterations");
        // Work in passes over the rows: one per PIRLS iteration and one per conjugate-gradient iteration (inexact Newton
        // steps already make far starts cheap in iterations, so the saving shows in the total).
        long anchoredCg = anchored.Pirls.KrylovSteps.Iterations, plainCg = plain.Pirls.KrylovSteps.Iterations;
        Assert.True(anchoredCg <= plainCg, $"anchored {anchoredCg} vs plain {plainCg} conjugate-gradient iterations");
        Assert.True(anchoredIterations + anchoredCg < plainIterations + plainCg,
            $"anchored {anchoredIterations} + {anchoredCg} vs plain {plainIterations} + {plainCg} passes");
    }
}
