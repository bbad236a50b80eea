using TypedMixed.Inference;

namespace TypedMixed.Estimation;

/// <summary>
/// Turns the stacked fit (responses divided by their SDs) into the multivariate report on the original scale:
/// covariance matrices per level with SEs from the observed information in the natural parameters ψ (every level's
/// variances and covariances), correlations and VPCs by the delta method, fixed effects per response.
/// </summary>
/// <remarks>
/// ψ holds, per classification and then for the residual, the R variances and then the covariances column by column
/// (the order of <see cref="VarianceParameters"/> for an unstructured term).
/// </remarks>
internal static class MultivariateResults
{
    /// <summary>Packs the covariance matrices into ψ; <paramref name="toInternal"/> divides entry (a, b) by sₐs_b.</summary>
    public static double[] Pack(IReadOnlyList<double[,]> covariances, double[] scales, bool toInternal)
    {
        int r = scales.Length;
        var psi = new List<double>();
        foreach (var c in covariances)
        {
            for (int a = 0; a < r; a++) psi.Add(c[a, a] / (toInternal ? scales[a] * scales[a] : 1));
            for (int b = 0; b < r; b++)
                for (int a = b + 1; a < r; a++) psi.Add(c[a, b] / (toInternal ? scales[a] * scales[b] : 1));
        }
        return [.. psi];
    }

    /// <summary>Position in ψ of level ℓ's entry (a, b).</summary>
    public static int Index(int level, int a, int b, int r)
    {
        if (a < b) (a, b) = (b, a);
        int offset = level * r * (r + 1) / 2;
        if (a == b) return offset + a;
        int e = r;
        for (int bb = 0; bb < b; bb++) e += r - 1 - bb;
        return offset + e + (a - b - 1);
    }

    /// <summary>The log-likelihood of the internal (scaled) model at ψ, β profiled out; NaN outside the parameter space.</summary>
    public static double InternalLogLikelihood(MixedModelProblem problem, ResidualStructureDeviance deviance, double[] psi)
    {
        int r = problem.Residual!.Multivariate!.ResponseNames.Count, per = r * (r + 1) / 2;
        int levels = psi.Length / per;
        var vp = new VarianceParameters(problem.Templates, problem.ThetaLength);
        double sigma2 = psi[Index(levels - 1, 0, 0, r)];
        if (!(sigma2 > 0)) return double.NaN;
        var vpPsi = new double[vp.Count];
        Array.Copy(psi, vpPsi, vp.Count - 1);
        vpPsi[^1] = sigma2;
        var theta = new double[problem.ThetaLength];
        if (!vp.ToTheta(vpPsi, theta, out double s2)) return double.NaN;
        var m = new double[r, r];
        for (int a = 0; a < r; a++)
            for (int b = 0; b < r; b++) m[a, b] = psi[Index(levels - 1, a, b, r)] / sigma2;
        var eta = new double[deviance.Count];
        if (!problem.Residual.MultivariateCoordinates(m, eta)) return double.NaN;
        return deviance.LogLikelihood(theta, eta, s2);
    }

    /// <summary>log-likelihood(original) − log-likelihood(scaled): −Σₖ nₖ log sₖ (ML), −Σₖ (nₖ − pₖ) log sₖ (REML).</summary>
    public static double ScaleJacobian(MultivariateMixedModel.StackedDesign stacked, MixedModelProblem problem, EstimationMethod method)
    {
        double j = 0;
        for (int k = 0; k < stacked.Scales.Length; k++)
        {
            double count = stacked.RowsPerResponse[k];
            if (method == EstimationMethod.Reml)
                count -= problem.KeptColumns.Count(c => c / stacked.FixedPerResponse == k);
            j -= count * Math.Log(stacked.Scales[k]);
        }
        return j;
    }

    public static MultivariateMixedModelFit Build(MultivariateDesign design, MultivariateMixedModel.StackedDesign stacked,
        MixedModelProblem problem, LinearMixedModelFit fit, FitOptions options)
    {
        int r = design.ResponseNames.Count, levels = design.Classifications.Count + 1, per = r * (r + 1) / 2;
        var s = stacked.Scales;
        var whitening = problem.Residual!;
        var eta = fit.ResidualParameters!;
        var m = whitening.RelativeResidualCovariance(eta);
        var internalCov = new List<double[,]>();
        foreach (var term in fit.RandomEffects) internalCov.Add(term.Covariance);
        var sigmaInternal = new double[r, r];
        for (int a = 0; a < r; a++)
            for (int b = 0; b < r; b++) sigmaInternal[a, b] = fit.ResidualVariance * m[a, b];
        internalCov.Add(sigmaInternal);
        var psiInternal = Pack(internalCov, s, toInternal: false);
        // Factor from internal to original units of each ψ entry: sₐ s_b.
        var unit = new double[psiInternal.Length];
        for (int l = 0; l < levels; l++)
            for (int a = 0; a < r; a++)
                for (int b = 0; b <= a; b++) unit[Index(l, a, b, r)] = s[a] * s[b];
        var psi = psiInternal.Select((v, i) => v * unit[i]).ToArray();

        // Observed information in ψ (internal units), inverted, then carried to the original units.
        double[,]? cov = null;
        if (options.VarianceComponentErrors && !fit.IsSingular)
        {
            var deviance = new ResidualStructureDeviance(problem, options.Method == EstimationMethod.Reml);
            var step = new double[psiInternal.Length];
            for (int l = 0; l < levels; l++)
                for (int a = 0; a < r; a++)
                    for (int b = 0; b <= a; b++)
                        step[Index(l, a, b, r)] = 0.05 * Math.Sqrt(psiInternal[Index(l, a, a, r)] * psiInternal[Index(l, b, b, r)]);
            var h = NumericalDerivatives.Hessian(x => InternalLogLikelihood(problem, deviance, x), psiInternal, step);
            var info = new double[h.GetLength(0), h.GetLength(1)];
            bool finite = true;
            for (int i = 0; i < info.GetLength(0); i++)
                for (int j = 0; j < info.GetLength(1); j++) { info[i, j] = -h[i, j]; finite &= double.IsFinite(h[i, j]); }
            var inv = finite ? VarianceComponentInference.SymmetricInverse(info) : null;
            if (inv is not null)
            {
                cov = new double[psi.Length, psi.Length];
                for (int i = 0; i < psi.Length; i++)
                    for (int j = 0; j < psi.Length; j++) cov[i, j] = inv[i, j] * unit[i] * unit[j];
            }
        }
        double DeltaSe(params (int Index, double Gradient)[] g)
        {
            if (cov is null) return double.NaN;
            double v = 0;
            foreach (var (i, a) in g)
                foreach (var (j, b) in g) v += a * cov[i, j] * b;
            return v >= 0 ? Math.Sqrt(v) : double.NaN;
        }

        var names = design.Classifications.Select(c => c.Name).Append("Residual").ToArray();
        var levelFits = new MultivariateLevelFit[levels];
        var components = new List<VarianceComponent>();
        for (int l = 0; l < levels; l++)
        {
            var c = new double[r, r];
            var cse = new double[r, r];
            var corr = new double[r, r];
            var corrSe = new double[r, r];
            for (int a = 0; a < r; a++)
                for (int b = 0; b < r; b++)
                {
                    int e = Index(l, a, b, r), ea = Index(l, a, a, r), eb = Index(l, b, b, r);
                    c[a, b] = psi[e];
                    cse[a, b] = DeltaSe((e, 1));
                    double rho = psi[e] / Math.Sqrt(psi[ea] * psi[eb]);
                    corr[a, b] = a == b ? 1 : rho;
                    corrSe[a, b] = a == b ? double.NaN
                        : DeltaSe((e, 1 / Math.Sqrt(psi[ea] * psi[eb])), (ea, -0.5 * rho / psi[ea]), (eb, -0.5 * rho / psi[eb]));
                }
            bool residual = l == levels - 1;
            levelFits[l] = new MultivariateLevelFit { Name = names[l], IsResidual = residual, Covariance = c, CovarianceStdErrors = cse, Correlation = corr, CorrelationStdErrors = corrSe };
            for (int a = 0; a < r; a++)
                components.Add(new VarianceComponent
                {
                    Group = names[l], Var1 = design.ResponseNames[a],
                    Kind = residual ? VarianceComponentKind.ResidualVariance : VarianceComponentKind.Variance,
                    Estimate = c[a, a], SdCor = Math.Sqrt(c[a, a]), StdError = cse[a, a],
                });
            for (int b = 0; b < r; b++)
                for (int a = b + 1; a < r; a++)
                    components.Add(new VarianceComponent
                    {
                        Group = names[l], Var1 = design.ResponseNames[b], Var2 = design.ResponseNames[a],
                        Kind = VarianceComponentKind.Covariance, Estimate = c[a, b], SdCor = corr[a, b], StdError = cse[a, b],
                    });
        }

        // VPC: each level's share of a response's total variance.
        var vpc = new double[r, levels];
        var vpcSe = new double[r, levels];
        for (int k = 0; k < r; k++)
        {
            double total = 0;
            for (int l = 0; l < levels; l++) total += psi[Index(l, k, k, r)];
            for (int l = 0; l < levels; l++)
            {
                double own = psi[Index(l, k, k, r)];
                vpc[k, l] = own / total;
                vpcSe[k, l] = DeltaSe(Enumerable.Range(0, levels)
                    .Select(o => (Index(o, k, k, r), o == l ? (total - own) / (total * total) : -own / (total * total))).ToArray());
            }
        }

        // Fixed effects: stacked column c belongs to response c / p; β and SE scale by its sₖ.
        int p = stacked.FixedPerResponse;
        var kept = problem.KeptColumns;
        var fixedEffects = fit.FixedEffects.Select((f, c) => f with
        {
            Estimate = f.Estimate * s[kept[c] / p],
            StdError = f.StdError * s[kept[c] / p],
        }).ToArray();
        var vcov = new double[kept.Length, kept.Length];
        for (int a = 0; a < kept.Length; a++)
            for (int b = 0; b < kept.Length; b++) vcov[a, b] = fit.FixedEffectsCovariance[a, b] * s[kept[a] / p] * s[kept[b] / p];

        var modes = fit.RandomEffects.Select(t =>
        {
            var mo = (double[,])t.ConditionalModes.Clone();
            for (int l = 0; l < mo.GetLength(0); l++)
                for (int k = 0; k < r; k++) mo[l, k] *= s[k];
            return mo;
        }).ToArray();

        double jacMl = ScaleJacobian(stacked, problem, EstimationMethod.MaximumLikelihood);
        double jacReml = ScaleJacobian(stacked, problem, EstimationMethod.Reml);
        var reml = options.Method == EstimationMethod.Reml;
        return new MultivariateMixedModelFit
        {
            ResponseNames = design.ResponseNames.ToArray(),
            UnitName = design.UnitName,
            Method = options.Method,
            FixedEffects = fixedEffects,
            FixedEffectsCovariance = vcov,
            DroppedFixedEffects = fit.DroppedFixedEffects,
            Levels = levelFits,
            VarianceComponents = components,
            VariancePartition = vpc,
            VariancePartitionStdErrors = vpcSe,
            ConditionalModes = modes,
            LevelKeys = design.Classifications.Select(c => c.LevelKeys).ToArray(),
            Patterns = whitening.Patterns.Select(pt => new MissingnessPattern(
                Enumerable.Range(0, r).Where(k => (pt.Mask & (1 << k)) != 0).Select(k => design.ResponseNames[k]).ToArray(), pt.Units)).ToArray(),
            UnitCount = design.Units,
            ObservationCount = stacked.Design.Rows,
            LogLikelihood = fit.LogLikelihood + (reml ? jacReml : jacMl),
            Deviance = fit.Deviance - 2 * jacMl,
            RemlCriterion = reml ? fit.RemlCriterion - 2 * jacReml : double.NaN,
            ParameterCount = fit.ParameterCount,
            ResponseScales = s,
            Optimizer = fit.Optimizer,
            Warnings = fit.Warnings,
            IsSingular = fit.IsSingular,
        };
    }
}
