namespace TypedMixed.Estimation;

/// <summary>
/// What linear and generalized fits share about their random-effects terms at the optimum: which effects sit on the
/// boundary (the singular-fit warning) and each level's conditional covariance T (L L')⁻¹ₗₗ T'.
/// </summary>
internal static class BoundaryCheck
{
    /// <summary>
    /// One phrase per effect whose diagonal of T (design order, <paramref name="factors"/>) is on its bound; adds the
    /// TMW001 warning first in <paramref name="warnings"/> when there is any.
    /// </summary>
    public static List<string> SingularEffects(MixedModelProblem problem, double[][] factors, List<FitWarning> warnings)
    {
        var singular = new List<string>();
        for (int t = 0; t < problem.Templates.Length; t++)
        {
            var tp = problem.Templates[t];
            for (int a = 0; a < tp.Q; a++)
                if (problem.OnBoundary(factors[t], t, a))
                    singular.Add(a == 0 || tp.Structure != CovarianceStructure.Unstructured
                        ? $"the variance of '{tp.ColumnNames[a]}' over '{tp.TermName}' is estimated as zero"
                        : $"'{tp.ColumnNames[a]}' over '{tp.TermName}' is perfectly correlated with the earlier effects of that term (a correlation of ±1, or a zero variance)");
        }
        if (singular.Count > 0)
            warnings.Insert(0, new FitWarning("TMW001",
                $"Singular fit (boundary): {string.Join("; ", singular)}. The data do not support this random-effects structure: remove that effect (or the term), or fit uncorrelated effects, and compare the fits with a likelihood-ratio test."));
        return singular;
    }

    /// <summary>
    /// scale · T W T' per level, W the level's diagonal block of (L_ZZ L_ZZ')⁻¹ from the current factor (ordered term
    /// <paramref name="storageTerm"/>): lme4's <c>condVar</c> (scale σ² for linear models, 1 for generalized ones).
    /// </summary>
    public static double[][,] ConditionalCovariances(Factorization.BlockedCholesky factor, int storageTerm, double[] t, int q, double scale)
    {
        var blocks = PenalizedSolution.InverseDiagonalBlocks(factor, storageTerm);
        var result = new double[blocks.Length][,];
        for (int l = 0; l < blocks.Length; l++)
        {
            var w = blocks[l];
            var m = new double[q, q];
            for (int a = 0; a < q; a++)
                for (int b = 0; b < q; b++)
                {
                    double s = 0;
                    for (int c = 0; c <= a; c++)
                        for (int d = 0; d <= b; d++) s += t[c * q + a] * w[d * q + c] * t[d * q + b];
                    m[a, b] = scale * s;
                }
            result[l] = m;
        }
        return result;
    }
}
