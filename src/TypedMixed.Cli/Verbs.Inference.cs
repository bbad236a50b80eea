using System.Diagnostics;
using System.Globalization;
using System.Text;
using TypedMixed.Cli.Data;
using TypedMixed.Plotting;

namespace TypedMixed.Cli;

/// <summary>
/// <c>confint --method profile</c> (lme4's <c>confint(fit, method = "profile")</c>) and <c>confint --method boot</c>
/// (<c>confint(fit, method = "boot")</c>, a parametric bootstrap as <c>bootMer</c>): intervals for every SD,
/// correlation, σ and fixed effect.
/// </summary>
internal static partial class Verbs
{
    private static int ConfintProfileOrBoot(CliArguments a, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var prepared = CliApp.Prepare(a, a.Formula, stderr);
        var design = prepared.Built.Design;
        return a.ConfintMethod == ConfintMethod.Profile
            ? ConfintProfile(a, design, stdout, stderr, cancellationToken)
            : ConfintBoot(a, design, stdout, stderr, cancellationToken);
    }

    private static int ConfintProfile(CliArguments a, ModelDesign design, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (a.IsGeneralized)
            throw new CliException($"confint --method profile is available for linear mixed models; for --family {a.Family!.Value.ToString().ToLowerInvariant()} use --method boot (parametric bootstrap) or the default Wald intervals.");
        if (design.ResidualCorrelation is not null || design.ResidualVariance is not null)
            throw new CliException("confint --method profile does not support --correlation or --variance yet; use the default Wald intervals.");
        var watch = Stopwatch.StartNew();
        var progress = a.Quiet ? null : new LineProgress<ProfileProgress>(stderr, p => $"typedmixed: profiled {p.Parameter} ({p.Completed} of {p.Total})", every: false);
        var profile = LikelihoodProfile.Compute(design, new ProfileOptions { Progress = progress }, cancellationToken);
        if (!a.Quiet)
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"typedmixed: profiled {profile.Profiles.Count} parameters, {watch.Elapsed.TotalSeconds:F2} s"));
        foreach (var w in profile.Warnings) stderr.WriteLine("typedmixed: warning: " + w);
        var intervals = profile.ConfidenceIntervals(a.Level);
        string note = $"Profile-likelihood intervals at level {a.Level.ToString("R", CultureInfo.InvariantCulture)}, as lme4's confint(fit, method = \"profile\")"
            + (a.Method == EstimationMethod.Reml ? "; a REML fit is profiled on the ML deviance of its ML refit (as lme4), so the estimates shown are the ML ones" : "")
            + ". An end the profile does not reach is the parameter's bound.";
        if (a.ProfilePlotPath is not null)
        {
            ProfileFigure.Create(profile, new ProfileFigureOptions { Level = a.Level }).Save(a.ProfilePlotPath);
            if (!a.Quiet) stderr.WriteLine($"typedmixed: wrote the profile plot to {a.ProfilePlotPath}");
        }
        if (a.Format == OutputFormat.Json)
        {
            stdout.Write(Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("method", "profile");
                w.WriteNumber("level", a.Level);
                w.WriteNumber("ml_deviance", profile.MaximumLikelihoodFit.Deviance);
                WriteIntervals(w, intervals, null);
                w.WriteStartArray("profiles");
                foreach (var p in profile.Profiles)
                {
                    w.WriteStartObject();
                    w.WriteString("name", p.Name);
                    w.WriteStartArray("value");
                    foreach (var v in p.Values) w.WriteNumberValue(v);
                    w.WriteEndArray();
                    w.WriteStartArray("zeta");
                    foreach (var z in p.Zeta) w.WriteNumberValue(z);
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }));
            return 0;
        }
        stdout.Write(IntervalTable(a, intervals, note));
        return 0;
    }

    private static int ConfintBoot(CliArguments a, ModelDesign design, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var fit = CliApp.FitModel(a, design, stderr, cancellationToken);
        var watch = Stopwatch.StartNew();
        var progress = a.Quiet ? null : new LineProgress<BootstrapProgress>(stderr,
            p => $"typedmixed: bootstrap {p.Completed} of {p.Total} replicates ({p.Failed} failed), {watch.Elapsed.TotalSeconds:F1} s", every: true);
        var options = new BootstrapOptions { Replicates = a.BootstrapReplicates, Seed = a.Seed, Progress = progress };
        BootstrapResult result;
        try
        {
            result = fit switch
            {
                LinearMixedModelFit l => ParametricBootstrap.Run(design, l, options, cancellationToken: cancellationToken),
                OrdinalMixedModelFit o => ParametricBootstrap.Run(design, o, options, new OrdinalFitOptions { QuadraturePoints = a.Glmm.QuadraturePoints }, cancellationToken: cancellationToken),
                GeneralizedLinearMixedModelFit g => ParametricBootstrap.Run(design, g, options, new GlmmFitOptions
                {
                    QuadraturePoints = a.Glmm.QuadraturePoints,
                    LaplaceHessian = a.Glmm.LaplaceHessian,
                    FixedEffectsCovariance = a.Glmm.FixedEffectsCovariance,
                    VarianceComponentErrors = false,
                }, cancellationToken: cancellationToken),
                _ => throw new CliException("confint --method boot: unknown kind of fit."),
            };
        }
        catch (NotSupportedException e)
        {
            throw new CliException("confint --method boot: " + e.Message);
        }
        if (!a.Quiet)
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"typedmixed: bootstrap {result.Replicates.Count} replicates ({result.Failed} failed), seed {result.Seed}, {watch.Elapsed.TotalSeconds:F2} s"));
        foreach (var f in result.FailureMessages) stderr.WriteLine("typedmixed: warning: refit failed: " + f);
        var intervals = result.Intervals(a.Level, a.BootType);
        string type = a.BootType == BootstrapIntervalType.Percentile ? "percentile" : "basic";
        string note = $"Parametric bootstrap {type} intervals at level {a.Level.ToString("R", CultureInfo.InvariantCulture)} from {result.Replicates.Count} simulated data sets (seed {result.Seed}; {result.Failed} refits failed), as lme4's confint(fit, method = \"boot\", boot.type = \"{(a.BootType == BootstrapIntervalType.Percentile ? "perc" : "basic")}\")"
            + (fit is LinearMixedModelFit ? "" : "; fixed effects on the link scale") + ". The same --seed gives the same intervals.";
        if (a.Format == OutputFormat.Json)
        {
            stdout.Write(Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("method", "boot");
                w.WriteString("type", a.BootType == BootstrapIntervalType.Percentile ? "perc" : "basic");
                w.WriteNumber("level", a.Level);
                w.WriteNumber("nsim", result.Replicates.Count);
                w.WriteNumber("seed", result.Seed);
                w.WriteNumber("failed", result.Failed);
                WriteIntervals(w, intervals, result);
                w.WriteEndObject();
            }));
            return 0;
        }
        stdout.Write(IntervalTable(a, intervals, note));
        return 0;
    }

    private static void WriteIntervals(System.Text.Json.Utf8JsonWriter w, IReadOnlyList<ConfidenceInterval> intervals, BootstrapResult? boot)
    {
        w.WriteStartArray("intervals");
        for (int i = 0; i < intervals.Count; i++)
        {
            var r = intervals[i];
            w.WriteStartObject();
            w.WriteString("name", r.Name);
            Number(w, "estimate", r.Estimate);
            Number(w, "lower", r.Lower);
            Number(w, "upper", r.Upper);
            if (boot is not null)
            {
                Number(w, "boot_mean", boot.Mean(i));
                Number(w, "boot_sd", boot.StdDev(i));
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>lme4's confint table (name, estimate, the two ends) as aligned text or Markdown, then the note.</summary>
    private static string IntervalTable(CliArguments a, IReadOnlyList<ConfidenceInterval> rows, string note)
    {
        var headers = new[] { "", "Estimate", Percent((1 - a.Level) / 2), Percent(1 - (1 - a.Level) / 2) };
        var cells = rows.Select(r => new[] { r.Name, Sig(r.Estimate), Sig(r.Lower), Sig(r.Upper) }).ToList();
        var sb = new StringBuilder();
        if (a.Format == OutputFormat.Markdown)
        {
            sb.Append("| ").Append(string.Join(" | ", headers)).Append(" |\n|:--|--:|--:|--:|\n");
            foreach (var c in cells) sb.Append("| ").Append(c[0].Replace("|", "\\|", StringComparison.Ordinal)).Append(" | ").Append(string.Join(" | ", c.Skip(1))).Append(" |\n");
            sb.Append('\n').Append(note).Append('\n');
            return sb.ToString();
        }
        var widths = Enumerable.Range(0, 4).Select(c => Math.Max(headers[c].Length, cells.Count == 0 ? 0 : cells.Max(x => x[c].Length))).ToArray();
        foreach (var line in cells.Prepend(headers))
            sb.Append((line[0].PadRight(widths[0]) + string.Concat(line.Skip(1).Select((c, i) => "  " + c.PadLeft(widths[i + 1])))).TrimEnd()).Append('\n');
        sb.Append(note).Append('\n');
        return sb.ToString();
    }

    /// <summary>Progress lines on stderr: every report (<paramref name="every"/> false) or at most one each half second.</summary>
    private sealed class LineProgress<T>(TextWriter stderr, Func<T, string> line, bool every) : IProgress<T>
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly Lock _lock = new();
        private TimeSpan _last = TimeSpan.Zero;

        public void Report(T value)
        {
            lock (_lock)
            {
                if (every && _clock.Elapsed - _last < TimeSpan.FromMilliseconds(500)) return;
                _last = _clock.Elapsed;
                stderr.WriteLine(line(value));
            }
        }
    }
}
