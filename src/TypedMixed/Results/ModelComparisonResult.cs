namespace TypedMixed;

/// <summary>One model's line of a <see cref="ModelComparisonResult"/>, with the test against the line before it.</summary>
public sealed record ModelComparisonRow
{
    /// <summary>The name the model was given.</summary>
    public required string Name { get; init; }

    /// <summary>The model's formula, as printed in the table's header.</summary>
    public required string Description { get; init; }

    /// <summary>The fit the line reports: the ML refit when the model was given as a REML fit and refitted.</summary>
    public required MixedModelFit Fit { get; init; }

    /// <summary>Number of estimated parameters (lme4's <c>npar</c>).</summary>
    public required int ParameterCount { get; init; }

    /// <summary>Log-likelihood (ML, or REML when every model was compared by REML).</summary>
    public required double LogLikelihood { get; init; }

    /// <summary>−2 log-likelihood, as lme4's <c>anova</c> reports it.</summary>
    public double Deviance => -2 * LogLikelihood;

    /// <summary>Akaike's information criterion, −2ℓ + 2k.</summary>
    public double Aic => -2 * LogLikelihood + 2 * ParameterCount;

    /// <summary>Bayesian information criterion, −2ℓ + k log n.</summary>
    public double Bic => -2 * LogLikelihood + ParameterCount * Math.Log(Fit.ObservationCount);

    /// <summary>2 (ℓ − ℓ of the previous line), at least 0; NaN on the first line.</summary>
    public double ChiSquare { get; init; } = double.NaN;

    /// <summary>The difference in parameter counts from the previous line; null on the first line.</summary>
    public int? DegreesOfFreedom { get; init; }

    /// <summary>P(χ²_df ≥ <see cref="ChiSquare"/>); NaN on the first line, for df = 0, and for models not nested by term names.</summary>
    public double PValue { get; init; } = double.NaN;

    /// <summary>
    /// When this model adds exactly one variance to the previous one: the p-value from the ½χ²₀ + ½χ²₁ mixture, half of
    /// <see cref="PValue"/> (the variance's null value 0 is on the boundary); NaN otherwise.
    /// </summary>
    public double BoundaryPValue { get; init; } = double.NaN;

    /// <summary>Why a test is missing (not nested, same number of parameters), or null.</summary>
    public string? Note { get; init; }
}

/// <summary>
/// lme4's <c>anova</c> table: models sorted by number of parameters, with AIC, BIC, log-likelihood, deviance, and the
/// likelihood-ratio test of each model against the previous one. <see cref="ToString"/> prints it as lme4 does;
/// <see cref="ToMarkdown"/> writes a pipe table.
/// </summary>
[Presentation.Notebooks.TypeFormatterSource(typeof(Presentation.Notebooks.NotebookFormatterSource), PreferredMimeTypes = ["text/html"])]
public sealed class ModelComparisonResult
{
    /// <summary>The lines, fewest parameters first.</summary>
    public required IReadOnlyList<ModelComparisonRow> Rows { get; init; }

    /// <summary>The likelihood compared: ML (also after refitting REML fits), or REML when every fit was REML with the same fixed effects and not refitted.</summary>
    public required EstimationMethod Method { get; init; }

    /// <summary>The models given as REML fits and refitted by maximum likelihood for the comparison (lme4: "refitting model(s) with ML").</summary>
    public required IReadOnlyList<string> RefittedByMaximumLikelihood { get; init; }

    /// <summary>Number of observations, the same for every model.</summary>
    public required int ObservationCount { get; init; }

    /// <summary>A line by model name.</summary>
    public ModelComparisonRow this[string name] =>
        Rows.FirstOrDefault(r => r.Name == name)
        ?? throw new KeyNotFoundException($"No model named '{name}' in the comparison. It has: {string.Join(", ", Rows.Select(r => r.Name))}.");

    /// <summary>The table as lme4 prints it (models, then the aligned table), invariant culture.</summary>
    public override string ToString() => Presentation.ModelComparisonText.ToText(this);

    /// <summary>The table as Markdown: the models as a list, then a pipe table.</summary>
    public string ToMarkdown() => Presentation.ModelComparisonText.ToMarkdown(this);

    /// <summary>The table as an HTML fragment (notebooks display it so).</summary>
    public string ToHtml() => Presentation.ModelComparisonText.ToHtml(this);
}
