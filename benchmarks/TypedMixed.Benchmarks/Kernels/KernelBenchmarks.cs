using BenchmarkDotNet.Attributes;
using TypedMixed.Benchmarks.Harness;
using TypedMixed.Estimation;
using TypedMixed.Storage;

namespace TypedMixed.Benchmarks.Kernels;

/// <summary>One evaluation of the profiled objective (factor update + log-determinants + r²) at the optimum θ.</summary>
[Config(typeof(BenchConfig))]
public class DevianceEvaluation
{
    private ProfiledDeviance _deviance = null!;
    private double[] _theta = null!;

    [Params("insteval-reml", "exam-m3-ml", "sleepstudy-reml")]
    public string Model { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var model = BenchmarkModel.Named(Model);
        var design = model.BuildDesignInMemory();
        _theta = LinearMixedModel.Fit(design, model.LmerLikeOptions).Optimizer.FinalTheta;
        var problem = MixedModelProblem.Create(design);
        _deviance = new ProfiledDeviance(problem.Factor, problem.N, problem.P, model.Reml);
    }

    [Benchmark]
    public double Evaluate() => _deviance.Evaluate(_theta);
}

/// <summary>The blocked Cholesky update L(θ) from the stored Gram blocks, on the two large designs.</summary>
[Config(typeof(BenchConfig))]
public class FactorUpdate
{
    private MixedModelProblem _problem = null!;
    private double[] _theta = null!;

    [Params("insteval-reml", "nested1m-ml")]
    public string Model { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var model = BenchmarkModel.Named(Model);
        var design = model.BuildDesignInMemory();
        _problem = MixedModelProblem.Create(design);
        // A θ near the optimum of both designs' generating variances (no fit needed: the cost does not depend on θ).
        var (theta, _) = _problem.InitialTheta();
        for (int i = 0; i < theta.Length; i++) theta[i] = theta[i] == 1 ? 0.5 : 0.1;
        _theta = theta;
    }

    [Benchmark]
    public bool Update() => _problem.Factor.Update(_theta);
}

/// <summary>Forming the blocked Gram matrix from the rows (once per fit), and the whole problem setup around it.</summary>
[Config(typeof(BenchConfig))]
public class GramBuild
{
    private ModelDesign _design = null!;
    private int[][] _levelIndex = null!;
    private int[] _levels = null!, _q = null!;
    private double[][] _z = null!;
    private double[] _x = null!;
    private int _p;

    [Params("insteval-reml", "nested1m-ml")]
    public string Model { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _design = BenchmarkModel.Named(Model).BuildDesignInMemory();
        var problem = MixedModelProblem.Create(_design);
        var order = problem.TermOrder;
        _levelIndex = order.Select(t => _design.Terms[t].LevelIndex).ToArray();
        _levels = order.Select(t => _design.Terms[t].LevelCount).ToArray();
        _z = order.Select(t => _design.Terms[t].Columns).ToArray();
        _q = order.Select(t => _design.Terms[t].ColumnCount).ToArray();
        _p = problem.P;
        int n = _design.Rows;
        _x = new double[n * _p];
        for (int c = 0; c < _p; c++) Array.Copy(_design.FixedEffects, problem.KeptColumns[c] * n, _x, c * n, n);
    }

    [Benchmark(Baseline = true)]
    public object Gram() => new BlockedGram(_design.Rows, _levelIndex, _levels, _z, _q, _x, _p, _design.Response);

    /// <summary>Validation, aliased-column check, Gram and factor storage: everything a fit does before its first evaluation.</summary>
    [Benchmark]
    public object ProblemSetup() => MixedModelProblem.Create(_design);
}

/// <summary>
/// Warm whole fits of the small reference models (target ≤ 1 ms): lmer-comparable (no variance-component SEs, no
/// Satterthwaite) and the library's default full fit with both.
/// </summary>
[Config(typeof(BenchConfig))]
public class WarmFit
{
    private ModelDesign _design = null!;
    private BenchmarkModel _model = null!;
    private FitOptions _lmerLike = null!, _full = null!;

    [Params("exam-m3-ml", "sleepstudy-reml", "penicillin-reml")]
    public string Model { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _model = BenchmarkModel.Named(Model);
        _design = _model.BuildDesignInMemory();
        _lmerLike = _model.LmerLikeOptions;
        _full = _model.FullOptions;
    }

    [Benchmark(Baseline = true)]
    public LinearMixedModelFit LmerLike() => LinearMixedModel.Fit(_design, _lmerLike);

    [Benchmark]
    public LinearMixedModelFit Full() => LinearMixedModel.Fit(_design, _full);
}
