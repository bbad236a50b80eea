using System.Globalization;
using TypedMixed.Families;
using TypedMixed.Inference;
using TypedMixed.Optimization;

namespace TypedMixed.Estimation;

/// <summary>
/// The GLMM fit in glmer's two stages: first θ (and the negative binomial's log k) with β solved inside PIRLS, then θ,
/// β (and log k) together on the Laplace or quadrature objective, each by BOBYQA; then the convergence check with a
/// Newton polish, the inference and the warnings.
/// </summary>
internal static class GlmmEstimator
{
    public static GeneralizedLinearMixedModelFit Fit(ModelDesign design, GlmmFitOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(design);
        if (options.QuadraturePoints < 1)
            throw new ArgumentException($"GlmmFitOptions.QuadraturePoints is {options.QuadraturePoints}: use 1 (Laplace) or more quadrature points.", nameof(options));
        var g = GlmmProblem.Create(design);
        var s = g.Structure;
        var pirls = new Pirls(g);
        var objective = new LaplaceDeviance(pirls, options.QuadraturePoints, options.LaplaceHessian);
        bool negBin = g.Family.Family == ResponseFamily.NegativeBinomial;
        bool estimateShape = negBin && options.NegativeBinomialShape is null;
        int maxIter = options.MaxPirlsIterations;

        // Start: the single-level GLM (for the negative binomial: Poisson, then a moment estimate of k).
        var glmFamilyShape = negBin ? (options.NegativeBinomialShape ?? 1e8) : double.NaN;
        g.Family.Shape = glmFamilyShape;
        var glm = SingleLevelGlm.Fit(g);
        if (negBin && options.NegativeBinomialShape is null) g.Family.Shape = MomentShape(g, glm.Eta);
        pirls.SetStart(glm.Beta, null);

        var (theta0, lower) = s.InitialTheta();
        var scale = s.ThetaScale;
        int d = theta0.Length, p = g.P;
        for (int i = 0; i < d; i++) theta0[i] /= scale[i];
        int evaluations = 0;
        double best = double.PositiveInfinity;
        var progress = options.Progress;
        void Count(double v)
        {
            evaluations++;
            if (v < best) best = v;
            progress?.Report(new FitProgress(evaluations, v, best));
        }

        // ---- Stage 1: θ (, log k); β inside PIRLS. ----
        int e1 = estimateShape ? 1 : 0;
        var thetaBuffer = new double[d];
        double Stage1(ReadOnlySpan<double> x)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (int i = 0; i < d; i++) thetaBuffer[i] = x[i] / scale[i];
            if (estimateShape) g.Family.Shape = Math.Exp(x[d]);
            double v = objective.Evaluate(thetaBuffer, default, solveBeta: true, maxIter);
            Count(v);
            return v;
        }
        var x1 = new double[d + e1];
        for (int i = 0; i < d; i++) x1[i] = theta0[i] * scale[i];
        if (estimateShape) x1[d] = Math.Log(g.Family.Shape);
        var lower1 = lower.Concat(estimateShape ? [double.NegativeInfinity] : []).ToArray();
        var upper1 = Enumerable.Repeat(double.PositiveInfinity, d + e1).ToArray();
        double initialObjective = Stage1(x1);
        if (!double.IsFinite(initialObjective))
            throw new ModelDesignException("The GLMM objective is not finite at the start (θ = identity, β from the GLM without random effects): check the response for separation or extreme values, and rescale covariates.");
        var r1 = Bobyqa.Minimize(Stage1, x1, lower1, upper1,
            new BobyqaOptions { InitialTrustRadius = 0.2, FinalTrustRadius = 1e-4, MaxEvaluations = options.MaxEvaluations, FunctionTolerance = 1e-6 },
            cancellationToken);
        int stage1Evaluations = evaluations;
        // Stage 1's optimum: β and the modes become stage 2's start, and β's scale comes from the factor there.
        var theta1 = new double[d];
        for (int i = 0; i < d; i++) theta1[i] = r1.X[i] / scale[i];
        if (estimateShape) g.Family.Shape = Math.Exp(r1.X[d]);
        objective.Evaluate(theta1, default, solveBeta: true, maxIter);
        var beta1 = (double[])pirls.Beta.Clone();
        objective.FromModes(theta1, 1);
        var unscaled = PenalizedSolution.UnscaledFixedCovariance(s.Factor);
        var betaScale = new double[p];
        for (int c = 0; c < p; c++) betaScale[c] = Math.Sqrt(Math.Max(unscaled[c, c], 1e-12));
        pirls.SetStart(beta1, pirls.U);

        // ---- Stage 2: θ, β (, log k) on the Laplace / quadrature objective. ----
        int dim = d + p + e1;
        var betaBuffer = new double[p];
        void Unpack(ReadOnlySpan<double> x)
        {
            for (int i = 0; i < d; i++) thetaBuffer[i] = x[i] / scale[i];
            for (int c = 0; c < p; c++) betaBuffer[c] = beta1[c] + betaScale[c] * x[d + c];
            if (estimateShape) g.Family.Shape = Math.Exp(x[d + p]);
        }
        double Stage2(ReadOnlySpan<double> x)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Unpack(x);
            double v = objective.Evaluate(thetaBuffer, betaBuffer, solveBeta: false, maxIter);
            Count(v);
            return v;
        }
        var x2 = new double[dim];
        Array.Copy(r1.X, x2, d);
        if (estimateShape) x2[d + p] = r1.X[d];
        var lower2 = lower.Concat(Enumerable.Repeat(double.NegativeInfinity, p + e1)).ToArray();
        var upper2 = Enumerable.Repeat(double.PositiveInfinity, dim).ToArray();
        var r2 = Bobyqa.Minimize(Stage2, x2, lower2, upper2,
            new BobyqaOptions { InitialTrustRadius = 0.05, FinalTrustRadius = 1e-7, MaxEvaluations = options.MaxEvaluations, FunctionTolerance = 1e-9 },
            cancellationToken);
        var x = r2.X;
        double value = r2.Value;
        var reason = r2.Reason;
        string message = r2.Message;

        // Confirm from finite differences and polish with the Newton step (as for LMMs).
        var check = ConvergenceCheck.At(t => Stage2(t), x, lower2);
        if (check.HessianPositiveDefinite && check.NewtonPoint is { } newton)
        {
            double nv = Stage2(newton);
            double gained = value - nv;
            if (gained > 0) { x = newton; value = nv; }
            if (!check.Confirmed && check.BoundSlopesOk && gained > 0.5 * check.NewtonDecrement && gained < 2 * check.NewtonDecrement)
                check = check with { NewtonDecrement = Math.Abs(check.NewtonDecrement - gained), PolishConfirmed = true };
        }
        if (!check.Confirmed)
        {
            var restart = Bobyqa.Minimize(Stage2, x, lower2, upper2,
                new BobyqaOptions { InitialTrustRadius = 1e-3, FinalTrustRadius = 1e-8, MaxEvaluations = options.MaxEvaluations },
                cancellationToken);
            if (restart.Value < value)
            {
                x = restart.X;
                value = restart.Value;
                reason = restart.Reason;
                message = "restarted from the first optimum: " + restart.Message;
            }
            check = ConvergenceCheck.At(t => Stage2(t), x, lower2);
        }

        Unpack(x);
        var theta = (double[])thetaBuffer.Clone();
        var beta = (double[])betaBuffer.Clone();
        double shape = g.Family.Shape;
        double final = objective.Evaluate(theta, beta, solveBeta: false, maxIter);

        var warnings = new List<FitWarning>();
        if (s.DroppedColumns.Length > 0)
            warnings.Add(new FitWarning("TMW003",
                $"The fixed-effects matrix is rank deficient: dropped {s.DroppedColumns.Length} aliased column(s): {string.Join(", ", s.DroppedColumns)}. Each is a linear combination of earlier columns; remove it from the model."));
        if (reason == StopReason.MaxEvaluations)
            warnings.Add(new FitWarning("TMW002",
                $"The optimizer stopped after {evaluations} evaluations without converging. Increase GlmmFitOptions.MaxEvaluations, rescale covariates, or simplify the random effects."));
        if (!pirls.Converged)
            warnings.Add(new FitWarning("TMW009",
                $"PIRLS did not converge at the optimum ({pirls.Iterations} iterations; the conditional modes are not pinned): the penalized deviance could not be reduced further. Center and scale the covariates, drop a random-effects term, or try adaptive quadrature (nAGQ > 1) for a single random intercept."));
        if (check is { Identified: false })
            warnings.Add(new FitWarning("TMW005",
                $"The likelihood is flat along some direction of (θ, β) at the optimum (curvature {(check.HessianPositiveDefinite ? "eigenvalue ratio " + check.EigenvalueRatio.ToString("G2", CultureInfo.InvariantCulture) : "not positive definite")}): these data do not identify every parameter. Look for separation or a fixed effect that duplicates a random one, and simplify the model."));
        else if (check is { Confirmed: false })
            warnings.Add(new FitWarning("TMW004",
                $"Convergence not confirmed: a Newton step from the optimum would still lower −2 log L by {check.NewtonDecrement.ToString("G3", CultureInfo.InvariantCulture)} after a restart. Rescale covariates (center and scale them) or simplify the random effects, and refit."));

        var summary = new OptimizerSummary
        {
            Optimizer = "BOBYQA (stage 1: θ with β in PIRLS; stage 2: θ and β)",
            InitialTheta = theta0,
            InitialObjective = initialObjective,
            FinalTheta = (double[])theta.Clone(),
            FinalObjective = final,
            Evaluations = evaluations,
            Reason = reason,
            Message = $"{message}; stage 1 {stage1Evaluations} evaluations, stage 2 and checks {evaluations - stage1Evaluations}; PIRLS {pirls.TotalIterations} iterations in {pirls.Runs} runs",
            NewtonDecrement = check.NewtonDecrement,
            MaxAbsGradient = check.MaxAbsGradient,
            ConvergenceConfirmed = check.Confirmed,
            EigenvalueRatio = check.EigenvalueRatio,
        };
        return GlmmAssembler.Assemble(g, objective, theta, beta, shape, estimateShape, glm, summary, warnings, options, maxIter, cancellationToken);
    }

    /// <summary>
    /// −2 log L (Laplace or quadrature, as <paramref name="options"/> say) at given θ and β (and shape k for the negative
    /// binomial), with PIRLS run to full precision: for checking other software's estimates on our objective.
    /// </summary>
    internal static double DevianceAt(ModelDesign design, GlmmFitOptions options, double[] theta, double[] beta, double shape = double.NaN)
    {
        var g = GlmmProblem.Create(design);
        g.Family.Shape = shape;
        var pirls = new Pirls(g);
        var objective = new LaplaceDeviance(pirls, options.QuadraturePoints, options.LaplaceHessian);
        pirls.SetStart(beta, null);
        return objective.Evaluate(theta, beta, solveBeta: false, options.MaxPirlsIterations);
    }

    /// <summary>k from the Poisson fit's means by the method of moments: Σ(y − μ)² − μ = Σ μ²/k.</summary>
    private static double MomentShape(GlmmProblem g, double[] eta)
    {
        double num = 0, den = 0;
        for (int i = 0; i < g.N; i++)
        {
            double mu = Links.Inverse(g.Family.Link, eta[i]);
            num += mu * mu;
            den += (g.Y[i] - mu) * (g.Y[i] - mu) - mu;
        }
        double k = den > 0 ? num / den : 100;
        return Math.Clamp(k, 1e-3, 1e4);
    }
}
