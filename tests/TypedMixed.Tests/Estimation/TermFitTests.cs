using TypedMixed.Tests.Reference;

namespace TypedMixed.Tests.Estimation;

public class TermFitTests
{
    [Fact]
    public void Term_reports_cluster_sizes_and_its_own_variance_components()
    {
        var fit = LinearMixedModel.Fit(ReferenceData.ForFit("sleepstudy_REML"));
        var subject = fit.Term("Subject");
        Assert.Equal(18, subject.LevelSizes.Count);
        Assert.All(subject.LevelSizes, size => Assert.Equal(10, size));
        Assert.Equal(3, subject.Components.Count);
        Assert.Equal(fit.VarianceComponents.Take(3), subject.Components);
        Assert.Equal(fit.VarianceComponents[1].StdError, subject.VarianceStdError(1));
        Assert.True(subject.VarianceStdError(0) > 0);
    }

    [Fact]
    public void Crossed_terms_each_get_their_own_components()
    {
        var fit = LinearMixedModel.Fit(ReferenceData.ForFit("penicillin_REML"));
        Assert.Equal("plate", Assert.Single(fit.Term("plate").Components).Group);
        Assert.Equal("sample", Assert.Single(fit.Term("sample").Components).Group);
        Assert.Equal(144, fit.Term("plate").LevelSizes.Sum());
    }
}
