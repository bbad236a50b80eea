using System.Globalization;

namespace TypedMixed;

/// <summary>
/// The sums over rows that a linear mixed model's fit needs — the blocks of the Gram matrix of [Z₁ … Z_k X y] — given
/// without the rows (DESIGN §5): per term and level the row count, Zₗ'Zₗ, Zₗ'X and Zₗ'y; per pair of terms the cross
/// table Zᵢ'Zⱼ over the level pairs that share a row; and X'X, X'y, y'y, Σy, n. A database engine can compute every
/// one of them as a GROUP BY aggregate next to the data; <see cref="FromDesign"/> computes them from rows in memory.
/// </summary>
/// <remarks>
/// Matrices are column-major. A fit from blocks (<see cref="LinearMixedModel.Fit(GramBlocks, FitOptions?, CancellationToken)"/>)
/// gives β̂, θ̂, σ̂², their standard errors, the conditional modes and SDs, logLik, AIC and BIC; it has no fitted values
/// or residuals (they need the rows: compute them by a second pass next to the data), which the fit says in warning TMW012.
/// Prior weights enter as sums of w-weighted products with <see cref="LogWeightSum"/> = Σ log wᵢ; an offset is
/// subtracted from y before summing.
/// </remarks>
public sealed partial class GramBlocks
{
    /// <summary>Name of the response, for reporting.</summary>
    public string ResponseName { get; init; } = "y";

    /// <summary>Number of rows summed (n).</summary>
    public required long Rows { get; init; }

    /// <summary>Rows left out before summing (e.g. a NULL in a used column), reported on the fit.</summary>
    public int RowsDropped { get; init; }

    /// <summary>Names of the p columns of X, e.g. <c>(Intercept)</c>, <c>Days</c>.</summary>
    public required IReadOnlyList<string> FixedEffectNames { get; init; }

    /// <summary>X'X, p × p column-major (both triangles).</summary>
    public required double[] XtX { get; init; }

    /// <summary>X'y, p values.</summary>
    public required double[] Xty { get; init; }

    /// <summary>y'y.</summary>
    public required double YtY { get; init; }

    /// <summary>Σy (for the response's total variance, which a fit compares σ̂² with).</summary>
    public required double YSum { get; init; }

    /// <summary>Σ log wᵢ over prior weights; 0 without weights.</summary>
    public double LogWeightSum { get; init; }

    /// <summary>The random-effects terms, in the order they are reported (as <see cref="ModelDesign.Terms"/>).</summary>
    public required IReadOnlyList<GramTermBlocks> Terms { get; init; }

    /// <summary>The cross tables Zᵢ'Zⱼ, one per pair of terms (i &lt; j).</summary>
    public required IReadOnlyList<GramCrossTable> CrossTables { get; init; }

    /// <summary>Number of fixed-effects columns p.</summary>
    public int FixedEffectCount => FixedEffectNames.Count;

    /// <summary>
    /// Checks sizes, finiteness, level indices, that the level counts add up to n for every term, that every pair of
    /// terms has one cross table whose level pairs are distinct and whose blocks sum (over the other term's levels) to
    /// nothing impossible; throws a <see cref="ModelDesignException"/> naming the block and the fix.
    /// </summary>
    public void Validate()
    {
        if (Rows <= 0)
            throw new ModelDesignException("The Gram blocks sum no rows (Rows = 0): the query returned no rows. Check the table and the filter.", nameof(Rows));
        if (Rows > int.MaxValue)
            throw new ModelDesignException($"The Gram blocks sum {Rows} rows; the estimator counts rows in 32 bits (at most {int.MaxValue}).", nameof(Rows));
        int p = FixedEffectCount;
        Check(XtX, p * p, nameof(XtX));
        Check(Xty, p, nameof(Xty));
        if (!double.IsFinite(YtY) || YtY < 0) throw new ModelDesignException($"YtY is {Text(YtY)}: it must be a finite sum of squares.", nameof(YtY));
        if (!double.IsFinite(YSum)) throw new ModelDesignException($"YSum is {Text(YSum)}: it must be finite.", nameof(YSum));
        for (int c = 0; c < p; c++)
            if (XtX[c * p + c] < 0) throw new ModelDesignException($"XtX[{c},{c}] (column '{FixedEffectNames[c]}') is negative: not a sum of squares.", nameof(XtX), c);
        if (Terms.Count == 0)
            throw new ModelDesignException("The Gram blocks have no random-effects term: a linear mixed model needs at least one (… | group).", nameof(Terms));
        for (int t = 0; t < Terms.Count; t++) Terms[t].Validate(t, p, Rows);
        var seen = new HashSet<(int, int)>();
        foreach (var c in CrossTables)
        {
            if (c.First < 0 || c.Second >= Terms.Count || c.First >= c.Second)
                throw new ModelDesignException($"A cross table joins terms {c.First} and {c.Second}: it must name two terms with First < Second < {Terms.Count}.", nameof(CrossTables));
            if (!seen.Add((c.First, c.Second)))
                throw new ModelDesignException($"Terms {c.First} and {c.Second} have two cross tables; give one.", nameof(CrossTables));
            c.Validate(Terms[c.First], Terms[c.Second]);
        }
        for (int i = 0; i < Terms.Count; i++)
            for (int j = i + 1; j < Terms.Count; j++)
                if (!seen.Contains((i, j)))
                    throw new ModelDesignException($"No cross table for terms '{Terms[i].Name}' and '{Terms[j].Name}': every pair of terms needs one (GROUP BY both keys).", nameof(CrossTables));
    }

    internal static void Check(double[] values, int length, string member)
    {
        if (values is null || values.Length != length)
            throw new ModelDesignException($"{member} has {values?.Length ?? 0} values; {length} are expected.", member);
        for (int i = 0; i < values.Length; i++)
            if (!double.IsFinite(values[i]))
                throw new ModelDesignException($"{member}[{i}] is {Text(values[i])}: the sums must be finite (a column with an infinite or missing value was summed).", member, i);
    }

    internal static string Text(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>
/// One random-effects term's sums by level: for level l with rows Rₗ and the term's q columns z, the row count |Rₗ|,
/// Σ z zᵀ (q × q), Σ z xᵀ (q × p) and Σ z y (q).
/// </summary>
public sealed class GramTermBlocks
{
    /// <summary>The classification's name as reported (e.g. <c>Subject</c>).</summary>
    public required string Name { get; init; }

    /// <summary>The levels' keys as text; index l names level l.</summary>
    public required IReadOnlyList<string> LevelKeys { get; init; }

    /// <summary>Names of the term's columns, e.g. <c>(Intercept)</c>, <c>Days</c>.</summary>
    public required IReadOnlyList<string> ColumnNames { get; init; }

    /// <summary>The covariance structure of one level's effects.</summary>
    public CovarianceStructure Covariance { get; init; } = CovarianceStructure.Unstructured;

    /// <summary>Rows per level.</summary>
    public required int[] LevelCounts { get; init; }

    /// <summary>Per level l, Σ z zᵀ: q × q column-major at offset l·q².</summary>
    public required double[] ZtZ { get; init; }

    /// <summary>Per level l, Σ z xᵀ: q × p column-major at offset l·q·p.</summary>
    public required double[] ZtX { get; init; }

    /// <summary>Per level l, Σ z y: q values at offset l·q.</summary>
    public required double[] Zty { get; init; }

    /// <summary>Number of levels.</summary>
    public int LevelCount => LevelKeys.Count;

    /// <summary>Number of columns q.</summary>
    public int ColumnCount => ColumnNames.Count;

    internal void Validate(int index, int p, long rows)
    {
        int m = LevelCount, q = ColumnCount;
        string at = $"Terms[{index}] ('{Name}')";
        if (m == 0) throw new ModelDesignException($"{at} has no levels.", nameof(GramBlocks.Terms), index);
        if (q == 0) throw new ModelDesignException($"{at} has no columns.", nameof(GramBlocks.Terms), index);
        if (LevelCounts is null || LevelCounts.Length != m)
            throw new ModelDesignException($"{at}: LevelCounts has {LevelCounts?.Length ?? 0} values for {m} levels.", nameof(GramBlocks.Terms), index);
        long total = 0;
        for (int l = 0; l < m; l++)
        {
            if (LevelCounts[l] <= 0) throw new ModelDesignException($"{at}: level '{LevelKeys[l]}' has {LevelCounts[l]} rows; an empty level must be left out.", nameof(GramBlocks.Terms), index);
            total += LevelCounts[l];
        }
        if (total != rows)
            throw new ModelDesignException($"{at}: the level counts add up to {total} rows, not {rows}: the term's query and the global sums saw different rows (a NULL key must drop the row everywhere).", nameof(GramBlocks.Terms), index);
        GramBlocks.Check(ZtZ, m * q * q, $"{at}.ZtZ");
        GramBlocks.Check(ZtX, m * q * p, $"{at}.ZtX");
        GramBlocks.Check(Zty, m * q, $"{at}.Zty");
    }
}

/// <summary>
/// The cross table of two terms: for each pair of levels (a of <see cref="First"/>, b of <see cref="Second"/>) that share
/// at least one row, Σ zₐ z_bᵀ over those rows (q_First × q_Second, column-major). Pairs that share no row are absent.
/// </summary>
public sealed class GramCrossTable
{
    /// <summary>Index of the first term in <see cref="GramBlocks.Terms"/>.</summary>
    public required int First { get; init; }

    /// <summary>Index of the second term (greater than <see cref="First"/>).</summary>
    public required int Second { get; init; }

    /// <summary>Level of the first term, per pair.</summary>
    public required int[] FirstLevels { get; init; }

    /// <summary>Level of the second term, per pair.</summary>
    public required int[] SecondLevels { get; init; }

    /// <summary>Per pair k, the q_First × q_Second block at offset k·q_First·q_Second.</summary>
    public required double[] Blocks { get; init; }

    internal void Validate(GramTermBlocks a, GramTermBlocks b)
    {
        string at = $"The cross table of '{a.Name}' and '{b.Name}'";
        int pairs = FirstLevels?.Length ?? 0;
        if (SecondLevels is null || SecondLevels.Length != pairs)
            throw new ModelDesignException($"{at} has {pairs} first levels but {SecondLevels?.Length ?? 0} second levels.", nameof(GramBlocks.CrossTables));
        GramBlocks.Check(Blocks, pairs * a.ColumnCount * b.ColumnCount, $"{at}.Blocks");
        var seen = new HashSet<long>();
        for (int k = 0; k < pairs; k++)
        {
            int la = FirstLevels![k], lb = SecondLevels[k];
            if (la < 0 || la >= a.LevelCount || lb < 0 || lb >= b.LevelCount)
                throw new ModelDesignException($"{at}: pair {k} has levels ({la}, {lb}), outside 0..{a.LevelCount - 1} and 0..{b.LevelCount - 1}.", nameof(GramBlocks.CrossTables), k);
            if (!seen.Add((long)la * b.LevelCount + lb))
                throw new ModelDesignException($"{at}: the level pair ('{a.LevelKeys[la]}', '{b.LevelKeys[lb]}') appears twice; GROUP BY both keys gives it once.", nameof(GramBlocks.CrossTables), k);
        }
    }
}
