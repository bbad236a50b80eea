namespace TypedMixed;

/// <summary>How the weights of a multiple-membership term are checked or scaled before fitting.</summary>
public enum MembershipWeighting
{
    /// <summary>Each row's weights must sum to 1 (within 1e-6); anything else is an error naming the row.</summary>
    SumToOne,

    /// <summary>Each row's weights are divided by their sum (which must be positive).</summary>
    Normalize,

    /// <summary>The weights are used as given (brms's <c>scale = FALSE</c>): only finiteness and sign are checked.</summary>
    AsGiven,
}

/// <summary>Which one level a multiple-membership row keeps when it is reduced to an ordinary (single-membership) term.</summary>
public enum SingleMembershipChoice
{
    /// <summary>The row's last listed membership (e.g. the school a pupil attended last).</summary>
    Last,

    /// <summary>The row's first listed membership.</summary>
    First,

    /// <summary>The membership with the largest weight (the first of equals).</summary>
    LargestWeight,
}

/// <summary>
/// The rows → (level, weight) pairs of a multiple-membership term, in compressed-row form: row <c>i</c>'s pairs are
/// entries <c>RowStart[i] .. RowStart[i+1] − 1</c> of <see cref="Level"/> and <see cref="Weight"/>. Row <c>i</c>'s model
/// matrix row for the term is Σ_e Weight[e] · (the row's covariates) placed at level Level[e].
/// </summary>
public sealed class Memberships
{
    /// <summary>Row offsets into <see cref="Level"/> and <see cref="Weight"/>, length rows + 1, non-decreasing, starting at 0.</summary>
    public required int[] RowStart { get; init; }

    /// <summary>The level index of each membership, in 0 .. levels − 1; one level at most once per row.</summary>
    public required int[] Level { get; init; }

    /// <summary>The weight of each membership: finite and ≥ 0.</summary>
    public required double[] Weight { get; init; }

    /// <summary>How the weights are checked or scaled; by default each row's weights must sum to 1.</summary>
    public MembershipWeighting Weighting { get; init; } = MembershipWeighting.SumToOne;

    /// <summary>Number of rows.</summary>
    public int Rows => RowStart.Length - 1;

    /// <summary>Number of (row, level) memberships.</summary>
    public int Count => RowStart[^1];

    /// <summary>
    /// The weights the model uses: <see cref="Weight"/>, or with <see cref="MembershipWeighting.Normalize"/> each row's
    /// weights divided by their sum. Call after <see cref="ModelDesign.Validate"/>.
    /// </summary>
    public double[] EffectiveWeights()
    {
        if (Weighting != MembershipWeighting.Normalize) return Weight;
        var w = new double[Weight.Length];
        for (int i = 0; i < Rows; i++)
        {
            double sum = 0;
            for (int e = RowStart[i]; e < RowStart[i + 1]; e++) sum += Weight[e];
            for (int e = RowStart[i]; e < RowStart[i + 1]; e++) w[e] = Weight[e] / sum;
        }
        return w;
    }

    /// <summary>Per row, Σ w² over its memberships (effective weights): the factor on the term's variance in that row's variance.</summary>
    public double[] SquaredWeightSums()
    {
        var w = EffectiveWeights();
        var s = new double[Rows];
        for (int i = 0; i < Rows; i++)
            for (int e = RowStart[i]; e < RowStart[i + 1]; e++) s[i] += w[e] * w[e];
        return s;
    }

    /// <summary>
    /// Builds the layout from wide columns as data usually come (school1..school3 with w1..w3): <paramref name="levels"/>[c][i]
    /// is row i's level in membership column c, or −1 for "not attended", with its weight in <paramref name="weights"/>[c][i]
    /// (NaN where the level is −1). A weight without a level, or a level without a weight, is an error naming the row
    /// and the columns (<paramref name="levelNames"/>, <paramref name="weightNames"/>).
    /// </summary>
    public static Memberships FromColumns(IReadOnlyList<int[]> levels, IReadOnlyList<double[]> weights,
        IReadOnlyList<string> levelNames, IReadOnlyList<string> weightNames, MembershipWeighting weighting = MembershipWeighting.SumToOne)
    {
        if (levels.Count == 0 || levels.Count != weights.Count)
            throw new ModelDesignException($"A multiple-membership term needs one weight column per level column; got {levels.Count} level column(s) and {weights.Count} weight column(s).");
        int n = levels[0].Length, m = levels.Count;
        var rowStart = new int[n + 1];
        var level = new List<int>(n * 2);
        var weight = new List<double>(n * 2);
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < m; c++)
            {
                int l = levels[c][i];
                double w = weights[c][i];
                bool hasWeight = !double.IsNaN(w);
                if (l < 0 && hasWeight && w != 0)
                    throw new ModelDesignException($"Row {i}: weight column '{weightNames[c]}' is {Text(w)} but level column '{levelNames[c]}' is empty. Give the level or leave the weight empty.", weightNames[c], i);
                if (l >= 0 && !hasWeight)
                    throw new ModelDesignException($"Row {i}: level column '{levelNames[c]}' has a level but weight column '{weightNames[c]}' is empty. Give its weight or leave the level empty.", weightNames[c], i);
                if (l < 0) continue;
                for (int e = rowStart[i]; e < level.Count; e++)
                    if (level[e] == l)
                        throw new ModelDesignException($"Row {i}: the same level appears twice (column '{levelNames[c]}' repeats an earlier membership). Merge the two memberships into one with the summed weight.", levelNames[c], i);
                level.Add(l);
                weight.Add(w);
            }
            if (level.Count == rowStart[i])
                throw new ModelDesignException($"Row {i}: no membership — columns {string.Join(", ", levelNames)} are all empty. Every row needs at least one level; remove the row.", levelNames[0], i);
            rowStart[i + 1] = level.Count;
        }
        return new Memberships { RowStart = rowStart, Level = [.. level], Weight = [.. weight], Weighting = weighting };
    }

    /// <summary>
    /// One level per row (for the comparison model that assigns each row to one level, e.g. a pupil's last school).
    /// </summary>
    public int[] ToSingleLevel(SingleMembershipChoice choice)
    {
        var index = new int[Rows];
        for (int i = 0; i < Rows; i++)
        {
            int a = RowStart[i], b = RowStart[i + 1] - 1;
            int pick = choice switch
            {
                SingleMembershipChoice.First => a,
                SingleMembershipChoice.Last => b,
                _ => Enumerable.Range(a, b - a + 1).Aggregate(a, (best, e) => Weight[e] > Weight[best] ? e : best),
            };
            index[i] = Level[pick];
        }
        return index;
    }

    /// <summary>Checks the layout against a term with <paramref name="rows"/> rows and the given level keys.</summary>
    internal void Validate(string term, int rows, IReadOnlyList<string> levelKeys)
    {
        int levels = levelKeys.Count;
        if (RowStart is null || Level is null || Weight is null)
            throw new ModelDesignException($"Term '{term}': the memberships' row offsets, levels or weights are missing.", term);
        if (RowStart.Length != rows + 1)
            throw new ModelDesignException($"Term '{term}' has memberships for {RowStart.Length - 1} rows but the response has {rows}: give RowStart with rows + 1 offsets.", term);
        if (RowStart[0] != 0 || Level.Length != RowStart[^1] || Weight.Length != Level.Length)
            throw new ModelDesignException($"Term '{term}': RowStart must start at 0 and end at the number of memberships ({Level.Length} levels, {Weight.Length} weights, last offset {RowStart[^1]}).", term);
        var used = new bool[levels];
        for (int i = 0; i < rows; i++)
        {
            int a = RowStart[i], b = RowStart[i + 1];
            if (b < a)
                throw new ModelDesignException($"Term '{term}': RowStart decreases at row {i}.", term, i);
            if (b == a)
                throw new ModelDesignException($"Term '{term}': row {i} has no membership. Every row needs at least one level with a weight; remove the row.", term, i);
            double sum = 0;
            for (int e = a; e < b; e++)
            {
                int l = Level[e];
                double w = Weight[e];
                if ((uint)l >= (uint)levels)
                    throw new ModelDesignException($"Term '{term}': membership {e - a + 1} of row {i} has level index {l}, outside 0..{levels - 1}.", term, i);
                for (int f = a; f < e; f++)
                    if (Level[f] == l)
                        throw new ModelDesignException($"Term '{term}': row {i} lists level '{l}' twice. Merge the memberships (sum their weights).", term, i);
                if (!double.IsFinite(w))
                    throw new ModelDesignException($"Term '{term}': weight {e - a + 1} of row {i} is {Text(w)}. Weights must be finite.", term, i);
                if (w < 0)
                    throw new ModelDesignException($"Term '{term}': weight {e - a + 1} of row {i} is {Text(w)}. Weights must be ≥ 0.", term, i);
                sum += w;
                used[l] |= w > 0;
            }
            if (Weighting == MembershipWeighting.SumToOne && Math.Abs(sum - 1) > 1e-6)
                throw new ModelDesignException($"Term '{term}': the weights of row {i} sum to {Text(sum)}, not 1. Fix the weights, or ask for them to be normalised (MembershipWeighting.Normalize) or used as given (AsGiven).", term, i);
            if (Weighting == MembershipWeighting.Normalize && !(sum > 0))
                throw new ModelDesignException($"Term '{term}': the weights of row {i} sum to 0 and cannot be normalised.", term, i);
        }
        int unused = Array.IndexOf(used, false);
        if (unused >= 0)
            throw new ModelDesignException($"Level '{levelKeys[unused]}' of term '{term}' has no membership with a positive weight. Drop unused levels before fitting.", term);
    }

    private static string Text(double v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
