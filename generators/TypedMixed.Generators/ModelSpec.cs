namespace TypedMixed.Generators;

/// <summary>How a covariate is coded into model-matrix columns.</summary>
internal enum CovariateKind
{
    /// <summary>One column with the value.</summary>
    Numeric,

    /// <summary>A <c>TRUE</c> dummy (lme4's <c>xTRUE</c>), or <c>FALSE</c> and <c>TRUE</c> dummies when coded by all levels.</summary>
    Bool,

    /// <summary>Treatment-contrast dummies for each enum member after the first (or for every member, when coded by all levels).</summary>
    Enum,

    /// <summary>Treatment-contrast dummies for the run-time levels after the first, ordinal order (or for every level).</summary>
    String,
}

/// <summary>How a classification's keys are ordered and named.</summary>
internal enum KeyKind
{
    /// <summary>Ordinal string order; the key is its own name.</summary>
    String,

    /// <summary><c>Comparer&lt;T&gt;.Default</c> order; invariant text.</summary>
    Comparable,
}

/// <summary>A member of the data type that the model reads.</summary>
/// <param name="Name">The property name as declared (used in column names and messages).</param>
/// <param name="Identifier">The name as a C# identifier (verbatim <c>@</c> for keywords).</param>
/// <param name="Type">The fully qualified type, nullable wrapper removed.</param>
/// <param name="CanBeMissing">True for nullable value types and reference types: a null drops the row.</param>
/// <param name="IsFloatingPoint">True for double and float: NaN and ∞ are rejected at run time.</param>
internal sealed record MemberSpec(string Name, string Identifier, string Type, bool CanBeMissing, bool IsFloatingPoint);

/// <summary>A covariate used in the fixed part or as a random slope.</summary>
/// <param name="Levels">For enums, the member names in declaration order (first = reference).</param>
/// <param name="MeasuredOn">The classification it is declared measured on, or null.</param>
internal sealed record CovariateSpec(MemberSpec Member, CovariateKind Kind, EquatableArray<string> Levels, string? MeasuredOn);

/// <summary>A classification read by the model; <paramref name="Path"/> lists it and its ancestors, outermost first.</summary>
/// <param name="Weighting">
/// For a <c>[MultipleMembership]</c> member, the <c>MembershipWeighting</c> member name (its <see cref="Member"/>'s type is
/// then the key type of its <c>Membership&lt;TKey&gt;</c> elements); null for an ordinary classification.
/// </param>
internal sealed record ClassificationSpec(MemberSpec Member, KeyKind KeyKind, EquatableArray<string> Path, string? Weighting = null);

/// <summary>A model-matrix column whose name is known at compile time, and the result member that exposes it.</summary>
internal sealed record ColumnSpec(string Name, string MemberName);

/// <summary>A fixed-effects term: one covariate (main effect) or several (interaction).</summary>
/// <param name="AllLevels">
/// Per covariate, true when it is a category coded by a dummy for every level rather than by treatment contrasts
/// (R's <c>model.matrix</c> rule, see <c>Parser.Coding</c>); always false for numeric covariates.
/// </param>
internal sealed record FixedTermSpec(EquatableArray<string> Covariates, EquatableArray<bool> AllLevels);

/// <summary>A random-effects term.</summary>
/// <param name="Classification">The classification the effects vary over.</param>
/// <param name="Name">The reported name, lme4's <c>school:district</c> form (innermost first) for nested classifications.</param>
/// <param name="MemberName">The result member exposing the term.</param>
/// <param name="Slopes">The slope covariates.</param>
/// <param name="SlopeAllLevels">Per slope, true when it is a category coded by all its levels (the first one of a term without intercept).</param>
/// <param name="Columns">All columns (intercept first), known at compile time.</param>
internal sealed record RandomTermSpec(
    string Classification, string Name, string MemberName, bool Intercept, EquatableArray<string> Slopes,
    EquatableArray<bool> SlopeAllLevels, bool Correlated, EquatableArray<ColumnSpec> Columns);

/// <summary>A run-time check that a covariate is constant within the clusters of a classification.</summary>
internal sealed record MeasuredOnSpec(string Covariate, string Classification);

/// <summary>The response family of a generalized linear mixed model; a Gaussian model's spec has none.</summary>
/// <param name="Family">The <c>ResponseFamily</c> member name, e.g. <c>Binomial</c>.</param>
/// <param name="Link">The resolved <c>LinkFunction</c> member name (never <c>Canonical</c>), e.g. <c>Logit</c>.</param>
/// <param name="BernoulliResponse">True when the response is a bool: true is 1, false is 0, one trial per row.</param>
/// <param name="QuadraturePoints">The declared quadrature points per random effect (1: Laplace).</param>
/// <param name="RatioName">
/// What exp(β) of a non-intercept fixed effect is on this link: <c>OddsRatio</c> (logit), <c>RiskRatio</c> (binomial
/// log), <c>RateRatio</c> (count log), or null (no ratio members).
/// </param>
/// <param name="Ratios">Per non-intercept fixed-effect column, the result member of its ratio (empty without a ratio).</param>
/// <param name="LatentIcc">True when the term classes get a latent-scale ICC (binomial logit or probit, intercepts only).</param>
internal sealed record FamilySpec(
    string Family,
    string Link,
    bool BernoulliResponse,
    MemberSpec? Trials,
    int QuadraturePoints,
    string? RatioName,
    EquatableArray<ColumnSpec> Ratios,
    bool LatentIcc);

/// <summary>The settings of an ordinal (cumulative link) model, whose response is an enum of ordered categories.</summary>
/// <param name="Link">The resolved <c>LinkFunction</c> member name: <c>Logit</c>, <c>Probit</c> or <c>Cloglog</c>.</param>
/// <param name="QuadraturePoints">The declared quadrature points per random effect (1: Laplace).</param>
/// <param name="Thresholds">The <c>ThresholdStructure</c> member name: <c>Flexible</c> or <c>Equidistant</c>.</param>
/// <param name="Categories">The response enum's members in declaration order (aliases of one value counted once): the categories, lowest first.</param>
/// <param name="ThresholdMembers">Per threshold, its clmm name (<c>Lower|Upper</c>) and its member name (<c>Lower_Upper</c>).</param>
/// <param name="Ratios">Logit link only: per non-intercept fixed-effect column, the member of its cumulative odds ratio exp(β).</param>
internal sealed record OrdinalSpec(
    string Link,
    int QuadraturePoints,
    string Thresholds,
    EquatableArray<string> Categories,
    EquatableArray<ColumnSpec> ThresholdMembers,
    EquatableArray<ColumnSpec> Ratios);

/// <summary>A residual correlation declared with <c>[ResidualCorrelation]</c>.</summary>
/// <param name="Structure">The <c>ResidualCorrelationStructure</c> member name, e.g. <c>Ar1</c>.</param>
/// <param name="Time">The time member (numeric; an integer type for <c>Ar1</c>).</param>
/// <param name="Classification">The classification whose clusters carry the correlation (a term's, or nested in one).</param>
/// <param name="ClusterName">The clusters' reported name, innermost first for a nested classification (<c>Occasion:Child</c>).</param>
internal sealed record ResidualCorrelationSpec(string Structure, MemberSpec Time, string Classification, string ClusterName);

/// <summary>A level-1 variance function declared with <c>[ResidualVariance]</c>.</summary>
/// <param name="Kind">The <c>ResidualVarianceFunctionKind</c> member name, e.g. <c>LogLinear</c>.</param>
/// <param name="Members">The covariates (for <c>Ident</c>, the one stratum), each also a <see cref="CovariateSpec"/> of the model.</param>
internal sealed record ResidualVarianceSpec(string Kind, EquatableArray<string> Members);

/// <summary>Everything the emitter needs to write one model's code.</summary>
/// <param name="Glmm">The family settings of a generalized linear mixed model; null for a linear (Gaussian) one.</param>
/// <param name="Offset">The member holding a known term added to the linear predictor (lme4's <c>offset()</c>), any family.</param>
/// <param name="Weights">
/// The member holding prior weights (lme4's <c>weights =</c>), any family: a Gaussian row's residual variance is σ²/w.
/// </param>
/// <param name="Correlation">The residual correlation of a Gaussian model, or null for independent residuals.</param>
/// <param name="Variance">The level-1 variance function of a Gaussian model, or null for a constant residual variance.</param>
/// <param name="Responses">
/// A multivariate model's responses (then <see cref="Response"/> is the first of them); empty for a single response.
/// </param>
/// <param name="Ordinal">The settings of an ordinal (cumulative link) model; null otherwise (then <see cref="Glmm"/> says which).</param>
/// <remarks>
/// The spec is cached by the incremental pipeline and compared by value between runs, so it holds only strings, bools,
/// enums, nested records of those, and <see cref="EquatableArray{T}"/> — never symbols, syntax nodes,
/// <c>Location</c>s or diagnostics (those travel separately as <see cref="DiagnosticInfo"/>).
/// </remarks>
internal sealed record ModelSpec(
    string Namespace,
    string TypeName,
    string TypeKeyword,
    string DataType,
    bool DataIsReferenceType,
    MemberSpec Response,
    bool Intercept,
    string Method,
    EquatableArray<CovariateSpec> Covariates,
    EquatableArray<FixedTermSpec> FixedTerms,
    EquatableArray<ColumnSpec> FixedColumns,
    EquatableArray<ClassificationSpec> Classifications,
    EquatableArray<RandomTermSpec> Terms,
    EquatableArray<MeasuredOnSpec> MeasuredOn,
    FamilySpec? Glmm = null,
    MemberSpec? Offset = null,
    MemberSpec? Weights = null,
    ResidualCorrelationSpec? Correlation = null,
    ResidualVarianceSpec? Variance = null,
    EquatableArray<MemberSpec> Responses = default,
    OrdinalSpec? Ordinal = null);

/// <summary>The parser's output for one model: the spec (null when the declaration has errors) and the diagnostics.</summary>
/// <param name="DataDiagnostics">Diagnostics about the data type's own attributes, de-duplicated across models.</param>
internal sealed record ModelResult(ModelSpec? Spec, EquatableArray<DiagnosticInfo> ModelDiagnostics, EquatableArray<DiagnosticInfo> DataDiagnostics);
