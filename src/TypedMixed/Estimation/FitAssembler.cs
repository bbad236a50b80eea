using TypedMixed.Inference;

namespace TypedMixed.Estimation;

/// <summary>Everything computed once at θ̂: β̂, σ̂², Var(β̂), the modes, fitted values, variance components and inference.</summary>
internal static class FitAssembler
{
    public static LinearMixedModelFit Assemble(MixedModelProblem problem, ProfiledDeviance deviance, double[] theta,
        OptimizerSummary optimizer, List<FitWarning> warnings, FitOptions options,
        ResidualStructureDeviance? residual = null, double[]? eta = null)
    {
        // From rows, the design; from aggregated blocks (no rows) the same names and counts come from the blocks.
        var design = problem.HasRows ? problem.Design : null;
        var blocks = problem.Blocks;
        var terms = design is not null
            ? design.Terms.Select(t => (t.Name, t.ColumnNames, t.LevelKeys, t.Covariance, t.LevelCount)).ToArray()
            : blocks!.Terms.Select(t => (t.Name, t.ColumnNames, t.LevelKeys, t.Covariance, t.LevelCount)).ToArray();
        var factor = problem.Factor;
        int n = problem.N, p = problem.P;
        // With a residual structure the Gram holds the rows whitened at η̂ and the objectives add log|R|.
        double logDetR = 0;
        if (residual is not null)
        {
            residual.SetResidualParameters(eta!);
            logDetR = residual.LogDetR;
        }
        double objective = deviance.Evaluate(theta) + logDetR;
        double sigma2 = factor.PenalizedRss / deviance.ResidualDf;
        double mlDeviance = deviance.ObjectiveFromFactor(reml: false) + logDetR;
        double remlCriterion = deviance.Reml ? objective : double.NaN;

        var beta = PenalizedSolution.Beta(factor);
        var unscaled = PenalizedSolution.UnscaledFixedCovariance(factor);
        var vcov = new double[p, p];
        for (int a = 0; a < p; a++)
            for (int b = 0; b < p; b++) vcov[a, b] = sigma2 * unscaled[a, b];

        // Modes b = Λu, per term in design order (levels × q).
        var u = PenalizedSolution.SphericalModes(factor, beta);
        int k = terms.Length;
        var modes = new double[k][,];
        var factors = new double[k][];
        for (int s = 0; s < k; s++)
        {
            int t = problem.TermOrder[s], storage = s + problem.StorageShift;
            var term = terms[t];
            int q = term.ColumnNames.Count;
            factors[t] = (double[])factor.Factor(storage).Clone();
            PenalizedSolution.ApplyLambda(u[storage], q, factors[t]);
            var m = new double[term.LevelCount, q];
            for (int l = 0; l < term.LevelCount; l++)
                for (int a = 0; a < q; a++) m[l, a] = u[storage][l * q + a];
            modes[t] = m;
        }

        // Fitted values offset + Xβ + Σ Z_t b_t (they need the rows: a fit from blocks has none).
        var (fitted, residuals) = design is null ? ([], []) : FittedAndResiduals(problem, design, beta, modes);
        if (design is null)
            warnings.Add(new FitWarning("TMW012",
                "Fitted from aggregated Gram blocks, without the rows: fitted values and residuals (and the scaled-residual summary) are omitted. Compute them next to the data with a second pass, yᵢ − xᵢβ̂ − zᵢb̂ per row."));

        // Singularity: a diagonal of some T on its bound.
        var singular = BoundaryCheck.SingularEffects(problem, factors, warnings);

        // A residual variance that vanishes next to the response's: the random effects reproduce the data.
        double totalVariance;
        if (design is not null)
        {
            double mean = design.Response.Average();
            totalVariance = 0;
            foreach (double v in design.Response) totalVariance += (v - mean) * (v - mean);
        }
        else totalVariance = Math.Max(blocks!.YtY - blocks.YSum * blocks.YSum / n, 0);
        totalVariance /= Math.Max(n - 1, 1);
        if (sigma2 < 1e-10 * totalVariance)
            warnings.Add(new FitWarning("TMW007",
                $"The residual variance is estimated as (nearly) zero ({sigma2.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)}): the random effects ({terms.Sum(t => t.LevelCount * t.ColumnNames.Count)} of them for {n} observations) reproduce the response exactly, so the variances are not estimable. Use fewer random effects (terms or slopes) or more observations per cluster."));
        return AssembleRest(problem, deviance, theta, optimizer, warnings, options, design, blocks, terms, objective, sigma2,
            mlDeviance, remlCriterion, beta, vcov, modes, factors, fitted, residuals, singular, residual, eta);
    }

    private static (double[] Fitted, double[] Residuals) FittedAndResiduals(MixedModelProblem problem, ModelDesign design, double[] beta, double[][,] modes)
    {
        int n = problem.N, p = problem.P, k = design.Terms.Count;
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
        return (fitted, residuals);
    }

    private static LinearMixedModelFit AssembleRest(MixedModelProblem problem, ProfiledDeviance deviance, double[] theta,
        OptimizerSummary optimizer, List<FitWarning> warnings, FitOptions options, ModelDesign? design, GramBlocks? blocks,
        (string Name, IReadOnlyList<string> ColumnNames, IReadOnlyList<string> LevelKeys, CovarianceStructure Covariance, int LevelCount)[] terms,
        double objective, double sigma2, double mlDeviance, double remlCriterion, double[] beta, double[,] vcov,
        double[][,] modes, double[][] factors, double[] fitted, double[] residuals, List<string> singular,
        ResidualStructureDeviance? residual, double[]? eta)
    {
        int n = problem.N, p = problem.P, k = terms.Length;

        // Variance components in lme4's VarCorr order, with SEs from the observed information.
        var vp = new VarianceParameters(problem.Templates, problem.ThetaLength);
        var psi = vp.FromTheta(theta, sigma2);
        var inference = options.VarianceComponentErrors || options.Satterthwaite
            ? VarianceComponentInference.Compute(problem, deviance, vp, theta, psi, singular.Count > 0, options.Satterthwaite,
                residual, eta, residual?.Whitening.CoordinateScale(), options.Derivatives)
            : null;
        var (residualCorrelation, residualVariance) = residual is null
            ? (null, null)
            : ResidualResults.Build(residual.Whitening, eta!, sigma2, options.VarianceComponentErrors ? inference?.ResidualCovariance : null);
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

        var allNames = design?.FixedEffectNames ?? blocks!.FixedEffectNames;
        var fixedNames = problem.KeptColumns.Select(c => allNames[c]).ToArray();
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
            var term = terms[t];
            int q = term.ColumnNames.Count;
            var tFactor = factors[t];
            var sizes = design is not null ? LevelSizes(design.Terms[t]) : (int[])blocks!.Terms[t].LevelCounts.Clone();
            var own = components.Where((c, e) => e < vp.Entries.Length && vp.Entries[e].Term == t).ToArray();
            termFits[t] = new RandomEffectsTermFit(term.Name, term.ColumnNames, term.LevelKeys, term.Covariance, covs[t], modes[t],
                () => ConditionalCovariances(problem, theta, storage, tFactor, q, sigma2), sizes, own)
            {
                MeanSquaredWeightSum = design?.Terms[t].Memberships is { } mm ? mm.SquaredWeightSums().Average() : null,
            };
        }

        int parameterCount = p + problem.ThetaLength + 1 + (residual?.Count ?? 0);
        // Without rows (a fit from aggregated blocks) there is no per-row structure and no marginal covariance of rows.
        var rowVariance = problem.HasRows ? RowResidualStructure(problem, residual, eta) : default;
        return new LinearMixedModelFit
        {
            ResponseName = design?.ResponseName ?? blocks!.ResponseName,
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
            RowsDropped = design?.RowsDropped ?? blocks!.RowsDropped,
            Fitted = fitted,
            Residuals = residuals,
            PriorWeights = design?.Weights is null ? null : (double[])design.Weights.Clone(),
            IsSingular = singular.Count > 0,
            Warnings = warnings,
            Optimizer = optimizer,
            ResidualCorrelation = residualCorrelation,
            ResidualVarianceFunction = residualVariance,
            MarginalCovarianceOf = design is null
                ? _ => throw new InvalidOperationException("This fit was made from aggregated Gram blocks: it has no rows to take the marginal covariance over.")
                : rows => MarginalCovariance(design, covs, sigma2, rowVariance, rows,
                    residual?.Whitening.Multivariate is null ? null : residual.Whitening.RelativeResidualCovariance(eta)),
            RowSdFactor = residual?.Whitening.Variance is null ? null : rowVariance.Sd,
            ResidualParameters = eta is null ? null : (double[])eta.Clone(),
        };
    }

    /// <summary>
    /// Per row, the residual SD factor sᵢ (Var(eᵢ) = σ² sᵢ², prior weights included) and the correlation's cluster, time
    /// and ρ: what Cov(eᵢ, eⱼ) = σ² sᵢ sⱼ ρ^|tᵢ − tⱼ| (same cluster) needs.
    /// </summary>
    private static (double[] Sd, int[]? Cluster, double[]? Time, double Rho) RowResidualStructure(MixedModelProblem problem, ResidualStructureDeviance? residual, double[]? eta)
    {
        var design = problem.Design;
        int n = problem.N;
        var sd = new double[n];
        for (int i = 0; i < n; i++)
        {
            double g = residual?.Whitening.Variance is null ? 1 : residual.Whitening.VarianceFactor(eta!, i);
            if (design.Weights is { } w) g /= w[i];
            sd[i] = Math.Sqrt(g);
        }
        var c = design.ResidualCorrelation;
        return (sd, c?.ClusterIndex, c?.Time, c is null ? 0 : residual!.Whitening.Rho(eta![0]));
    }

    /// <summary>Cov(y) over the given rows: Σₜ Zₜ Gₜ Zₜ' (rows in the same level) + σ² R.</summary>
    private static double[,] MarginalCovariance(ModelDesign design, double[][,] covs, double sigma2,
        (double[] Sd, int[]? Cluster, double[]? Time, double Rho) r, IReadOnlyList<int> rows, double[,]? unitCovariance = null)
    {
        int m = rows.Count, n = design.Rows;
        foreach (int i in rows)
            if ((uint)i >= (uint)n) throw new ArgumentOutOfRangeException(nameof(rows), $"Row {i} is outside 0..{n - 1}.");
        var v = new double[m, m];
        for (int a = 0; a < m; a++)
            for (int b = 0; b < m; b++)
            {
                int i = rows[a], j = rows[b];
                double s = 0;
                for (int t = 0; t < design.Terms.Count; t++)
                {
                    var term = design.Terms[t];
                    // The weight with which rows i and j share a level: 1 or 0 for an ordinary term; for a
                    // multiple-membership term Σ ω_e ω_f over pairs of their memberships at the same level.
                    double shared = 0;
                    if (term.Memberships is { } mm)
                    {
                        var weight = mm.EffectiveWeights();
                        for (int e = mm.RowStart[i]; e < mm.RowStart[i + 1]; e++)
                            for (int f = mm.RowStart[j]; f < mm.RowStart[j + 1]; f++)
                                if (mm.Level[e] == mm.Level[f]) shared += weight[e] * weight[f];
                    }
                    else if (term.LevelIndex[i] == term.LevelIndex[j]) shared = 1;
                    if (shared == 0) continue;
                    int q = term.ColumnCount;
                    for (int x = 0; x < q; x++)
                        for (int y = 0; y < q; y++) s += shared * term.Columns[x * n + i] * covs[t][x, y] * term.Columns[y * n + j];
                }
                if (unitCovariance is not null && design.ResidualMultivariate is { } mv)
                {
                    // Multivariate responses: σ² M between the responses of one unit.
                    if (mv.UnitIndex[i] == mv.UnitIndex[j]) s += sigma2 * unitCovariance[mv.ResponseIndex[i], mv.ResponseIndex[j]];
                }
                else if (i == j) s += sigma2 * r.Sd[i] * r.Sd[i];
                else if (r.Cluster is { } cl && cl[i] == cl[j]) s += sigma2 * r.Sd[i] * r.Sd[j] * Math.Pow(r.Rho, Math.Abs(r.Time![i] - r.Time[j]));
                v[a, b] = s;
            }
        return v;
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
