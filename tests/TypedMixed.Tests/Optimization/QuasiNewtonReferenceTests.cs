using TypedMixed.Tests.Reference;
using Xunit.Abstractions;

namespace TypedMixed.Tests.Optimization;

/// <summary>
/// The projected quasi-Newton optimizer on the analytic gradient against BOBYQA on every LMM reference fit: the same
/// or a lower optimum (objective ≤ BOBYQA's + 1e-10 relative), and the evaluations of each (written to the test
/// output: <c>dotnet test --filter QuasiNewtonReferenceTests --logger "console;verbosity=detailed"</c>).
/// </summary>
public class QuasiNewtonReferenceTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(ReferenceData.LinearFits), MemberType = typeof(ReferenceData))]
    public void Quasi_newton_reaches_bobyqas_optimum(string fit)
    {
        var reference = ReferenceData.Fit(fit);
        var method = reference.GetProperty("method").GetString() == "REML" ? EstimationMethod.Reml : EstimationMethod.MaximumLikelihood;
        var design = ReferenceData.ForFit(fit);
        var bobyqa = LinearMixedModel.Fit(design, new FitOptions { Method = method, VarianceComponentErrors = false, Satterthwaite = false });
        var qn = LinearMixedModel.Fit(design, new FitOptions { Method = method, VarianceComponentErrors = false, Satterthwaite = false, Optimizer = FitOptimizer.QuasiNewton });
        output.WriteLine($"{fit}: BOBYQA {bobyqa.Optimizer.Evaluations} evaluations, objective {bobyqa.Objective:R}; quasi-Newton {qn.Optimizer.Evaluations} evaluations, objective {qn.Objective:R} ({qn.Optimizer.Message}); difference {(qn.Objective - bobyqa.Objective) / Math.Abs(bobyqa.Objective):E2} relative");
        Assert.True(qn.Objective <= bobyqa.Objective + 1e-10 * Math.Abs(bobyqa.Objective),
            $"{fit}: quasi-Newton {qn.Objective:R} above BOBYQA {bobyqa.Objective:R}");
        Assert.True(qn.Optimizer.ConvergenceConfirmed, $"{fit}: quasi-Newton optimum not confirmed ({qn.Optimizer.Message})");
    }
}
