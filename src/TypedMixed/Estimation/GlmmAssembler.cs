using System.Globalization;
using TypedMixed.Families;
using TypedMixed.Inference;

namespace TypedMixed.Estimation;

/// <summary>Everything a GLMM fit reports, computed once at the optimum (θ̂, β̂).</summary>
internal static class GlmmAssembler
{
    public static GeneralizedLinearMixedModelFit Assemble(GlmmProblem g, LaplaceDeviance objective, double[] theta, double[] beta,
        double shape, bool shapeEstimated, OptimizerSummary optimizer, List<FitWarning> warnings,
        GlmmFitOptions options, int maxIter, double[,]? checkCovariance, CancellationToken cancellationToken)
    {
        var s = g.Structure;
        var design = g.Design;
        var pirls = objective.Pirls;
        int n = g.N, p = g.P, d = theta.Length, k = design.Terms.Count;
        var fam = g.Family;
        fam.Shape = shape;
        // The estimator's last evaluation was at (θ̂, β̂): PIRLS holds the modes there and the summary its −2 log L.
        double minus2LogLik = optimizer.FinalObjective;
        var u = pirls.U.Select(x => (double[])x.Clone()).ToArray();
        var eta = (double[])pirls.Eta.Clone();
        var mu = pirls.Mu.ToArray();

        // Fixed-effects covariance from the factor: (L_XX L_XX')⁻¹ of the PIRLS system at the optimum (σ = 1).
        objective.FromModes(theta, 1);
        var fromFactor = PenalizedSolution.UnscaledFixedCovariance(s.Factor);

        // The Hessian of −2 log L over (θ, β (, log k)) by central differences: lme4's vcov is 2 H⁻¹ (β block).
        int e1 = shapeEstimated ? 1 : 0;
        int dim = d + p + e1;
        var point = new double[dim];
        var pointScale = new double[dim];
        for (int i = 0; i < d; i++) { point[i] = theta[i]; pointScale[i] = Math.Max(Math.Abs(theta[i]), 0.05); }
        for (int c = 0; c < p; c++) { point[d + c] = beta[c]; pointScale[d + c] = Math.Sqrt(Math.Max(fromFactor[c, c], 1e-12)); }
        if (shapeEstimated) { point[d + p] = Math.Log(shape); pointScale[d + p] = 0.25; }
        // From the convergence check's Hessian when it covers every coordinate; else by Richardson-extrapolated differences.
        double[,]? full = checkCovariance;
        if (full is null && (options.FixedEffectsCovariance == FixedEffectsCovarianceSource.Hessian || options.VarianceComponentErrors || shapeEstimated))
        {
            var hessian = NumericalDerivatives.Hessian(v =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (shapeEstimated) fam.Shape = Math.Exp(v[d + p]);
                return objective.Evaluate(v.AsSpan(0, d), v.AsSpan(d, p), solveBeta: false, maxIter);
            }, point, pointScale);
            fam.Shape = shape;
            var inv = VarianceComponentInference.SymmetricInverse(hessian);
            if (inv is not null)
            {
                full = new double[dim, dim];
                for (int a = 0; a < dim; a++)
                    for (int b = 0; b < dim; b++) full[a, b] = 2 * inv[a, b];
            }
        }
        var source = options.FixedEffectsCovariance;
        var vcov = new double[p, p];
        if (source == FixedEffectsCovarianceSource.Hessian && full is not null && Enumerable.Range(0, p).All(c => full[d + c, d + c] > 0))
        {
            for (int a = 0; a < p; a++)
                for (int b = 0; b < p; b++) vcov[a, b] = full[d + a, d + b];
        }
        else
        {
            if (source == FixedEffectsCovarianceSource.Hessian)
                warnings.Add(new FitWarning("TMW011",
                    "The finite-difference Hessian of the deviance over (θ, β) is not positive definite at the optimum, so the fixed-effect standard errors come from the PIRLS factor instead (lme4's use.hessian = FALSE). Check for separation or a singular fit."));
            source = FixedEffectsCovarianceSource.Factor;
            vcov = fromFactor;
        }

        // Modes b = Λu per design term (levels × q), and Σ = TT' (σ = 1).
        var (modes, factors, covs) = ModesAndCovariances(s, theta, u);

        // Residuals: deviance and Pearson, on the response scale (proportions for binomial).
        var devianceResiduals = new double[n];
        var pearson = new double[n];
        double conditionalDeviance = 0;
        for (int i = 0; i < n; i++)
        {
            double di = Math.Max(fam.Deviance(g.Y[i], mu[i], g.PriorWeights[i]), 0);
            conditionalDeviance += di;
            double r = g.Y[i] - mu[i];
            devianceResiduals[i] = Math.Sign(r) * Math.Sqrt(di);
            pearson[i] = r * Math.Sqrt(g.PriorWeights[i] / fam.Variance(mu[i]));
        }

        // Singularity.
        var singular = BoundaryCheck.SingularEffects(s, factors, warnings);
        foreach (var name in s.UnidentifiedTerms)
            warnings.Add(new FitWarning("TMW006",
                $"The variances and covariances of term '{name}' are not all identified by these data: within its clusters its columns do not vary enough (for example a random slope on a covariate that is constant within each cluster). Remove that random slope."));
        var fixedNames = s.KeptColumns.Select(c => design.FixedEffectNames[c]).ToArray();
        Separation(g, beta, vcov, mu, fixedNames, warnings);

        // Variance components (σ = 1) with SEs by the delta method from the (θ, β) covariance.
        double[,]? thetaCov = null;
        if (options.VarianceComponentErrors && full is not null && singular.Count == 0)
        {
            thetaCov = new double[d, d];
            for (int a = 0; a < d; a++)
                for (int b = 0; b < d; b++) thetaCov[a, b] = full[a, b];
        }
        var (vp, components, psiCov) = VarianceComponents(s, theta, covs, thetaCov);

        var fixedEffects = new FixedEffectEstimate[p];
        for (int c = 0; c < p; c++)
            fixedEffects[c] = new FixedEffectEstimate { Name = fixedNames[c], Estimate = beta[c], StdError = Math.Sqrt(vcov[c, c]) };

        var gate = new object();
        var termFits = new RandomEffectsTermFit[k];
        for (int st = 0; st < k; st++)
        {
            int t = s.TermOrder[st], storage = st;
            var term = design.Terms[t];
            int q = term.ColumnCount;
            var tFactor = factors[t];
            var sizes = new int[term.LevelCount];
            foreach (int l in term.LevelIndex) sizes[l]++;
            var own = components.Where((c, e) => vp.Entries[e].Term == t).ToArray();
            termFits[t] = new RandomEffectsTermFit(term.Name, term.ColumnNames, term.LevelKeys, term.Covariance, covs[t], modes[t],
                () => ConditionalCovariances(gate, objective, theta, beta, shape, maxIter, storage, tFactor, q), sizes, own);
        }

        double dispersion = pearson.Sum(r => r * r) / Math.Max(n - (p + d + (shapeEstimated ? 1 : 0)), 1);
        if (fam.Family == ResponseFamily.Poisson && n - p - d > 0)
        {
            double chi2 = pearson.Sum(r => r * r);
            double pOver = Distributions.ChiSquareUpperTail(chi2, n - p - d);
            if (dispersion > 1.2 && pOver < 1e-3)
                warnings.Add(new FitWarning("TMW010",
                    $"Overdispersion: the Pearson χ² is {chi2.ToString("F1", CultureInfo.InvariantCulture)} on {n - p - d} residual df (ratio {dispersion.ToString("F2", CultureInfo.InvariantCulture)}, p = {pOver.ToString("G2", CultureInfo.InvariantCulture)}), more variation than a Poisson model allows, so its standard errors are too small. Fit a negative binomial model (Family = NegativeBinomial), or add an observation-level random intercept."));
        }

        double shapeSe = double.NaN;
        if (shapeEstimated && full is not null && full[d + p, d + p] > 0) shapeSe = shape * Math.Sqrt(full[d + p, d + p]);
        return new GeneralizedLinearMixedModelFit
        {
            ResponseName = design.ResponseName,
            Family = fam.Family,
            Link = fam.Link,
            QuadraturePoints = objective.QuadraturePoints,
            LaplaceHessian = options.LaplaceHessian,
            FixedEffectsCovarianceSource = source,
            FixedEffectsCovarianceFromFactor = fromFactor,
            FixedEffects = fixedEffects,
            FixedEffectsCovariance = vcov,
            DroppedFixedEffects = s.DroppedColumns,
            RandomEffects = termFits,
            VarianceComponents = components,
            VarianceComponentsCovariance = psiCov,
            Theta = (double[])theta.Clone(),
            ThetaNames = s.Templates.SelectMany(t => t.ThetaNames()).ToArray(),
            ThetaLowerBounds = s.InitialTheta().Lower,
            LogLikelihood = -0.5 * minus2LogLik,
            ParameterCount = p + d + (shapeEstimated ? 1 : 0),
            ObservationCount = n,
            RowsDropped = design.RowsDropped,
            Fitted = mu,
            Residuals = devianceResiduals,
            PearsonResiduals = pearson,
            LinearPredictor = eta,
            ConditionalDeviance = conditionalDeviance,
            NegativeBinomialShape = fam.Family == ResponseFamily.NegativeBinomial ? shape : double.NaN,
            NegativeBinomialShapeStdError = shapeSe,
            IsSingular = singular.Count > 0,
            Warnings = warnings,
            Optimizer = optimizer,
        };
    }

    /// <summary>
    /// Complete or quasi-complete separation in a binomial model: a 0/1 fixed-effect column whose rows (where it is 1)
    /// all have the same outcome, or an estimate beyond ±10 on the link scale whose fitted probabilities reach 0 or 1.
    /// </summary>
    private static void Separation(GlmmProblem g, double[] beta, double[,] vcov, double[] mu, string[] names, List<FitWarning> warnings)
    {
        if (g.Family.Family != ResponseFamily.Binomial) return;
        int n = g.N;
        var flagged = new List<string>();
        int? extreme = null;   // fitted probabilities numerically 0 or 1, counted once when first needed
        for (int c = 0; c < g.P; c++)
        {
            var col = g.X.AsSpan(c * n, n);
            bool indicator = true, any = false;
            double events = 0, trials = 0;
            for (int i = 0; i < n && indicator; i++)
            {
                if (col[i] != 0 && col[i] != 1) indicator = false;
                else if (col[i] == 1) { any = true; events += g.Y[i] * g.Trials[i]; trials += g.Trials[i]; }
            }
            bool constant = true;
            for (int i = 1; i < n && constant; i++) constant = col[i] == col[0];
            if (indicator && any && !constant && (events == 0 || events == trials))
                flagged.Add($"{names[c]} (every observation with {names[c]} = 1 is a {(events == 0 ? "failure" : "success")})");
            else if (Math.Abs(beta[c]) > 10 && !constant)
            {
                extreme ??= mu.Count(m => m < 1e-8 || m > 1 - 1e-8);
                if (extreme > 0) flagged.Add($"{names[c]} (estimate {beta[c].ToString("G3", CultureInfo.InvariantCulture)} on the link scale; {extreme} fitted probabilities are numerically 0 or 1)");
            }
        }
        if (flagged.Count > 0)
            warnings.Add(new FitWarning("TMW008",
                $"Complete or quasi-complete separation: {string.Join("; ", flagged)}. The estimate of that effect is not finite (its size and standard error are meaningless). Merge or drop the category, remove the predictor, or use a penalized (bias-reduced) fit."));
    }

    /// <summary>T (L_ZZ L_ZZ')⁻¹_ll T' per level at the optimum (lme4's condVar for GLMMs, σ = 1).</summary>
    private static double[][,] ConditionalCovariances(object gate, LaplaceDeviance objective, double[] theta, double[] beta, double shape, int maxIter, int storageTerm, double[] t, int q)
    {
        lock (gate)
        {
            var fam = objective.Pirls.Problem.Family;
            fam.Shape = shape;
            objective.Pirls.Run(theta, beta, solveBeta: false, maxIter);
            objective.Pirls.LogDeterminant(theta, observed: false);
            return BoundaryCheck.ConditionalCovariances(objective.Pirls.Problem.Structure.Factor, storageTerm, t, q, 1);
        }
    }


    /// <summary>
    /// The variance components (σ = 1) at θ — variances, covariances, SD/correlation — with SEs by the delta method from
    /// θ's covariance (none when <paramref name="thetaCov"/> is null), and the covariance of the components.
    /// </summary>
    internal static (VarianceParameters Parameters, List<VarianceComponent> Components, double[,]? Covariance) VarianceComponents(
        MixedModelProblem s, double[] theta, double[][,] covs, double[,]? thetaCov)
    {
        var vp = new VarianceParameters(s.Templates, s.ThetaLength);
        var psi = vp.FromTheta(theta, 1);
        int m0 = vp.Entries.Length, d = theta.Length;
        double[]? psiSe = null;
        double[,]? psiCov = null;
        if (thetaCov is not null)
        {
            var jac = NumericalDerivatives.Jacobian(th => vp.FromTheta(th, 1)[..m0], theta, theta.Select(v => Math.Max(Math.Abs(v), 0.05)).ToArray(), m0);
            psiCov = new double[m0, m0];
            for (int a = 0; a < m0; a++)
                for (int b = 0; b < m0; b++)
                {
                    double acc = 0;
                    for (int i = 0; i < d; i++)
                        for (int j = 0; j < d; j++) acc += jac[a, i] * thetaCov[i, j] * jac[b, j];
                    psiCov[a, b] = acc;
                }
            var pc = psiCov;
            psiSe = Enumerable.Range(0, m0).Select(a => pc[a, a] > 0 ? Math.Sqrt(pc[a, a]) : double.NaN).ToArray();
        }
        var components = new List<VarianceComponent>();
        for (int e = 0; e < m0; e++)
        {
            var (t, a, b) = vp.Entries[e];
            var tp = s.Templates[t];
            bool isVariance = a == b;
            components.Add(new VarianceComponent
            {
                Group = tp.TermName,
                Var1 = tp.Structure == CovarianceStructure.Scalar ? string.Join("=", tp.ColumnNames) : tp.ColumnNames[a],
                Var2 = isVariance ? null : tp.ColumnNames[b],
                Kind = isVariance ? VarianceComponentKind.Variance : VarianceComponentKind.Covariance,
                Estimate = psi[e],
                SdCor = isVariance ? Math.Sqrt(psi[e]) : psi[e] / Math.Sqrt(covs[t][a, a] * covs[t][b, b]),
                StdError = psiSe?[e] ?? double.NaN,
            });
        }
        return (vp, components, psiCov);
    }
    /// <summary>
    /// Per design term: the conditional modes b = Λu (levels × q, from the spherical modes per ordered term), T, and the
    /// relative covariance Σ = TT' (σ = 1) — for the Laplace-objective fits (GLMMs, ordinal models).
    /// </summary>
    internal static (double[][,] Modes, double[][] Factors, double[][,] Covariances) ModesAndCovariances(MixedModelProblem s, double[] theta, double[][] u)
    {
        var design = s.Design;
        int k = design.Terms.Count;
        var modes = new double[k][,];
        var factors = new double[k][];
        var covs = new double[k][,];
        for (int st = 0; st < k; st++)
        {
            int t = s.TermOrder[st];
            var term = design.Terms[t];
            int q = term.ColumnCount;
            factors[t] = new double[q * q];
            s.Templates[t].FillFactor(theta, factors[t]);
            var b = (double[])u[st].Clone();
            PenalizedSolution.ApplyLambda(b, q, factors[t]);
            var m = new double[term.LevelCount, q];
            for (int l = 0; l < term.LevelCount; l++)
                for (int a = 0; a < q; a++) m[l, a] = b[l * q + a];
            modes[t] = m;
            var rel = new double[q * q];
            s.Templates[t].RelativeCovariance(theta, rel);
            covs[t] = new double[q, q];
            for (int a = 0; a < q; a++)
                for (int c = 0; c < q; c++) covs[t][a, c] = rel[c * q + a];
        }
        return (modes, factors, covs);
    }
}
