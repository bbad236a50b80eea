using System.Diagnostics;
using System.Globalization;
using TypedMixed.Benchmarks.Harness;
using TypedMixed.Benchmarks.Native;
using TypedMixed.Factorization;

namespace TypedMixed.Benchmarks.Kernels;

/// <summary>
/// <c>dense-cholesky [--n 1128] [--reps 15]</c>: a quick, BenchmarkDotNet-free comparison of the managed
/// <see cref="DenseKernels.Cholesky"/> with OpenBLAS's dpotrf on 1 and 2 threads (same matrix, copy excluded from the
/// time); prints median milliseconds and GFLOP/s (n³/3 / time). Also checks that both factors agree.
/// </summary>
internal static class DenseCholeskyTimer
{
    public static int Run(string[] args)
    {
        int n = int.Parse(FitTimer.Option(args, "--n") ?? "1128", CultureInfo.InvariantCulture);
        int reps = int.Parse(FitTimer.Option(args, "--reps") ?? "15", CultureInfo.InvariantCulture);
        var a = SpdMatrix.Create(n);
        var work = new double[a.Length];
        double flops = SpdMatrix.CholeskyFlops(n);

        var managed = Time(reps, a, work, w => { if (!DenseKernels.Cholesky(w, n)) throw new InvalidOperationException("not SPD"); });
        var managedFactor = (double[])work.Clone();
        Print("managed DenseKernels.Cholesky", n, managed, flops);
        if (!OpenBlas.Available)
        {
            Console.WriteLine("openblas unavailable: " + OpenBlas.Config);
            return 0;
        }
        Console.WriteLine("openblas_config " + OpenBlas.Config);
        foreach (int threads in new[] { 1, 2 })
        {
            OpenBlas.SetThreadCount(threads);
            var t = Time(reps, a, work, w => { if (OpenBlas.CholeskyLower(w, n) != 0) throw new InvalidOperationException("dpotrf failed"); });
            Print($"openblas dpotrf {threads} thread(s)", n, t, flops);
        }
        double maxDiff = 0;
        for (int j = 0; j < n; j++)
            for (int i = j; i < n; i++) maxDiff = Math.Max(maxDiff, Math.Abs(work[j * n + i] - managedFactor[j * n + i]));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"max |L_managed − L_dpotrf| = {maxDiff:E2}"));
        return 0;
    }

    private static double Time(int reps, double[] a, double[] work, Action<double[]> factor)
    {
        a.CopyTo(work);
        factor(work); // warm-up (JIT, page faults, OpenBLAS thread start)
        var times = new List<double>();
        var watch = new Stopwatch();
        for (int r = 0; r < reps; r++)
        {
            a.CopyTo(work);
            watch.Restart();
            factor(work);
            times.Add(watch.Elapsed.TotalSeconds);
        }
        return FitTimer.Median(times);
    }

    private static void Print(string what, int n, double seconds, double flops) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"dense_cholesky n={n} {what}: median {seconds * 1e3:F2} ms, {flops / seconds / 1e9:F2} GFLOP/s"));
}
