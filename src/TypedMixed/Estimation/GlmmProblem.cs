using TypedMixed.Families;

namespace TypedMixed.Estimation;

/// <summary>
/// A generalized design made ready for PIRLS: the family, the response as R's <c>glm</c> holds it (binomial counts as
/// proportions with the trials as prior weights), the offset, the kept columns of X, and the LMM structure (θ's layout,
/// the blocked Gram that PIRLS refills with √W-weighted rows, and its factor).
/// </summary>
internal sealed class GlmmProblem
{
    private GlmmProblem(ModelDesign design, MixedModelProblem structure, GlmFamily family, double[] y, double[] trials,
        double[] userWeights, double[] priorWeights, double[] offset, double[] x)
    {
        Design = design;
        Structure = structure;
        Family = family;
        Y = y;
        Trials = trials;
        UserWeights = userWeights;
        PriorWeights = priorWeights;
        Offset = offset;
        X = x;
        N = design.Rows;
        P = structure.P;
        DensityConstant = new double[N];
        for (int i = 0; i < N; i++) DensityConstant[i] = family.LogDensityConstant(y[i], trials[i], userWeights[i]);
        ConstantSum = DensityConstant.Sum();
    }

    public ModelDesign Design { get; }
    public MixedModelProblem Structure { get; }
    public GlmFamily Family { get; }
    /// <summary>The response: proportions for binomial, counts otherwise.</summary>
    public double[] Y { get; }
    /// <summary>Binomial trials per row (1 for a 0/1 response); 1 for other families.</summary>
    public double[] Trials { get; }
    /// <summary>The user's prior weights (1 when none).</summary>
    public double[] UserWeights { get; }
    /// <summary>The weights of the IRLS and deviance: trials × user weight for binomial, the user weight otherwise.</summary>
    public double[] PriorWeights { get; }
    public double[] Offset { get; }
    /// <summary>The kept columns of X, column-major n × P.</summary>
    public double[] X { get; }
    public int N { get; }
    public int P { get; }
    /// <summary>The μ-free part of each row's log-density (log C(m, s), −log y!).</summary>
    public double[] DensityConstant { get; }
    public double ConstantSum { get; }

    public static GlmmProblem Create(ModelDesign design)
    {
        if (design.Family == ResponseFamily.Gaussian)
            throw new ArgumentException("The design's family is Gaussian: fit it with LinearMixedModel.Fit, or set ModelDesign.Family.", nameof(design));
        var family = new GlmFamily(design.Family, design.Link);
        var structure = MixedModelProblem.Create(design);   // validates the design
        design.ValidateFamily();
        int n = design.Rows;
        var y = new double[n];
        var trials = new double[n];
        var userWeights = new double[n];
        var priorWeights = new double[n];
        for (int i = 0; i < n; i++)
        {
            double w = design.Weights?[i] ?? 1;
            double m = design.Trials?[i] ?? 1;
            if (design.Family == ResponseFamily.Binomial && design.Trials is null && design.Weights is not null)
            {
                // R's binomial with weights and no trials: the weights are the trials of a proportion.
                m = w;
                w = 1;
            }
            trials[i] = m;
            userWeights[i] = w;
            if (design.Family == ResponseFamily.Binomial)
            {
                y[i] = design.Trials is null ? design.Response[i] : design.Response[i] / m;
                priorWeights[i] = m * w;
            }
            else
            {
                y[i] = design.Response[i];
                priorWeights[i] = w;
            }
        }
        var offset = design.Offset is { } o ? o : new double[n];
        var kept = structure.KeptColumns;
        var x = design.FixedEffects;
        if (kept.Length < design.FixedEffectCount)
        {
            x = new double[n * kept.Length];
            for (int c = 0; c < kept.Length; c++)
                Array.Copy(design.FixedEffects, kept[c] * n, x, c * n, n);
        }
        return new GlmmProblem(design, structure, family, y, trials, userWeights, priorWeights, offset, x);
    }

    /// <summary>Σ log p(y | μ) over the rows for the given means.</summary>
    public double LogLikelihood(ReadOnlySpan<double> mu)
    {
        double s = ConstantSum;
        for (int i = 0; i < N; i++) s += Family.LogDensityKernel(Y[i], mu[i], Trials[i], UserWeights[i]);
        return s;
    }

    /// <summary>Xβ + offset into <paramref name="eta"/>.</summary>
    public void FixedPredictor(ReadOnlySpan<double> beta, Span<double> eta)
    {
        Offset.AsSpan().CopyTo(eta);
        for (int c = 0; c < P; c++)
            if (beta[c] != 0) Factorization.DenseKernels.Axpy(beta[c], X.AsSpan(c * N, N), eta);
    }
}
