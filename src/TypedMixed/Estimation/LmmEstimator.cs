using TypedMixed.Inference;
using TypedMixed.Optimization;

namespace TypedMixed.Estimation;

/// <summary>The fit: optimise the profiled objective over θ, then solve for β̂ and the modes once, then inference.</summary>
internal static class LmmEstimator
{
    /// <summary>lme4's tolerance for calling a fit singular: a θ on a diagonal below this.</summary>
    public const double SingularTolerance = 1e-4;

    /// <summary>The largest move (in the optimizer's coordinates) of a large-step check's Newton step that counts as the
    /// polish by itself; a longer step gets a second Newton step from <see cref="NewtonPolish"/>. The large-step Hessian's
    /// O(h²) error makes where one long step lands depend on where it started (SparseTailTests' random-slope design: the
    /// dense and sparse fits landed 8.9e-8 apart in θ after one step); with this bound they agree to the tests' 1e-8, and
    /// InstEval still takes one step (115 evaluations, <c>TypedMixed.Benchmarks fit-profile insteval-lme4data-reml</c>).</summary>
    internal const double PolishStepBound = 5e-6;

    /// <summary>
    /// The default optimizer is the quasi-Newton method when one evaluation with the gradient costs at most this many
    /// without it (<see cref="ProfiledDevianceGradient.RelativeCost"/>): with several θ it needs 3–5 times fewer
    /// evaluations than BOBYQA, about as many with one (<c>TypedMixed.Benchmarks fit-profile MODEL --optimizer
    /// bobyqa|quasi-newton</c> at commit ff4d8f9: sleepstudy 46 → 14, Penicillin 60 → 21, lme4's InstEval 101 → 21, the
    /// synthetic InstEval 88 → 20, inner-London Model 3 20 → 18; each count includes the convergence check, and an
    /// evaluation with the gradient counts once).
    /// </summary>
    internal const double QuasiNewtonCostLimit = 3;

    /// <summary>Where a θ diagonal the quasi-Newton method left on 0 is probed (optimizer scale: the start is 1).</summary>
    private const double BoundProbe = 0.1;

    public static LinearMixedModelFit Fit(ModelDesign design, FitOptions options, CancellationToken cancellationToken)
        => Fit(MixedModelProblem.Create(design, options.TailFactorization), options, cancellationToken);

    /// <summary>The fit of a problem made from rows or from aggregated Gram blocks: only the Gram and the factor are used.</summary>
    public static LinearMixedModelFit Fit(MixedModelProblem problem, FitOptions options, CancellationToken cancellationToken)
    {
        bool reml = options.Method == EstimationMethod.Reml;
        var deviance = new ProfiledDeviance(problem.Factor, problem.N, problem.P, reml) { LogWeightSum = problem.LogWeightSum };
        var (theta0, lower) = problem.InitialTheta();
        if (options.InitialTheta is { } start)
        {
            if (start.Length != theta0.Length)
                throw new ArgumentException($"FitOptions.InitialTheta has {start.Length} values; this model's θ has {theta0.Length} ({string.Join(", ", problem.Templates.SelectMany(t => t.ThetaNames()))}).", nameof(options));
            for (int i = 0; i < start.Length; i++)
                if (!(start[i] >= lower[i]) || !double.IsFinite(start[i]))
                    throw new ArgumentException($"FitOptions.InitialTheta[{i}] = {start[i].ToString(System.Globalization.CultureInfo.InvariantCulture)} is not a valid start: diagonal entries must be finite and ≥ 0.", nameof(options));
            theta0 = (double[])start.Clone();
        }
        // The optimizer works on x = θ·s, s the scale of each θ entry's random-effects column (its root mean
        // square), so that a covariate's units do not shape the search or the singularity test. The default start
        // is Λ = I on that scale (lme4's start for intercepts).
        var scale = problem.ThetaScale;
        int dTheta = theta0.Length;
        if (options.InitialTheta is null)
            for (int i = 0; i < dTheta; i++) theta0[i] /= scale[i];
        // A residual structure adds its unbounded coordinates η after θ (on their own scale), started at independence
        // and a constant variance; the objective then includes log|R|.
        var residual = problem.Residual is null ? null : new ResidualStructureDeviance(problem, reml);
        int d = dTheta + (residual?.Count ?? 0);
        if (residual is not null)
        {
            theta0 = [.. theta0, .. residual.Whitening.Initial()];
            lower = [.. lower, .. Enumerable.Repeat(double.NegativeInfinity, residual.Count)];
            scale = [.. scale, .. residual.Whitening.CoordinateScale().Select(c => 1 / c)];
        }
        double Objective(double[] full) => residual is null ? deviance.Evaluate(full) : residual.Evaluate(full);
        // The analytic gradient (ProfiledDevianceGradient) where it covers the model: each evaluation of f and ∇f is
        // counted as one evaluation.
        var gradient = residual is null && ProfiledDevianceGradient.Supports(problem) ? new ProfiledDevianceGradient(problem, deviance) : null;
        bool quasiNewton = gradient is not null && (options.Optimizer ?? (gradient.RelativeCost <= QuasiNewtonCostLimit ? FitOptimizer.QuasiNewton : FitOptimizer.Bobyqa)) == FitOptimizer.QuasiNewton;
        // The start is evaluated once: the optimizer's first call, at the same point, gets this value (and gradient).
        double[]? startGradient = quasiNewton ? new double[d] : null;
        double initialObjective = startGradient is null ? Objective(theta0) : gradient!.Evaluate(theta0, startGradient);
        bool startUnused = true;
        if (!double.IsFinite(initialObjective))
        {
            if (residual is not null && !residual.SetResidualParameters(theta0.AsSpan(dTheta)))
                throw new ModelDesignException("The residual variance function is not positive at every row at its starting values (constant variance): check the prior weights and the variance covariates.", "ResidualVariance");
            throw new ArgumentException("The objective is not finite at the starting θ: the starting relative covariance factor does not give a positive-definite system. Start from Λ = I (leave InitialTheta unset).", nameof(options));
        }

        var x0 = new double[d];
        for (int i = 0; i < d; i++) x0[i] = theta0[i] * scale[i];
        var upper = Enumerable.Repeat(double.PositiveInfinity, d).ToArray();
        var thetaBuffer = new double[d];
        // Every evaluation, by the optimizer or the convergence check, is counted and reported here.
        int evaluations = 0;
        double best = initialObjective;
        var progress = options.Progress;
        bool IsUnusedStart(ReadOnlySpan<double> x)
        {
            if (!startUnused || !x.SequenceEqual(x0)) return false;
            startUnused = false;
            return true;
        }
        double Evaluate(ReadOnlySpan<double> x)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (int i = 0; i < d; i++) thetaBuffer[i] = x[i] / scale[i];
            double v = startGradient is null && IsUnusedStart(x) ? initialObjective : Objective(thetaBuffer);
            evaluations++;
            if (v < best) best = v;
            progress?.Report(new FitProgress(evaluations, v, best));
            return v;
        }
        var thetaGradient = new double[d];
        // The last point evaluated with the gradient (optimizer coordinates): a check there starts from what is known.
        var lastGradientAt = new double[d];
        var lastGradient = new double[d];
        double lastGradientValue = double.NaN;
        double EvaluateWithGradient(ReadOnlySpan<double> x, Span<double> gx)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (int i = 0; i < d; i++) thetaBuffer[i] = x[i] / scale[i];
            double v;
            if (startGradient is not null && IsUnusedStart(x))
            {
                v = initialObjective;
                startGradient.CopyTo(thetaGradient, 0);
            }
            else v = gradient!.Evaluate(thetaBuffer, thetaGradient);
            for (int i = 0; i < d; i++) gx[i] = thetaGradient[i] / scale[i];
            x.CopyTo(lastGradientAt);
            gx.CopyTo(lastGradient);
            lastGradientValue = v;
            evaluations++;
            if (v < best) best = v;
            progress?.Report(new FitProgress(evaluations, v, best));
            return v;
        }
        // The check from gradients costs m evaluations of f and ∇f for m free coordinates where the gradient at the point
        // is known (the quasi-Newton method's last evaluation), else 1 + m; from values 4m + m(m − 1) with the polish
        // included: take the cheaper (either when forced by FitOptions.Derivatives).
        bool checkFromGradient = gradient is not null && options.Derivatives switch
        {
            DerivativeSource.Gradient => true,
            DerivativeSource.FiniteDifferences => false,
            _ => (quasiNewton ? dTheta : 1 + dTheta) * gradient.RelativeCost < 4 * dTheta + dTheta * (dTheta - 1),
        };
        // From values the check takes the polish's large Richardson steps, so its Newton point is already polished; from
        // the gradient it is polished too (the gradient is exact).
        ConvergenceCheck CheckAt(double[] at, double atValue)
        {
            if (!checkFromGradient) return ConvergenceCheck.WithLargeSteps(t => Evaluate(t), at, lower, atValue);
            var gradientAt = new double[d];
            bool known = !double.IsNaN(lastGradientValue) && at.AsSpan().SequenceEqual(lastGradientAt);
            double valueAt = known ? lastGradientValue : EvaluateWithGradient(at, gradientAt);
            if (known) lastGradient.CopyTo(gradientAt, 0);
            return ConvergenceCheck.FromGradient((t, g) => EvaluateWithGradient(t, g), at, lower, (valueAt, gradientAt));
        }
        var quasiNewtonOptions = new ProjectedQuasiNewtonOptions { MaxEvaluations = options.MaxEvaluations, MaxExtrapolations = 4, CoordinateWeights = LevelWeights(problem, d) };
        var result = quasiNewton
            ? LeaveFalseBounds(ProjectedQuasiNewton.Minimize(EvaluateWithGradient, x0, lower, upper, quasiNewtonOptions, cancellationToken))
            : Bobyqa.Minimize(Evaluate, x0, lower, upper,
                new BobyqaOptions
                {
                    InitialTrustRadius = options.InitialTrustRadius,
                    FinalTrustRadius = options.FinalTrustRadius,
                    FunctionTolerance = options.CheckConvergence ? options.FunctionTolerance : 0,
                    MaxEvaluations = options.MaxEvaluations,
                },
                cancellationToken);

        // The objective is even in each θ diagonal (a column of T and its negative give the same Σ), so its gradient
        // vanishes on that bound: a quasi-Newton step clamped onto θᵢ = 0 stops there whether or not it is a minimum.
        // Probe each such coordinate inside (0.1 on the optimizer's scale, where the start is 1) and continue from
        // there when the objective is lower; a value's sampling (BOBYQA) does not stall this way.
        OptimizationResult LeaveFalseBounds(OptimizationResult r)
        {
            for (int attempt = 0; attempt < 3 && r.Reason != StopReason.MaxEvaluations; attempt++)
            {
                var probe = (double[])r.X.Clone();
                bool lower0 = false;
                for (int i = 0; i < dTheta; i++)
                {
                    if (!(lower[i] == 0 && r.X[i] <= ConvergenceCheck.BoundTolerance)) continue;
                    var at = (double[])r.X.Clone();
                    at[i] = BoundProbe;
                    if (Evaluate(at) < r.Value) { probe[i] = BoundProbe; lower0 = true; }
                }
                if (!lower0) return r;
                var again = ProjectedQuasiNewton.Minimize(EvaluateWithGradient, probe, lower, upper, quasiNewtonOptions, cancellationToken);
                if (!(again.Value < r.Value)) return r;
                r = again with { Evaluations = r.Evaluations + again.Evaluations };
            }
            return r;
        }

        var x = result.X;
        double value = result.Value;
        var reason = result.Reason;
        string message = result.Message;

        // Confirm the optimum from derivatives and polish it with the Newton step they give. When the step gains
        // what the quadratic model predicted, the model is accurate there and the polished point is confirmed;
        // otherwise check again at the new point, and restart the optimizer once if that still fails.
        ConvergenceCheck? check = null;
        if (options.CheckConvergence)
        {
            check = CheckAt(x, value);
            bool polished = false;
            if (check.HessianPositiveDefinite && check.NewtonPoint is { } newton)
            {
                double newtonValue = Evaluate(newton);
                double gained = value - newtonValue;
                // The Newton point of a large-step or known-gradient check is the polished point: taken unless it is
                // worse beyond rounding, so that fits from Grams equal up to rounding land on the same θ.
                if (gained > 0 || (check.LargeSteps && gained >= -1e-10 * Math.Max(1, Math.Abs(value))))
                {
                    // One Newton step is the polish only when it was short: from a point further off, the step's error
                    // (the Hessian's difference error times the distance) is above 1e-8, and a second step removes it.
                    double moved = 0;
                    for (int i = 0; i < x.Length; i++) moved = Math.Max(moved, Math.Abs(newton[i] - x[i]));
                    x = newton;
                    value = newtonValue;
                    polished = check.LargeSteps && moved <= PolishStepBound;
                }
                check = check.AfterNewtonStep(gained);
            }
            if (!check.Confirmed)
            {
                check = CheckAt(x, value);
                polished = false;
                if (!check.Confirmed)
                {
                    var restart = Bobyqa.Minimize(Evaluate, x, lower, upper,
                        new BobyqaOptions { InitialTrustRadius = 1e-3, FinalTrustRadius = Math.Min(options.FinalTrustRadius, 1e-4), MaxEvaluations = options.MaxEvaluations },
                        cancellationToken);
                    if (restart.Value < value)
                    {
                        x = restart.X;
                        value = restart.Value;
                        reason = restart.Reason;
                        message = "restarted from the first optimum: " + restart.Message;
                    }
                    check = CheckAt(x, value);
                }
            }
            // A confirmed optimum gets one more Newton step with a gradient the objective's rounding noise cannot
            // move (unless the large-step check's Newton step was that step): the fit is then the same to ~1e-10 in θ
            // for any Gram equal to this one up to rounding.
            if (check.Confirmed && NewtonPolish.Step(t => Evaluate(t), x, value, lower, check, snapOnly: polished) is { } polish)
                (x, value) = polish;
        }
        var theta = new double[dTheta];
        for (int i = 0; i < dTheta; i++) theta[i] = x[i] / scale[i];
        var eta = new double[d - dTheta];
        for (int i = dTheta; i < d; i++) eta[i - dTheta] = x[i] / scale[i];

        var warnings = new List<FitWarning>();
        if (problem.DroppedColumns.Length > 0)
            warnings.Add(new FitWarning("TMW003",
                $"The fixed-effects matrix is rank deficient: dropped {problem.DroppedColumns.Length} aliased column(s): {string.Join(", ", problem.DroppedColumns)}. Each is a linear combination of earlier columns; remove it from the model."));
        foreach (var name in problem.UnidentifiedTerms)
            warnings.Add(new FitWarning("TMW006",
                $"The variances and covariances of term '{name}' are not all identified by these data: within its clusters its columns do not vary enough (for example a random slope on a covariate that is constant within each cluster), so only some combinations of them are determined, whatever the optimizer reports. Remove that random slope, or declare the covariate as measured on the cluster."));
        if (reason == StopReason.MaxEvaluations)
            warnings.Add(new FitWarning("TMW002",
                $"The optimizer stopped after {evaluations} evaluations without converging. Increase FitOptions.MaxEvaluations, rescale covariates, or simplify the random effects."));
        if (check is { Identified: false })
            warnings.Add(new FitWarning("TMW005",
                $"The likelihood is flat along some direction of the variance parameters at the optimum (curvature {(check.HessianPositiveDefinite ? "eigenvalue ratio " + check.EigenvalueRatio.ToString("G2", System.Globalization.CultureInfo.InvariantCulture) : "not positive definite")}): these data do not identify all of them, so the reported variances are one of many equally good answers. Simplify the random effects (drop a term that duplicates another, a slope or a correlation) and compare the fits."));
        else if (check is { Confirmed: false })
            warnings.Add(new FitWarning("TMW004",
                $"Convergence not confirmed: a Newton step from the optimum would still lower the objective by {check.NewtonDecrement.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)} (tolerance {Math.Max(ConvergenceCheck.DecrementTolerance, ConvergenceCheck.RelativeDecrementTolerance * Math.Abs(check.Value)).ToString("G1", System.Globalization.CultureInfo.InvariantCulture)}), after a restart. Rescale covariates (center and scale them) or simplify the random effects, and refit."));

        var summary = new OptimizerSummary
        {
            Optimizer = quasiNewton ? "quasi-Newton (analytic gradient)" : "BOBYQA",
            InitialTheta = theta0[..dTheta],
            InitialObjective = initialObjective,
            FinalTheta = (double[])theta.Clone(),
            FinalObjective = value,
            Evaluations = evaluations,
            Reason = reason,
            Message = message,
            NewtonDecrement = check?.NewtonDecrement ?? double.NaN,
            MaxAbsGradient = check?.MaxAbsGradient ?? double.NaN,
            ConvergenceConfirmed = check?.Confirmed,
            EigenvalueRatio = check?.EigenvalueRatio ?? double.NaN,
        };
        return FitAssembler.Assemble(problem, deviance, theta, summary, warnings, options, residual, eta);
    }

    /// <summary>
    /// Per θ entry the number of levels of its term: the profiled objective's curvature in a term's θ grows with the
    /// levels it has (each contributes a log-determinant and a penalty term), so a 14-level term's θ is as far from its
    /// optimum in gradient units as a 3,000-level term's would be a 200th of that. Residual-structure coordinates get 1.
    /// </summary>
    private static double[] LevelWeights(MixedModelProblem problem, int d)
    {
        var w = Enumerable.Repeat(1.0, d).ToArray();
        var g = problem.Gram;
        for (int b = problem.StorageShift; b < g.BlockCount - 1; b++)
        {
            var tp = problem.Templates[problem.TermOrder[b - problem.StorageShift]];
            for (int e = 0; e < tp.ThetaCount; e++) w[tp.ThetaOffset + e] = Math.Max(1, g.Levels[b]);
        }
        return w;
    }

    /// <summary>Everything a fit reports, at a given θ instead of the optimum (for comparisons with other software's θ̂).</summary>
    internal static LinearMixedModelFit AssembleAt(ModelDesign design, FitOptions options, double[] theta)
        => AssembleAt(MixedModelProblem.Create(design, options.TailFactorization), options, theta);

    /// <summary>Everything a fit reports at a given θ, for a problem from rows or from aggregated blocks.</summary>
    internal static LinearMixedModelFit AssembleAt(MixedModelProblem problem, FitOptions options, double[] theta)
    {
        if (problem.Residual is not null)
            throw new NotSupportedException("AssembleAt evaluates independent-residual models only: a residual structure's parameters are not part of θ.");
        var deviance = new ProfiledDeviance(problem.Factor, problem.N, problem.P, options.Method == EstimationMethod.Reml) { LogWeightSum = problem.LogWeightSum };
        double value = deviance.Evaluate(theta);
        var summary = new OptimizerSummary
        {
            InitialTheta = theta,
            InitialObjective = value,
            FinalTheta = theta,
            FinalObjective = value,
            Evaluations = 1,
            Reason = StopReason.Converged,
            Message = "evaluated at a given θ",
        };
        return FitAssembler.Assemble(problem, deviance, (double[])theta.Clone(), summary, [], options);
    }
}
