using TypedMixed.Estimation;
using Xunit.Abstractions;

namespace TypedMixed.Tests.Reference;

/// <summary>
/// The convergence check and the variance-component information taken from differences of the analytic gradient
/// (forced with <see cref="FitOptions.Derivatives"/>) agree with the finite-difference ones and with lmerTest's
/// Satterthwaite degrees of freedom and the published inner-London standard errors, on every LMM reference fit.
/// Largest differences go to the test output (<c>--logger "console;verbosity=detailed"</c>).
/// </summary>
public class GradientDerivativeTests(ITestOutputHelper output)
{
    private static LinearMixedModelFit Fit(string name, DerivativeSource source, FitOptimizer optimizer = FitOptimizer.Bobyqa)
    {
        var reference = ReferenceData.Fit(name);
        var method = reference.GetProperty("method").GetString() == "REML" ? EstimationMethod.Reml : EstimationMethod.MaximumLikelihood;
        return LinearMixedModel.Fit(ReferenceData.ForFit(name), new FitOptions { Method = method, Derivatives = source, Optimizer = optimizer });
    }

    [Theory]
    [MemberData(nameof(ReferenceData.LinearFits), MemberType = typeof(ReferenceData))]
    public void Gradient_derivatives_agree_with_finite_differences_and_lmerTest(string name)
    {
        var fromGradient = Fit(name, DerivativeSource.Gradient);
        var fromValues = Fit(name, DerivativeSource.FiniteDifferences);
        Assert.True(fromGradient.Optimizer.ConvergenceConfirmed, $"{name}: gradient check did not confirm (decrement {fromGradient.Optimizer.NewtonDecrement:E2})");
        double worstSe = 0;
        for (int i = 0; i < fromValues.VarianceComponents.Count; i++)
        {
            double a = fromGradient.VarianceComponents[i].StdError, b = fromValues.VarianceComponents[i].StdError;
            if (double.IsNaN(b)) { Assert.True(double.IsNaN(a), $"{name}: SE {i} is NaN by values only"); continue; }
            double rel = Math.Abs(a - b) / Math.Abs(b);
            worstSe = Math.Max(worstSe, rel);
            Assert.True(rel < 1e-4, $"{name}: variance-component SE {i}: gradient {a:R}, values {b:R} (relative {rel:E2})");
        }
        var reference = ReferenceData.Fit(name);
        double worstDf = 0;
        if (reference.TryGetProperty("satterthwaite", out var s))
        {
            var df = s.GetProperty("df").Doubles();
            for (int c = 0; c < df.Length; c++)
            {
                output.WriteLine($"{name} df[{c}]: lmerTest {df[c]:R}, gradient {fromGradient.FixedEffects[c].SatterthwaiteDf:R}, values {fromValues.FixedEffects[c].SatterthwaiteDf:R}");
                // The current accuracy against lmerTest is kept: no farther from it than the finite-difference df (+1e-5
                // relative), and within 1e-5 of the finite-difference df.
                double g = fromGradient.FixedEffects[c].SatterthwaiteDf, v = fromValues.FixedEffects[c].SatterthwaiteDf;
                Assert.True(Math.Abs(g - df[c]) <= Math.Abs(v - df[c]) + 1e-5 * df[c], $"{name} df[{c}]: gradient {g:R} farther from lmerTest {df[c]:R} than values {v:R}");
                ReferenceData.AssertRelative(v, g, 1e-5, $"{name} Satterthwaite df[{c}] gradient vs values");
                worstDf = Math.Max(worstDf, Math.Abs(g - v) / v);
            }
        }
        output.WriteLine($"{name}: SEs gradient vs values within {worstSe:E2} relative; Satterthwaite df gradient vs values within {worstDf:E2}; evaluations (check by gradient / by values) {fromGradient.Optimizer.Evaluations} / {fromValues.Optimizer.Evaluations}");
    }

    [Theory]
    [InlineData("exam_m1_ML", 0.033, 0.019)]
    [InlineData("exam_m2_ML", 0.019, 0.013)]
    [InlineData("exam_m3_ML", 0.017, 0.013)]
    public void Gradient_standard_errors_match_the_published_inner_London_table(string model, double schoolSe, double studentSe)
    {
        var fit = Fit(model, DerivativeSource.Gradient, FitOptimizer.QuasiNewton);
        Assert.Equal(schoolSe, Math.Round(fit.VarianceComponents.Single(v => v.Group == "school").StdError, 3));
        Assert.Equal(studentSe, Math.Round(fit.VarianceComponents.Single(v => v.Group == "Residual").StdError, 3));
    }
}
