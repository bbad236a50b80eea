using TypedMixed.Estimation;

namespace TypedMixed.Inference;

/// <summary>
/// The variance parameters on lme4's "sdcor" scale, the scale its profiles and intervals use: per term in θ's order,
/// the standard deviation of each effect on the diagonal positions and the correlation of each pair below it
/// (<c>sd_(Intercept)|Subject</c>, <c>cor_Days.(Intercept)|Subject</c>, <c>sd_Days|Subject</c>), then the residual
/// <c>sigma</c>. Converts to and from (θ, σ).
/// </summary>
internal sealed class SdCorParameters
{
    private readonly CovarianceTemplate[] _templates;

    public SdCorParameters(CovarianceTemplate[] templates)
    {
        _templates = templates;
        ThetaLength = templates.Sum(t => t.ThetaCount);
        var names = new List<string>();
        var kinds = new List<ProfileParameterKind>();
        foreach (var t in templates)
        {
            switch (t.Structure)
            {
                case CovarianceStructure.Unstructured:
                    for (int j = 0; j < t.Q; j++)
                        for (int i = j; i < t.Q; i++)
                        {
                            names.Add(i == j ? $"sd_{t.ColumnNames[i]}|{t.TermName}" : $"cor_{t.ColumnNames[i]}.{t.ColumnNames[j]}|{t.TermName}");
                            kinds.Add(i == j ? ProfileParameterKind.StandardDeviation : ProfileParameterKind.Correlation);
                        }
                    break;
                case CovarianceStructure.Diagonal:
                    foreach (var c in t.ColumnNames)
                    {
                        names.Add($"sd_{c}|{t.TermName}");
                        kinds.Add(ProfileParameterKind.StandardDeviation);
                    }
                    break;
                default:
                    names.Add($"sd_{string.Join("=", t.ColumnNames)}|{t.TermName}");
                    kinds.Add(ProfileParameterKind.StandardDeviation);
                    break;
            }
        }
        names.Add("sigma");
        kinds.Add(ProfileParameterKind.ResidualStandardDeviation);
        Names = [.. names];
        Kinds = [.. kinds];
    }

    /// <summary>|θ|; the sdcor vector has one more entry (σ, last).</summary>
    public int ThetaLength { get; }

    /// <summary>Names as lme4's <c>confint</c> rows.</summary>
    public string[] Names { get; }

    /// <summary>What each entry is.</summary>
    public ProfileParameterKind[] Kinds { get; }

    /// <summary>Lower bound of an entry: 0 for SDs, −1 for correlations.</summary>
    public double Lower(int i) => Kinds[i] == ProfileParameterKind.Correlation ? -1 : 0;

    /// <summary>Upper bound of an entry: 1 for correlations, +∞ otherwise.</summary>
    public double Upper(int i) => Kinds[i] == ProfileParameterKind.Correlation ? 1 : double.PositiveInfinity;

    /// <summary>The sdcor vector of (θ, σ).</summary>
    public double[] FromTheta(ReadOnlySpan<double> theta, double sigma)
    {
        var v = new double[ThetaLength + 1];
        foreach (var t in _templates)
        {
            int q = t.Q, e = t.ThetaOffset;
            if (t.Structure != CovarianceStructure.Unstructured)
            {
                for (int k = 0; k < t.ThetaCount; k++) v[e + k] = sigma * Math.Abs(theta[e + k]);
                continue;
            }
            var c = new double[q * q];
            t.RelativeCovariance(theta, c);
            for (int j = 0; j < q; j++)
                for (int i = j; i < q; i++, e++)
                {
                    double cij = c[j * q + i], d = Math.Sqrt(c[i * q + i] * c[j * q + j]);
                    v[e] = i == j ? sigma * Math.Sqrt(c[i * q + i]) : d > 0 ? Math.Clamp(cij / d, -1, 1) : 0;
                }
        }
        v[ThetaLength] = sigma;
        return v;
    }

    /// <summary>
    /// θ of an sdcor vector (σ its last entry): per term the Cholesky factor of Σ = diag(sd)·R·diag(sd), over σ.
    /// False when a term's correlations do not form a positive semi-definite matrix.
    /// </summary>
    public bool ToTheta(ReadOnlySpan<double> v, Span<double> theta)
    {
        double sigma = v[ThetaLength];
        foreach (var t in _templates)
        {
            int q = t.Q, e = t.ThetaOffset;
            if (t.Structure != CovarianceStructure.Unstructured)
            {
                for (int k = 0; k < t.ThetaCount; k++) theta[e + k] = v[e + k] / sigma;
                continue;
            }
            // Σ (column-major) from the SDs on θ's diagonal positions and the correlations below them.
            Span<double> sd = new double[q];
            int pos = e;
            for (int j = 0; j < q; j++)
                for (int i = j; i < q; i++, pos++)
                    if (i == j) sd[i] = v[pos];
            Span<double> s = new double[q * q];
            pos = e;
            for (int j = 0; j < q; j++)
                for (int i = j; i < q; i++, pos++)
                {
                    double value = i == j ? sd[i] * sd[i] : v[pos] * sd[i] * sd[j];
                    s[j * q + i] = s[i * q + j] = value;
                }
            // Lower Cholesky factor, semi-definite: a zero pivot leaves its column zero.
            Span<double> l = new double[q * q];
            l.Clear();
            for (int j = 0; j < q; j++)
            {
                double d = s[j * q + j];
                for (int k = 0; k < j; k++) d -= l[k * q + j] * l[k * q + j];
                double scale = s[j * q + j];
                if (d < -1e-12 * scale) return false;
                double pivot = d > 1e-14 * scale ? Math.Sqrt(d) : 0;
                l[j * q + j] = pivot;
                for (int i = j + 1; i < q; i++)
                {
                    double r = s[j * q + i];
                    for (int k = 0; k < j; k++) r -= l[k * q + i] * l[k * q + j];
                    if (pivot == 0)
                    {
                        if (Math.Abs(r) > 1e-10 * Math.Sqrt(Math.Max(s[i * q + i] * scale, 0)) + 1e-300) return false;
                        l[j * q + i] = 0;
                    }
                    else l[j * q + i] = r / pivot;
                }
            }
            for (int j = 0; j < q; j++)
                for (int i = j; i < q; i++, e++) theta[e] = l[j * q + i] / sigma;
        }
        return true;
    }
}
