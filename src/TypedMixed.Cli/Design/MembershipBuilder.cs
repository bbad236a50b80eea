using System.Globalization;
using TypedMixed.Cli.Data;
using TypedMixed.Cli.Formulas;

namespace TypedMixed.Cli.Design;

/// <summary>
/// The random-effects term of <c>( ... | mm(school1, school2, weights = cbind(w1, w2)))</c> on the kept rows: the levels
/// are the distinct values of all level columns (numbers in numeric order, text in ordinal order); an empty cell is
/// "not attended"; every weight cell is checked here so an error names the table's row and column.
/// </summary>
internal static class MembershipBuilder
{
    /// <summary>Tolerance of "the weights of a row sum to 1" (two-decimal weights such as 0.31 + 0.32 + 0.37 pass).</summary>
    private const double SumTolerance = 1e-6;

    public static RandomEffectsTerm Term(MembershipGrouping mm, Formula formula, CsvTable table, int[] kept,
        IReadOnlyList<string> columnNames, double[] columns, CovarianceStructure covariance)
    {
        int n = kept.Length, m = mm.Levels.Count;
        var levelColumns = mm.Levels.Select(v => Column(table, v, formula)).ToArray();
        var weightColumns = mm.Weights?.Select(v => Column(table, v, formula)).ToArray();

        // Level keys: every value present in a level column on the kept rows.
        bool numeric = levelColumns.All(c => c.IsNumeric);
        var present = new HashSet<string>(StringComparer.Ordinal);
        var keyOf = new string?[m][];
        for (int c = 0; c < m; c++)
        {
            keyOf[c] = new string?[n];
            var column = levelColumns[c];
            for (int i = 0; i < n; i++)
            {
                int r = kept[i];
                if (column.IsMissing(r)) continue;
                string key = numeric ? column.Values[r].ToString("R", CultureInfo.InvariantCulture) : column.Raw[r]!;
                keyOf[c][i] = key;
                present.Add(key);
            }
        }
        var keys = numeric
            ? present.OrderBy(k => double.Parse(k, CultureInfo.InvariantCulture)).ToList()
            : present.Order(StringComparer.Ordinal).ToList();
        var position = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int l = 0; l < keys.Count; l++) position[keys[l]] = l;

        var levels = new int[m][];
        var weights = new double[m][];
        for (int c = 0; c < m; c++)
        {
            levels[c] = new int[n];
            weights[c] = new double[n];
            for (int i = 0; i < n; i++)
            {
                levels[c][i] = keyOf[c][i] is { } key ? position[key] : -1;
                weights[c][i] = weightColumns is null ? double.NaN : WeightCell(weightColumns[c], kept[i], table);
            }
        }
        if (weightColumns is null)
        {
            // No weights: each of a row's memberships weighs 1/k (brms's default).
            for (int i = 0; i < n; i++)
            {
                int k = 0;
                for (int c = 0; c < m; c++) if (levels[c][i] >= 0) k++;
                for (int c = 0; c < m; c++) if (levels[c][i] >= 0) weights[c][i] = 1.0 / k;
            }
        }

        Memberships memberships;
        string[] levelNames = [.. mm.Levels.Select(v => v.Column)];
        string[] weightNames = mm.Weights is null ? levelNames : [.. mm.Weights.Select(v => v.Column)];
        try
        {
            memberships = Memberships.FromColumns(levels, weights, levelNames, weightNames, mm.Weighting);
        }
        catch (ModelDesignException e) when (e.Row is int row)
        {
            throw new CliException($"In {table.Source}, {table.DescribeRow(kept[row])}: {StripRow(e.Message)}\n" + DesignBuilder.Caret(formula.Text, mm.Position));
        }
        if (weightColumns is not null) CheckRowSums(memberships, mm, table, kept, weightNames, formula);
        return new RandomEffectsTerm
        {
            Name = mm.Name,
            Memberships = memberships,
            LevelKeys = keys,
            ColumnNames = columnNames,
            Columns = columns,
            Covariance = covariance,
        };
    }

    private static CsvColumn Column(CsvTable table, Variable v, Formula formula)
    {
        try { return table.Column(v.Column); }
        catch (CliException e) { throw new CliException(e.Message + "\n" + DesignBuilder.Caret(formula.Text, v.Position)); }
    }

    /// <summary>A weight cell: NaN when empty; otherwise a finite number ≥ 0, or an error naming the row and column.</summary>
    private static double WeightCell(CsvColumn column, int r, CsvTable table)
    {
        if (column.IsMissing(r)) return double.NaN;
        double w = column.Values[r];
        string raw = column.Raw[r] ?? "";
        if (!column.IsNumeric && !CsvColumn.TryParseNumber(raw, out w))
            throw new CliException($"Weight column '{column.Name}' has \"{raw}\" at {table.DescribeRow(r)} of {table.Source}: a membership weight is a number ≥ 0 (leave the cell empty when the level is empty).");
        if (!double.IsFinite(w))
            throw new CliException($"Weight column '{column.Name}' has \"{raw}\" at {table.DescribeRow(r)} of {table.Source}: membership weights must be finite numbers ≥ 0.");
        if (w < 0)
            throw new CliException($"Weight column '{column.Name}' is {raw} at {table.DescribeRow(r)} of {table.Source}: membership weights must be ≥ 0.");
        return w;
    }

    private static void CheckRowSums(Memberships memberships, MembershipGrouping mm, CsvTable table, int[] kept, string[] weightNames, Formula formula)
    {
        for (int i = 0; i < memberships.Rows; i++)
        {
            double sum = 0;
            for (int e = memberships.RowStart[i]; e < memberships.RowStart[i + 1]; e++) sum += memberships.Weight[e];
            if (mm.Weighting == MembershipWeighting.SumToOne && Math.Abs(sum - 1) > SumTolerance)
                throw new CliException($"The weights {string.Join(" + ", weightNames)} sum to {sum.ToString("R", CultureInfo.InvariantCulture)} at {table.DescribeRow(kept[i])} of {table.Source}, not 1. Fix them, or add scale = TRUE to mm(...) to divide each row's weights by their sum (scale = FALSE uses them as given).\n"
                    + DesignBuilder.Caret(formula.Text, mm.Position));
            if (mm.Weighting == MembershipWeighting.Normalize && !(sum > 0))
                throw new CliException($"The weights {string.Join(" + ", weightNames)} are all 0 at {table.DescribeRow(kept[i])} of {table.Source}: they cannot be scaled to sum to 1.\n"
                    + DesignBuilder.Caret(formula.Text, mm.Position));
        }
    }

    /// <summary>The runtime's message without its leading "Row i: " (the CLI names the table's row instead).</summary>
    private static string StripRow(string message) =>
        message.StartsWith("Row ", StringComparison.Ordinal) && message.IndexOf(": ", StringComparison.Ordinal) is int at and > 0 ? message[(at + 2)..] : message;
}
