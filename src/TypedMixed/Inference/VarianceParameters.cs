using TypedMixed.Estimation;

namespace TypedMixed.Inference;

/// <summary>
/// The variance parameters ψ on their natural scale, in lme4's <c>VarCorr</c> order: per term its variances, then its
/// covariances (lower triangle by columns), then the residual variance σ². Maps ψ ↔ (θ, σ²) with Σ/σ² = T T'.
/// </summary>
internal sealed class VarianceParameters
{
    private readonly CovarianceTemplate[] _templates; // design order
    private readonly int _thetaLength;

    public VarianceParameters(CovarianceTemplate[] templates, int thetaLength)
    {
        _templates = templates;
        _thetaLength = thetaLength;
        var entries = new List<(int term, int a, int b)>();
        for (int t = 0; t < templates.Length; t++)
        {
            var tp = templates[t];
            if (tp.Structure == CovarianceStructure.Scalar) { entries.Add((t, 0, 0)); continue; }
            for (int a = 0; a < tp.Q; a++) entries.Add((t, a, a));
            if (tp.Structure == CovarianceStructure.Unstructured)
                for (int b = 0; b < tp.Q; b++)
                    for (int a = b + 1; a < tp.Q; a++) entries.Add((t, b, a));
        }
        Entries = entries.ToArray();
        Count = Entries.Length + 1;
    }

    /// <summary>(term, first column, second column) of each ψ entry but the last (σ²).</summary>
    public (int Term, int A, int B)[] Entries { get; }

    /// <summary>Length of ψ (residual included).</summary>
    public int Count { get; }

    /// <summary>ψ from θ and σ².</summary>
    public double[] FromTheta(ReadOnlySpan<double> theta, double sigma2)
    {
        var psi = new double[Count];
        var rel = new double[_templates.Length][];
        for (int t = 0; t < _templates.Length; t++)
        {
            rel[t] = new double[_templates[t].Q * _templates[t].Q];
            _templates[t].RelativeCovariance(theta, rel[t]);
        }
        for (int e = 0; e < Entries.Length; e++)
        {
            var (t, a, b) = Entries[e];
            psi[e] = sigma2 * rel[t][b * _templates[t].Q + a];
        }
        psi[^1] = sigma2;
        return psi;
    }

    /// <summary>θ and σ² from ψ; false when a term's Σ is not positive definite.</summary>
    public bool ToTheta(ReadOnlySpan<double> psi, Span<double> theta, out double sigma2)
    {
        sigma2 = psi[^1];
        if (!(sigma2 > 0)) return false;
        int e = 0;
        for (int t = 0; t < _templates.Length; t++)
        {
            var tp = _templates[t];
            int q = tp.Q;
            var slice = theta.Slice(tp.ThetaOffset, tp.ThetaCount);
            if (tp.Structure == CovarianceStructure.Scalar)
            {
                if (!(psi[e] >= 0)) return false;
                slice[0] = Math.Sqrt(psi[e++] / sigma2);
                continue;
            }
            if (tp.Structure == CovarianceStructure.Diagonal)
            {
                for (int a = 0; a < q; a++)
                {
                    if (!(psi[e] >= 0)) return false;
                    slice[a] = Math.Sqrt(psi[e++] / sigma2);
                }
                continue;
            }
            // Unstructured: rebuild Σ/σ² and take its Cholesky factor.
            var m = new double[q * q];
            for (int a = 0; a < q; a++) m[a * q + a] = psi[e++] / sigma2;
            for (int b = 0; b < q; b++)
                for (int a = b + 1; a < q; a++) m[b * q + a] = m[a * q + b] = psi[e++] / sigma2;
            if (!Factorization.DenseKernels.Cholesky(m, q)) return false;
            int k = 0;
            for (int b = 0; b < q; b++)
                for (int a = b; a < q; a++) slice[k++] = m[b * q + a];
        }
        return true;
    }

    public int ThetaLength => _thetaLength;

    /// <summary>Index in ψ of the (term, a, b) entry; for a scalar term every diagonal maps to its one variance.</summary>
    public int IndexOf(int term, int a, int b)
    {
        if (_templates[term].Structure == CovarianceStructure.Scalar) a = b = 0;
        for (int e = 0; e < Entries.Length; e++)
            if (Entries[e].Term == term && ((Entries[e].A == a && Entries[e].B == b) || (Entries[e].A == b && Entries[e].B == a))) return e;
        return -1;
    }
}
