namespace TypedMixed;

/// <summary>
/// One model in a <see cref="ModelComparison"/>: a name, its fit, and — for a REML fit — the way to refit it by maximum
/// likelihood (its design, or a delegate). Without one, a comparison that needs ML likelihoods refuses rather than
/// compare REML likelihoods of models with different fixed effects.
/// </summary>
public sealed class ComparedModel
{
    private readonly Func<MixedModelFit>? _refitByMaximumLikelihood;

    /// <summary>A fit on its own: enough for ML fits, generalized fits, and REML fits compared with <c>Refit = false</c>.</summary>
    public ComparedModel(string name, MixedModelFit fit)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(fit);
        Name = name;
        Fit = fit;
    }

    /// <summary>A fit with the design it was fitted to: a REML fit is refitted by ML from the design when needed.</summary>
    public ComparedModel(string name, LinearMixedModelFit fit, ModelDesign design) : this(name, fit)
    {
        ArgumentNullException.ThrowIfNull(design);
        _refitByMaximumLikelihood = () => LinearMixedModel.Fit(design, FitOptions.MaximumLikelihood);
    }

    /// <summary>A fit with a delegate that returns the same model fitted by maximum likelihood.</summary>
    public ComparedModel(string name, LinearMixedModelFit fit, Func<LinearMixedModelFit> refitByMaximumLikelihood) : this(name, fit)
    {
        ArgumentNullException.ThrowIfNull(refitByMaximumLikelihood);
        _refitByMaximumLikelihood = refitByMaximumLikelihood;
    }

    /// <summary>The row label.</summary>
    public string Name { get; }

    /// <summary>The fit as given.</summary>
    public MixedModelFit Fit { get; }

    /// <summary>The model's formula for the table's header; by default written from the fit (lme4's notation).</summary>
    public string? Description { get; init; }

    /// <summary>True when the model can be refitted by maximum likelihood (a design or a delegate was given).</summary>
    public bool CanRefit => _refitByMaximumLikelihood is not null;

    internal MixedModelFit RefitByMaximumLikelihood() => _refitByMaximumLikelihood!();
}

/// <summary>Settings of <see cref="ModelComparison.Compare(ModelComparisonOptions, ComparedModel[])"/>.</summary>
public sealed class ModelComparisonOptions
{
    /// <summary>
    /// lme4's <c>refit</c>: true (the default) refits every REML fit by maximum likelihood before comparing, and refuses
    /// when a REML fit cannot be refitted. False compares REML likelihoods as they are, which is valid only when every
    /// fit is REML with the same fixed effects; otherwise the comparison refuses.
    /// </summary>
    public bool Refit { get; init; } = true;

    /// <summary>lme4's defaults.</summary>
    public static ModelComparisonOptions Default { get; } = new();
}

/// <summary>
/// Likelihood-ratio comparison of any number of fits to the same data, as lme4's <c>anova(m1, m2, ...)</c>: the models
/// sorted by their number of parameters, each tested against the one before it.
/// </summary>
/// <remarks>
/// <para>Never a wrong p-value: REML likelihoods depend on the fixed-effects design, so REML fits are refitted by ML
/// (lme4's default) or, with <see cref="ModelComparisonOptions.Refit"/> false, compared only when all share the same
/// fixed effects. Fits that cannot be made comparable (different observations, response, family or likelihood
/// approximation; linear and generalized together) are refused with a message saying why.</para>
/// <para>A pair whose smaller model is not contained in the larger one by term names (fixed-effect columns and
/// random-effects columns per grouping) gets no p-value: χ² theory needs nested models; compare AIC and BIC instead.</para>
/// <para>Boundary correction: when the larger model adds exactly one variance (df = 1, same fixed effects, one more
/// variance component) the null value σ² = 0 lies on the boundary of the parameter space, and the likelihood-ratio
/// statistic follows the mixture ½χ²₀ + ½χ²₁ (Self &amp; Liang 1987; Stram &amp; Lee 1994), so
/// <see cref="ModelComparisonRow.BoundaryPValue"/> is half the χ²₁ p-value. The plain χ² p-value is conservative.</para>
/// </remarks>
public static class ModelComparison
{
    /// <summary>Compares the models with lme4's defaults (REML fits refitted by ML).</summary>
    public static ModelComparisonResult Compare(params ComparedModel[] models) => Compare(ModelComparisonOptions.Default, models);

    /// <summary>Compares the models: at least two, fitted to the same observations.</summary>
    /// <exception cref="ArgumentException">Fewer than two models, duplicate names, or fits that are not comparable.</exception>
    /// <exception cref="InvalidOperationException">A REML fit must be refitted by ML and no design or delegate was given.</exception>
    public static ModelComparisonResult Compare(ModelComparisonOptions options, params ComparedModel[] models)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(models);
        if (models.Length < 2) throw new ArgumentException("A comparison needs at least two models.", nameof(models));
        if (models.Select(m => m.Name).Distinct().Count() != models.Length)
            throw new ArgumentException($"Model names must differ: {string.Join(", ", models.Select(m => m.Name))}.", nameof(models));
        CheckSameData(models);

        var linear = models.Where(m => m.Fit is LinearMixedModelFit).ToArray();
        if (linear.Length != 0 && linear.Length != models.Length)
            throw new ArgumentException("Linear and generalized fits cannot be compared: their likelihoods are of different families.", nameof(models));
        if (linear.Length == 0) CheckGeneralizedComparable(models);

        var reml = models.Where(m => m.Fit is LinearMixedModelFit { Method: EstimationMethod.Reml }).ToArray();
        var fits = models.Select(m => m.Fit).ToArray();
        var refitted = new List<string>();
        var method = EstimationMethod.MaximumLikelihood;
        if (reml.Length > 0 && options.Refit)
        {
            var cannot = reml.Where(m => !m.CanRefit).Select(m => m.Name).ToArray();
            if (cannot.Length > 0)
                throw new InvalidOperationException(
                    $"{Quote(cannot)} {(cannot.Length == 1 ? "is a REML fit" : "are REML fits")} and the comparison needs maximum-likelihood fits " +
                    "(REML likelihoods are not comparable across fixed effects), but no design or refit delegate was given to refit " +
                    $"{(cannot.Length == 1 ? "it" : "them")}. Pass the design (new ComparedModel(name, fit, design)), fit with " +
                    "FitOptions.MaximumLikelihood, or — only if every model has the same fixed effects — set Refit = false.");
            for (int i = 0; i < models.Length; i++)
            {
                if (models[i].Fit is not LinearMixedModelFit { Method: EstimationMethod.Reml } original) continue;
                var ml = models[i].RefitByMaximumLikelihood();
                if (ml is not LinearMixedModelFit { Method: EstimationMethod.MaximumLikelihood } mlLinear)
                    throw new InvalidOperationException($"The refit of '{models[i].Name}' is not a maximum-likelihood linear fit.");
                if (mlLinear.ObservationCount != original.ObservationCount || !SameFixedEffects(mlLinear, original) ||
                    mlLinear.VarianceComponents.Count != original.VarianceComponents.Count)
                    throw new InvalidOperationException($"The refit of '{models[i].Name}' is not the same model as its fit (other observations, fixed effects or variance components): check the design passed with it.");
                fits[i] = mlLinear;
                refitted.Add(models[i].Name);
            }
        }
        else if (reml.Length > 0)
        {
            if (reml.Length != models.Length)
                throw new ArgumentException($"{Quote(reml.Select(m => m.Name))} {(reml.Length == 1 ? "is a REML fit" : "are REML fits")} and the others ML: " +
                    "REML and ML likelihoods are not comparable. Compare with Refit = true (and the designs) to refit them by ML.", nameof(models));
            var first = (LinearMixedModelFit)models[0].Fit;
            var differing = models.Skip(1).Where(m => !SameFixedEffects((LinearMixedModelFit)m.Fit, first)).Select(m => m.Name).ToArray();
            if (differing.Length > 0)
                throw new ArgumentException($"REML fits with different fixed effects ({models[0].Name} and {Quote(differing)}) cannot be compared: " +
                    "REML likelihoods depend on the fixed-effects design. Compare with Refit = true (and the designs) to refit them by ML.", nameof(models));
            method = EstimationMethod.Reml;
        }

        // lme4: order by the number of parameters (a stable sort keeps ties in the given order).
        var order = Enumerable.Range(0, models.Length).OrderBy(i => fits[i].ParameterCount).ToArray();
        var rows = new List<ModelComparisonRow>();
        MixedModelFit? previous = null;
        foreach (int i in order)
        {
            var fit = fits[i];
            var row = new ModelComparisonRow
            {
                Name = models[i].Name,
                Description = models[i].Description ?? ModelFormulaText.Of(fit),
                Fit = fit,
                ParameterCount = fit.ParameterCount,
                LogLikelihood = fit.LogLikelihood,
            };
            if (previous is not null)
            {
                // χ² = 2 (ℓ_larger − ℓ_smaller), floored at 0 as lme4; df = the difference in parameter counts.
                double chi2 = 2 * Math.Max(0, fit.LogLikelihood - previous.LogLikelihood);
                int df = fit.ParameterCount - previous.ParameterCount;
                bool nested = IsNestedByNames(previous, fit);
                double p = df == 0 || !nested ? double.NaN : Distributions.ChiSquareUpperTail(chi2, df);
                bool oneVariance = df == 1 && SameFixedEffects(previous, fit) &&
                                   CountVariances(fit) == CountVariances(previous) + 1 && fit.VarianceComponents.Count == previous.VarianceComponents.Count + 1;
                row = row with
                {
                    ChiSquare = chi2,
                    DegreesOfFreedom = df,
                    PValue = p,
                    BoundaryPValue = oneVariance && nested ? p / 2 : double.NaN,
                    Note = !nested ? $"not nested in the previous model ({rows[^1].Name}) by term names: no p-value, compare AIC/BIC"
                         : df == 0 ? "same number of parameters as the previous model: no test" : null,
                };
            }
            rows.Add(row);
            previous = fit;
        }
        return new ModelComparisonResult { Rows = rows, Method = method, RefittedByMaximumLikelihood = refitted, ObservationCount = fits[0].ObservationCount };
    }

    private static void CheckSameData(ComparedModel[] models)
    {
        var first = models[0];
        foreach (var m in models.Skip(1))
        {
            if (m.Fit.ObservationCount != first.Fit.ObservationCount)
                throw new ArgumentException($"'{first.Name}' and '{m.Name}' use different observations ({first.Fit.ObservationCount} and {m.Fit.ObservationCount} rows): a likelihood-ratio comparison needs the same data.", nameof(models));
            if (m.Fit.ResponseName != first.Fit.ResponseName)
                throw new ArgumentException($"'{first.Name}' and '{m.Name}' model different responses ({first.Fit.ResponseName} and {m.Fit.ResponseName}).", nameof(models));
            // Linear fits carry the response as fitted + residual: the same rows must give the same y.
            if (m.Fit is LinearMixedModelFit && first.Fit is LinearMixedModelFit)
                for (int i = 0; i < m.Fit.ObservationCount; i++)
                {
                    double a = first.Fit.Fitted[i] + first.Fit.Residuals[i], b = m.Fit.Fitted[i] + m.Fit.Residuals[i];
                    if (Math.Abs(a - b) > 1e-8 * (1 + Math.Abs(a)))
                        throw new ArgumentException($"'{first.Name}' and '{m.Name}' were fitted to different responses (row {i}: {a} and {b}): a likelihood-ratio comparison needs the same data.", nameof(models));
                }
        }
    }

    private static void CheckGeneralizedComparable(ComparedModel[] models)
    {
        var ordinal = models.Where(m => m.Fit is OrdinalMixedModelFit).ToArray();
        if (ordinal.Length != 0 && ordinal.Length != models.Length)
            throw new ArgumentException("Ordinal (cumulative link) and generalized linear fits cannot be compared: their likelihoods are of different families.", nameof(models));
        if (ordinal.Length != 0)
        {
            CheckOrdinalComparable(models);
            return;
        }
        var first = (GeneralizedLinearMixedModelFit)models[0].Fit;
        foreach (var m in models.Skip(1))
        {
            var g = (GeneralizedLinearMixedModelFit)m.Fit;
            if (g.Family != first.Family)
                throw new ArgumentException($"'{models[0].Name}' and '{m.Name}' have different families ({first.Family} and {g.Family}): their likelihoods are not comparable.", nameof(models));
            if (g.QuadraturePoints != first.QuadraturePoints || g.LaplaceHessian != first.LaplaceHessian)
                throw new ArgumentException($"'{models[0].Name}' and '{m.Name}' use different approximations of the likelihood ({first.QuadraturePoints} and {g.QuadraturePoints} quadrature points): refit both the same way.", nameof(models));
        }
    }

    /// <summary>Ordinal fits are comparable when they model the same categories with the same approximation of the likelihood.</summary>
    private static void CheckOrdinalComparable(ComparedModel[] models)
    {
        var first = (OrdinalMixedModelFit)models[0].Fit;
        foreach (var m in models.Skip(1))
        {
            var o = (OrdinalMixedModelFit)m.Fit;
            if (!o.Categories.SequenceEqual(first.Categories))
                throw new ArgumentException($"'{models[0].Name}' and '{m.Name}' have different categories ({string.Join(" < ", first.Categories)} and {string.Join(" < ", o.Categories)}): their likelihoods are not comparable.", nameof(models));
            if (o.QuadraturePoints != first.QuadraturePoints)
                throw new ArgumentException($"'{models[0].Name}' and '{m.Name}' use different approximations of the likelihood ({first.QuadraturePoints} and {o.QuadraturePoints} quadrature points): refit both the same way.", nameof(models));
        }
    }

    internal static bool SameFixedEffects(MixedModelFit a, MixedModelFit b) =>
        a.FixedEffects.Select(f => f.Name).SequenceEqual(b.FixedEffects.Select(f => f.Name));

    private static int CountVariances(MixedModelFit fit) => fit.RandomEffects.Sum(t => t.ColumnNames.Count);

    /// <summary>Every fixed-effect column of <paramref name="smaller"/> is in <paramref name="larger"/>, and so is every random-effects column per grouping.</summary>
    internal static bool IsNestedByNames(MixedModelFit smaller, MixedModelFit larger)
    {
        var fixedLarger = larger.FixedEffects.Select(f => f.Name).ToHashSet();
        if (!smaller.FixedEffects.All(f => fixedLarger.Contains(f.Name))) return false;
        var randomLarger = larger.RandomEffects.SelectMany(t => t.ColumnNames.Select(c => (t.Name, c))).ToHashSet();
        return smaller.RandomEffects.All(t => t.ColumnNames.All(c => randomLarger.Contains((t.Name, c))));
    }

    private static string Quote(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));
}
