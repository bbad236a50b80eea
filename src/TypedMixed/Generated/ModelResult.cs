using TypedMixed.Presentation;

namespace TypedMixed.Generated;

/// <summary>
/// What every generated <c>Result</c> shares, whatever its model: the runtime's fit, the fitted design, the declaration's
/// formula, summaries that print it, and the fixed part xβ̂ of predictions. A generated result adds only its model's
/// members (one per fixed-effect column and per random-effects term) and the <c>Predict</c> methods over its data type.
/// </summary>
/// <typeparam name="TFit">The runtime's fit: <see cref="LinearMixedModelFit"/> or <see cref="GeneralizedLinearMixedModelFit"/>.</typeparam>
/// <typeparam name="TData">The model's data type, one record per observation.</typeparam>
public abstract class ModelResult<TFit, TData> where TFit : MixedModelFit
{
    private readonly double[] _beta;

    /// <summary>Keeps the fit and its design; β̂ is laid out by the design's columns (an aliased column's coefficient is zero).</summary>
    protected ModelResult(TFit fit, ModelDesign design, string formula)
    {
        ArgumentNullException.ThrowIfNull(fit);
        ArgumentNullException.ThrowIfNull(design);
        Underlying = fit;
        Design = design;
        Formula = formula;
        var names = design.FixedEffectNames;
        _beta = new double[names.Count];
        for (int c = 0; c < names.Count; c++)
            foreach (var estimate in fit.FixedEffects)
                if (estimate.Name == names[c]) _beta[c] = estimate.Estimate;
    }

    /// <summary>The fit as the runtime reports it: all estimates, variance components, fit statistics and the optimizer's record.</summary>
    public TFit Underlying { get; }

    /// <summary>The design that was fitted.</summary>
    public ModelDesign Design { get; }

    /// <summary>The model declaration in lme4 notation, e.g. <c>NormExam ~ 1 + StandLrt + (1 | School)</c>.</summary>
    public string Formula { get; }

    /// <summary>
    /// The predictions on the linear-predictor scale for <paramref name="records"/>, in their order, encoded in one pass by
    /// the fit's levels: xβ̂ (plus the offset) and, unless <paramref name="fixedOnly"/>, each term's z·b̂ (see
    /// <see cref="TermEffects{TKey, TEffect}.AddContributions"/> for <paramref name="allowNewLevels"/>). The generated
    /// result implements it with its model's encoder.
    /// </summary>
    protected abstract double[] Predictions(IEnumerable<TData> records, bool fixedOnly, bool allowNewLevels);

    /// <summary><paramref name="options"/> with this model's formula when they name none.</summary>
    protected FitReportOptions WithFormula(FitReportOptions? options) =>
        options is null ? new FitReportOptions { Formula = Formula }
        : options.Formula is not null ? options
        : new FitReportOptions { Formula = Formula, DataName = options.DataName, Digits = options.Digits };

    /// <summary>
    /// xβ̂, plus the offset when the design has one, for every row of <paramref name="design"/> (new records coded by the
    /// fit's columns). <paramref name="expectedRows"/> is how many records were given: a record dropped for a null in a
    /// member the prediction reads is an error, since each record must get its prediction.
    /// </summary>
    /// <exception cref="ModelDesignException">A record was dropped for a null.</exception>
    protected double[] FixedParts(ModelDesign design, int expectedRows, string readMembers)
    {
        ArgumentNullException.ThrowIfNull(design);
        if (design.Rows != expectedRows)
            throw new ModelDesignException(expectedRows == 1
                ? $"The record has a null in {readMembers}, so it cannot be predicted."
                : $"{expectedRows - design.Rows} of the {expectedRows} records have a null in {readMembers}, so they cannot be predicted; give every record a value, or leave such records out.");
        int n = design.Rows;
        var x = design.FixedEffects;
        var prediction = new double[n];
        for (int i = 0; i < n; i++)
        {
            double sum = design.Offset is { } offset ? offset[i] : 0.0;
            for (int c = 0; c < _beta.Length; c++) sum += _beta[c] * x[c * n + i];
            prediction[i] = sum;
        }
        return prediction;
    }
}

/// <summary>The shared part of a generated linear mixed model's <c>Result</c>: the residual variance and the lmer-style summary.</summary>
/// <typeparam name="TData">The model's data type.</typeparam>
public abstract class LinearModelResult<TData> : ModelResult<LinearMixedModelFit, TData>
{
    /// <inheritdoc />
    protected LinearModelResult(LinearMixedModelFit fit, ModelDesign design, string formula) : base(fit, design, formula)
    {
    }

    /// <summary>
    /// Predicts the response of <paramref name="record"/>: the fixed part xβ̂, plus the record's offset when the model has
    /// one, plus the predicted random effects of its clusters. The response and weights members are not read. A cluster not in the fitted data is an error naming it, unless
    /// <paramref name="allowNewLevels"/>: then its effects are zero (the population-level prediction), as lme4's
    /// <c>allow.new.levels = TRUE</c>.
    /// </summary>
    /// <exception cref="ModelDesignException">
    /// A covariate or classification the model uses is null, not finite, or a category not seen in the fitted data, or
    /// a cluster is not in the fitted data and <paramref name="allowNewLevels"/> is false.
    /// </exception>
    public double Predict(TData record, bool allowNewLevels = false) => Predictions(new[] { record }, fixedOnly: false, allowNewLevels)[0];

    /// <summary><see cref="Predict(TData, bool)"/> for many records, in their order; the records are encoded in one pass.</summary>
    /// <exception cref="ModelDesignException">As for one record; a new cluster's message names its position.</exception>
    public double[] Predict(IEnumerable<TData> records, bool allowNewLevels = false) => Predictions(records, fixedOnly: false, allowNewLevels);

    /// <summary>
    /// Predicts the population-level response of <paramref name="record"/>, the fixed part xβ̂ plus the record's offset
    /// when the model has one (no random effects). Only the fixed effects' covariates and the offset are read: the
    /// response, the weights and the classifications may be anything, or null.
    /// </summary>
    /// <exception cref="ModelDesignException">A fixed-effect covariate or the offset is null, not finite, or a category not seen in the fitted data.</exception>
    public double PredictFixed(TData record) => Predictions(new[] { record }, fixedOnly: true, allowNewLevels: true)[0];

    /// <summary><see cref="PredictFixed(TData)"/> for many records, in their order; the records are encoded in one pass.</summary>
    /// <exception cref="ModelDesignException">A fixed-effect covariate is null, not finite, or a category not seen in the fitted data.</exception>
    public double[] PredictFixed(IEnumerable<TData> records) => Predictions(records, fixedOnly: true, allowNewLevels: true);

    /// <summary>The residual (level-1) variance σ̂².</summary>
    public double ResidualVariance => Underlying.ResidualVariance;

    /// <summary>Standard error of <see cref="ResidualVariance"/> (observed information; NaN when not computed).</summary>
    public double ResidualVarianceStdError => Underlying.VarianceComponents.Last(c => c.Kind == VarianceComponentKind.ResidualVariance).StdError;

    /// <summary>The summary in lmer's layout as plain text, headed by the declaration's <see cref="ModelResult{TFit, TData}.Formula"/> unless <paramref name="options"/> name another.</summary>
    public string Summary(FitReportOptions? options = null) => FitSummary.ToText(Underlying, WithFormula(options));

    /// <summary>The summary as Markdown, headed by the declaration's formula.</summary>
    public string SummaryMarkdown(FitReportOptions? options = null) => FitSummary.ToMarkdown(Underlying, WithFormula(options));
}

/// <summary>The shared part of a generated generalized linear mixed model's <c>Result</c>: the glmer-style summary.</summary>
/// <typeparam name="TData">The model's data type.</typeparam>
public abstract class GeneralizedModelResult<TData> : ModelResult<GeneralizedLinearMixedModelFit, TData>
{
    /// <inheritdoc />
    protected GeneralizedModelResult(GeneralizedLinearMixedModelFit fit, ModelDesign design, string formula) : base(fit, design, formula)
    {
    }

    /// <summary>
    /// Predicts the linear predictor η of <paramref name="record"/>: xβ̂ plus the offset (when the model has one) plus the
    /// predicted random effects of its clusters. The response, trials and weights are not read. A cluster not in the
    /// fitted data is an error naming it, unless <paramref name="allowNewLevels"/>: then its effects are zero (the
    /// population-level prediction), as lme4's <c>allow.new.levels = TRUE</c>.
    /// </summary>
    /// <exception cref="ModelDesignException">
    /// A member the prediction uses is null, not finite, or a category not seen in the fitted data, or a cluster is not
    /// in the fitted data and <paramref name="allowNewLevels"/> is false.
    /// </exception>
    public double PredictLink(TData record, bool allowNewLevels = false) => Predictions(new[] { record }, fixedOnly: false, allowNewLevels)[0];

    /// <summary><see cref="PredictLink(TData, bool)"/> for many records, in their order; the records are encoded in one pass.</summary>
    /// <exception cref="ModelDesignException">As for one record; a new cluster's message names its position.</exception>
    public double[] PredictLink(IEnumerable<TData> records, bool allowNewLevels = false) => Predictions(records, fixedOnly: false, allowNewLevels);

    /// <summary>Predicts the mean response of <paramref name="record"/> (a probability, or an expected count), g⁻¹ of <see cref="PredictLink(TData, bool)"/>.</summary>
    /// <exception cref="ModelDesignException">As for <see cref="PredictLink(TData, bool)"/>.</exception>
    public double Predict(TData record, bool allowNewLevels = false) => Underlying.InverseLink(PredictLink(record, allowNewLevels));

    /// <summary><see cref="Predict(TData, bool)"/> for many records, in their order; the records are encoded in one pass.</summary>
    /// <exception cref="ModelDesignException">As for <see cref="PredictLink(TData, bool)"/>.</exception>
    public double[] Predict(IEnumerable<TData> records, bool allowNewLevels = false) => InverseLink(PredictLink(records, allowNewLevels));

    /// <summary>
    /// Predicts the population-level linear predictor of <paramref name="record"/>, xβ̂ plus the offset (no random
    /// effects). Only the fixed effects' covariates and the offset are read: the response and the classifications may be
    /// anything, or null.
    /// </summary>
    /// <exception cref="ModelDesignException">A fixed-effect covariate or the offset is null, not finite, or a category not seen in the fitted data.</exception>
    public double PredictFixedLink(TData record) => Predictions(new[] { record }, fixedOnly: true, allowNewLevels: true)[0];

    /// <summary><see cref="PredictFixedLink(TData)"/> for many records, in their order; the records are encoded in one pass.</summary>
    /// <exception cref="ModelDesignException">As for <see cref="PredictFixedLink(TData)"/>.</exception>
    public double[] PredictFixedLink(IEnumerable<TData> records) => Predictions(records, fixedOnly: true, allowNewLevels: true);

    /// <summary>Predicts the population-level mean response of <paramref name="record"/>, g⁻¹ of <see cref="PredictFixedLink(TData)"/>.</summary>
    /// <exception cref="ModelDesignException">As for <see cref="PredictFixedLink(TData)"/>.</exception>
    public double PredictFixed(TData record) => Underlying.InverseLink(PredictFixedLink(record));

    /// <summary><see cref="PredictFixed(TData)"/> for many records, in their order; the records are encoded in one pass.</summary>
    /// <exception cref="ModelDesignException">As for <see cref="PredictFixedLink(TData)"/>.</exception>
    public double[] PredictFixed(IEnumerable<TData> records) => InverseLink(PredictFixedLink(records));

    private double[] InverseLink(double[] eta)
    {
        for (int i = 0; i < eta.Length; i++) eta[i] = Underlying.InverseLink(eta[i]);
        return eta;
    }

    /// <summary>The summary in glmer's layout as plain text, headed by the declaration's formula unless <paramref name="options"/> name another.</summary>
    public string Summary(FitReportOptions? options = null) => FitSummary.ToText(Underlying, WithFormula(options));

    /// <summary>The summary as Markdown, headed by the declaration's formula.</summary>
    public string SummaryMarkdown(FitReportOptions? options = null) => FitSummary.ToMarkdown(Underlying, WithFormula(options));
}
