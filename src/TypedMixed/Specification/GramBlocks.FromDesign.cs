namespace TypedMixed;

public sealed partial class GramBlocks
{
    /// <summary>
    /// The reference aggregation: the same block set a database computes, summed here row by row from a design (prior
    /// weights multiply each product; an offset is subtracted from y). A fit from its result equals the fit from the
    /// design's rows up to the order of floating-point additions.
    /// </summary>
    /// <exception cref="ModelDesignException">The design is malformed, or is not a Gaussian model with independent residuals.</exception>
    public static GramBlocks FromDesign(ModelDesign design)
    {
        ArgumentNullException.ThrowIfNull(design);
        design.Validate();
        if (design.Family != ResponseFamily.Gaussian || design.ResidualCorrelation is not null || design.ResidualVariance is not null || design.ResidualMultivariate is not null)
            throw new ModelDesignException("Gram blocks describe a Gaussian model with independent residuals; a generalized model or a residual structure needs the rows at every iteration.");
        int n = design.Rows, p = design.FixedEffectCount, k = design.Terms.Count;
        var x = design.FixedEffects;
        var w = design.Weights;
        var y = design.Response;
        if (design.Offset is { } o)
        {
            y = new double[n];
            for (int i = 0; i < n; i++) y[i] = design.Response[i] - o[i];
        }
        double logWeightSum = 0;
        if (w is not null)
            foreach (double wi in w)
            {
                if (!(wi > 0)) throw new ModelDesignException("A linear mixed model's prior weights must be positive.", nameof(ModelDesign.Weights));
                logWeightSum += Math.Log(wi);
            }

        // Global sums: X'WX, X'Wy, y'Wy, Σ w y.
        var xtx = new double[p * p];
        var xty = new double[p];
        double yty = 0, ySum = 0;
        for (int i = 0; i < n; i++)
        {
            double wi = w?[i] ?? 1;
            for (int b = 0; b < p; b++)
            {
                double xb = wi * x[b * n + i];
                for (int a = 0; a < p; a++) xtx[b * p + a] += x[a * n + i] * xb;
                xty[b] += xb * y[i];
            }
            yty += wi * y[i] * y[i];
            ySum += y[i];
        }

        // Per term and level: count, Z'WZ, Z'WX, Z'Wy.
        var terms = new GramTermBlocks[k];
        for (int t = 0; t < k; t++)
        {
            var term = design.Terms[t];
            int m = term.LevelCount, q = term.ColumnCount;
            var z = term.Columns;
            var counts = new int[m];
            var ztz = new double[m * q * q];
            var ztx = new double[m * q * p];
            var zty = new double[m * q];
            for (int i = 0; i < n; i++)
            {
                int l = term.LevelIndex[i];
                double wi = w?[i] ?? 1;
                counts[l]++;
                for (int a = 0; a < q; a++)
                {
                    double za = wi * z[a * n + i];
                    for (int b = 0; b < q; b++) ztz[l * q * q + b * q + a] += za * z[b * n + i];
                    for (int c = 0; c < p; c++) ztx[l * q * p + c * q + a] += za * x[c * n + i];
                    zty[l * q + a] += za * y[i];
                }
            }
            terms[t] = new GramTermBlocks
            {
                Name = term.Name,
                LevelKeys = term.LevelKeys,
                ColumnNames = term.ColumnNames,
                Covariance = term.Covariance,
                LevelCounts = counts,
                ZtZ = ztz,
                ZtX = ztx,
                Zty = zty,
            };
        }

        // Per pair of terms: the level pairs that share a row, with Σ w zᵢ zⱼᵀ.
        var cross = new List<GramCrossTable>();
        for (int ti = 0; ti < k; ti++)
            for (int tj = ti + 1; tj < k; tj++)
            {
                var a = design.Terms[ti];
                var b = design.Terms[tj];
                int qa = a.ColumnCount, qb = b.ColumnCount;
                var pairIndex = new Dictionary<long, int>();
                var blocks = new List<double>();
                var first = new List<int>();
                var second = new List<int>();
                for (int i = 0; i < n; i++)
                {
                    int la = a.LevelIndex[i], lb = b.LevelIndex[i];
                    long key = (long)la * b.LevelCount + lb;
                    if (!pairIndex.TryGetValue(key, out int pair))
                    {
                        pair = pairIndex[key] = first.Count;
                        first.Add(la);
                        second.Add(lb);
                        for (int e = 0; e < qa * qb; e++) blocks.Add(0);
                    }
                    double wi = w?[i] ?? 1;
                    int o0 = pair * qa * qb;
                    for (int cb = 0; cb < qb; cb++)
                    {
                        double zb = wi * b.Columns[cb * n + i];
                        for (int ca = 0; ca < qa; ca++) blocks[o0 + cb * qa + ca] += a.Columns[ca * n + i] * zb;
                    }
                }
                cross.Add(new GramCrossTable { First = ti, Second = tj, FirstLevels = first.ToArray(), SecondLevels = second.ToArray(), Blocks = blocks.ToArray() });
            }

        return new GramBlocks
        {
            ResponseName = design.ResponseName,
            Rows = n,
            RowsDropped = design.RowsDropped,
            FixedEffectNames = design.FixedEffectNames,
            XtX = xtx,
            Xty = xty,
            YtY = yty,
            YSum = ySum,
            LogWeightSum = logWeightSum,
            Terms = terms,
            CrossTables = cross,
        };
    }
}
