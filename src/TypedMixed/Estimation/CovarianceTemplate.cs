namespace TypedMixed.Estimation;

/// <summary>
/// The relative covariance factor T of one term (Σ = σ² T T'), lower triangular q × q, filled from its slice of θ.
/// θ's layout is lme4's: per term, the lower triangle by columns (unstructured), the diagonal (diagonal),
/// or one value (scalar).
/// </summary>
internal sealed class CovarianceTemplate
{
    public CovarianceTemplate(string termName, IReadOnlyList<string> columnNames, CovarianceStructure structure, int thetaOffset)
    {
        TermName = termName;
        ColumnNames = columnNames;
        Structure = structure;
        Q = columnNames.Count;
        ThetaOffset = thetaOffset;
        ThetaCount = structure switch
        {
            CovarianceStructure.Unstructured => Q * (Q + 1) / 2,
            CovarianceStructure.Diagonal => Q,
            _ => 1,
        };
    }

    public string TermName { get; }
    public IReadOnlyList<string> ColumnNames { get; }
    public CovarianceStructure Structure { get; }
    public int Q { get; }
    public int ThetaOffset { get; }
    public int ThetaCount { get; }

    /// <summary>Fills the column-major q × q lower-triangular T from θ.</summary>
    public void FillFactor(ReadOnlySpan<double> theta, Span<double> t)
    {
        t.Clear();
        var slice = theta.Slice(ThetaOffset, ThetaCount);
        switch (Structure)
        {
            case CovarianceStructure.Unstructured:
                int k = 0;
                for (int j = 0; j < Q; j++)
                    for (int i = j; i < Q; i++)
                        t[j * Q + i] = slice[k++];
                break;
            case CovarianceStructure.Diagonal:
                for (int j = 0; j < Q; j++) t[j * Q + j] = slice[j];
                break;
            default:
                for (int j = 0; j < Q; j++) t[j * Q + j] = slice[0];
                break;
        }
    }

    /// <summary>Writes lme4's starting values (Λ = I) and lower bounds (0 on diagonals, −∞ elsewhere).</summary>
    public void InitialValues(Span<double> theta, Span<double> lower)
    {
        if (Structure != CovarianceStructure.Unstructured)
        {
            theta.Slice(ThetaOffset, ThetaCount).Fill(1);
            lower.Slice(ThetaOffset, ThetaCount).Fill(0);
            return;
        }
        int k = ThetaOffset;
        for (int j = 0; j < Q; j++)
            for (int i = j; i < Q; i++, k++)
            {
                theta[k] = i == j ? 1 : 0;
                lower[k] = i == j ? 0 : double.NegativeInfinity;
            }
    }

    /// <summary>θ names as lme4 writes them: <c>g.(Intercept)</c> on a diagonal, <c>g.row.col</c> below it.</summary>
    public IEnumerable<string> ThetaNames()
    {
        switch (Structure)
        {
            case CovarianceStructure.Unstructured:
                for (int j = 0; j < Q; j++)
                    for (int i = j; i < Q; i++)
                        yield return i == j ? $"{TermName}.{ColumnNames[i]}" : $"{TermName}.{ColumnNames[i]}.{ColumnNames[j]}";
                break;
            case CovarianceStructure.Diagonal:
                foreach (var c in ColumnNames) yield return $"{TermName}.{c}";
                break;
            default:
                yield return $"{TermName}.{string.Join("=", ColumnNames)}";
                break;
        }
    }

    /// <summary>Σ/σ² = T T' (q × q, column-major).</summary>
    public void RelativeCovariance(ReadOnlySpan<double> theta, Span<double> result)
    {
        Span<double> t = stackalloc double[Q * Q];
        FillFactor(theta, t);
        for (int i = 0; i < Q; i++)
            for (int j = 0; j < Q; j++)
            {
                double s = 0;
                for (int k = 0; k <= Math.Min(i, j); k++) s += t[k * Q + i] * t[k * Q + j];
                result[j * Q + i] = s;
            }
    }
}
