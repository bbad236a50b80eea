using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;

namespace TypedMixed.Benchmarks.Kernels;

/// <summary>
/// Shared BenchmarkDotNet settings: allocations per operation, and the median and minimum next to the mean (on a
/// shared, busy machine the minimum and median are steadier than the mean).
/// </summary>
public class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median, StatisticColumn.Min);
    }
}
