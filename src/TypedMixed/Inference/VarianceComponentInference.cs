using TypedMixed.Estimation;

namespace TypedMixed.Inference;

/// <summary>
/// Standard errors of the variance components: the inverse of the observed information of the log-likelihood
/// (REML log-likelihood for REML fits) in ψ = (variances, covariances, σ²) at the optimum; β is profiled out, which
/// leaves this block of the inverse unchanged. The same covariance gives Satterthwaite's degrees of freedom
/// for each fixed effect: ν = 2 Var(β̂ⱼ)² / (gⱼ' Cov(ψ̂) gⱼ) with gⱼ = ∂Var(β̂ⱼ)/∂ψ (lmerTest's method; the
/// result does not depend on how the variance parameters are parametrised).
/// </summary>
internal sealed class VarianceComponentInference
{
    private VarianceComponentInference(double[] stdErrors, double[,]? covariance, double[]? df, double[,]? residualCovariance)
    {
        StdErrors = stdErrors;
        Covariance = covariance;
        SatterthwaiteDf = df;
        ResidualCovariance = residualCovariance;
    }

    /// <summary>
    /// With a residual structure: the covariance of (σ², η₁ … η_m) (σ² first, then the structure's optimizer coordinates),
    /// from the same joint observed information as <see cref="Covariance"/>; null otherwise or when not positive definite.
    /// </summary>
    public double[,]? ResidualCovariance { get; }

    /// <summary>Per ψ entry (residual last); NaN for parameters of a term on the boundary.</summary>
    public double[] StdErrors { get; }

    /// <summary>Cov(ψ̂) over all entries (NaN rows/columns for boundary terms), or null when the information is not positive definite.</summary>
    public double[,]? Covariance { get; }

    public double[]? SatterthwaiteDf { get; }

    public static VarianceComponentInference Compute(MixedModelProblem problem, ProfiledDeviance deviance,
        VarianceParameters vp, double[] theta, double[] psi, bool singular, bool satterthwaite,
        ResidualStructureDeviance? residual = null, double[]? eta = null, double[]? etaScale = null)
    {
        int m = residual?.Count ?? 0;
        int total = vp.Count;
        // Parameters of a term with a T diagonal on the boundary are held at their estimates.
        var boundaryTerms = new HashSet<int>();
        if (singular)
        {
            for (int t = 0; t < problem.Templates.Length; t++)
            {
                var tp = problem.Templates[t];
                var f = new double[tp.Q * tp.Q];
                tp.FillFactor(theta, f);
                for (int a = 0; a < tp.Q; a++)
                    if (problem.OnBoundary(f, t, a)) boundaryTerms.Add(t);
            }
        }
        var free = Enumerable.Range(0, total).Where(e => e == total - 1 || !boundaryTerms.Contains(vp.Entries[e].Term)).ToArray();
        var thetaBuffer = new double[problem.ThetaLength];

        double[] Expand(double[] x)
        {
            var full = (double[])psi.Clone();
            for (int i = 0; i < free.Length; i++) full[free[i]] = x[i];
            return full;
        }

        // With a residual structure the information is joint in (ψ, η): η's coordinates follow ψ's free entries.
        double LogLik(double[] x)
        {
            if (!vp.ToTheta(Expand(x), thetaBuffer, out double s2, boundaryTerms)) return double.NaN;
            // Boundary terms keep θ̂ (ψ of a singular Σ has no Cholesky factor to rebuild).
            CopyBoundaryTheta(problem, boundaryTerms, theta, thetaBuffer);
            return residual is null ? deviance.LogLikelihood(thetaBuffer, s2) : residual.LogLikelihood(thetaBuffer, x.AsSpan(free.Length), s2);
        }

        var x0 = free.Select(e => psi[e]).Concat(eta ?? []).ToArray();
        // Step scales: a variance's own size; a covariance's, √(vₐ v_b) of its two variances.
        var scale = free.Select(e =>
        {
            if (e == total - 1) return psi[e];
            var (t, a, b) = vp.Entries[e];
            double va = psi[vp.IndexOf(t, a, a)], vb = psi[vp.IndexOf(t, b, b)];
            return Math.Max(Math.Sqrt(va * vb), 1e-8 * psi[total - 1]);
        }).Concat(etaScale ?? []).ToArray();
        var stdErrors = Enumerable.Repeat(double.NaN, total).ToArray();
        double[,]? cov = null, residualCov = null;
        var h = NumericalDerivatives.Hessian(LogLik, x0, scale);
        int dim = free.Length + m;
        var info = new double[dim, dim];
        for (int i = 0; i < dim; i++)
            for (int j = 0; j < dim; j++) info[i, j] = -h[i, j];
        var inv = SymmetricInverse(info);
        if (inv is not null)
        {
            cov = new double[total, total];
            for (int i = 0; i < total; i++)
                for (int j = 0; j < total; j++) cov[i, j] = double.NaN;
            for (int i = 0; i < free.Length; i++)
            {
                stdErrors[free[i]] = Math.Sqrt(inv[i, i]);
                for (int j = 0; j < free.Length; j++) cov[free[i], free[j]] = inv[i, j];
            }
            if (m > 0)
            {
                // σ² is the last ψ entry, always free.
                residualCov = new double[m + 1, m + 1];
                var index = new[] { free.Length - 1 }.Concat(Enumerable.Range(free.Length, m)).ToArray();
                for (int i = 0; i <= m; i++)
                    for (int j = 0; j <= m; j++) residualCov[i, j] = inv[index[i], index[j]];
            }
        }

        double[]? df = null;
        if (satterthwaite && inv is not null && problem.P > 0)
        {
            int p = problem.P;
            double[] VarBeta(double[] x)
            {
                var result = new double[p];
                if (!vp.ToTheta(Expand(x), thetaBuffer, out double s2, boundaryTerms)) { Array.Fill(result, double.NaN); return result; }
                CopyBoundaryTheta(problem, boundaryTerms, theta, thetaBuffer);
                if ((residual is not null && !residual.SetResidualParameters(x.AsSpan(free.Length))) || !problem.Factor.Update(thetaBuffer)) { Array.Fill(result, double.NaN); return result; }
                var unscaled = PenalizedSolution.UnscaledFixedCovariance(problem.Factor);
                for (int c = 0; c < p; c++) result[c] = s2 * unscaled[c, c];
                return result;
            }
            var varBeta = VarBeta(x0);
            var jac = NumericalDerivatives.Jacobian(VarBeta, x0, scale, p);
            df = new double[p];
            for (int c = 0; c < p; c++)
            {
                double quad = 0;
                for (int i = 0; i < dim; i++)
                    for (int j = 0; j < dim; j++) quad += jac[c, i] * inv[i, j] * jac[c, j];
                df[c] = 2 * varBeta[c] * varBeta[c] / quad;
            }
        }
        // Leave the Gram at η̂ and the factor at θ̂ for anyone who reads them next.
        if (residual is not null) residual.SetResidualParameters(eta);
        problem.Factor.Update(theta);
        return new VarianceComponentInference(stdErrors, cov, df, residualCov);
    }

    private static void CopyBoundaryTheta(MixedModelProblem problem, HashSet<int> boundaryTerms, double[] theta, double[] target)
    {
        foreach (int t in boundaryTerms)
        {
            var tp = problem.Templates[t];
            Array.Copy(theta, tp.ThetaOffset, target, tp.ThetaOffset, tp.ThetaCount);
        }
    }

    /// <summary>Inverse of a symmetric positive-definite matrix by Cholesky; null when not positive definite.</summary>
    public static double[,]? SymmetricInverse(double[,] a)
    {
        int d = a.GetLength(0);
        var l = new double[d * d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) l[j * d + i] = a[i, j];
        if (!Factorization.DenseKernels.Cholesky(l, d)) return null;
        var inv = new double[d, d];
        var col = new double[d];
        for (int j = 0; j < d; j++)
        {
            Array.Clear(col);
            col[j] = 1;
            Factorization.DenseKernels.ForwardSolve(l, d, col);
            Factorization.DenseKernels.BackSolveTranspose(l, d, col);
            for (int i = 0; i < d; i++) inv[i, j] = col[i];
        }
        return inv;
    }
}
