using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using TypedMixed.Benchmarks.Native;
using TypedMixed.Factorization;

namespace TypedMixed.Benchmarks.Kernels;

/// <summary>
/// The dense n × n Cholesky that dominates an InstEval-shaped evaluation (n = 1128, the instructors' block):
/// the managed <see cref="DenseKernels.Cholesky"/> against OpenBLAS's dpotrf on 1 and 2 threads. Every call first
/// copies the SPD matrix into the work array; <see cref="CopyOnly"/> measures that copy and the GFLOP/s column
/// (n³/3 / time) subtracts it.
/// </summary>
[Config(typeof(Config))]
public class DenseCholesky
{
    public const int N = 1128;
    private double[] _a = null!, _work = null!;

    private sealed class Config : BenchConfig
    {
        public Config() => AddColumn(new GflopsColumn());
    }

    [GlobalSetup]
    public void Setup()
    {
        _a = SpdMatrix.Create(N);
        _work = new double[_a.Length];
    }

    [GlobalSetup(Target = nameof(OpenBlasDpotrf1Thread))]
    public void SetupOne()
    {
        Setup();
        OpenBlas.SetThreadCount(1);
    }

    [GlobalSetup(Target = nameof(OpenBlasDpotrf2Threads))]
    public void SetupTwo()
    {
        Setup();
        OpenBlas.SetThreadCount(2);
    }

    [Benchmark]
    public void CopyOnly() => _a.CopyTo(_work, 0);

    [Benchmark(Baseline = true)]
    public bool Managed()
    {
        _a.CopyTo(_work, 0);
        return DenseKernels.Cholesky(_work, N);
    }

    [Benchmark]
    public int OpenBlasDpotrf1Thread()
    {
        _a.CopyTo(_work, 0);
        return OpenBlas.CholeskyLower(_work, N);
    }

    [Benchmark]
    public int OpenBlasDpotrf2Threads()
    {
        _a.CopyTo(_work, 0);
        return OpenBlas.CholeskyLower(_work, N);
    }

    /// <summary>n³/3 divided by (median − median of <see cref="CopyOnly"/>).</summary>
    private sealed class GflopsColumn : IColumn
    {
        public string Id => nameof(GflopsColumn);
        public string ColumnName => "GFLOP/s (n³/3, copy excluded)";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "n³/3 floating-point operations divided by the median time less the copy's median time";
        public bool IsAvailable(Summary summary) => true;
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            if (benchmarkCase.Descriptor.WorkloadMethod.Name == nameof(CopyOnly)) return "-";
            var copy = summary.BenchmarksCases.FirstOrDefault(c => c.Descriptor.WorkloadMethod.Name == nameof(CopyOnly));
            double? median = summary[benchmarkCase]?.ResultStatistics?.Median;
            double copyNs = copy is null ? 0 : summary[copy]?.ResultStatistics?.Median ?? 0;
            if (median is not { } ns) return "?";
            double seconds = (ns - copyNs) * 1e-9;
            return (SpdMatrix.CholeskyFlops(N) / seconds / 1e9).ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
