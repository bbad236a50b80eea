using System.Globalization;
using TypedMixed.Families;
using TypedMixed.Inference;
using TypedMixed.Optimization;

namespace TypedMixed.Estimation;

/// <summary>
/// The cumulative link mixed model fit: the model without random effects by Newton (<see cref="CumulativeLinkFit"/>)
/// gives the start and the scale of each threshold and β; then (α, β, θ) are optimized together in standard-error
/// units — for the Laplace objective by the projected quasi-Newton method on its analytic gradient
/// (<see cref="OrdinalLaplaceGradient"/>), for quadrature (or when asked) by BOBYQA; a Newton step from finite
/// differences (of gradients, or of values) checks and polishes the optimum and its Hessian gives the covariance of the
/// estimates; then the results.
/// </summary>
internal static partial class OrdinalEstimator
{
    private const double CheckScale = CheckedOptimum.CheckScale;

    public static OrdinalMixedModelFit Fit(ModelDesign design, OrdinalFitOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(design);
        if (options.QuadraturePoints < 1)
            throw new ArgumentException($"OrdinalFitOptions.QuadraturePoints is {options.QuadraturePoints}: use 1 (Laplace) or more quadrature points.", nameof(options));
        if (options.Optimizer == FitOptimizer.QuasiNewton && options.QuadraturePoints > 1)
            throw new ArgumentException($"OrdinalFitOptions.Optimizer is QuasiNewton with {options.QuadraturePoints} quadrature points: the quadrature objective has no analytic gradient. Leave Optimizer unset (BOBYQA) or use the Laplace approximation (1 point).", nameof(options));
        var o = OrdinalProblem.Create(design);
        var s = o.Structure;
        var newton = new OrdinalNewton(o);
        var objective = new OrdinalDeviance(newton, options.QuadraturePoints);
        int maxIter = options.MaxNewtonIterations;
        int a = o.AlphaCount, p = o.P;
        var gradient = options.QuadraturePoints == 1 && options.Optimizer != FitOptimizer.Bobyqa && OrdinalLaplaceGradient.Supports(o)
            ? new OrdinalLaplaceGradient(objective) : null;

        // The model without random effects: start and scales of (α, β).
        var single = CumulativeLinkFit.Fit(o);
        var (theta0, lowerTheta) = s.InitialTheta();
        int d = theta0.Length, dim = a + p + d;
        // The fit without random effects estimates marginal effects; with random intercepts of variance σ² (θ = 1 each
        // at the start) the conditional ones are larger by about √(1 + c σ²) (Zeger, Liang & Albert 1988: c = 0.346 for
        // the logistic, 1 for the normal, the Gumbel's variance ratio 6/π² · π²/6 = 1 taken as 0.6 for cloglog). Starting
        // there saves the optimizer a long walk when the data are many and the standard errors small.
        double intercepts = s.Templates.Count(t => t.Q == 1);
        double c0 = o.Link switch { LinkFunction.Probit => 1, LinkFunction.Cloglog => 0.6, _ => 0.346 };
        double attenuation = Math.Sqrt(1 + c0 * intercepts);
        var centre = single.Alpha.Concat(single.Beta).Concat(new double[d]).ToArray();
        if (o.ThresholdStructure == ThresholdStructure.Flexible)
            for (int i = 0; i < a; i++) centre[i] *= attenuation;
        else centre[0] *= attenuation;
        if (o.ThresholdStructure == ThresholdStructure.Equidistant) centre[1] *= attenuation;
        for (int c = 0; c < p; c++) centre[a + c] *= attenuation;
        // Units: the fit's standard errors, at least 0.1 (with many rows the SEs are tiny and the optimizer's first
        // steps, 0.3 units, would crawl).
        var unit = new double[dim];
        for (int i = 0; i < a + p; i++)
            unit[i] = Math.Max(single.Covariance is { } c && c[i, i] > 0 ? Math.Sqrt(c[i, i]) : 1, 0.1);
        for (int i = 0; i < d; i++) unit[a + p + i] = 1 / s.ThetaScale[i];

        int evaluations = 0;
        double best = double.PositiveInfinity;
        // While BOBYQA runs, each new best point's modes become the inner Newton's start (fewer iterations as the
        // parameters move away from the start; the sequence of evaluations is deterministic, so is the fit). From the
        // convergence check on the start is fixed, so the check's differences see a function of x alone.
        bool followBest = false;
        var alphaBuffer = new double[a];
        var betaBuffer = new double[p];
        var thetaBuffer = new double[d];
        void Unpack(ReadOnlySpan<double> x)
        {
            for (int i = 0; i < a; i++) alphaBuffer[i] = centre[i] + unit[i] * x[i];
            for (int c = 0; c < p; c++) betaBuffer[c] = centre[a + c] + unit[a + c] * x[a + c];
            for (int i = 0; i < d; i++) thetaBuffer[i] = centre[a + p + i] + unit[a + p + i] * x[a + p + i];
        }
        double F(ReadOnlySpan<double> x)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Unpack(x);
            double v = objective.Evaluate(alphaBuffer, betaBuffer, thetaBuffer, maxIter);
            evaluations++;
            if (v < best)
            {
                best = v;
                if (followBest) newton.SetStart(newton.U);
            }
            options.Progress?.Report(new FitProgress(evaluations, v, best));
            return v;
        }
        var x0 = new double[dim];
        for (int i = 0; i < d; i++) x0[a + p + i] = theta0[i] / unit[a + p + i];
        var lower = new double[dim];
        var upper = new double[dim];
        for (int i = 0; i < dim; i++) { lower[i] = double.NegativeInfinity; upper[i] = double.PositiveInfinity; }
        for (int i = 0; i < d; i++) if (lowerTheta[i] == 0) lower[a + p + i] = 0;
        double initialObjective = F(x0);
        if (!double.IsFinite(initialObjective))
            throw new ModelDesignException("The ordinal objective is not finite at the start (the thresholds and β of the model without random effects, θ = identity): check the response for categories that separate completely by a covariate, and rescale covariates.");
        // Later runs of the inner Newton start from the modes at the start (fixed: the objective is a function of x).
        newton.SetStart(newton.U);
        followBest = true;
        CheckedOptimum.Result confirmed;
        int optimizerEvaluations;
        string optimizerName;
        if (gradient is not null)
        {
            // The analytic gradient: a projected quasi-Newton run from the start, then the check and polish from
            // differences of gradients (1 + 2·dim evaluations instead of about 2·dim² values).
            var omegaGradient = new double[dim];
            double FG(ReadOnlySpan<double> x, Span<double> gx)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Unpack(x);
                double v = gradient.Evaluate(alphaBuffer, betaBuffer, thetaBuffer, maxIter, omegaGradient);
                evaluations++;
                if (double.IsFinite(v))
                    for (int i = 0; i < dim; i++) gx[i] = unit[i] * omegaGradient[i];
                if (v < best)
                {
                    best = v;
                    if (followBest) newton.SetStart(newton.U);
                }
                options.Progress?.Report(new FitProgress(evaluations, v, best));
                return v;
            }
            var h0 = InitialHessian(FG, x0, single.Covariance, unit, attenuation, a + p);
            var r = ProjectedQuasiNewton.Minimize(FG, x0, lower, upper,
                new ProjectedQuasiNewtonOptions { MaxEvaluations = options.MaxEvaluations, RelativeDecrementTolerance = QuasiNewtonTolerance, InitialHessian = h0 },
                cancellationToken);
            optimizerEvaluations = evaluations;
            followBest = false;
            F(r.X);
            newton.SetStart(newton.U);
            confirmed = ConfirmWithGradient(FG, r, lower, upper, options.MaxEvaluations, cancellationToken);
            optimizerName = "projected quasi-Newton on the analytic gradient of the Laplace objective";
        }
        else
        {
            // Stage 1, coarse: to within a few hundredths of a unit of the optimum.
            var r1 = Bobyqa.Minimize(F, x0, lower, upper,
                new BobyqaOptions { InitialTrustRadius = 0.3, FinalTrustRadius = 1e-2, MaxEvaluations = options.MaxEvaluations, FunctionTolerance = 1e-4 },
                cancellationToken);
            // Rescale: each coordinate's unit becomes its standard error there, √(2 / curvature of −2 log L) (by central
            // differences; forward at a θ bound), and (τ, β) are centred there. The units at the start are guesses (clm's SEs,
            // θ in 1): with many rows they differ by orders of magnitude, which leaves BOBYQA a long narrow valley.
            var xs = (double[])r1.X.Clone();
            double fs = F(xs);
            var omega = new double[dim];
            for (int i = 0; i < dim; i++) omega[i] = centre[i] + unit[i] * xs[i];
            var newUnit = (double[])unit.Clone();
            for (int i = 0; i < dim && double.IsFinite(fs); i++)
            {
                const double h = 0.05;
                var xp = (double[])xs.Clone();
                bool forward = xs[i] - h < lower[i];
                xp[i] = xs[i] + h; double f1 = F(xp);
                xp[i] = forward ? xs[i] + 2 * h : xs[i] - h; double f2 = F(xp);
                double curvature = forward ? (f2 - 2 * f1 + fs) / (h * h) : (f1 - 2 * fs + f2) / (h * h);
                if (curvature > 0 && double.IsFinite(curvature)) newUnit[i] = unit[i] * Math.Clamp(Math.Sqrt(2 / curvature), 1e-3, 10);
            }
            var xStart = new double[dim];
            for (int i = 0; i < dim; i++)
            {
                unit[i] = newUnit[i];
                if (i < a + p) centre[i] = omega[i]; else xStart[i] = (omega[i] - centre[i]) / unit[i];
            }
            // Stage 2, in standard-error units.
            var r = Bobyqa.Minimize(F, xStart, lower, upper,
                new BobyqaOptions { InitialTrustRadius = 0.3, FinalTrustRadius = 1e-5, MaxEvaluations = options.MaxEvaluations, FunctionTolerance = 1e-7 },
                cancellationToken);
            int bobyqaEvaluations = evaluations;
            followBest = false;
            F(r.X);
            newton.SetStart(newton.U);

            optimizerEvaluations = bobyqaEvaluations;
            confirmed = CheckedOptimum.Confirm(F, r, lower, upper, options.MaxEvaluations, cancellationToken);
            optimizerName = "BOBYQA";
        }
        var (x, value, reason, message, check) = confirmed;

        // Covariance of (α, β, θ) from the check's Hessian over y = x / CheckScale: ω = centre + D·x, so
        // Cov(ω) = 2 CheckScale² D H_y⁻¹ D (half the Hessian of −2 log L is the observed information). A θ on its bound
        // is not in the Hessian: the others' covariance is then conditional on it, and its own SE is missing (NaN).
        double[,]? omegaCov = null;
        if (check.Hessian is { } hy && check.Free.Length > 0 && VarianceComponentInference.SymmetricInverse(hy) is { } inverse)
        {
            omegaCov = new double[dim, dim];
            var free = check.Free;
            for (int i = 0; i < free.Length; i++)
                for (int j = 0; j < free.Length; j++)
                    omegaCov[free[i], free[j]] = 2 * CheckScale * CheckScale * unit[free[i]] * inverse[i, j] * unit[free[j]];
        }

        Unpack(x);
        var alpha = (double[])alphaBuffer.Clone();
        var beta = (double[])betaBuffer.Clone();
        var theta = (double[])thetaBuffer.Clone();
        double final = objective.Evaluate(alpha, beta, theta, maxIter);

        var warnings = new List<FitWarning>();
        var nonIntercept = o.DroppedColumns.Where(n => n != "(Intercept)").ToArray();
        if (nonIntercept.Length > 0)
            warnings.Add(new FitWarning("TMW003",
                $"Dropped fixed-effect column(s) {string.Join(", ", nonIntercept)}: constant (absorbed by the thresholds) or a linear combination of earlier columns. Remove them from the model."));
        if (reason == StopReason.MaxEvaluations)
            warnings.Add(new FitWarning("TMW002",
                $"The optimizer stopped after {evaluations} evaluations without converging. Increase OrdinalFitOptions.MaxEvaluations, rescale covariates, or simplify the random effects."));
        if (!newton.Converged)
            warnings.Add(new FitWarning("TMW009",
                $"The Newton iteration for the conditional modes did not converge at the optimum ({newton.Iterations} iterations). Center and scale the covariates or simplify the random effects."));
        if (check is { Identified: false })
            warnings.Add(new FitWarning("TMW005",
                $"The likelihood is flat along some direction of (τ, β, θ) at the optimum (curvature {(check.HessianPositiveDefinite ? "eigenvalue ratio " + check.EigenvalueRatio.ToString("G2", CultureInfo.InvariantCulture) : "not positive definite")}): these data do not identify every parameter. Look for a category observed in few clusters or a covariate that separates categories, and simplify the model."));
        else if (check is { Confirmed: false })
            warnings.Add(new FitWarning("TMW004",
                $"Convergence not confirmed: a Newton step from the optimum would still lower −2 log L by {check.NewtonDecrement.ToString("G3", CultureInfo.InvariantCulture)} after a restart. Rescale covariates or simplify the random effects, and refit."));
        CategoryCoverage(o, warnings);

        var summary = new OptimizerSummary
        {
            Optimizer = optimizerName + " over (thresholds, β, θ) from the fit without random effects; inner Newton with the exact Hessian",
            InitialTheta = theta0,
            InitialObjective = initialObjective,
            FinalTheta = (double[])theta.Clone(),
            FinalObjective = final,
            Evaluations = evaluations,
            Reason = reason,
            Message = $"{message}; {optimizerName} {optimizerEvaluations} evaluations, convergence check and polish {evaluations - optimizerEvaluations}; inner Newton {newton.TotalIterations} iterations in {newton.Runs} runs",
            NewtonDecrement = check.NewtonDecrement,
            MaxAbsGradient = check.MaxAbsGradient,
            ConvergenceConfirmed = check.Confirmed,
            EigenvalueRatio = check.EigenvalueRatio,
        };
        return Assemble(o, objective, alpha, beta, theta, omegaCov, single.Deviance, summary, warnings, maxIter);
    }

    /// <summary>
    /// A category seen in a single cluster of every term pins its threshold to that cluster's effect (clmm fits it, but
    /// the threshold and that cluster's mode trade off): warn, naming the category.
    /// </summary>
    private static void CategoryCoverage(OrdinalProblem o, List<FitWarning> warnings)
    {
        foreach (var term in o.Design.Terms)
        {
            var seen = new HashSet<int>[o.K];
            for (int j = 0; j < o.K; j++) seen[j] = [];
            for (int i = 0; i < o.N; i++) seen[o.Y[i]].Add(term.LevelIndex[i]);
            for (int j = 0; j < o.K; j++)
                if (seen[j].Count == 1)
                    warnings.Add(new FitWarning("TMW020",
                        $"Category '{o.Categories[j]}' occurs in a single level ('{term.LevelKeys[seen[j].First()]}') of '{term.Name}': its threshold is informed by that cluster alone and trades off against its random effect, so the estimate and its standard error are fragile. Merge the category with a neighbour or collect more data."));
        }
    }

    /// <summary>−2 log L at given thresholds (τ), β and θ (for checking other software's estimates on our objective).</summary>
    internal static double DevianceAt(ModelDesign design, int quadraturePoints, double[] tau, double[] beta, double[] theta)
    {
        var o = OrdinalProblem.Create(design);
        var objective = new OrdinalDeviance(new OrdinalNewton(o), quadraturePoints);
        double[] alpha = o.ThresholdStructure == ThresholdStructure.Flexible ? tau : [tau[0], tau[1] - tau[0]];
        return objective.Evaluate(alpha, beta, theta, 500);
    }

    private static OrdinalMixedModelFit Assemble(OrdinalProblem o, OrdinalDeviance objective, double[] alpha, double[] beta, double[] theta,
        double[,]? omegaCov, double singleDeviance, OptimizerSummary optimizer, List<FitWarning> warnings, int maxIter)
    {
        var s = o.Structure;
        var design = o.Design;
        var newton = objective.Newton;
        int n = o.N, p = o.P, d = theta.Length, a = o.AlphaCount, m = o.K - 1, k = design.Terms.Count;
        // The last evaluation was at the optimum: the modes, η and the factor are current.
        var u = newton.U.Select(x => (double[])x.Clone()).ToArray();
        var eta = (double[])newton.Eta.Clone();
        var tau = new double[m];
        o.Thresholds(alpha, tau);

        // Covariance of (τ, β, θ) from that of (α, β, θ): τ = J α.
        var jac = o.ThresholdJacobian();
        int full = m + p + d, dim = a + p + d;
        var map = new double[full, dim];
        for (int j = 0; j < m; j++)
            for (int c = 0; c < a; c++) map[j, c] = jac[j, c];
        for (int c = 0; c < p + d; c++) map[m + c, a + c] = 1;
        double[,]? cov = null;
        if (omegaCov is not null)
        {
            cov = new double[full, full];
            for (int i = 0; i < full; i++)
                for (int j = 0; j < full; j++)
                {
                    double acc = 0;
                    for (int x = 0; x < dim; x++)
                        for (int y = 0; y < dim; y++) acc += map[i, x] * omegaCov[x, y] * map[j, y];
                    cov[i, j] = acc;
                }
        }
        double Se(int i) => cov is not null && cov[i, i] > 0 ? Math.Sqrt(cov[i, i]) : double.NaN;
        var names = o.ThresholdNames;
        var thresholds = Enumerable.Range(0, m).Select(j => new FixedEffectEstimate { Name = names[j], Estimate = tau[j], StdError = Se(j) }).ToArray();
        var fixedEffects = Enumerable.Range(0, p).Select(c => new FixedEffectEstimate { Name = o.FixedNames[c], Estimate = beta[c], StdError = Se(m + c) }).ToArray();
        var vcov = new double[p, p];
        for (int i = 0; i < p; i++)
            for (int j = 0; j < p; j++) vcov[i, j] = cov?[m + i, m + j] ?? double.NaN;

        // Modes b = Λu per design term and Σ = TT'.
        var (modes, factors, covs) = GlmmAssembler.ModesAndCovariances(s, theta, u);
        var singular = BoundaryCheck.SingularEffects(s, factors, warnings);

        // Variance components with SEs by the delta method from θ's block.
        double[,]? thetaCov = null;
        if (cov is not null && singular.Count == 0)
        {
            thetaCov = new double[d, d];
            for (int i = 0; i < d; i++)
                for (int j = 0; j < d; j++) thetaCov[i, j] = cov[m + p + i, m + p + j];
        }
        var (vp, components, psiCov) = GlmmAssembler.VarianceComponents(s, theta, covs, thetaCov);

        // Conditional covariances of the modes from the factor at the optimum: (Λ'Z'HZΛ + I)⁻¹ blocks, scaled by T.
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
                () =>
                {
                    lock (gate)
                    {
                        objective.Evaluate(alpha, beta, theta, maxIter);
                        newton.EnsureFactor();
                        return BoundaryCheck.ConditionalCovariances(s.Factor, storage, tFactor, q, 1);
                    }
                }, sizes, own);
        }

        var fitted = new double[n];
        for (int i = 0; i < n; i++) fitted[i] = Math.Exp(CumulativeLink.RowLogProbability(o.Link, tau, o.Y[i], eta[i]));
        return new OrdinalMixedModelFit
        {
            ResponseName = design.ResponseName,
            Link = o.Link,
            QuadraturePoints = objective.QuadraturePoints,
            Categories = o.Categories,
            ThresholdStructure = o.ThresholdStructure,
            Thresholds = thresholds,
            ParameterNames = names.Concat(o.FixedNames).Concat(s.Templates.SelectMany(t => t.ThetaNames())).ToArray(),
            ParameterCovariance = cov,
            FixedEffects = fixedEffects,
            FixedEffectsCovariance = vcov,
            DroppedFixedEffects = o.DroppedColumns,
            RandomEffects = termFits,
            VarianceComponents = components,
            VarianceComponentsCovariance = psiCov,
            Theta = (double[])theta.Clone(),
            ThetaNames = s.Templates.SelectMany(t => t.ThetaNames()).ToArray(),
            ThetaLowerBounds = s.InitialTheta().Lower,
            LogLikelihood = -0.5 * optimizer.FinalObjective,
            ParameterCount = a + p + d,
            ObservationCount = n,
            RowsDropped = design.RowsDropped,
            Fitted = fitted,
            Residuals = [],
            LinearPredictor = eta,
            ConditionalDeviance = newton.ConditionalDeviance,
            SingleLevelLogLikelihood = -0.5 * singleDeviance,
            SingleLevelParameterCount = a + p,
            IsSingular = singular.Count > 0,
            Warnings = warnings,
            Optimizer = optimizer,
        };
    }
}
