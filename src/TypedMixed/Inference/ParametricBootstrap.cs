using TypedMixed.Estimation;
using TypedMixed.Inference;

namespace TypedMixed;

/// <summary>Settings of a parametric bootstrap. Set <see cref="Replicates"/> and <see cref="Seed"/>; the rest have defaults.</summary>
public sealed class BootstrapOptions
{
    /// <summary>Number of simulated data sets (lme4's <c>nsim</c>).</summary>
    public required int Replicates { get; init; }

    /// <summary>The seed: the same seed gives the same replicates, whatever the number of threads.</summary>
    public required int Seed { get; init; }

    /// <summary>Replicates are refitted in parallel on up to this many threads; −1 (default): all cores.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>Receives a report after each replicate is refitted.</summary>
    public IProgress<BootstrapProgress>? Progress { get; init; }
}

/// <summary>Progress of a bootstrap: replicates done (refitted or failed) out of the total, and how many failed.</summary>
public readonly record struct BootstrapProgress(int Completed, int Total, int Failed);

/// <summary>How a bootstrap interval is formed from the replicates' quantiles.</summary>
public enum BootstrapIntervalType
{
    /// <summary>The α/2 and 1 − α/2 quantiles of the replicates (boot's "perc").</summary>
    Percentile,

    /// <summary>2t₀ minus the 1 − α/2 and α/2 quantiles (boot's "basic"), t₀ the estimate.</summary>
    Basic,
}

/// <summary>The replicates of a parametric bootstrap (lme4's <c>bootMer</c>): one row of statistics per simulated data set.</summary>
public sealed class BootstrapResult
{
    internal BootstrapResult(string[] names, double[] observed, double[][] replicates, int failed, int seed, IReadOnlyList<string> failures)
    {
        StatisticNames = names;
        Observed = observed;
        Replicates = replicates;
        Failed = failed;
        Seed = seed;
        FailureMessages = failures;
    }

    /// <summary>Names of the statistics (by default lme4's profile names: <c>sd_(Intercept)|Subject</c>, <c>sigma</c>, the fixed effects).</summary>
    public IReadOnlyList<string> StatisticNames { get; }

    /// <summary>The statistics of the original fit (boot's t₀).</summary>
    public IReadOnlyList<double> Observed { get; }

    /// <summary>One row per replicate, in replicate order (boot's t); a row of NaN where the refit failed.</summary>
    public IReadOnlyList<double[]> Replicates { get; }

    /// <summary>How many refits failed (their rows are NaN).</summary>
    public int Failed { get; }

    /// <summary>The seed used.</summary>
    public int Seed { get; }

    /// <summary>The first few failures' messages, for diagnosis.</summary>
    public IReadOnlyList<string> FailureMessages { get; }

    /// <summary>The finite replicate values of statistic <paramref name="index"/>, sorted.</summary>
    public double[] SortedValues(int index) => Replicates.Select(r => r[index]).Where(double.IsFinite).Order().ToArray();

    /// <summary>Mean of the finite replicate values of statistic <paramref name="index"/>.</summary>
    public double Mean(int index) => SortedValues(index) is { Length: > 0 } v ? v.Average() : double.NaN;

    /// <summary>Standard deviation (n − 1) of the finite replicate values of statistic <paramref name="index"/>: the bootstrap standard error.</summary>
    public double StdDev(int index)
    {
        var v = SortedValues(index);
        if (v.Length < 2) return double.NaN;
        double mean = v.Average();
        return Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
    }

    /// <summary>
    /// Bootstrap intervals of every statistic at <paramref name="level"/>, from R's type-7 quantiles of its finite
    /// replicate values (a statistic that is undefined in some replicates, e.g. a correlation of a singular refit, uses the rest).
    /// </summary>
    public IReadOnlyList<ConfidenceInterval> Intervals(double level = 0.95, BootstrapIntervalType type = BootstrapIntervalType.Percentile)
    {
        if (!(level > 0 && level < 1)) throw new ArgumentOutOfRangeException(nameof(level), level, "The level must lie strictly between 0 and 1, e.g. 0.95.");
        double a = (1 - level) / 2;
        var result = new ConfidenceInterval[StatisticNames.Count];
        for (int i = 0; i < result.Length; i++)
        {
            var v = SortedValues(i);
            double lo = Distributions.SampleQuantile(v, a), hi = Distributions.SampleQuantile(v, 1 - a);
            if (type == BootstrapIntervalType.Basic) (lo, hi) = (2 * Observed[i] - hi, 2 * Observed[i] - lo);
            result[i] = new ConfidenceInterval(StatisticNames[i], KindOf(StatisticNames[i]), Observed[i], lo, hi);
        }
        return result;
    }

    private static ProfileParameterKind KindOf(string name) =>
        name.StartsWith("sd_", StringComparison.Ordinal) ? ProfileParameterKind.StandardDeviation
        : name.StartsWith("cor_", StringComparison.Ordinal) ? ProfileParameterKind.Correlation
        : name == "sigma" ? ProfileParameterKind.ResidualStandardDeviation
        : ProfileParameterKind.FixedEffect;
}

/// <summary>
/// The parametric bootstrap of a fitted mixed model (lme4's <c>bootMer(fit, FUN, nsim, type = "parametric",
/// use.u = FALSE)</c>): simulate new responses from the fit (<see cref="ResponseSimulation"/>), refit the same model to
/// each, and collect statistics. Replicate i draws from its own generator seeded from (seed, i), so the results depend
/// on the seed only, not on the number of threads. A caller's statistic is called from several threads at once.
/// </summary>
public static class ParametricBootstrap
{
    /// <summary>
    /// Bootstraps a linear mixed model; the statistics are the SDs, correlations and σ (lme4's sdcor scale), the
    /// fixed effects, and a residual structure's ρ and variance-function parameters, unless <paramref name="statistic"/> (with <paramref name="statisticNames"/>) says otherwise.
    /// Each replicate is refitted with the original method (REML or ML), without the variance-component SEs and
    /// Satterthwaite df.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled through <paramref name="cancellationToken"/>.</exception>
    public static BootstrapResult Run(ModelDesign design, LinearMixedModelFit fit, BootstrapOptions options,
        Func<LinearMixedModelFit, double[]>? statistic = null, IReadOnlyList<string>? statisticNames = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(design);
        ArgumentNullException.ThrowIfNull(fit);
        var fitOptions = new FitOptions { Method = fit.Method, VarianceComponentErrors = false, Satterthwaite = false };
        var (names, stat) = Statistic(design, fit, statistic, statisticNames, f => f.Sigma);
        if (statistic is null && (fit.ResidualCorrelation is not null || fit.ResidualVarianceFunction is not null))
        {
            // The residual structure's parameters after the others: ρ, then the variance function's (nlme's names).
            var core = stat;
            names = [.. names, .. fit.ResidualCorrelation is null ? [] : new[] { "rho" }, .. fit.ResidualVarianceFunction?.ParameterNames ?? []];
            stat = f => [.. core(f), .. f.ResidualCorrelation is { } c ? new[] { c.Parameter } : [], .. f.ResidualVarianceFunction?.Parameters ?? []];
        }
        return Run(design, fit, options, names, stat, d => LinearMixedModel.Fit(d, fitOptions, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Bootstraps a generalized linear mixed model (binomial, Poisson, negative binomial); the statistics are the SDs
    /// and correlations of the random effects and the fixed effects (link scale), unless <paramref name="statistic"/>
    /// says otherwise. Replicates are refitted with <paramref name="fitOptions"/> (default: the fit's quadrature points,
    /// no variance-component SEs).
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled through <paramref name="cancellationToken"/>.</exception>
    public static BootstrapResult Run(ModelDesign design, GeneralizedLinearMixedModelFit fit, BootstrapOptions options,
        GlmmFitOptions? fitOptions = null, Func<GeneralizedLinearMixedModelFit, double[]>? statistic = null, IReadOnlyList<string>? statisticNames = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(design);
        ArgumentNullException.ThrowIfNull(fit);
        fitOptions ??= new GlmmFitOptions { QuadraturePoints = fit.QuadraturePoints, VarianceComponentErrors = false };
        var (names, stat) = Statistic(design, fit, statistic, statisticNames, null);
        return Run(design, fit, options, names, stat, d => GeneralizedLinearMixedModel.Fit(d, fitOptions, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Bootstraps an ordinal (cumulative link) mixed model; the statistics are the thresholds, the fixed effects and the
    /// SDs and correlations of the random effects, unless <paramref name="statistic"/> says otherwise.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled through <paramref name="cancellationToken"/>.</exception>
    public static BootstrapResult Run(ModelDesign design, OrdinalMixedModelFit fit, BootstrapOptions options,
        OrdinalFitOptions? fitOptions = null, Func<OrdinalMixedModelFit, double[]>? statistic = null, IReadOnlyList<string>? statisticNames = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(design);
        ArgumentNullException.ThrowIfNull(fit);
        fitOptions ??= new OrdinalFitOptions { QuadraturePoints = fit.QuadraturePoints };
        string[] names;
        Func<OrdinalMixedModelFit, double[]> stat;
        if (statistic is null)
        {
            var (varianceNames, variance) = Statistic<OrdinalMixedModelFit>(design, fit, null, null, null);
            names = [.. fit.Thresholds.Select(t => t.Name), .. varianceNames];
            stat = f => [.. f.Thresholds.Select(t => t.Estimate), .. variance(f)];
        }
        else (names, stat) = Statistic(design, fit, statistic, statisticNames, null);
        return Run(design, fit, options, names, stat, d => OrdinalMixedModel.Fit(d, fitOptions, cancellationToken), cancellationToken);
    }

    /// <summary>The default statistics (sdcor, then β) or the caller's, with their names checked.</summary>
    private static (string[] Names, Func<TFit, double[]> Statistic) Statistic<TFit>(ModelDesign design, TFit fit, Func<TFit, double[]>? statistic,
        IReadOnlyList<string>? names, Func<TFit, double>? sigma) where TFit : MixedModelFit
    {
        if (statistic is not null)
        {
            var value = statistic(fit);
            names ??= Enumerable.Range(1, value.Length).Select(i => "t" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            if (names.Count != value.Length)
                throw new ArgumentException($"The statistic returns {value.Length} values but {names.Count} names were given.", nameof(names));
            return (names.ToArray(), statistic);
        }
        int offset = 0;
        var templates = design.Terms.Select(t =>
        {
            var template = new CovarianceTemplate(t.Name, t.ColumnNames, t.Covariance, offset);
            offset += template.ThetaCount;
            return template;
        }).ToArray();
        var sdcor = new SdCorParameters(templates);
        int keep = sigma is null ? sdcor.ThetaLength : sdcor.ThetaLength + 1;
        string[] all = [.. sdcor.Names.Take(keep), .. fit.FixedEffects.Select(f => f.Name)];
        return (all, f => [.. sdcor.FromTheta(f.Theta, sigma?.Invoke(f) ?? 1).Take(keep), .. f.FixedEffects.Select(e => e.Estimate)]);
    }

    /// <summary>Simulate, refit and collect, in parallel; each replicate seeded from (seed, index).</summary>
    private static BootstrapResult Run<TFit>(ModelDesign design, TFit fit, BootstrapOptions options, string[] names,
        Func<TFit, double[]> statistic, Func<ModelDesign, TFit> refit, CancellationToken cancellationToken) where TFit : MixedModelFit
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Replicates < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.Replicates, "BootstrapOptions.Replicates must be at least 1.");
        var observed = statistic(fit);
        int nsim = options.Replicates, k = observed.Length;
        // Check once that the fit can be simulated from this design (clear errors before any thread starts).
        ResponseSimulation.Simulate(design, fit, new Random(0));
        var rows = new double[nsim][];
        int completed = 0, failed = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        Parallel.For(0, nsim, new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism, CancellationToken = cancellationToken }, i =>
        {
            var random = new Random(ReplicateSeed(options.Seed, i));
            var y = ResponseSimulation.Simulate(design, fit, random);
            var simulated = WithResponse(design, y);
            double[] row;
            try
            {
                row = statistic(refit(simulated));
                if (row.Length != k) throw new InvalidOperationException($"The statistic returned {row.Length} values for replicate {i} and {k} for the fit.");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                row = Enumerable.Repeat(double.NaN, k).ToArray();
                Interlocked.Increment(ref failed);
                if (failures.Count < 5) failures.Enqueue($"replicate {i}: {e.Message}");
            }
            rows[i] = row;
            int done = Interlocked.Increment(ref completed);
            options.Progress?.Report(new BootstrapProgress(done, nsim, Volatile.Read(ref failed)));
        });
        return new BootstrapResult(names, observed, rows, failed, options.Seed, [.. failures]);
    }

    /// <summary>A 32-bit seed for replicate i from (seed, i) by the SplitMix64 finalizer: independent of thread scheduling.</summary>
    internal static int ReplicateSeed(int seed, int index)
    {
        ulong z = ((ulong)(uint)seed << 32 | (uint)index) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }

    /// <summary>The design with a new response (everything else shared).</summary>
    private static ModelDesign WithResponse(ModelDesign d, double[] y) => new()
    {
        ResponseName = d.ResponseName,
        Response = y,
        FixedEffects = d.FixedEffects,
        FixedEffectNames = d.FixedEffectNames,
        Terms = d.Terms,
        Family = d.Family,
        Link = d.Link,
        Trials = d.Trials,
        Ordinal = d.Ordinal,
        Offset = d.Offset,
        Weights = d.Weights,
        ResidualCorrelation = d.ResidualCorrelation,
        ResidualVariance = d.ResidualVariance,
        RowsDropped = d.RowsDropped,
    };
}
