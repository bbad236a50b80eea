using TypedMixed.Estimation;
using TypedMixed.Inference;
using TypedMixed.Optimization;

namespace TypedMixed;

/// <summary>
/// The likelihood profile of a linear mixed model, as lme4's <c>profile(fit)</c>, and the profile-likelihood
/// confidence intervals from it (<c>confint(fit, method = "profile")</c>): for each SD, correlation, σ and fixed
/// effect, the deviance is minimised over all other parameters with that one held at a sequence of values. Like lme4,
/// a REML fit is profiled on the ML deviance of its ML refit.
/// </summary>
public sealed class LikelihoodProfile
{
    private LikelihoodProfile(LinearMixedModelFit fit, string[] names, IReadOnlyList<ParameterProfile> profiles, IReadOnlyList<string> warnings)
    {
        MaximumLikelihoodFit = fit;
        ParameterNames = names;
        Profiles = profiles;
        Warnings = warnings;
    }

    /// <summary>The ML fit whose deviance is profiled (the design refitted by ML when a REML fit was asked for).</summary>
    public LinearMixedModelFit MaximumLikelihoodFit { get; }

    /// <summary>Every parameter in lme4's order: the SDs and correlations per term, <c>sigma</c>, then the fixed effects.</summary>
    public IReadOnlyList<string> ParameterNames { get; }

    /// <summary>The profiles computed, in <see cref="ParameterNames"/> order.</summary>
    public IReadOnlyList<ParameterProfile> Profiles { get; }

    /// <summary>What went wrong along the way (a lower deviance found, a profile that is not monotone); empty when nothing did.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Finds a profile by parameter name.</summary>
    public ParameterProfile Profile(string name) =>
        Profiles.FirstOrDefault(p => p.Name == name)
        ?? throw new KeyNotFoundException($"No profile of '{name}'. Profiled: {string.Join(", ", Profiles.Select(p => p.Name))}.");

    /// <summary>The profile-likelihood intervals of every profiled parameter at <paramref name="level"/> (lme4's <c>confint(profile)</c>).</summary>
    public IReadOnlyList<ConfidenceInterval> ConfidenceIntervals(double level = 0.95) => Profiles.Select(p => p.Interval(level)).ToArray();

    /// <summary>
    /// Profiles the linear mixed model of <paramref name="design"/>: refits it by ML (lme4 profiles REML fits that way
    /// too), then traces every parameter (or <see cref="ProfileOptions.Parameters"/>), in parallel over parameters.
    /// </summary>
    /// <exception cref="ModelDesignException">The design is malformed.</exception>
    /// <exception cref="NotSupportedException">The design is not a linear mixed model with independent residuals.</exception>
    public static LikelihoodProfile Compute(ModelDesign design, ProfileOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(design);
        options ??= new ProfileOptions();
        if (design.Family != ResponseFamily.Gaussian)
            throw new NotSupportedException($"Profile-likelihood intervals are computed for linear mixed models; this design's family is {design.Family}. Use ParametricBootstrap for generalized and ordinal models.");
        if (design.ResidualCorrelation is not null || design.ResidualVariance is not null)
            throw new NotSupportedException("Profile-likelihood intervals are not available for models with a residual correlation or variance function yet; use ParametricBootstrap, or Wald intervals.");
        if (!(options.AlphaMax > 0 && options.AlphaMax < 1)) throw new ArgumentOutOfRangeException(nameof(options), options.AlphaMax, "ProfileOptions.AlphaMax must lie strictly between 0 and 1 (default 0.01).");
        if (options.MaxPoints < 3) throw new ArgumentOutOfRangeException(nameof(options), options.MaxPoints, "ProfileOptions.MaxPoints must be at least 3 (default 100).");
        if (!(options.DeltaCutoff > 0)) throw new ArgumentOutOfRangeException(nameof(options), options.DeltaCutoff, "ProfileOptions.DeltaCutoff must be positive (default 1/8).");

        var fitOptions = new FitOptions { Method = EstimationMethod.MaximumLikelihood, Satterthwaite = false, VarianceComponentErrors = false };
        var fit = LinearMixedModel.Fit(design, fitOptions, cancellationToken);
        var problem = MixedModelProblem.Create(design);
        var sdcor = new SdCorParameters(problem.Templates);
        var optimum = sdcor.FromTheta(fit.Theta, fit.Sigma);
        var beta = fit.FixedEffects.Select(f => f.Estimate).ToArray();
        var names = sdcor.Names.Concat(fit.FixedEffects.Select(f => f.Name)).ToArray();
        double[] full = [.. optimum, .. beta];
        int m = optimum.Length, p = beta.Length;
        int total = m + p;
        double cutoff = Math.Sqrt(Distributions.ChiSquareQuantile(1 - options.AlphaMax, total));
        double delta = cutoff * options.DeltaCutoff;

        var which = options.Parameters is null ? Enumerable.Range(0, total).ToArray()
            : options.Parameters.Select(n => Array.IndexOf(names, n) is int i and >= 0 ? i
                : throw new ArgumentException($"ProfileOptions.Parameters names '{n}', which this model does not have. Its parameters are: {string.Join(", ", names)}.", nameof(options))).Distinct().OrderBy(i => i).ToArray();
        var results = new ParameterProfile[which.Length];
        var warnings = new System.Collections.Concurrent.ConcurrentBag<(int, string)>();
        int completed = 0;
        var walker = new Walker(options.MaxPoints, cutoff, delta);
        Parallel.For(0, which.Length, new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism, CancellationToken = cancellationToken }, k =>
        {
            int w = which[k];
            var trace = w < m
                ? new VarianceParameterTrace(design, sdcor, full, w, fit.Deviance, cancellationToken).Walk(walker)
                : new FixedEffectTrace(design, problem.KeptColumns, fit, sdcor, full, w - m, delta, cancellationToken).Walk(walker);
            var profile = trace.ToProfile(names[w], w < m ? sdcor.Kinds[w] : ProfileParameterKind.FixedEffect,
                w < m ? sdcor.Lower(w) : double.NegativeInfinity, w < m ? sdcor.Upper(w) : double.PositiveInfinity);
            foreach (var message in trace.Warnings) warnings.Add((w, $"{names[w]}: {message}"));
            if (!profile.IsMonotone) warnings.Add((w, $"{names[w]}: the profile is not monotone; its interval comes from linear interpolation or is missing."));
            results[k] = profile;
            int done = Interlocked.Increment(ref completed);
            options.Progress?.Report(new ProfileProgress(names[w], done, which.Length));
        });
        return new LikelihoodProfile(fit, names, results, warnings.OrderBy(x => x.Item1).Select(x => x.Item2).Distinct().ToArray());
    }

    /// <summary>lme4's stepping rule: steps of about δ in ζ, capped at 10× the last step, inside the parameter's bounds.</summary>
    private sealed record Walker(int MaxPoints, double Cutoff, double Delta)
    {
        private const double MinStep = 1e-6, MaxMultiple = 10;

        /// <summary>Extends the trace from its last two points until |ζ| passes the cutoff, a bound is hit, or MaxPoints.</summary>
        public void Extend(List<TracePoint> points, double lower, double upper, Func<double, double[], TracePoint> zeta)
        {
            int i = 1;
            while (i < MaxPoints - 1 && points[i].Value > lower && points[i].Value < upper
                   && (double.IsNaN(points[i].Zeta) || Math.Abs(points[i].Zeta) <= Cutoff))
            {
                double num = points[i].Value - points[i - 1].Value, denom = points[i].Zeta - points[i - 1].Zeta;
                double step;
                if (double.IsNaN(denom) || denom == 0) step = MinStep;
                else
                {
                    step = Delta * num / denom;
                    if (step < 0) step = MinStep;
                    else if (Math.Abs(step) > MaxMultiple * Math.Abs(num)) step = MaxMultiple * Math.Abs(num);
                }
                double next = Math.Min(upper, Math.Max(lower, points[i].Value + Math.Sign(num) * step));
                points.Add(zeta(next, points[i].Parameters));
                i++;
            }
        }
    }

    /// <summary>One point of a trace: the value, ζ, and every parameter there.</summary>
    private readonly record struct TracePoint(double Value, double Zeta, double[] Parameters);

    /// <summary>The points of one parameter's trace, collected from both sides of the estimate.</summary>
    private abstract class Trace
    {
        protected Trace(double[] optimum, int index)
        {
            Optimum = optimum;
            Index = index;
        }

        protected double[] Optimum { get; }
        protected int Index { get; }
        public List<string> Warnings { get; } = [];
        private readonly List<TracePoint> _all = [];

        /// <summary>ζ and the other parameters with this one held at <paramref name="value"/>, starting from <paramref name="start"/>.</summary>
        protected abstract TracePoint At(double value, double[] start);

        protected abstract double FirstStep { get; }
        protected abstract double Lower { get; }
        protected abstract double Upper { get; }

        public Trace Walk(Walker walker)
        {
            double estimate = Optimum[Index];
            var opt = new TracePoint(estimate, 0, Optimum);
            var shifted = At(FirstStep, Optimum);
            var up = new List<TracePoint> { opt, shifted };
            walker.Extend(up, Lower, Upper, At);
            _all.AddRange(up);
            if (estimate > Lower)
            {
                var down = new List<TracePoint> { shifted, opt };
                walker.Extend(down, Lower, Upper, At);
                _all.AddRange(down);
            }
            return this;
        }

        public ParameterProfile ToProfile(string name, ProfileParameterKind kind, double lower, double upper)
        {
            var points = _all.Where(t => !double.IsNaN(t.Zeta)).GroupBy(t => t.Value).Select(g => g.First()).OrderBy(t => t.Value).ToArray();
            return new ParameterProfile(name, kind, Optimum[Index], lower, upper,
                points.Select(t => t.Value).ToArray(), points.Select(t => t.Zeta).ToArray(), points.Select(t => t.Parameters).ToArray());
        }

        /// <summary>ζ from the deviance at the point: sign(x − x̂)·√max(0, d − d̂), noting a clearly lower deviance.</summary>
        protected double Zeta(double value, double deviance, double baseDeviance)
        {
            if (double.IsNaN(deviance)) return double.NaN;
            double diff = deviance - baseDeviance;
            if (diff < -1e-6)
                Warnings.Add($"profiling found a deviance {(-diff).ToString("G3", System.Globalization.CultureInfo.InvariantCulture)} below the fit's: the fit had not fully converged.");
            return Math.Sign(value - Optimum[Index]) * Math.Sqrt(Math.Max(0, diff));
        }
    }

    /// <summary>
    /// A variance parameter (SD, correlation or σ) held fixed: the ML deviance as a function of all the sdcor
    /// parameters, −2ℓ = log|L_Z|² + r²(θ)/σ² + n log(2πσ²) − Σ log wᵢ (β profiled out), minimised over the others.
    /// </summary>
    private sealed class VarianceParameterTrace : Trace
    {
        private readonly MixedModelProblem _problem;
        private readonly SdCorParameters _sdcor;
        private readonly double _base;
        private readonly CancellationToken _cancellationToken;
        private readonly int _m;
        private readonly double[] _theta;
        private readonly double[] _scale;

        public VarianceParameterTrace(ModelDesign design, SdCorParameters sdcor, double[] optimum, int index, double baseDeviance, CancellationToken cancellationToken)
            : base(optimum, index)
        {
            _problem = MixedModelProblem.Create(design);
            _sdcor = sdcor;
            _base = baseDeviance;
            _cancellationToken = cancellationToken;
            _m = sdcor.ThetaLength + 1;
            _theta = new double[sdcor.ThetaLength];
            // The optimizer works on each SD relative to σ̂ or its estimate, correlations as they are.
            double sigma = optimum[_m - 1];
            _scale = Enumerable.Range(0, _m).Select(i => sdcor.Kinds[i] == ProfileParameterKind.Correlation ? 1 : optimum[i] > 0 ? optimum[i] : sigma).ToArray();
        }

        protected override double FirstStep => Optimum[Index] == 0 ? 0.001 : Optimum[Index] * 1.01;
        protected override double Lower => _sdcor.Lower(Index);
        protected override double Upper => _sdcor.Upper(Index);

        private double Deviance(ReadOnlySpan<double> v)
        {
            double sigma = v[_m - 1];
            if (!(sigma > 0) || !_sdcor.ToTheta(v, _theta) || !_problem.Factor.Update(_theta)) return double.PositiveInfinity;
            var f = _problem.Factor;
            return f.LogDetZ - _problem.LogWeightSum + f.PenalizedRss / (sigma * sigma) + _problem.N * Math.Log(2 * Math.PI * sigma * sigma);
        }

        protected override TracePoint At(double value, double[] start)
        {
            var v = new double[_m];
            Array.Copy(start, v, _m);
            v[Index] = value;
            int free = _m - 1;
            var x0 = new double[free];
            var lo = new double[free];
            var hi = new double[free];
            var map = new int[free];
            for (int i = 0, k = 0; i < _m; i++)
            {
                if (i == Index) continue;
                map[k] = i;
                lo[k] = _sdcor.Lower(i) / _scale[i];
                hi[k] = _sdcor.Upper(i) / _scale[i];
                x0[k] = Math.Clamp(v[i], _sdcor.Lower(i), _sdcor.Upper(i)) / _scale[i];
                k++;
            }
            var work = (double[])v.Clone();
            double Objective(ReadOnlySpan<double> x)
            {
                for (int k = 0; k < free; k++) work[map[k]] = x[k] * _scale[map[k]];
                return Deviance(work);
            }
            var result = Bobyqa.Minimize(Objective, x0, lo, hi,
                new BobyqaOptions { InitialTrustRadius = 0.05, FinalTrustRadius = 1e-8 }, _cancellationToken);
            for (int k = 0; k < free; k++) v[map[k]] = result.X[k] * _scale[map[k]];
            double deviance = Deviance(v);
            // β̂ at this θ: the rest of the parameter vector.
            double[] parameters = double.IsFinite(deviance) ? [.. v, .. PenalizedSolution.Beta(_problem.Factor)] : [.. v, .. Optimum.AsSpan(_m).ToArray()];
            return new TracePoint(value, double.IsFinite(deviance) ? Zeta(value, deviance, _base) : double.NaN, parameters);
        }
    }

    /// <summary>
    /// A fixed effect βⱼ held fixed: its column moves into the offset (xⱼβⱼ), the other β and σ are profiled out, and the
    /// ML deviance is minimised over θ from θ̂ (as lme4 does).
    /// </summary>
    private sealed class FixedEffectTrace : Trace
    {
        private readonly ModelDesign _design;
        private readonly int[] _kept;
        private readonly int _j;
        private readonly double _base, _stdError;
        private readonly double[] _thetaHat;
        private readonly SdCorParameters _sdcor;
        private readonly CancellationToken _cancellationToken;
        private readonly double _firstDelta;

        public FixedEffectTrace(ModelDesign design, int[] kept, LinearMixedModelFit fit, SdCorParameters sdcor, double[] optimum, int j, double firstDelta, CancellationToken cancellationToken)
            : base(optimum, sdcor.ThetaLength + 1 + j)
        {
            _design = design;
            _kept = kept;
            _j = j;
            _base = fit.Deviance;
            _stdError = fit.FixedEffects[j].StdError;
            _thetaHat = fit.Theta;
            _sdcor = sdcor;
            _cancellationToken = cancellationToken;
            _firstDelta = firstDelta;
        }

        /// <summary>The first point, β̂ⱼ + δ·SE (δ the walker's step in ζ), as lme4.</summary>
        protected override double FirstStep => Optimum[Index] + _firstDelta * _stdError;
        protected override double Lower => double.NegativeInfinity;
        protected override double Upper => double.PositiveInfinity;

        protected override TracePoint At(double value, double[] start)
        {
            int n = _design.Rows, p = _kept.Length;
            int column = _kept[_j];
            var offset = _design.Offset is { } o ? (double[])o.Clone() : new double[n];
            Factorization.DenseKernels.Axpy(value, _design.FixedEffects.AsSpan(column * n, n), offset);
            var others = _kept.Where((c, i) => i != _j).ToArray();
            var x = new double[n * others.Length];
            for (int c = 0; c < others.Length; c++) Array.Copy(_design.FixedEffects, others[c] * n, x, c * n, n);
            var reduced = new ModelDesign
            {
                ResponseName = _design.ResponseName,
                Response = _design.Response,
                FixedEffects = x,
                FixedEffectNames = others.Select(c => _design.FixedEffectNames[c]).ToArray(),
                Terms = _design.Terms,
                Offset = offset,
                Weights = _design.Weights,
            };
            var problem = MixedModelProblem.Create(reduced);
            var deviance = new ProfiledDeviance(problem.Factor, problem.N, problem.P, reml: false) { LogWeightSum = problem.LogWeightSum };
            var (_, lower) = problem.InitialTheta();
            var scale = problem.ThetaScale;
            int d = _thetaHat.Length;
            var x0 = new double[d];
            for (int i = 0; i < d; i++) x0[i] = _thetaHat[i] * scale[i];
            var theta = new double[d];
            var upper = Enumerable.Repeat(double.PositiveInfinity, d).ToArray();
            double Objective(ReadOnlySpan<double> y)
            {
                for (int i = 0; i < d; i++) theta[i] = y[i] / scale[i];
                return deviance.Evaluate(theta);
            }
            var result = Bobyqa.Minimize(Objective, x0, lower, upper,
                new BobyqaOptions { InitialTrustRadius = 0.05, FinalTrustRadius = 1e-8 }, _cancellationToken);
            for (int i = 0; i < d; i++) theta[i] = result.X[i] / scale[i];
            double value2 = deviance.Evaluate(theta);
            if (!double.IsFinite(value2)) return new TracePoint(value, double.NaN, (double[])start.Clone());
            double sigma = Math.Sqrt(problem.Factor.PenalizedRss / problem.N);
            var betaOthers = PenalizedSolution.Beta(problem.Factor);
            var parameters = new double[Optimum.Length];
            _sdcor.FromTheta(theta, sigma).CopyTo(parameters, 0);
            int b0 = _sdcor.ThetaLength + 1;
            for (int i = 0, k = 0; i < p; i++) parameters[b0 + i] = i == _j ? value : betaOthers[k++];
            return new TracePoint(value, Zeta(value, value2, _base), parameters);
        }
    }
}
