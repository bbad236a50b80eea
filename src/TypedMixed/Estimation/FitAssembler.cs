using TypedMixed.Inference;

namespace TypedMixed.Estimation;

/// <summary>Everything computed once at θ̂: β̂, σ̂², Var(β̂), the modes, fitted values, variance components and inference.</summary>
internal static class FitAssembler
{
    public static LinearMixedModelFit Assemble(MixedModelProblem problem, ProfiledDeviance deviance, double[] theta,
        OptimizerSummary optimizer, List<FitWarning> warnings, FitOptions options)
    {
        var design = problem.Design;
        var factor = problem.Factor;
        int n = problem.N, p = problem.P;
        double objective = deviance.Evaluate(theta);
        double sigma2 = factor.PenalizedRss / deviance.ResidualDf;
        double mlDeviance = deviance.ObjectiveFromFactor(reml: false);
        double remlCriterion = deviance.Reml ? objective : double.NaN;

        var beta = PenalizedSolution.Beta(factor);
        var unscaled = PenalizedSolution.UnscaledFixedCovariance(factor);
        var vcov = new double[p, p];
        for (int a = 0; a < p; a++)
            for (int b = 0; b < p; b++) vcov[a, b] = sigma2 * unscaled[a, b];

        // Modes b = Λu, per term in design order (levels × q).
        var u = PenalizedSolution.SphericalModes(factor, beta);
        int k = design.Terms.Count;
        var modes = new double[k][,];
        var factors = new double[k][];
        for (int s = 0; s < k; s++)
        {
            int t = problem.TermOrder[s], storage = s + problem.StorageShift;
            var term = design.Terms[t];
            int q = term.ColumnCount;
            factors[t] = (double[])factor.Factor(storage).Clone();
            PenalizedSolution.ApplyLambda(u[storage], q, factors[t]);
            var m = new double[term.LevelCount, q];
            for (int l = 0; l < term.LevelCount; l++)
                for (int a = 0; a < q; a++) m[l, a] = u[storage][l * q + a];
            modes[t] = m;
        }

        // Fitted values offset + Xβ + Σ Z_t b_t.
        var fitted = design.Offset is { } offset ? (double[])offset.Clone() : new double[n];
        for (int c = 0; c < p; c++)
            Factorization.DenseKernels.Axpy(beta[c], design.FixedEffects.AsSpan(problem.KeptColumns[c] * n, n), fitted);
        for (int t = 0; t < k; t++)
        {
            var term = design.Terms[t];
            int q = term.ColumnCount;
            if (term.Memberships is { } mm)
            {
                // Σ over the row's memberships of ω · z'b_level.
                var omega = mm.EffectiveWeights();
                for (int i = 0; i < n; i++)
                    for (int e = mm.RowStart[i]; e < mm.RowStart[i + 1]; e++)
                    {
                        double s = 0;
                        for (int a = 0; a < q; a++) s += term.Columns[a * n + i] * modes[t][mm.Level[e], a];
                        fitted[i] += omega[e] * s;
                    }
                continue;
            }
            for (int i = 0; i < n; i++)
            {
                int l = term.LevelIndex[i];
                double s = 0;
                for (int a = 0; a < q; a++) s += term.Columns[a * n + i] * modes[t][l, a];
                fitted[i] += s;
            }
        }
        var residuals = new double[n];
        for (int i = 0; i < n; i++) residuals[i] = design.Response[i] - fitted[i];

        // Singularity: a diagonal of some T on its bound.
        var singular = BoundaryCheck.SingularEffects(problem, factors, warnings);

        // A residual variance that vanishes next to the response's: the random effects reproduce the data.
        double mean = design.Response.Average(), totalVariance = 0;
        foreach (double v in design.Response) totalVariance += (v - mean) * (v - mean);
        totalVariance /= Math.Max(n - 1, 1);
        if (sigma2 < 1e-10 * totalVariance)
            warnings.Add(new FitWarning("TMW007",
                $"The residual variance is estimated as (nearly) zero ({sigma2.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)}): the random effects ({design.Terms.Sum(t => t.LevelCount * t.ColumnCount)} of them for {n} observations) reproduce the response exactly, so the variances are not estimable. Use fewer random effects (terms or slopes) or more observations per cluster."));

        // Variance components in lme4's VarCorr order, with SEs from the observed information.
        var vp = new VarianceParameters(problem.Templates, problem.ThetaLength);
        var psi = vp.FromTheta(theta, sigma2);
        var inference = options.VarianceComponentErrors || options.Satterthwaite
            ? VarianceComponentInference.Compute(problem, deviance, vp, theta, psi, singular.Count > 0, options.Satterthwaite)
            : null;
        var covs = new double[k][,];
        for (int t = 0; t < k; t++)
        {
            int q = problem.Templates[t].Q;
            var rel = new double[q * q];
            problem.Templates[t].RelativeCovariance(theta, rel);
            covs[t] = new double[q, q];
            for (int a = 0; a < q; a++)
                for (int b = 0; b < q; b++) covs[t][a, b] = sigma2 * rel[b * q + a];
        }
        var components = new List<VarianceComponent>();
        for (int e = 0; e < vp.Entries.Length; e++)
        {
            var (t, a, b) = vp.Entries[e];
            var tp = problem.Templates[t];
            bool isVariance = a == b;
            double est = psi[e];
            components.Add(new VarianceComponent
            {
                Group = tp.TermName,
                Var1 = tp.Structure == CovarianceStructure.Scalar ? string.Join("=", tp.ColumnNames) : tp.ColumnNames[a],
                Var2 = isVariance ? null : tp.ColumnNames[b],
                Kind = isVariance ? VarianceComponentKind.Variance : VarianceComponentKind.Covariance,
                Estimate = est,
                SdCor = isVariance ? Math.Sqrt(est) : est / Math.Sqrt(covs[t][a, a] * covs[t][b, b]),
                StdError = options.VarianceComponentErrors && inference is not null ? inference.StdErrors[e] : double.NaN,
            });
        }
        components.Add(new VarianceComponent
        {
            Group = "Residual",
            Kind = VarianceComponentKind.ResidualVariance,
            Estimate = sigma2,
            SdCor = Math.Sqrt(sigma2),
            StdError = options.VarianceComponentErrors && inference is not null ? inference.StdErrors[^1] : double.NaN,
        });

        var fixedNames = problem.KeptColumns.Select(c => design.FixedEffectNames[c]).ToArray();
        var fixedEffects = new FixedEffectEstimate[p];
        for (int c = 0; c < p; c++)
            fixedEffects[c] = new FixedEffectEstimate
            {
                Name = fixedNames[c],
                Estimate = beta[c],
                StdError = Math.Sqrt(vcov[c, c]),
                SatterthwaiteDf = inference?.SatterthwaiteDf?[c] ?? double.NaN,
            };

        var termFits = new RandomEffectsTermFit[k];
        for (int s = 0; s < k; s++)
        {
            int t = problem.TermOrder[s], storage = s + problem.StorageShift;
            var term = design.Terms[t];
            int q = term.ColumnCount;
            var tFactor = factors[t];
            var sizes = LevelSizes(term);
            var own = components.Where((c, e) => e < vp.Entries.Length && vp.Entries[e].Term == t).ToArray();
            termFits[t] = new RandomEffectsTermFit(term.Name, term.ColumnNames, term.LevelKeys, term.Covariance, covs[t], modes[t],
                () => ConditionalCovariances(problem, theta, storage, tFactor, q, sigma2), sizes, own)
            {
                MeanSquaredWeightSum = term.Memberships is { } mm ? mm.SquaredWeightSums().Average() : null,
            };
        }

        int parameterCount = p + problem.ThetaLength + 1;
        return new LinearMixedModelFit
        {
            ResponseName = design.ResponseName,
            Method = options.Method,
            FixedEffects = fixedEffects,
            FixedEffectsCovariance = vcov,
            DroppedFixedEffects = problem.DroppedColumns,
            RandomEffects = termFits,
            VarianceComponents = components,
            VarianceComponentsCovariance = options.VarianceComponentErrors ? inference?.Covariance : null,
            ResidualVariance = sigma2,
            Theta = (double[])theta.Clone(),
            ThetaNames = problem.Templates.SelectMany(t => t.ThetaNames()).ToArray(),
            ThetaLowerBounds = problem.InitialTheta().Lower,
            LogLikelihood = -0.5 * objective,
            Deviance = mlDeviance,
            RemlCriterion = remlCriterion,
            ParameterCount = parameterCount,
            ObservationCount = n,
            RowsDropped = design.RowsDropped,
            Fitted = fitted,
            Residuals = residuals,
            PriorWeights = design.Weights is null ? null : (double[])design.Weights.Clone(),
            IsSingular = singular.Count > 0,
            Warnings = warnings,
            Optimizer = optimizer,
        };
    }

    /// <summary>Rows per level; for a multiple-membership term, the rows that list the level.</summary>
    internal static int[] LevelSizes(RandomEffectsTerm term)
    {
        var sizes = new int[term.LevelCount];
        if (term.Memberships is { } mm) foreach (int l in mm.Level) sizes[l]++;
        else foreach (int l in term.LevelIndex) sizes[l]++;
        return sizes;
    }

    /// <summary>σ² T (L_ZZ L_ZZ')⁻¹_ll T' per level: lme4's conditional variances (β treated as known).</summary>
    private static double[][,] ConditionalCovariances(MixedModelProblem problem, double[] theta, int storageTerm, double[] t, int q, double sigma2)
    {
        lock (problem.Factor)
        {
            problem.Factor.Update(theta);
            return BoundaryCheck.ConditionalCovariances(problem.Factor, storageTerm, t, q, sigma2);
        }
    }
}
