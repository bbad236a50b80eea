using TypedMixed.Tests.Reference;

namespace TypedMixed.Tests.Robustness;

/// <summary>
/// A random-slope covariate in other units (Days × c in both the fixed and the random part) must give the same fit:
/// the ML deviance unchanged, the slope's fixed effect and SE × 1/c, its variance × 1/c², the covariance × 1/c.
/// The optimizer works on θ scaled by each column's root mean square, so the covariate's units do not shape the search.
/// </summary>
public class SlopeScaleTests
{
    [Theory]
    [InlineData(1e-8)]
    [InlineData(1e-4)]
    [InlineData(1e4)]
    [InlineData(1e8)]
    public void Rescaling_a_random_slope_covariate_rescales_the_fit(double c)
    {
        var design = ReferenceData.ForFit("sleepstudy_ML");
        int n = design.Rows;
        var x = (double[])design.FixedEffects.Clone();
        for (int i = 0; i < n; i++) x[n + i] *= c;
        var term = design.Terms[0];
        var z = (double[])term.Columns.Clone();
        for (int i = 0; i < n; i++) z[n + i] *= c;
        var scaled = new ModelDesign
        {
            ResponseName = design.ResponseName,
            Response = design.Response,
            FixedEffects = x,
            FixedEffectNames = design.FixedEffectNames,
            Terms = [new RandomEffectsTerm { Name = term.Name, LevelIndex = term.LevelIndex, LevelKeys = term.LevelKeys, ColumnNames = term.ColumnNames, Columns = z }],
        };
        var fit = LinearMixedModel.Fit(design, FitOptions.MaximumLikelihood);
        var other = LinearMixedModel.Fit(scaled, FitOptions.MaximumLikelihood);

        ReferenceData.AssertRelative(fit.Deviance, other.Deviance, 1e-10, "deviance");
        Assert.Equal(fit.IsSingular, other.IsSingular);
        Assert.Equal(fit.Warnings.Select(w => w.Code), other.Warnings.Select(w => w.Code));
        ReferenceData.AssertRelative(fit.FixedEffects[1].Estimate / c, other.FixedEffects[1].Estimate, 1e-5, "β Days");
        ReferenceData.AssertRelative(fit.FixedEffects[1].StdError / c, other.FixedEffects[1].StdError, 1e-5, "SE Days");
        ReferenceData.AssertRelative(fit.VarianceComponents[0].Estimate, other.VarianceComponents[0].Estimate, 1e-4, "intercept variance");
        ReferenceData.AssertRelative(fit.VarianceComponents[1].Estimate / (c * c), other.VarianceComponents[1].Estimate, 1e-4, "slope variance");
        ReferenceData.AssertRelative(fit.VarianceComponents[2].Estimate / c, other.VarianceComponents[2].Estimate, 1e-3, "covariance");
        ReferenceData.AssertRelative(fit.ResidualVariance, other.ResidualVariance, 1e-5, "residual variance");
    }
}
