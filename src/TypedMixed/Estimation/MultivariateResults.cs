using TypedMixed.Inference;

namespace TypedMixed.Estimation;

/// <summary>
/// Turns the stacked fit (responses divided by their SDs) into the multivariate report on the original scale:
/// covariance matrices per level with SEs from the observed information in the natural parameters ψ (every level's
/// variances and covariances), correlations and VPCs by the delta method, fixed effects per response.
/// </summary>
/// <remarks>
/// ψ holds, per classification (q = R·m columns: per response its intercept and slopes) and then for the residual
/// (R × R), the variances and then the covariances column by column (the order of <see cref="VarianceParameters"/> for
/// an unstructured term).
/// </remarks>
internal static class MultivariateResults
{
    /// <summary>
    /// The shape of ψ: per level (each classification, then the residual) its dimension, the response of each of its
    /// columns (which fixes how an entry scales: entry (a, b) by s_resp(a) s_resp(b)) and the columns' names.
    /// </summary>
    internal sealed class Layout
    {
        private readonly int[] _offset;

        private Layout(int[][] owner, string[][] names)
        {
            Owner = owner;
            Names = names;
            _offset = new int[owner.Length + 1];
            for (int l = 0; l < owner.Length; l++) _offset[l + 1] = _offset[l] + owner[l].Length * (owner[l].Length + 1) / 2;
        }

        /// <summary>Per level, the response index of each column.</summary>
        public int[][] Owner { get; }

        /// <summary>Per level, the column names (responses, or <c>response:column</c> with slopes).</summary>
        public string[][] Names { get; }

        /// <summary>Number of levels (classifications + residual).</summary>
        public int Levels => Owner.Length;

        /// <summary>Length of ψ.</summary>
        public int Count => _offset[^1];

        /// <summary>Dimension of level ℓ.</summary>
        public int Dim(int level) => Owner[level].Length;

        /// <summary>The layout of a design: classification columns as <see cref="MultivariateMixedModel.ColumnNames"/>, the residual's R × R.</summary>
        public static Layout Of(MultivariateDesign design) => new(
            [.. design.Classifications.Select(g => MultivariateMixedModel.ColumnResponses(design, g)), [.. Enumerable.Range(0, design.ResponseNames.Count)]],
            [.. design.Classifications.Select(g => MultivariateMixedModel.ColumnNames(design, g)), [.. design.ResponseNames]]);

        /// <summary>Packs the covariance matrices into ψ; <paramref name="toInternal"/> divides entry (a, b) by the scales of their responses.</summary>
        public double[] Pack(IReadOnlyList<double[,]> covariances, double[] scales, bool toInternal)
        {
            var psi = new double[Count];
            for (int l = 0; l < Levels; l++)
            {
                var c = covariances[l];
                int d = Dim(l);
                if (c.GetLength(0) != d || c.GetLength(1) != d)
                    throw new ArgumentException($"Level {l} needs a {d} × {d} covariance matrix; {c.GetLength(0)} × {c.GetLength(1)} given.", nameof(covariances));
                for (int a = 0; a < d; a++)
                    for (int b = 0; b <= a; b++)
                        psi[Index(l, a, b)] = c[a, b] / (toInternal ? scales[Owner[l][a]] * scales[Owner[l][b]] : 1);
            }
            return psi;
        }

        /// <summary>Position in ψ of level ℓ's entry (a, b): the level's variances, then its covariances column by column.</summary>
        public int Index(int level, int a, int b)
        {
            if (a < b) (a, b) = (b, a);
            int d = Dim(level), offset = _offset[level];
            if (a == b) return offset + a;
            int e = d;
            for (int bb = 0; bb < b; bb++) e += d - 1 - bb;
            return offset + e + (a - b - 1);
        }
    }

    /// <summary>The log-likelihood of the internal (scaled) model at ψ, β profiled out; NaN outside the parameter space.</summary>
    public static double InternalLogLikelihood(MixedModelProblem problem, ResidualStructureDeviance deviance, Layout layout, double[] psi)
    {
        int r = problem.Residual!.Multivariate!.ResponseNames.Count;
        int res = layout.Levels - 1;
        var vp = new VarianceParameters(problem.Templates, problem.ThetaLength);
        double sigma2 = psi[layout.Index(res, 0, 0)];
        if (!(sigma2 > 0)) return double.NaN;
        var vpPsi = new double[vp.Count];
        Array.Copy(psi, vpPsi, vp.Count - 1);
        vpPsi[^1] = sigma2;
        var theta = new double[problem.ThetaLength];
        if (!vp.ToTheta(vpPsi, theta, out double s2)) return double.NaN;
        var m = new double[r, r];
        for (int a = 0; a < r; a++)
            for (int b = 0; b < r; b++) m[a, b] = psi[layout.Index(res, a, b)] / sigma2;
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
        int r = design.ResponseNames.Count, levels = design.Classifications.Count + 1;
        var layout = Layout.Of(design);
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
        var psiInternal = layout.Pack(internalCov, s, toInternal: false);
        // Factor from internal to original units of each ψ entry: the scales of its columns' responses (a slope's
        // covariate is not rescaled, so its variance scales by its response's s² like an intercept's).
        var unit = new double[psiInternal.Length];
        int Index(int l, int a, int b) => layout.Index(l, a, b);
        for (int l = 0; l < levels; l++)
            for (int a = 0; a < layout.Dim(l); a++)
                for (int b = 0; b <= a; b++) unit[Index(l, a, b)] = s[layout.Owner[l][a]] * s[layout.Owner[l][b]];
        var psi = psiInternal.Select((v, i) => v * unit[i]).ToArray();

        // Observed information in ψ (internal units), inverted, then carried to the original units.
        double[,]? cov = null;
        if (options.VarianceComponentErrors && !fit.IsSingular)
        {
            var deviance = new ResidualStructureDeviance(problem, options.Method == EstimationMethod.Reml);
            var step = new double[psiInternal.Length];
            for (int l = 0; l < levels; l++)
                for (int a = 0; a < layout.Dim(l); a++)
                    for (int b = 0; b <= a; b++)
                        step[Index(l, a, b)] = 0.05 * Math.Sqrt(psiInternal[Index(l, a, a)] * psiInternal[Index(l, b, b)]);
            var h = NumericalDerivatives.Hessian(x => InternalLogLikelihood(problem, deviance, layout, x), psiInternal, step);
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
            int q = layout.Dim(l);
            var columnNames = layout.Names[l];
            var c = new double[q, q];
            var cse = new double[q, q];
            var corr = new double[q, q];
            var corrSe = new double[q, q];
            for (int a = 0; a < q; a++)
                for (int b = 0; b < q; b++)
                {
                    int e = Index(l, a, b), ea = Index(l, a, a), eb = Index(l, b, b);
                    c[a, b] = psi[e];
                    cse[a, b] = DeltaSe((e, 1));
                    double rho = psi[e] / Math.Sqrt(psi[ea] * psi[eb]);
                    corr[a, b] = a == b ? 1 : rho;
                    corrSe[a, b] = a == b ? double.NaN
                        : DeltaSe((e, 1 / Math.Sqrt(psi[ea] * psi[eb])), (ea, -0.5 * rho / psi[ea]), (eb, -0.5 * rho / psi[eb]));
                }
            bool residual = l == levels - 1;
            levelFits[l] = new MultivariateLevelFit { Name = names[l], IsResidual = residual, ColumnNames = columnNames, Covariance = c, CovarianceStdErrors = cse, Correlation = corr, CorrelationStdErrors = corrSe };
            for (int a = 0; a < q; a++)
                components.Add(new VarianceComponent
                {
                    Group = names[l], Var1 = columnNames[a],
                    Kind = residual ? VarianceComponentKind.ResidualVariance : VarianceComponentKind.Variance,
                    Estimate = c[a, a], SdCor = Math.Sqrt(c[a, a]), StdError = cse[a, a],
                });
            for (int b = 0; b < q; b++)
                for (int a = b + 1; a < q; a++)
                    components.Add(new VarianceComponent
                    {
                        Group = names[l], Var1 = columnNames[b], Var2 = columnNames[a],
                        Kind = VarianceComponentKind.Covariance, Estimate = c[a, b], SdCor = corr[a, b], StdError = cse[a, b],
                    });
        }

        // VPC: each level's share of a response's total variance; with random slopes, at the covariates' value 0 (the
        // level's intercept variance, as MLwiN reports the level-2 variance at x = 0). A classification without a
        // random intercept contributes nothing at 0.
        var vpc = new double[r, levels];
        var vpcSe = new double[r, levels];
        for (int k = 0; k < r; k++)
        {
            var entry = new int[levels];
            for (int l = 0; l < levels; l++)
            {
                bool residual = l == levels - 1;
                int per = residual ? 1 : design.Classifications[l].ColumnsPerResponse;
                entry[l] = residual || design.Classifications[l].Intercept ? Index(l, k * per, k * per) : -1;
            }
            double total = 0;
            for (int l = 0; l < levels; l++) total += entry[l] < 0 ? 0 : psi[entry[l]];
            for (int l = 0; l < levels; l++)
            {
                double own = entry[l] < 0 ? 0 : psi[entry[l]];
                vpc[k, l] = own / total;
                vpcSe[k, l] = DeltaSe(Enumerable.Range(0, levels).Where(o => entry[o] >= 0)
                    .Select(o => (entry[o], o == l ? (total - own) / (total * total) : -own / (total * total))).ToArray());
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

        var modes = fit.RandomEffects.Select((t, g) =>
        {
            var mo = (double[,])t.ConditionalModes.Clone();
            for (int l = 0; l < mo.GetLength(0); l++)
                for (int c = 0; c < mo.GetLength(1); c++) mo[l, c] *= s[layout.Owner[g][c]];
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
