using TypedMixed.Tests.Reference;

namespace TypedMixed.Tests.Robustness;

/// <summary>
/// Huge and tiny magnitudes (× 1e8, × 1e-8) give the unscaled fit after rescaling. Response × c: β̂ and SEs × c,
/// variances × c², θ unchanged, ML deviance + 2n log c, REML criterion + 2(n − p) log c. A fixed-only covariate × c:
/// its β̂ and SE ÷ c, nothing else changes but the REML criterion, + 2 log c (from log|X'V⁻¹X|).
/// </summary>
public class ScaleInvarianceTests
{
    public static TheoryData<string, double> ResponseCases()
    {
        var data = new TheoryData<string, double>();
        foreach (var fit in new[] { "sleepstudy_ML", "sleepstudy_REML", "penicillin_REML", "pastes_REML" })
            foreach (double c in new[] { 1e8, 1e-8 }) data.Add(fit, c);
        return data;
    }

    private static EstimationMethod MethodOf(string fit) => fit.EndsWith("_ML", StringComparison.Ordinal) ? EstimationMethod.MaximumLikelihood : EstimationMethod.Reml;

    private const double Tolerance = 2e-5;

    /// <summary>
    /// At the same θ the scaled design's fit is the unscaled one rescaled to rounding (1e-9): the arithmetic of the
    /// Gram, the factor, β̂, σ̂², the modes and the inference does not lose precision at 1e8 or 1e-8.
    /// </summary>
    [Theory]
    [MemberData(nameof(ResponseCases))]
    public void Scaling_the_response_scales_the_fit_at_the_same_theta(string name, double c)
    {
        var design = ReferenceData.ForFit(name);
        var options = new FitOptions { Method = MethodOf(name), Satterthwaite = false };
        var fit = LinearMixedModel.Fit(design, options);
        var scaled = TypedMixed.Estimation.LmmEstimator.AssembleAt(Designs.ScaleResponse(design, c), options, fit.Theta);
        AssertScaled(design, fit, scaled, c, 1e-9, 1e-9);
    }

    /// <summary>
    /// The whole fit of the scaled response, optimizer included. The objective agrees to 1e-10 relative after the shift;
    /// θ̂ itself is only determined to ~1e-6 relative by a double-precision objective (its rounding noise, ~1e-13
    /// relative, over its curvature), so θ-derived quantities are compared to 2e-5 and β̂ to 1e-6.
    /// </summary>
    [Theory]
    [MemberData(nameof(ResponseCases))]
    public void Scaling_the_response_scales_the_optimum(string name, double c)
    {
        var design = ReferenceData.ForFit(name);
        var options = new FitOptions { Method = MethodOf(name), Satterthwaite = false };
        var fit = LinearMixedModel.Fit(design, options);
        var scaled = LinearMixedModel.Fit(Designs.ScaleResponse(design, c), options);
        AssertScaled(design, fit, scaled, c, 1e-6, 2e-5);
        Assert.Equal(fit.IsSingular, scaled.IsSingular);
        Assert.Equal(fit.Warnings.Select(w => w.Code), scaled.Warnings.Select(w => w.Code));
    }

    private static void AssertScaled(ModelDesign design, LinearMixedModelFit fit, LinearMixedModelFit scaled, double c, double betaTolerance, double varianceTolerance)
    {
        int n = design.Rows, p = fit.FixedEffects.Count;
        double logC = Math.Log(c);
        // The optimised objective is stationary in θ, so it agrees to 1e-10 though θ̂ differs at 1e-6; the ML deviance
        // of a REML fit is not stationary at the REML θ̂ and agrees to first order (1e-8).
        bool reml = fit.Method == EstimationMethod.Reml;
        ReferenceData.AssertRelative(fit.Deviance + 2 * n * logC, scaled.Deviance, reml ? Math.Max(1e-8, betaTolerance * 1e-2) : 1e-10, "ML deviance + 2n log c");
        if (reml)
            ReferenceData.AssertRelative(fit.RemlCriterion + 2 * (n - p) * logC, scaled.RemlCriterion, 1e-10, "REML criterion + 2(n − p) log c");
        for (int j = 0; j < p; j++)
        {
            ReferenceData.AssertRelative(fit.FixedEffects[j].Estimate * c, scaled.FixedEffects[j].Estimate, betaTolerance, $"β {fit.FixedEffects[j].Name}");
            ReferenceData.AssertRelative(fit.FixedEffects[j].StdError * c, scaled.FixedEffects[j].StdError, varianceTolerance, $"SE {fit.FixedEffects[j].Name}");
        }
        for (int e = 0; e < fit.VarianceComponents.Count; e++)
        {
            var (a, b) = (fit.VarianceComponents[e], scaled.VarianceComponents[e]);
            ReferenceData.AssertClose(a.Estimate * c * c, b.Estimate, varianceTolerance, 1e-9 * fit.ResidualVariance * c * c, $"{a.Group} {a.Var1} {a.Var2}");
            Assert.Equal(double.IsFinite(a.StdError), double.IsFinite(b.StdError));
            if (double.IsFinite(a.StdError))
                // SEs come from a finite-difference Hessian: rounding in the scaled objective moves them by ~1e-6.
                ReferenceData.AssertRelative(a.StdError * c * c, b.StdError, Math.Max(varianceTolerance, 1e-5), $"SE of {a.Group} {a.Var1} {a.Var2}");
        }
        for (int t = 0; t < fit.Theta.Length; t++)
            ReferenceData.AssertClose(fit.Theta[t], scaled.Theta[t], varianceTolerance, 1e-7, $"θ[{t}]");
        for (int k = 0; k < fit.RandomEffects.Count; k++)
        {
            var modes = fit.RandomEffects[k].ConditionalModes;
            var scaledModes = scaled.RandomEffects[k].ConditionalModes;
            for (int l = 0; l < modes.GetLength(0); l++)
                for (int a = 0; a < modes.GetLength(1); a++)
                    ReferenceData.AssertClose(modes[l, a] * c, scaledModes[l, a], varianceTolerance, varianceTolerance * fit.Sigma * c, $"mode ({l}, {a}) of {fit.RandomEffects[k].Name}");
        }
    }

    [Theory]
    [InlineData(EstimationMethod.MaximumLikelihood, 1e8)]
    [InlineData(EstimationMethod.MaximumLikelihood, 1e-8)]
    [InlineData(EstimationMethod.Reml, 1e8)]
    [InlineData(EstimationMethod.Reml, 1e-8)]
    public void Scaling_a_fixed_only_covariate_scales_its_coefficient(EstimationMethod method, double c)
    {
        // exam: normexam ~ standLRT + girl + boysch + girlsch + (1 | school), 4059 pupils in 65 schools; scale standLRT.
        var design = ReferenceData.ForFit("exam_m3_ML");
        var options = new FitOptions { Method = method, Satterthwaite = false };
        var fit = LinearMixedModel.Fit(design, options);
        var scaled = LinearMixedModel.Fit(Designs.ScaleFixedColumn(design, 1, c), options);

        for (int j = 0; j < fit.FixedEffects.Count; j++)
        {
            double f = fit.FixedEffects[j].Name == "standLRT" ? 1 / c : 1;
            ReferenceData.AssertRelative(fit.FixedEffects[j].Estimate * f, scaled.FixedEffects[j].Estimate, 1e-6, $"β {fit.FixedEffects[j].Name}");
            ReferenceData.AssertRelative(fit.FixedEffects[j].StdError * f, scaled.FixedEffects[j].StdError, Tolerance, $"SE {fit.FixedEffects[j].Name}");
        }
        for (int e = 0; e < fit.VarianceComponents.Count; e++)
            ReferenceData.AssertRelative(fit.VarianceComponents[e].Estimate, scaled.VarianceComponents[e].Estimate, Tolerance, $"variance {e}");
        ReferenceData.AssertRelative(fit.Deviance, scaled.Deviance, 1e-10, "ML deviance");
        if (method == EstimationMethod.Reml)
            ReferenceData.AssertRelative(fit.RemlCriterion + 2 * Math.Log(c), scaled.RemlCriterion, 1e-10, "REML criterion");
        Assert.Empty(scaled.DroppedFixedEffects);
    }
}
