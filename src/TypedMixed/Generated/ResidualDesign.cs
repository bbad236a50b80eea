using System.Globalization;

namespace TypedMixed.Generated;

/// <summary>
/// Builds the residual structures of a generated design (<see cref="ResidualCorrelationAttribute"/>,
/// <see cref="ResidualVarianceAttribute"/>) from the per-row arrays the encoder filled, with the run-time checks only the
/// data can fail: times out of order or repeated within a cluster, a power-function covariate at zero. Rows are named by
/// their position in the input, as the other design checks name them.
/// </summary>
public static class ResidualDesign
{
    /// <summary>
    /// The residual correlation over the first <paramref name="rows"/> kept rows: each row's cluster from
    /// <paramref name="clusters"/> and <paramref name="levels"/>, its time from <paramref name="time"/>.
    /// <paramref name="recordOf"/> maps a kept row to its position in the input, for messages.
    /// </summary>
    /// <exception cref="ModelDesignException">A time is not strictly greater than the one before it in the same cluster.</exception>
    public static ResidualCorrelation Correlation<TKey>(ResidualCorrelationStructure structure, string timeName, double[] time,
        string clusterName, LevelIndexBuilder<TKey> clusters, LevelSet<TKey> levels, int rows, int[] recordOf)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(clusters);
        ArgumentNullException.ThrowIfNull(levels);
        ArgumentNullException.ThrowIfNull(recordOf);
        var index = clusters.Codes(levels, clusterName);
        var t = EncodedDesign.Kept(time, rows);
        var last = new int[levels.Count];
        Array.Fill(last, -1);
        for (int i = 0; i < rows; i++)
        {
            int c = index[i], before = last[c];
            if (before >= 0 && t[i] <= t[before])
            {
                string a = Text(t[before]), b = Text(t[i]), key = levels.Names[c];
                string problem = t[i] == t[before]
                    ? $"'{timeName}' is {b} twice in {clusterName} {key}, at rows {recordOf[before]} and {recordOf[i]}: each occasion of a cluster must be one record (average or drop the duplicates)."
                    : $"The times of {clusterName} {key} are not increasing in input order: '{timeName}' is {b} at row {recordOf[i]} after {a} at row {recordOf[before]}. Sort the records by {clusterName} and {timeName} before fitting (the design never reorders rows).";
                throw new ModelDesignException(problem, timeName, recordOf[i]);
            }
            last[c] = i;
        }
        return new ResidualCorrelation
        {
            Structure = structure,
            TimeName = timeName,
            Time = t,
            ClusterName = clusterName,
            ClusterIndex = index,
            ClusterKeys = levels.Names,
        };
    }

    /// <summary>nlme's <c>varIdent</c>: a variance per level of <paramref name="stratum"/> (its first level the reference).</summary>
    public static ResidualVarianceFunction Ident(DesignFactor stratum, int rows)
    {
        ArgumentNullException.ThrowIfNull(stratum);
        if (stratum.Codes is null || stratum.LevelNames is null)
            throw new ArgumentException("A varIdent stratum must be categorical.", nameof(stratum));
        return new ResidualVarianceFunction
        {
            Kind = ResidualVarianceFunctionKind.Ident,
            StratumName = stratum.Name,
            StratumIndex = stratum.Codes.Length == rows ? stratum.Codes : stratum.Codes[..rows],
            StratumKeys = stratum.LevelNames,
        };
    }

    /// <summary>
    /// A variance function of covariate columns (<paramref name="covariates"/>: the design-matrix columns of the declared
    /// members, intercept excluded). For <see cref="ResidualVarianceFunctionKind.Power"/> a covariate of 0 is an error
    /// (|0|^δ makes the row's variance 0).
    /// </summary>
    /// <exception cref="ModelDesignException">A power-function covariate is 0 at a row.</exception>
    public static ResidualVarianceFunction Covariates(ResidualVarianceFunctionKind kind, ModelMatrixBuilder covariates, int rows, int[] recordOf)
    {
        ArgumentNullException.ThrowIfNull(covariates);
        ArgumentNullException.ThrowIfNull(recordOf);
        var values = covariates.ToColumnMajor();
        var names = covariates.Names;
        if (kind == ResidualVarianceFunctionKind.Power)
        {
            for (int i = 0; i < rows; i++)
                if (values[i] == 0)
                    throw new ModelDesignException(
                        $"'{names[0]}' is 0 at row {recordOf[i]}, where the power variance function |x|^δ makes the residual variance 0. Use a covariate that is never 0 (nlme users write varPower(~ x + 1)), or the exponential function.",
                        names[0], recordOf[i]);
        }
        return new ResidualVarianceFunction { Kind = kind, CovariateNames = names, Covariates = values };
    }

    private static string Text(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
