namespace TypedMixed;

/// <summary>
/// Declares a linear or generalized linear mixed model over records of <typeparamref name="TData"/>. Put it on a <c>partial</c> class or record;
/// the generator adds <c>BuildDesign</c>, <c>Fit</c> and a typed <c>Result</c> with members named after the declaration.
/// </summary>
/// <typeparam name="TData">The record (or class) holding one observation per instance.</typeparam>
/// <remarks>
/// Every member is named with <c>nameof</c> and checked at compile time (diagnostics TM0001–TM0037). Random effects are
/// declared with <see cref="RandomInterceptAttribute"/> and <see cref="RandomSlopesAttribute"/>; interactions with
/// <see cref="InteractionAttribute"/>; a generalized linear mixed model with <see cref="Family"/>, <see cref="Link"/>,
/// <see cref="Trials"/>, <see cref="Offset"/>, <see cref="Weights"/> and <see cref="QuadraturePoints"/>; correlated or
/// heteroscedastic level-1 residuals with <see cref="ResidualCorrelationAttribute"/> and
/// <see cref="ResidualVarianceAttribute"/>. Settings added later (multiple-membership weights) will be further optional
/// named properties or attributes, so existing declarations keep compiling.
/// </remarks>
/// <example><code>
/// [MixedModel&lt;Pupil&gt;(Response = nameof(Pupil.NormExam), Fixed = [nameof(Pupil.StandLrt)])]
/// [RandomIntercept(nameof(Pupil.School))]
/// public partial record RandomInterceptModel;
/// </code></example>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class MixedModelAttribute<TData> : Attribute
{
    /// <summary>
    /// The response (outcome) member; it must be numeric, or <see cref="bool"/> for a 0/1 outcome of a binomial model
    /// (see <see cref="Family"/>), or an enum for an ordinal model (<c>Family = ResponseFamily.Ordinal</c>: its members are
    /// the categories from lowest to highest, in declaration order). Rows where a nullable response is null are dropped.
    /// </summary>
    public string Response { get; set; } = "";

    /// <summary>
    /// Several response members, for a multivariate model (leave <see cref="Response"/> unset): every response gets every
    /// fixed effect, each <see cref="RandomInterceptAttribute"/> classification a random intercept per response (correlated
    /// across responses), and the residuals of one record are correlated across its responses. Numeric members; a null (or
    /// a NaN) marks a missing response, and a record keeps the responses it has. Gaussian only, without residual
    /// structures, weights, offsets or random slopes (diagnostic TM0034). See docs/multivariate.md.
    /// </summary>
    public string[] Responses { get; set; } = [];

    /// <summary>
    /// The fixed-effect covariates, in column order. Numeric members give one column; <see cref="bool"/> and enum members
    /// give treatment-contrast dummies (first enum member, or <c>false</c>, is the reference); <see cref="string"/> members
    /// give dummies for their run-time levels in ordinal order (the first is the reference). Without an intercept the
    /// first categorical member gives a dummy for every level, as R's <c>model.matrix</c> (<c>0 + sex</c>: <c>SexBoy</c>,
    /// <c>SexGirl</c>); later ones keep treatment contrasts.
    /// </summary>
    public string[] Fixed { get; set; } = [];

    /// <summary>
    /// Whether the fixed part has an intercept (default true; false is lme4's <c>0 +</c>, and the first categorical
    /// member, in <see cref="Fixed"/> or else in the first interaction holding one, is coded by all its levels).
    /// </summary>
    public bool Intercept { get; set; } = true;

    /// <summary>
    /// The estimation method <c>Fit</c> uses when none is passed (default REML, as lme4). Gaussian models only: a
    /// generalized linear mixed model is always fitted by maximum likelihood.
    /// </summary>
    public EstimationMethod Method { get; set; } = EstimationMethod.Reml;

    /// <summary>
    /// The response's distribution given the random effects (default <see cref="ResponseFamily.Gaussian"/>, a linear
    /// mixed model). Any other family makes a generalized linear mixed model (lme4's <c>glmer</c>): a <see cref="bool"/>
    /// response is a 0/1 outcome (<see cref="ResponseFamily.Binomial"/>), a count response with <see cref="Trials"/>
    /// is successes out of trials (binomial), an integer response is a count (<see cref="ResponseFamily.Poisson"/>,
    /// <see cref="ResponseFamily.NegativeBinomial"/>). A bool response needs <c>Family = ResponseFamily.Binomial</c>.
    /// <see cref="ResponseFamily.Ordinal"/> makes a cumulative link mixed model (ordinal's <c>clmm</c>) of an enum
    /// response with at least three members; see <see cref="Thresholds"/>.
    /// </summary>
    public ResponseFamily Family { get; set; } = ResponseFamily.Gaussian;

    /// <summary>
    /// The link function (default <see cref="LinkFunction.Canonical"/>: logit for binomial, log for Poisson and negative
    /// binomial, identity for Gaussian). Binomial also takes probit, cloglog and log; counts take identity and sqrt;
    /// ordinal models take logit (canonical), probit and cloglog.
    /// </summary>
    public LinkFunction Link { get; set; } = LinkFunction.Canonical;

    /// <summary>
    /// Binomial only: the member holding each row's number of trials, with <see cref="Response"/> the number of
    /// successes (lme4's <c>cbind(successes, trials - successes)</c>). Numeric; a null drops the row. Leave it unset
    /// for a <see cref="bool"/> (0/1) response.
    /// </summary>
    public string? Trials { get; set; }

    /// <summary>
    /// The member holding a known term added to each row's linear predictor (lme4's <c>offset()</c>), any family: e.g.
    /// the log of the exposure of a Poisson count, or a known shift of a Gaussian mean. Numeric; a null drops the row.
    /// Predictions add the record's offset.
    /// </summary>
    public string? Offset { get; set; }

    /// <summary>
    /// The member holding each row's prior weight (lme4's <c>weights</c>), any family. A Gaussian row's residual
    /// variance is σ²/w, so its weights must be positive; a non-Gaussian row's log-likelihood is multiplied by it, and
    /// its weights must be non-negative. Numeric; a null drops the row. Binomial trials belong in <see cref="Trials"/>,
    /// not here.
    /// </summary>
    public string? Weights { get; set; }

    /// <summary>
    /// Non-Gaussian models: adaptive Gauss–Hermite quadrature points per random effect that <c>Fit</c> uses when no
    /// options are passed (lme4's <c>nAGQ</c>; default 1, the Laplace approximation). More than 1 needs a single random
    /// intercept term.
    /// </summary>
    public int QuadraturePoints { get; set; } = 1;

    /// <summary>
    /// Ordinal models only (<c>Family = ResponseFamily.Ordinal</c>): how the thresholds between the response enum's
    /// categories are parameterized (default <see cref="ThresholdStructure.Flexible"/>, one per pair of adjacent
    /// categories; <see cref="ThresholdStructure.Equidistant"/>: equally spaced, clmm's <c>threshold = "equidistant"</c>).
    /// </summary>
    public ThresholdStructure Thresholds { get; set; } = ThresholdStructure.Flexible;
}

/// <summary>
/// Adds an interaction of two or more fixed-effect covariates (lme4's <c>a:b</c>), e.g. time × treatment, or a
/// cross-level interaction of a pupil-level and a school-level covariate. Coded as R's <c>model.matrix</c>: interaction
/// columns follow the main effects, lower degrees first; members are ordered as first named (in
/// <see cref="MixedModelAttribute{TData}.Fixed"/>, then in the interactions); a categorical member is coded by
/// treatment contrasts when the interaction without it is a term declared before, otherwise by all its levels
/// (<c>0 + f + x:f</c>, a slope of <c>x</c> per level of <c>f</c>, needs <c>x</c> only here, not in <c>Fixed</c>).
/// </summary>
/// <example><code>[Interaction(nameof(Visit.Time), nameof(Visit.Treatment))]</code></example>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class InteractionAttribute : Attribute
{
    /// <summary>Declares the interaction of <paramref name="members"/> (at least two, named with <c>nameof</c>).</summary>
    public InteractionAttribute(params string[] members) => Members = members;

    /// <summary>The interacting members.</summary>
    public string[] Members { get; }
}

/// <summary>
/// Adds a random intercept over a classification (lme4's <c>(1 | g)</c>). Several attributes give several terms:
/// crossed classifications, or a classification and the one it is nested in.
/// </summary>
/// <example><code>[RandomIntercept(nameof(Pupil.School))]</code></example>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class RandomInterceptAttribute : Attribute
{
    /// <summary>Declares a random intercept over <paramref name="classification"/> (a member marked <see cref="ClassificationAttribute"/>).</summary>
    public RandomInterceptAttribute(string classification) => Classification = classification;

    /// <summary>The classification whose clusters get their own intercept.</summary>
    public string Classification { get; }
}

/// <summary>
/// Adds random slopes of covariates over a classification, with a random intercept unless <see cref="Intercept"/> is
/// false: lme4's <c>(x | g)</c>, correlated by default, or <c>(x || g)</c> with <see cref="Correlated"/> = false.
/// </summary>
/// <example><code>[RandomSlopes(nameof(Reading.Subject), nameof(Reading.Days))]</code></example>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class RandomSlopesAttribute : Attribute
{
    /// <summary>Declares random slopes of <paramref name="covariates"/> over <paramref name="classification"/>.</summary>
    public RandomSlopesAttribute(string classification, params string[] covariates)
    {
        Classification = classification;
        Covariates = covariates;
    }

    /// <summary>The classification whose clusters get their own slopes.</summary>
    public string Classification { get; }

    /// <summary>The covariates whose coefficients vary over the classification (numeric, bool or enum members).</summary>
    public string[] Covariates { get; }

    /// <summary>
    /// Whether the term also has a random intercept (default true; false is lme4's <c>(0 + x | g)</c>, where the first
    /// bool or enum covariate is coded by all its levels, as lme4 does: <c>(0 + sex | school)</c> gives a
    /// <c>SexBoy</c> and a <c>SexGirl</c> effect per school).
    /// </summary>
    public bool Intercept { get; set; } = true;

    /// <summary>Whether the effects are correlated (unstructured covariance, default) or independent (diagonal covariance).</summary>
    public bool Correlated { get; set; } = true;
}
