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
        ResidualStructureDeviance? residual = null, double[]? eta = null, double[]? etaScale = null,
        DerivativeSource derivatives = DerivativeSource.Cheaper)
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
        // Satterthwaite's Jacobian needs Var(β̂) at the points where the Hessian's diagonal differences evaluate the
        // log-likelihood (same steps): taken from the factor each value leaves behind, so no point is factored twice.
        bool keepVarBeta = satterthwaite && residual is null && problem.P > 0;
        var varBetaAt = new List<(double[] X, double[] VarBeta)>();
        double[] VarBetaFromFactor(double s2)
        {
            var unscaled = PenalizedSolution.UnscaledFixedCovariance(problem.Factor);
            var result = new double[problem.P];
            for (int c = 0; c < result.Length; c++) result[c] = s2 * unscaled[c, c];
            return result;
        }
        double LogLik(double[] x)
        {
            if (!vp.ToTheta(Expand(x), thetaBuffer, out double s2, boundaryTerms)) return double.NaN;
            // Boundary terms keep θ̂ (ψ of a singular Σ has no Cholesky factor to rebuild).
            CopyBoundaryTheta(problem, boundaryTerms, theta, thetaBuffer);
            if (residual is not null) return residual.LogLikelihood(thetaBuffer, x.AsSpan(free.Length), s2);
            double logLik = deviance.LogLikelihood(thetaBuffer, s2);
            if (keepVarBeta && double.IsFinite(logLik)) varBetaAt.Add(((double[])x.Clone(), VarBetaFromFactor(s2)));
            return logLik;
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
        // ∇ of the log-likelihood in the free ψ entries: J'∇_(θ,σ²)ℓ, with ℓ's θ-gradient from the factor and
        // J = ∂(θ, σ²)/∂ψ by central differences of the (cheap) map ψ → θ.
        var dLogDet = new double[problem.ThetaLength];
        var dRss = new double[problem.ThetaLength];
        var thetaPlus = new double[problem.ThetaLength];
        var thetaMinus = new double[problem.ThetaLength];
        double[] LogLikGradient(double[] x, ProfiledDevianceGradient gradient)
        {
            var result = new double[x.Length];
            bool ok = vp.ToTheta(Expand(x), thetaBuffer, out double s2, boundaryTerms);
            if (ok)
            {
                CopyBoundaryTheta(problem, boundaryTerms, theta, thetaBuffer);
                ok = gradient.Derivatives(thetaBuffer, deviance.Reml, dLogDet, dRss);
            }
            if (!ok)
            {
                Array.Fill(result, double.NaN);
                return result;
            }
            if (keepVarBeta) varBetaAt.Add(((double[])x.Clone(), VarBetaFromFactor(s2)));
            double r2 = problem.Factor.PenalizedRss;
            // ∂ℓ/∂θₖ = −½(∂log-determinant + ∂r²/σ²), zero for the held boundary terms.
            var dTheta = new double[problem.ThetaLength];
            for (int k = 0; k < dTheta.Length; k++)
                if (!boundaryTerms.Contains(TermOf(problem, k))) dTheta[k] = -0.5 * (dLogDet[k] + dRss[k] / s2);
            var xs = (double[])x.Clone();
            var d1 = new double[dTheta.Length];
            void Slope(int i, double step, double[] slope)
            {
                xs[i] = x[i] + step; vp.ToTheta(Expand(xs), thetaPlus, out _, boundaryTerms);
                xs[i] = x[i] - step; vp.ToTheta(Expand(xs), thetaMinus, out _, boundaryTerms);
                xs[i] = x[i];
                for (int k = 0; k < slope.Length; k++) slope[k] = (thetaPlus[k] - thetaMinus[k]) / (2 * step);
            }
            var d2 = new double[dTheta.Length];
            for (int i = 0; i < x.Length; i++)
            {
                // σ²'s direct part (at fixed θ), then ∂θ/∂xᵢ (θ = chol(Σ/σ²) moves with σ² too) by central differences
                // at steps h and h/2, Richardson-extrapolated.
                double g = free[i] == total - 1 ? -0.5 * (deviance.ResidualDf / s2 - r2 / (s2 * s2)) : 0;
                double h = 1e-4 * scale[i];
                Slope(i, h, d1);
                Slope(i, h / 2, d2);
                for (int k = 0; k < dTheta.Length; k++) g += dTheta[k] * (4 * d2[k] - d1[k]) / 3;
                result[i] = g;
            }
            return result;
        }

        var stdErrors = Enumerable.Repeat(double.NaN, total).ToArray();
        double[,]? cov = null, residualCov = null;
        // With the analytic gradient: the Hessian is the central difference of gradients at small steps
        // (GradientStep of each coordinate's scale; the gradient is exact, so no extrapolation is needed), 2·dim
        // gradient evaluations instead of about 2·dim² log-likelihood values. Taken when cheaper than the values'
        // 1 + 2·dim + 2·dim² (or when forced by FitOptions.Derivatives).
        var gradient = residual is null && derivatives != DerivativeSource.FiniteDifferences && ProfiledDevianceGradient.Supports(problem)
            ? new ProfiledDevianceGradient(problem, deviance) : null;
        int dimension = free.Length;
        if (gradient is not null && derivatives == DerivativeSource.Cheaper
            && !(2 * dimension * gradient.RelativeCost < 1 + 2 * dimension + 2 * dimension * dimension))
            gradient = null;
        var h = gradient is null
            ? NumericalDerivatives.Hessian(LogLik, x0, scale)
            : Symmetrized(NumericalDerivatives.CentralJacobian(x => LogLikGradient(x, gradient), x0, scale, free.Length, GradientStep));
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
                foreach (var (at, kept) in varBetaAt)
                    if (at.AsSpan().SequenceEqual(x)) return (double[])kept.Clone();
                var result = new double[p];
                if (!vp.ToTheta(Expand(x), thetaBuffer, out double s2, boundaryTerms)) { Array.Fill(result, double.NaN); return result; }
                CopyBoundaryTheta(problem, boundaryTerms, theta, thetaBuffer);
                if ((residual is not null && !residual.SetResidualParameters(x.AsSpan(free.Length))) || !problem.Factor.Update(thetaBuffer)) { Array.Fill(result, double.NaN); return result; }
                var unscaled = PenalizedSolution.UnscaledFixedCovariance(problem.Factor);
                for (int c = 0; c < p; c++) result[c] = s2 * unscaled[c, c];
                return result;
            }
            var varBeta = VarBeta(x0);
            // At the information's own points, so every Var(β̂) is one that a value or gradient left behind.
            var jac = gradient is null
                ? NumericalDerivatives.Jacobian(VarBeta, x0, scale, p)
                : NumericalDerivatives.CentralJacobian(VarBeta, x0, scale, p, GradientStep);
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

    /// <summary>Step of the gradient's central differences, relative to each coordinate's scale.</summary>
    private const double GradientStep = 1e-4;

    /// <summary>The design-order term that θ entry k belongs to.</summary>
    private static int TermOf(MixedModelProblem problem, int k)
    {
        for (int t = 0; t < problem.Templates.Length; t++)
        {
            var tp = problem.Templates[t];
            if (k >= tp.ThetaOffset && k < tp.ThetaOffset + tp.ThetaCount) return t;
        }
        throw new ArgumentOutOfRangeException(nameof(k));
    }

    /// <summary>(H + H')/2 of a square matrix.</summary>
    private static double[,] Symmetrized(double[,] h)
    {
        int d = h.GetLength(0);
        var s = new double[d, d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) s[i, j] = 0.5 * (h[i, j] + h[j, i]);
        return s;
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
