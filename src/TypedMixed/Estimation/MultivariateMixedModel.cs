using TypedMixed.Estimation;
using TypedMixed.Inference;

namespace TypedMixed;

/// <summary>
/// Multivariate linear mixed models: several responses per unit, each with its own fixed effects, random intercepts (and
/// optionally slopes) per response correlated within every classification, and residuals correlated across the
/// responses of a unit. Exact ML
/// or REML: the responses are stacked (one row per unit × observed response) and the unit's R × R residual covariance is
/// a residual structure whitened like the others (see <see cref="MultivariateResidual"/>).
/// </summary>
public static class MultivariateMixedModel
{
    /// <summary>
    /// Fits the model. Each response is divided by its SD before fitting (so responses on very different scales converge
    /// alike) and every result is reported on the original scale, the log-likelihood included.
    /// </summary>
    /// <param name="design">The wide data.</param>
    /// <param name="options">ML or REML and optimizer settings (default REML).</param>
    /// <param name="separateModelsTest">Also fit each response alone and test the joint model against them.</param>
    /// <param name="cancellationToken">Cancels the optimization.</param>
    /// <exception cref="ModelDesignException">The design is malformed; the message names the response, column or unit and the fix.</exception>
    public static MultivariateMixedModelFit Fit(MultivariateDesign design, FitOptions? options = null, bool separateModelsTest = true,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(design);
        options ??= FitOptions.Default;
        var stacked = Stack(design);
        var problem = MixedModelProblem.Create(stacked.Design);
        var inner = new FitOptions
        {
            Method = options.Method,
            Progress = options.Progress,
            MaxEvaluations = options.MaxEvaluations,
            FunctionTolerance = options.FunctionTolerance,
            InitialTrustRadius = options.InitialTrustRadius,
            FinalTrustRadius = options.FinalTrustRadius,
            CheckConvergence = options.CheckConvergence,
            Optimizer = options.Optimizer,
            VarianceComponentErrors = false,
            Satterthwaite = false,
        };
        var fit = LmmEstimator.Fit(problem, inner, cancellationToken);
        var result = MultivariateResults.Build(design, stacked, problem, fit, options);
        if (!separateModelsTest) return result;
        double separate = 0;
        for (int k = 0; k < design.ResponseNames.Count; k++)
            separate += LmmEstimator.Fit(Univariate(design, k), inner, cancellationToken).LogLikelihood;
        int r = design.ResponseNames.Count;
        // Joint parameters − separate ones: per classification q(q + 1)/2 − R·m(m + 1)/2 (q = R·m), and the residual's R(R − 1)/2.
        int df = r * (r - 1) / 2;
        foreach (var g in design.Classifications)
        {
            int m = g.ColumnsPerResponse, q = r * m;
            df += q * (q + 1) / 2 - r * m * (m + 1) / 2;
        }
        result.SeparateModelsLogLikelihood = separate;
        result.SeparateModelsTest = LikelihoodRatioTestResult.Of(separate, result.LogLikelihood, df, oneVariance: false);
        return result;
    }

    /// <summary>The stacked design (responses divided by their scales) and what is needed to undo the scaling.</summary>
    internal sealed record StackedDesign(ModelDesign Design, double[] Scales, int[] RowsPerResponse, int FixedPerResponse);

    /// <summary>One row per unit × observed response, unit by unit; response-specific fixed and random columns.</summary>
    internal static StackedDesign Stack(MultivariateDesign design, bool scale = true)
    {
        design.Validate();
        int r = design.ResponseNames.Count, units = design.Units, p = design.FixedEffectNames.Count;
        var scales = new double[r];
        var rowsPer = new int[r];
        for (int k = 0; k < r; k++)
        {
            double s = 0, s2 = 0;
            int m = 0;
            foreach (double y in design.Responses[k])
                if (!double.IsNaN(y)) { s += y; s2 += y * y; m++; }
            double mean = s / m, v = Math.Max(s2 / m - mean * mean, 0);
            if (m > 1 && !(v > 1e-24 * Math.Max(mean * mean, 1)))
                throw new ModelDesignException($"Response '{design.ResponseNames[k]}' has the same value ({mean.ToString(System.Globalization.CultureInfo.InvariantCulture)}) for every {design.UnitName}: its variances cannot be estimated. Remove it from the responses.", design.ResponseNames[k]);
            scales[k] = scale && v > 0 ? Math.Sqrt(v) : 1;
            rowsPer[k] = m;
        }
        int n = rowsPer.Sum();
        var y2 = new double[n];
        var unit = new int[n];
        var response = new int[n];
        var x = new double[n * p * r];
        var classes = design.Classifications;
        // Term t has q = R·m columns (m per response: intercept and covariates), response k's in k·m .. k·m + m − 1.
        var perResponse = classes.Select(g => g.ColumnsPerResponse).ToArray();
        var z = classes.Select((_, t) => new double[(long)n * r * perResponse[t]]).ToArray();
        var levels = classes.Select(_ => new int[n]).ToArray();
        int i = 0;
        for (int u = 0; u < units; u++)
            for (int k = 0; k < r; k++)
            {
                double y = design.Responses[k][u];
                if (double.IsNaN(y)) continue;
                y2[i] = y / scales[k];
                unit[i] = u;
                response[i] = k;
                for (int c = 0; c < p; c++) x[(k * p + c) * n + i] = design.FixedEffects[c * units + u];
                for (int t = 0; t < classes.Count; t++)
                {
                    int m = perResponse[t];
                    for (int j = 0; j < m; j++) z[t][(long)(k * m + j) * n + i] = classes[t].Value(j, u, units);
                    levels[t][i] = classes[t].LevelIndex[u];
                }
                i++;
            }
        var names = design.ResponseNames.SelectMany(name => design.FixedEffectNames.Select(c => name + ":" + c)).ToArray();
        var terms = classes.Select((g, t) => new RandomEffectsTerm
        {
            Name = g.Name,
            LevelIndex = levels[t],
            LevelKeys = g.LevelKeys,
            ColumnNames = ColumnNames(design, g),
            Columns = z[t],
            Covariance = CovarianceStructure.Unstructured,
        }).ToArray();
        var stacked = new ModelDesign
        {
            ResponseName = string.Join(", ", design.ResponseNames),
            Response = y2,
            FixedEffects = x,
            FixedEffectNames = names,
            Terms = terms,
            RowsDropped = design.RowsDropped,
            ResidualMultivariate = new MultivariateResidual
            {
                ResponseNames = design.ResponseNames,
                ResponseIndex = response,
                UnitName = design.UnitName,
                UnitIndex = unit,
                UnitCount = units,
            },
        };
        return new StackedDesign(stacked, scales, rowsPer, p);
    }

    /// <summary>
    /// The random-effects column names of classification <paramref name="g"/>: the response names for random intercepts
    /// only, else <c>response:(Intercept)</c>, <c>response:x</c>, … response by response.
    /// </summary>
    internal static string[] ColumnNames(MultivariateDesign design, MultivariateClassification g) => g.HasSlopes
        ? [.. design.ResponseNames.SelectMany(name => Enumerable.Range(0, g.ColumnsPerResponse).Select(j => name + ":" + g.ColumnName(j)))]
        : [.. design.ResponseNames];

    /// <summary>The response each random-effects column of classification <paramref name="g"/> belongs to.</summary>
    internal static int[] ColumnResponses(MultivariateDesign design, MultivariateClassification g) =>
        [.. Enumerable.Range(0, design.ResponseNames.Count * g.ColumnsPerResponse).Select(c => c / g.ColumnsPerResponse)];

    /// <summary>Response k alone: its observed units, the same fixed columns and per classification the same random effects (intercept, slopes).</summary>
    internal static ModelDesign Univariate(MultivariateDesign design, int k)
    {
        int units = design.Units, p = design.FixedEffectNames.Count;
        var keep = Enumerable.Range(0, units).Where(u => !double.IsNaN(design.Responses[k][u])).ToArray();
        int n = keep.Length;
        var x = new double[n * p];
        for (int c = 0; c < p; c++)
            for (int i = 0; i < n; i++) x[c * n + i] = design.FixedEffects[c * units + keep[i]];
        return new ModelDesign
        {
            ResponseName = design.ResponseNames[k],
            Response = keep.Select(u => design.Responses[k][u]).ToArray(),
            FixedEffects = x,
            FixedEffectNames = design.FixedEffectNames,
            Terms = design.Classifications.Select(g =>
            {
                var used = keep.Select(u => g.LevelIndex[u]).Distinct().Order().ToArray();
                var map = new Dictionary<int, int>();
                for (int l = 0; l < used.Length; l++) map[used[l]] = l;
                int m = g.ColumnsPerResponse;
                var columns = new double[n * m];
                for (int j = 0; j < m; j++)
                    for (int i = 0; i < n; i++) columns[j * n + i] = g.Value(j, keep[i], units);
                return new RandomEffectsTerm
                {
                    Name = g.Name,
                    LevelIndex = keep.Select(u => map[g.LevelIndex[u]]).ToArray(),
                    LevelKeys = used.Select(l => g.LevelKeys[l]).ToArray(),
                    ColumnNames = [.. Enumerable.Range(0, m).Select(g.ColumnName)],
                    Columns = columns,
                    Covariance = CovarianceStructure.Unstructured,
                };
            }).ToArray(),
        };
    }

    /// <summary>
    /// The log-likelihood (REML log-likelihood for REML) on the original scale at given covariance matrices (one per
    /// classification, q × q in the order of <see cref="ColumnNames"/>, then the residual's R × R), β profiled out: the objective the fit maximises, for checks against the
    /// dense multivariate normal likelihood.
    /// </summary>
    internal static double LogLikelihoodAt(MultivariateDesign design, EstimationMethod method, IReadOnlyList<double[,]> covariances)
    {
        var stacked = Stack(design);
        var problem = MixedModelProblem.Create(stacked.Design);
        var deviance = new ResidualStructureDeviance(problem, method == EstimationMethod.Reml);
        var layout = MultivariateResults.Layout.Of(design);
        var psi = layout.Pack(covariances, stacked.Scales, toInternal: true);
        return MultivariateResults.InternalLogLikelihood(problem, deviance, layout, psi) + MultivariateResults.ScaleJacobian(stacked, problem, method);
    }
}
