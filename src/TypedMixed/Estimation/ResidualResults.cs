using TypedMixed.Inference;

namespace TypedMixed.Estimation;

/// <summary>
/// The reported residual-structure parameters at the optimum: natural parameters from the optimizer's coordinates η and
/// σ̂², their standard errors by the delta method from Cov(σ̂², η̂), and 95 % Wald intervals on the unbounded scale
/// where the parameter is a monotone transform of one coordinate.
/// </summary>
internal static class ResidualResults
{
    private static readonly double Z95 = Distributions.NormalQuantile(0.975);

    public static (ResidualCorrelationFit? Correlation, ResidualVarianceFunctionFit? Variance) Build(
        ResidualWhitening w, double[] eta, double sigma2, double[,]? cov)
    {
        // cov is over (σ², η₁ … η_m); Var(g'(σ², η)) = g' cov g.
        double Var(params (int Index, double Gradient)[] g)
        {
            if (cov is null) return double.NaN;
            double s = 0;
            foreach (var (i, a) in g)
                foreach (var (j, b) in g) s += a * cov[i, j] * b;
            return s;
        }
        ResidualCorrelationFit? correlation = null;
        if (w.Correlation is { } c)
        {
            double rho = w.Rho(eta[0]);
            double seEta = Math.Sqrt(Var((1, 1)));
            correlation = new ResidualCorrelationFit
            {
                Structure = c.Structure,
                TimeName = c.TimeName,
                ClusterName = c.ClusterName,
                Parameter = rho,
                StdError = seEta * w.RhoDerivative(eta[0]),
                ConfidenceLower = w.Rho(eta[0] - Z95 * seEta),
                ConfidenceUpper = w.Rho(eta[0] + Z95 * seEta),
            };
        }
        if (w.Variance is not { } v) return (correlation, null);

        int o = w.CorrelationCount, h = v.CovariateNames.Count;
        var names = new List<string>();
        var values = new List<double>();
        var se = new List<double>();
        var lower = new List<double>();
        var upper = new List<double>();
        void Add(string name, double value, double sd, double lo, double hi)
        {
            names.Add(name); values.Add(value); se.Add(sd); lower.Add(lo); upper.Add(hi);
        }
        void AddLinear(string name, double value, double sd) => Add(name, value, sd, value - Z95 * sd, value + Z95 * sd);
        var phi = eta.AsSpan(o).ToArray();
        switch (v.Kind)
        {
            case ResidualVarianceFunctionKind.Ident:
                for (int s = 1; s < v.StratumKeys!.Count; s++)
                {
                    double e = phi[s - 1], sdEta = Math.Sqrt(Var((1 + o + s - 1, 1)));
                    Add(v.StratumKeys[s], Math.Exp(e), Math.Exp(e) * sdEta, Math.Exp(e - Z95 * sdEta), Math.Exp(e + Z95 * sdEta));
                }
                break;
            case ResidualVarianceFunctionKind.Exponential or ResidualVarianceFunctionKind.Power:
                AddLinear(v.Kind == ResidualVarianceFunctionKind.Power ? "power" : "expon", phi[0], Math.Sqrt(Var((1 + o, 1))));
                break;
            case ResidualVarianceFunctionKind.LogLinear:
                AddLinear("(Intercept)", Math.Log(sigma2), Math.Sqrt(Var((0, 1 / sigma2))));
                for (int k = 0; k < h; k++) AddLinear(v.CovariateNames[k], phi[k], Math.Sqrt(Var((1 + o + k, 1))));
                break;
            default:
                AddLinear("sigma2_e0", sigma2, Math.Sqrt(Var((0, 1))));
                for (int k = 0; k < h; k++)
                    AddLinear("sigma_e0_" + v.CovariateNames[k], sigma2 * phi[k], Math.Sqrt(Var((0, phi[k]), (1 + o + k, sigma2))));
                for (int k = 0; k < h; k++)
                    AddLinear("sigma2_e_" + v.CovariateNames[k], sigma2 * phi[h + k], Math.Sqrt(Var((0, phi[h + k]), (1 + o + h + k, sigma2))));
                break;
        }
        double[]? byStratum = null, ratios = null;
        if (v.Kind == ResidualVarianceFunctionKind.Ident)
        {
            ratios = [1, .. phi.Select(Math.Exp)];
            byStratum = ratios.Select(r => sigma2 * r * r).ToArray();
        }
        double VarianceAt(double[] x)
        {
            double g = v.Kind switch
            {
                ResidualVarianceFunctionKind.Exponential => Math.Exp(2 * phi[0] * x[0]),
                ResidualVarianceFunctionKind.Power => Math.Pow(Math.Abs(x[0]), 2 * phi[0]),
                ResidualVarianceFunctionKind.LogLinear => Math.Exp(x.Select((xk, k) => phi[k] * xk).Sum()),
                ResidualVarianceFunctionKind.Quadratic => 1 + x.Select((xk, k) => 2 * phi[k] * xk + phi[h + k] * xk * xk).Sum(),
                _ => double.NaN,
            };
            return sigma2 * g;
        }
        var variance = new ResidualVarianceFunctionFit
        {
            Kind = v.Kind,
            CovariateNames = v.CovariateNames.ToArray(),
            ParameterNames = names,
            Parameters = values,
            StdErrors = se,
            ConfidenceLower = lower,
            ConfidenceUpper = upper,
            StratumName = v.StratumName,
            StratumKeys = v.StratumKeys?.ToArray(),
            VarianceByStratum = byStratum,
            StratumRatios = ratios,
            VarianceFunction = VarianceAt,
        };
        return (correlation, variance);
    }
}
