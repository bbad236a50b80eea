using TypedMixed.Cli.Formulas;
using TypedMixed.Cli.Data;
using TypedMixed.Cli.Plots;

namespace TypedMixed.Cli;

/// <summary>The verbs of <c>typedmixed</c>.</summary>
internal enum CliVerb
{
    /// <summary>Fit one model and print its summary.</summary>
    Fit,

    /// <summary>Compare two or more models by likelihood-ratio tests (lme4's <c>anova</c>).</summary>
    Anova,

    /// <summary>The conditional modes and SDs of the random effects (lme4's <c>ranef</c>).</summary>
    Ranef,

    /// <summary>Predictions for new rows (lme4's <c>predict</c>).</summary>
    Predict,

    /// <summary>Confidence intervals (lme4's <c>confint</c>): Wald, profile likelihood or parametric bootstrap.</summary>
    Confint,
}

/// <summary>How <c>confint</c> computes its intervals (<c>--method</c>).</summary>
internal enum ConfintMethod
{
    /// <summary>β̂ ± z·SE for the fixed effects.</summary>
    Wald,

    /// <summary>Profile likelihood for every parameter (lme4's <c>method = "profile"</c>).</summary>
    Profile,

    /// <summary>Parametric bootstrap (lme4's <c>method = "boot"</c>).</summary>
    Boot,
}

/// <summary>How a verb prints its result.</summary>
internal enum OutputFormat
{
    /// <summary>Aligned text.</summary>
    Text,

    /// <summary>GitHub-flavoured Markdown.</summary>
    Markdown,

    /// <summary>JSON on stdout.</summary>
    Json,

    /// <summary>Comma-separated values on stdout.</summary>
    Csv,
}

/// <summary>The parsed command line of a <c>typedmixed</c> verb.</summary>
internal sealed class CliArguments
{
    /// <summary>The verbs by their command-line names.</summary>
    public static readonly IReadOnlyDictionary<string, CliVerb> Verbs = new Dictionary<string, CliVerb>(StringComparer.Ordinal)
    {
        ["fit"] = CliVerb.Fit,
        ["anova"] = CliVerb.Anova,
        ["ranef"] = CliVerb.Ranef,
        ["confint"] = CliVerb.Confint,
        ["predict"] = CliVerb.Predict,
    };

    /// <summary>predict: the rows to predict (<c>--newdata</c>); null predicts the fitted rows.</summary>
    public string? NewDataPath { get; init; }

    /// <summary>predict: <c>--re-form NA</c>, population-level predictions (the fixed part only).</summary>
    public bool PopulationLevel { get; init; }

    /// <summary>predict: <c>--allow-new-levels</c>, lme4's allow.new.levels.</summary>
    public bool AllowNewLevels { get; init; }

    /// <summary>predict: <c>--type response</c>, the inverse link of the linear predictor.</summary>
    public bool ResponseScale { get; init; }

    /// <summary>The verb.</summary>
    public CliVerb Verb { get; init; } = CliVerb.Fit;

    /// <summary>Every formula given (one, or two or more for anova); <see cref="Formula"/> is the first.</summary>
    public IReadOnlyList<string> Formulas { get; init; } = [];

    /// <summary>How to print the result.</summary>
    public OutputFormat Format { get; init; } = OutputFormat.Text;

    /// <summary>fit: write the conditional modes into the JSON file.</summary>
    public bool IncludeRanef { get; init; }

    /// <summary>confint: the confidence level.</summary>
    public double Level { get; init; } = 0.95;

    /// <summary>confint: Wald, profile-likelihood or parametric-bootstrap intervals (<c>--method</c>).</summary>
    public ConfintMethod ConfintMethod { get; init; } = ConfintMethod.Wald;

    /// <summary>confint --method boot: the number of simulated data sets (<c>--nsim</c>).</summary>
    public int BootstrapReplicates { get; init; } = 500;

    /// <summary>confint --method boot: the seed (<c>--seed</c>).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>confint --method boot: percentile (default) or basic intervals (<c>--boot-type</c>).</summary>
    public BootstrapIntervalType BootType { get; init; } = BootstrapIntervalType.Percentile;

    /// <summary>confint --method profile: where to write the profile plot (<c>--profile-plot</c>, PNG or SVG), or null.</summary>
    public string? ProfilePlotPath { get; init; }

    public const string Usage = """
        Usage: typedmixed fit <data> "<formula>" [options]
               typedmixed fit --sql "<query>" "<formula>" [options]
               typedmixed anova <data> "<formula 1>" "<formula 2>" [...] [options]
               typedmixed ranef|predict|confint <data> "<formula>" [options]

        Verbs:
          fit <data> "<formula>"             fit and print lme4's summary (and --json, --plot files)
          anova <data> "<f1>" "<f2>" [...]   likelihood-ratio comparison as lme4's anova(m1, m2, ...): REML fits are
                                             refitted by ML when the fixed effects differ; rows sorted by npar
          ranef <data> "<formula>"           conditional modes and SDs of every level of every term, as lme4's
                                             as.data.frame(ranef(fit, condVar = TRUE)): grpvar,term,grp,condval,condsd
          predict <data> "<formula>" [--newdata <new.csv>]
                                             predictions as lme4's predict(): conditional on the random effects, or
                                             population-level with --re-form NA; CSV (row,prediction) or JSON
          confint <data> "<formula>"         confidence intervals as lme4's confint: Wald for the fixed effects
                                             (default), profile likelihood or parametric bootstrap for every
                                             SD, correlation, sigma and fixed effect (--method)

        Fits a linear mixed model (as lmer) or, with --family, a generalized linear mixed model (as glmer) to a
        data file from an lme4-style formula. <data> is a CSV/TSV file (header row; RFC 4180 quoting; comma,
        semicolon or tab detected), a Parquet file, or a glob such as 'data/*.parquet'; --sql runs a query over
        files instead (DuckDB SQL). Only the formula's columns are read. E.g.
          typedmixed fit Exam.csv "normexam ~ standLRT + sex + (1 | school)" --ml
          typedmixed fit cbpp.csv "cbind(incidence, size - incidence) ~ period + (1 | herd)" --family binomial
          typedmixed anova Exam.csv "normexam ~ standLRT + (1 | school)" "normexam ~ standLRT + sex + (1 | school)"
          typedmixed ranef sleepstudy.csv "Reaction ~ Days + (Days | Subject)" --format json
          typedmixed predict sleepstudy.csv "Reaction ~ Days + (Days | Subject)" --newdata new.csv --allow-new-levels
          typedmixed confint sleepstudy.csv "Reaction ~ Days + (Days | Subject)" --level 0.9

        Formula: + * : (interactions), 0 + / - 1 (no intercept), factor(x), (1 | g), (x | g) correlated,
                 (x || g) uncorrelated, (1 | a/b) nested, (1 | a:b), several crossed terms. Functions as R
                 computes them: I(age^2), log, log2, log10, log1p, exp, sqrt, abs, scale(x), poly(x, 2),
                 relevel(f, "ref"), offset(expr); the response may be computed, e.g. log(Reaction) ~ poly(Days, 2).
                 Text columns are categorical (levels in ordinal order, first level the reference; numeric
                 columns used as grouping factors are categories too). Rows with NA or empty values in any
                 column the formula uses are dropped.
                 With --family: a binomial response is cbind(successes, failures) (arithmetic allowed, e.g.
                 cbind(incidence, size - incidence)), a 0/1 or TRUE/FALSE column, or a two-level text column (the
                 second level in sorted order is the event).

        Options:
          --reml                         restricted maximum likelihood (the default, as lme4)
          --ml                           maximum likelihood
          --family <family>              generalized model: binomial, poisson or negbin (negative binomial, shape
                                         estimated); R spellings work too, e.g. 'binomial(link = "probit")';
                                         ordinal: cumulative link mixed model (as ordinal::clmm), the response a
                                         text or integer column of ordered categories
          --link <link>                  logit, probit, cloglog, log, identity or sqrt (default: the canonical link)
          --levels "a,b,c"               ordinal: the categories from lowest to highest (default: R's factor order,
                                         sorted text or increasing numbers)
          --threshold flexible|equidistant  ordinal: threshold structure (default flexible, as clmm)
          --nagq <n>                     adaptive Gauss-Hermite points (glmer's nAGQ); 1 = Laplace (default);
                                         more needs a single random-intercept term
          --optimizer bobyqa|quasi-newton  linear models: force the optimizer over θ (lmerControl(optimizer =));
                                         default: quasi-Newton on the analytic gradient where that is cheap, else
                                         BOBYQA (docs/gradient.md)
          --weights <column>             prior weights (lmer/glmer's weights = column); positive numbers
          --correlation <structure>      correlated level-1 residuals within clusters, as nlme's correlation =:
                                           corAR1(~ Days | Subject)   AR(1) over whole-number occasions
                                           corCAR1(~ time | id)       continuous-time AR(1) over real times
                                         'form = ~ ...' works too. The time may be an expression (Days + 1); ~ 1 | g
                                         numbers each cluster's rows 1, 2, 3, ... in file order. The cluster is a
                                         grouping factor of the formula or nested in one (without '| g': the formula's
                                         only one). Times must increase within each cluster in file order (rows are
                                         never reordered); rows with a missing time are dropped. Linear models only.
          --variance <function>          a level-1 variance function, as nlme's weights =:
                                           varIdent(~ 1 | sex)        a variance per level (first level the reference)
                                           varExp(~ standLRT)         SD σ·exp(δ·x)
                                           varPower(~ Days + 1)       SD σ·|x|^δ (the covariate may be an expression)
                                           loglinear(~ sex + standLRT)   log variance linear in covariates
                                           quadratic(~ standLRT)      MLwiN's quadratic level-1 variance
                                         Linear models only; not with --weights.
          --laplace expected|observed    Laplace curvature for non-canonical links: expected information as
                                         glmer (default) or the observed Hessian as glmmTMB
          --vcov hessian|factor          fixed-effect SEs from the finite-difference Hessian (glmer's default)
                                         or from the PIRLS factor (glmer's use.hessian = FALSE)
          --sep <separator>              separator of a text file: , ; tab (or \t) | (default: detected)
          --sql <query>                  read the data from a SQL query over files instead of <data>, e.g.
                                         "SELECT * FROM 'a.parquet' JOIN 'b.csv' USING (id)"
          --aggregate                    fit: compute the Gram blocks inside DuckDB next to the data (CSV, Parquet,
                                         globs, --sql) and fit from them without loading rows; linear models with
                                         plain columns, factors and interactions; no residuals in the output
                                         (docs/scale-out.md). --temp-dir <dir> and --memory-limit <e.g. 2GB> let
                                         DuckDB spill to disk
          <data> = postgresql://user[:password]@host:port/db with --table <name> or --sql <query>: the server
                                         computes the blocks (implies --aggregate)
          --design-only                  stop after reading the data and building the design (prints its size;
                                         for timing the data front end, see benchmarks/read_compare.sh)
          --json <out.json>              fit, anova: also write the result as JSON (fit: lme4 reference layout)
          --ranef                        fit: add the conditional modes and SDs (ranef) to the --json file
          --markdown                     print the summary or table as Markdown (same as --format markdown)
          --format <format>              text (default) or markdown for fit; text, markdown or json for anova
                                         and confint; csv (default) or json for ranef and predict
          --newdata <file>               predict: the rows to predict (default: the fitted rows); needs the columns
                                         of the formula's right-hand side, not the response
          --re-form NA|NULL              predict: NA (or ~0) for population-level predictions (fixed part only);
                                         NULL (default) adds each row's conditional modes
          --allow-new-levels             predict: a level the fit has not seen gets random effects 0 (lme4's
                                         allow.new.levels = TRUE); without it such a level is an error
          --type link|response           predict: the linear predictor (default, as lme4) or its inverse link (the
                                         probabilities or rates of a --family model; the same for a linear model);
                                         ordinal: one column per category, P(Y = category), new levels (with
                                         --allow-new-levels) integrated out over their random-effect distribution
          --level <p>                    confint: the confidence level (default 0.95)
          --method wald|profile|boot     confint: Wald intervals (default); profile-likelihood intervals (linear
                                         models; REML fits are profiled on the ML deviance, as lme4); or the
                                         parametric bootstrap (every family), as lme4's bootMer
          --nsim <n>                     confint --method boot: simulated data sets (default 500)
          --seed <s>                     confint --method boot: the seed (default 1); same seed, same intervals
          --boot-type perc|basic         confint --method boot: percentile (default) or basic intervals
          --profile-plot <out>           confint --method profile: the profile plot (ζ against each parameter),
                                         PNG or SVG by the extension
          --plot <kind>[:<term>] <out>   a figure, PNG or SVG by the extension of <out> (repeatable):
                                           caterpillar:<term>   predicted effects with 95 % intervals, one panel
                                                                per effect; <term>[effect] for one, e.g. Subject[Days]
                                           trajectory:<term>    fitted values over a covariate, a line per level;
                                                                <term>[x] names the covariate (default: the term's
                                                                slope, else the first fixed covariate)
                                           residuals            residuals against fitted values, and their QQ plot
                                           qq[:<term>]          normal QQ plot of the term's predicted effects
                                                                (without a term: of the residuals)
          --caterpillar <term> <out>     the same as --plot caterpillar:<term> <out>
          --reference <column>=<level>   reference (first) level of a categorical column (repeatable)
          --quiet                        no optimizer progress on stderr
          -h, --help                     this text
          --version                      the version

        All the fitting options (--ml, --family, --link, --nagq, --weights, --reference, ...) work with every verb.
        Exit codes: 0 success, 1 usage or data error, 2 the fit failed, 130 cancelled.
        """;

    /// <summary>The data file or glob; empty when the data come from <see cref="Sql"/>.</summary>
    public required string DataPath { get; init; }

    /// <summary>The <c>--sql</c> query, or null.</summary>
    public string? Sql { get; init; }

    /// <summary>The <c>--sep</c> separator, or null to detect it.</summary>
    public char? Separator { get; init; }

    /// <summary>Stop after the design is built (<c>--design-only</c>).</summary>
    public bool DesignOnly { get; init; }

    public required string Formula { get; init; }

    public EstimationMethod Method { get; init; } = EstimationMethod.Reml;

    /// <summary>--optimizer: the optimizer of a linear model's θ; null lets the library choose.</summary>
    public FitOptimizer? Optimizer { get; init; }

    public string? JsonPath { get; init; }

    public bool Markdown => Format == OutputFormat.Markdown;

    public bool Quiet { get; init; }

    /// <summary>How optimizer progress is shown (set by the caller from where stderr goes, not by an option).</summary>
    public ProgressDisplay Display { get; set; } = ProgressDisplay.Lines;

    /// <summary>The figures asked for with <c>--plot</c> and <c>--caterpillar</c>, in order.</summary>
    public IReadOnlyList<PlotRequest> Plots { get; init; } = [];

    public IReadOnlyDictionary<string, string> ReferenceLevels { get; init; } = new Dictionary<string, string>();

    /// <summary>The family given with <c>--family</c>; null when none was (a linear mixed model).</summary>
    public ResponseFamily? Family { get; init; }

    /// <summary>The link (<c>--link</c> or the R spelling of <c>--family</c>); canonical when none was given.</summary>
    public LinkFunction Link { get; init; } = LinkFunction.Canonical;

    /// <summary>Settings of a generalized fit (quadrature points, Laplace curvature, vcov source).</summary>
    public GlmmFitOptions Glmm { get; init; } = GlmmFitOptions.Default;

    /// <summary>The prior-weights column (<c>--weights</c>).</summary>
    public string? WeightsColumn { get; init; }

    /// <summary>The residual correlation of <c>--correlation</c>, or null.</summary>
    public ResidualCorrelationSpec? Correlation { get; init; }

    /// <summary>The level-1 variance function of <c>--variance</c>, or null.</summary>
    public ResidualVarianceSpec? Variance { get; init; }

    /// <summary>
    /// <c>--aggregate</c>: compute the Gram blocks inside DuckDB next to the file (no rows in memory). Implied by a
    /// <c>postgresql://</c> data source, where the server aggregates.
    /// </summary>
    public bool Aggregate { get; init; }

    /// <summary><c>--table</c>: the table (or schema.table) of a PostgreSQL source.</summary>
    public string? Table { get; init; }

    /// <summary><c>--temp-dir</c>: where DuckDB spills when aggregating out of core.</summary>
    public string? TempDirectory { get; init; }

    /// <summary><c>--memory-limit</c>: DuckDB's memory limit when aggregating, e.g. <c>2GB</c>.</summary>
    public string? MemoryLimit { get; init; }

    /// <summary>Whether the data source is a PostgreSQL server URI.</summary>
    public bool IsServer => DataPath.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || DataPath.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase);

    /// <summary>Ordinal models: the response's categories from lowest to highest (<c>--levels</c>); null: R's factor order.</summary>
    public IReadOnlyList<string>? OrdinalLevels { get; init; }

    /// <summary>Ordinal models: the threshold structure (<c>--threshold flexible|equidistant</c>).</summary>
    public ThresholdStructure Thresholds { get; init; } = ThresholdStructure.Flexible;

    /// <summary>True when a generalized model is asked for: a family other than Gaussian.</summary>
    public bool IsGeneralized => Family is { } f && f != ResponseFamily.Gaussian;

    /// <summary>A residual-structure argument parsed by <paramref name="parse"/>; a syntax error names the option and points into the argument.</summary>
    private static T ParseResidual<T>(string option, Func<T> parse)
    {
        try { return parse(); }
        catch (FormulaException e) { throw new CliException(option + ": " + e.Describe()); }
    }

    /// <summary>Parses the arguments after the verb; throws <see cref="CliException"/> with the problem.</summary>
    public static CliArguments Parse(IReadOnlyList<string> args) => Parse(CliVerb.Fit, args);

    /// <summary>Parses the arguments after <paramref name="verb"/>; throws <see cref="CliException"/> with the problem.</summary>
    public static CliArguments Parse(CliVerb verb, IReadOnlyList<string> args)
    {
        string verbName = Verbs.First(v => v.Value == verb).Key;
        OutputFormat? format = null;
        bool ranef = false;
        double? level = null;
        ConfintMethod confintMethod = ConfintMethod.Wald;
        int? replicates = null, seed = null;
        BootstrapIntervalType? bootType = null;
        string? profilePlot = null;
        string? newdata = null;
        bool population = false, allowNew = false;
        bool? responseScale = null;
        void Only(string option, params CliVerb[] verbs)
        {
            if (!verbs.Contains(verb))
                throw new CliException($"{option} does not apply to '{verbName}' (it is for {string.Join(" and ", verbs.Select(v => Verbs.First(x => x.Value == v).Key))}).");
        }
        var positional = new List<string>();
        EstimationMethod? method = null;
        string? json = null;
        bool quiet = false;
        var plots = new List<PlotRequest>();
        var references = new Dictionary<string, string>(StringComparer.Ordinal);
        (ResponseFamily Family, LinkFunction? Link)? family = null;
        LinkFunction? link = null;
        int? nagq = null;
        FitOptimizer? optimizer = null;
        string? weights = null;
        LaplaceHessian? laplace = null;
        FixedEffectsCovarianceSource? vcov = null;
        string? sql = null;
        char? separator = null;
        bool designOnly = false;
        ResidualCorrelationSpec? correlation = null;
        ResidualVarianceSpec? variance = null;
        bool aggregate = false;
        string? table = null, tempDir = null, memoryLimit = null;
        IReadOnlyList<string>? ordinalLevels = null;
        ThresholdStructure? thresholds = null;
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            string Value(string option)
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    throw new CliException($"Option {option} needs a value.");
                return args[++i];
            }
            switch (a)
            {
                case "--reml":
                case "--ml":
                    var m = a == "--ml" ? EstimationMethod.MaximumLikelihood : EstimationMethod.Reml;
                    if (method is not null && method != m) throw new CliException("Give either --reml or --ml, not both.");
                    method = m;
                    break;
                case "--json":
                    Only(a, CliVerb.Fit, CliVerb.Anova);
                    json = Value(a);
                    break;
                case "--markdown":
                    if (format is not null && format != OutputFormat.Markdown) throw new CliException("Give one of --markdown and --format.");
                    Only(a, CliVerb.Fit, CliVerb.Anova, CliVerb.Confint);
                    format = OutputFormat.Markdown;
                    break;
                case "--format":
                    string f = Value(a);
                    var parsed = f.ToLowerInvariant() switch
                    {
                        "text" => OutputFormat.Text,
                        "markdown" or "md" => OutputFormat.Markdown,
                        "json" => OutputFormat.Json,
                        "csv" => OutputFormat.Csv,
                        _ => throw new CliException($"--format takes text, markdown, json or csv; got '{f}'."),
                    };
                    var allowed = verb switch
                    {
                        CliVerb.Fit => new[] { OutputFormat.Text, OutputFormat.Markdown },
                        CliVerb.Ranef or CliVerb.Predict => [OutputFormat.Csv, OutputFormat.Json],
                        _ => [OutputFormat.Text, OutputFormat.Markdown, OutputFormat.Json],
                    };
                    if (!allowed.Contains(parsed))
                        throw new CliException($"'{verbName}' prints {string.Join(", ", allowed.Select(x => x.ToString().ToLowerInvariant()))}; not {f}{(verb == CliVerb.Fit && parsed == OutputFormat.Json ? " (write the fit as JSON with --json <out.json>)" : "")}.");
                    if (format is not null && format != parsed) throw new CliException("Give one of --markdown and --format.");
                    format = parsed;
                    break;
                case "--newdata":
                    Only(a, CliVerb.Predict);
                    newdata = Value(a);
                    break;
                case "--re-form":
                    Only(a, CliVerb.Predict);
                    string rf = Value(a).Replace(" ", "", StringComparison.Ordinal);
                    population = rf switch
                    {
                        "NA" or "~0" => true,
                        "NULL" => false,
                        _ => throw new CliException($"--re-form takes NA (or ~0: population level, the fixed part only) or NULL (every random effect, the default); got '{rf}'. Other subsets of the random effects are not supported yet."),
                    };
                    break;
                case "--allow-new-levels":
                    Only(a, CliVerb.Predict);
                    allowNew = true;
                    break;
                case "--type":
                    Only(a, CliVerb.Predict);
                    string ty = Value(a);
                    responseScale = ty.ToLowerInvariant() switch
                    {
                        "link" => false,
                        "response" => true,
                        _ => throw new CliException($"--type takes link (the linear predictor) or response (its inverse link, e.g. probabilities); got '{ty}'."),
                    };
                    break;
                case "--ranef":
                    Only(a, CliVerb.Fit);
                    ranef = true;
                    break;
                case "--level":
                    Only(a, CliVerb.Confint);
                    string lv = Value(a);
                    if (!double.TryParse(lv, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double l) || !(l > 0 && l < 1))
                        throw new CliException($"--level takes a probability between 0 and 1, e.g. 0.95; got '{lv}'.");
                    level = l;
                    break;
                case "--method":
                    Only(a, CliVerb.Confint);
                    string cm = Value(a);
                    confintMethod = cm.ToLowerInvariant() switch
                    {
                        "wald" => ConfintMethod.Wald,
                        "profile" => ConfintMethod.Profile,
                        "boot" => ConfintMethod.Boot,
                        _ => throw new CliException($"--method takes wald, profile or boot (as lme4's confint); got '{cm}'."),
                    };
                    break;
                case "--nsim":
                    Only(a, CliVerb.Confint);
                    string ns = Value(a);
                    if (!int.TryParse(ns, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int nsim) || nsim < 1)
                        throw new CliException($"--nsim takes a whole number of simulated data sets, e.g. 1000; got '{ns}'.");
                    replicates = nsim;
                    break;
                case "--seed":
                    Only(a, CliVerb.Confint);
                    string sd = Value(a);
                    if (!int.TryParse(sd, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out int sv))
                        throw new CliException($"--seed takes a whole number (32-bit), e.g. 20261201; got '{sd}'.");
                    seed = sv;
                    break;
                case "--boot-type":
                    Only(a, CliVerb.Confint);
                    string bt = Value(a);
                    bootType = bt.ToLowerInvariant() switch
                    {
                        "perc" or "percentile" => BootstrapIntervalType.Percentile,
                        "basic" => BootstrapIntervalType.Basic,
                        _ => throw new CliException($"--boot-type takes perc (percentile, the default) or basic; got '{bt}'."),
                    };
                    break;
                case "--profile-plot":
                    Only(a, CliVerb.Confint);
                    profilePlot = Value(a);
                    string ext = Path.GetExtension(profilePlot).ToLowerInvariant();
                    if (ext is not ".png" and not ".svg")
                        throw new CliException($"--profile-plot writes a .png or .svg file; '{profilePlot}' has {(ext.Length == 0 ? "no extension" : "the extension " + ext)}.");
                    break;
                case "--quiet":
                    quiet = true;
                    break;
                case "--caterpillar":
                    Only(a, CliVerb.Fit);
                    string term = Value(a);
                    plots.Add(PlotRequest.Parse("caterpillar:" + term, Value(a)));
                    break;
                case "--plot":
                    Only(a, CliVerb.Fit);
                    string what = Value(a);
                    plots.Add(PlotRequest.Parse(what, Value(a)));
                    break;
                case "--reference":
                    string spec = Value(a);
                    int eq = spec.IndexOf('=', StringComparison.Ordinal);
                    if (eq <= 0 || eq == spec.Length - 1) throw new CliException($"--reference takes <column>=<level>, e.g. --reference sex=M; got '{spec}'.");
                    references[spec[..eq]] = spec[(eq + 1)..];
                    break;
                case "--family":
                    family = FamilyOption.ParseFamily(Value(a));
                    break;
                case "--link":
                    link = FamilyOption.ParseLink(Value(a));
                    break;
                case "--nagq":
                    string points = Value(a);
                    if (!int.TryParse(points, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int q) || q < 1)
                        throw new CliException($"--nagq takes a whole number of quadrature points, 1 (Laplace, the default) or more; got '{points}'. (glmer's nAGQ = 0 is not supported.)");
                    nagq = q;
                    break;
                case "--weights":
                    weights = Value(a);
                    break;
                case "--optimizer":
                    string named = Value(a);
                    optimizer = named.ToLowerInvariant() switch
                    {
                        "bobyqa" => FitOptimizer.Bobyqa,
                        "quasi-newton" or "quasinewton" => FitOptimizer.QuasiNewton,
                        _ => throw new CliException($"--optimizer takes bobyqa or quasi-newton; got '{named}'."),
                    };
                    break;
                case "--correlation":
                    string cor = Value(a);
                    if (correlation is not null)
                        throw new CliException($"--correlation is given twice ('{correlation.Text}' and '{cor}'); a model has one residual correlation structure.");
                    correlation = ParseResidual(a, () => FormulaParser.ParseCorrelation(cor));
                    break;
                case "--variance":
                    string vf = Value(a);
                    if (variance is not null)
                        throw new CliException($"--variance is given twice ('{variance.Text}' and '{vf}'); a model has one variance function (loglinear(~ a + b) takes several covariates).");
                    variance = ParseResidual(a, () => FormulaParser.ParseVariance(vf));
                    break;
                case "--levels":
                    var listed = Value(a).Split(',').Select(l => l.Trim()).ToArray();
                    if (listed.Any(l => l.Length == 0) || listed.Distinct(StringComparer.Ordinal).Count() != listed.Length)
                        throw new CliException($"--levels takes the response's categories from lowest to highest, comma-separated and distinct, e.g. --levels \"no,perhaps,yes\"; got '{string.Join(",", listed)}'.");
                    ordinalLevels = listed;
                    break;
                case "--threshold":
                    string th = Value(a);
                    thresholds = th.ToLowerInvariant() switch
                    {
                        "flexible" => ThresholdStructure.Flexible,
                        "equidistant" => ThresholdStructure.Equidistant,
                        _ => throw new CliException($"--threshold takes flexible (the default) or equidistant; got '{th}'."),
                    };
                    break;
                case "--sql":
                    sql = Value(a);
                    break;
                case "--aggregate":
                    aggregate = true;
                    break;
                case "--table":
                    table = Value(a);
                    break;
                case "--temp-dir":
                    tempDir = Value(a);
                    break;
                case "--memory-limit":
                    memoryLimit = Value(a);
                    break;
                case "--design-only":
                    designOnly = true;
                    break;
                case "--sep":
                    string sep = Value(a);
                    separator = sep switch
                    {
                        "," or "comma" => ',',
                        ";" or "semicolon" => ';',
                        "\t" or "\\t" or "tab" => '\t',
                        "|" or "pipe" => '|',
                        _ => throw new CliException($"--sep takes , ; tab or |; got '{sep}'."),
                    };
                    break;
                case "--laplace":
                    string curvature = Value(a);
                    laplace = curvature.ToLowerInvariant() switch
                    {
                        "expected" => LaplaceHessian.Expected,
                        "observed" => LaplaceHessian.Observed,
                        _ => throw new CliException($"--laplace takes expected (glmer) or observed (glmmTMB); got '{curvature}'."),
                    };
                    break;
                case "--vcov":
                    string source = Value(a);
                    vcov = source.ToLowerInvariant() switch
                    {
                        "hessian" => FixedEffectsCovarianceSource.Hessian,
                        "factor" => FixedEffectsCovarianceSource.Factor,
                        _ => throw new CliException($"--vcov takes hessian (glmer's default) or factor (glmer's use.hessian = FALSE); got '{source}'."),
                    };
                    break;
                default:
                    if (a.StartsWith("--", StringComparison.Ordinal) || (a.StartsWith('-') && a.Length > 1 && !char.IsDigit(a[1])))
                        throw new CliException($"Unknown option '{a}'.");
                    positional.Add(a);
                    break;
            }
        }
        bool server = positional.Count > 0 && (positional[0].StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || positional[0].StartsWith("postgres://", StringComparison.OrdinalIgnoreCase));
        if (server && (sql is null) == (table is null))
            throw new CliException("A PostgreSQL source needs --table <name> or --sql <query> (one of them).");
        if ((aggregate || server) && verb != CliVerb.Fit)
            throw new CliException($"--aggregate and PostgreSQL sources work with 'fit' only for now, not with '{verbName}'.");
        if (!server && table is not null)
            throw new CliException("--table names a table of a PostgreSQL server: give a postgresql://user@host:port/db source.");
        if (sql is not null && !server)
        {
            // With --sql the query is the data: only the formula is positional.
            if (separator is not null) throw new CliException("--sep applies to a data file, not to --sql (give the separator to read_csv in the query, e.g. read_csv('a.txt', delim = ';')).");
            if (positional.Count == 0) throw new CliException("Give the formula after the --sql query (quote it).");
            if (positional.Count > 1)
                throw new CliException($"With --sql give only the formula, not a data file: '{positional[0]}' and '{positional[1]}'. Quote the formula so the shell passes it as one argument.");
            positional.Insert(0, "");
        }
        if (positional.Count < 2)
            throw new CliException(positional.Count == 0 ? "Give the data file and the formula." : "Give the formula after the data file (quote it).");
        if (verb == CliVerb.Anova && positional.Count < 3)
            throw new CliException("anova compares two or more models: give the data file and at least two formulas (quote each).");
        if (verb != CliVerb.Anova && positional.Count > 2)
            throw new CliException($"Too many arguments: '{positional[2]}'. Quote the formula so the shell passes it as one argument.");
        if (ranef && json is null)
            throw new CliException("--ranef adds the conditional modes to the JSON file: give --json <out.json> too (or use the ranef verb).");
        // The family decides what the other options mean: a GLMM is fitted by maximum likelihood, and the GLMM
        // settings mean nothing to a linear model.
        var fam = family?.Family;
        bool generalized = fam is { } f0 && f0 != ResponseFamily.Gaussian;
        if (family?.Link is { } spelled && link is { } given && spelled != given)
            throw new CliException($"--family names the {FamilyOption.Name(spelled)} link and --link the {FamilyOption.Name(given)} link; give one.");
        var chosenLink = link ?? family?.Link ?? LinkFunction.Canonical;
        if (fam != ResponseFamily.Ordinal && (ordinalLevels is not null || thresholds is not null))
            throw new CliException($"{(ordinalLevels is not null ? "--levels" : "--threshold")} applies to ordinal responses: add --family ordinal.");
        if (fam == ResponseFamily.Ordinal && (laplace is not null || vcov is not null))
            throw new CliException($"{(laplace is not null ? "--laplace" : "--vcov")} does not apply to ordinal models: the Laplace approximation uses the exact curvature and the SEs come from the Hessian over (thresholds, β, θ).");
        if (optimizer is not null && fam is { } nonGaussian && nonGaussian != ResponseFamily.Gaussian)
            throw new CliException($"--optimizer applies to linear (Gaussian) models; --family {FamilyOption.Name(nonGaussian)} fits use their own optimizer. Drop --optimizer.");
        if (!generalized)
        {
            string? glmmOnly = link is not null && link != LinkFunction.Identity ? "--link" : nagq is not null ? "--nagq" : laplace is not null ? "--laplace" : vcov is not null ? "--vcov" : null;
            if (glmmOnly is not null)
                throw new CliException($"{glmmOnly} applies to generalized models: add --family binomial, poisson or negbin.");
        }
        else
        {
            if (correlation is not null || variance is not null)
                throw new CliException($"{(correlation is not null ? "--correlation" : "--variance")} applies to linear mixed models (Gaussian residuals, as nlme's lme); --family {FamilyOption.Name(fam!.Value)} has no level-1 residual variance to structure. Drop one of them.");
            if (method == EstimationMethod.Reml)
                throw new CliException("--reml does not apply with --family: generalized mixed models are fitted by maximum likelihood (as glmer). Drop --reml.");
            FamilyOption.CheckLink(fam!.Value, chosenLink);
        }
        if (confintMethod != ConfintMethod.Boot && (replicates is not null || seed is not null || bootType is not null))
            throw new CliException($"{(replicates is not null ? "--nsim" : seed is not null ? "--seed" : "--boot-type")} applies to bootstrap intervals: add --method boot.");
        if (confintMethod != ConfintMethod.Profile && profilePlot is not null)
            throw new CliException("--profile-plot draws the likelihood profile: add --method profile.");
        if (variance is not null && weights is not null)
            throw new CliException("--weights and --variance both set the level-1 variance (nlme's weights = is the variance function); give one.");
        return new CliArguments
        {
            Correlation = correlation,
            Variance = variance,
            Family = fam,
            Link = generalized ? chosenLink : LinkFunction.Canonical,
            WeightsColumn = weights,
            OrdinalLevels = ordinalLevels,
            Thresholds = thresholds ?? ThresholdStructure.Flexible,
            Glmm = new GlmmFitOptions
            {
                QuadraturePoints = nagq ?? 1,
                LaplaceHessian = laplace ?? LaplaceHessian.Expected,
                FixedEffectsCovariance = vcov ?? FixedEffectsCovarianceSource.Hessian,
            },
            DataPath = positional[0],
            Sql = sql,
            Aggregate = aggregate || server,
            Table = table,
            TempDirectory = tempDir,
            MemoryLimit = memoryLimit,
            Separator = separator,
            DesignOnly = designOnly,
            Formula = positional[1],
            Formulas = positional.Skip(1).ToArray(),
            Verb = verb,
            Format = format ?? (verb is CliVerb.Ranef or CliVerb.Predict ? OutputFormat.Csv : OutputFormat.Text),
            NewDataPath = newdata,
            PopulationLevel = population,
            AllowNewLevels = allowNew,
            ResponseScale = responseScale ?? false,
            IncludeRanef = ranef,
            Level = level ?? 0.95,
            ConfintMethod = confintMethod,
            BootstrapReplicates = replicates ?? 500,
            Seed = seed ?? 1,
            BootType = bootType ?? BootstrapIntervalType.Percentile,
            ProfilePlotPath = profilePlot,
            Method = generalized ? EstimationMethod.MaximumLikelihood : method ?? EstimationMethod.Reml,
            Optimizer = optimizer,
            JsonPath = json,
            Quiet = quiet,
            Plots = plots,
            ReferenceLevels = references,
        };
    }
}
