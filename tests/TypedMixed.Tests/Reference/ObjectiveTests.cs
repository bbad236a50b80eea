using TypedMixed.Estimation;

namespace TypedMixed.Tests.Reference;

/// <summary>The profiled objective against lme4's at its start and at its optimum: tests the deviance without any optimizer.</summary>
public class ObjectiveTests
{
    [Theory]
    [MemberData(nameof(ReferenceData.LinearFits), MemberType = typeof(ReferenceData))]
    public void Profiled_objective_matches_lme4_at_start_and_optimum(string fit)
    {
        var reference = ReferenceData.Fit(fit);
        var checks = reference.GetProperty("objective_checks");
        bool reml = reference.GetProperty("method").GetString() == "REML";
        var problem = MixedModelProblem.Create(ReferenceData.ForFit(fit));
        var deviance = new ProfiledDeviance(problem.Factor, problem.N, problem.P, reml);

        ReferenceData.AssertRelative(checks.GetProperty("objective_at_theta_start").GetDouble(),
            deviance.Evaluate(checks.GetProperty("theta_start").Doubles()), 1e-8, $"{fit} objective at θ start");
        ReferenceData.AssertRelative(checks.GetProperty("objective_at_theta_hat").GetDouble(),
            deviance.Evaluate(checks.GetProperty("theta_hat").Doubles()), 1e-8, $"{fit} objective at θ̂");
    }
}
