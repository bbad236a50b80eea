using System.Runtime.InteropServices;

namespace TypedMixed.Benchmarks.Native;

/// <summary>
/// Benchmark-only access to OpenBLAS's LAPACK <c>dpotrf_</c> (Debian's <c>libopenblas0-pthread</c>, loaded from
/// <c>libopenblas.so.0</c>), as the yardstick for the managed dense Cholesky. Never used by the library.
/// </summary>
internal static unsafe class OpenBlas
{
    private static readonly nint Library = Load();
    private static readonly delegate* unmanaged<byte*, int*, double*, int*, int*, void> Dpotrf =
        Library == 0 ? null : (delegate* unmanaged<byte*, int*, double*, int*, int*, void>)NativeLibrary.GetExport(Library, "dpotrf_");
    private static readonly delegate* unmanaged<int, void> SetThreads =
        Library == 0 ? null : (delegate* unmanaged<int, void>)NativeLibrary.GetExport(Library, "openblas_set_num_threads");
    private static readonly delegate* unmanaged<byte*> GetConfig =
        Library == 0 ? null : (delegate* unmanaged<byte*>)NativeLibrary.GetExport(Library, "openblas_get_config");

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv(string name, string value, int overwrite);

    /// <summary>
    /// Debian's OpenBLAS 0.3.21 does not recognise this machine's CPU and falls back to its Prescott (SSE3) kernels,
    /// which halves dpotrf's speed. Unless OPENBLAS_CORETYPE is set already, name the core from the instruction sets
    /// (in the native environment, which OpenBLAS reads when it loads; .NET's SetEnvironmentVariable does not reach it).
    /// </summary>
    private static void ChooseCoreType()
    {
        if (Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") is { Length: > 0 }) return;
        string? core = System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? "SkylakeX"
            : System.Runtime.Intrinsics.X86.Avx2.IsSupported ? "Haswell" : null;
        if (core is not null && OperatingSystem.IsLinux()) SetEnv("OPENBLAS_CORETYPE", core, 0);
    }

    private static nint Load()
    {
        ChooseCoreType();
        foreach (var name in new[] { "libopenblas.so.0", "/usr/lib/x86_64-linux-gnu/libopenblas.so.0", "libopenblas.so" })
            if (NativeLibrary.TryLoad(name, out var handle)) return handle;
        return 0;
    }

    public static bool Available => Library != 0;

    /// <summary>OpenBLAS's build description (version, core it dispatched to, max threads).</summary>
    public static string Config => Available ? Marshal.PtrToStringAnsi((nint)GetConfig()) ?? "" : "OpenBLAS not found (apt-get install libopenblas0-pthread)";

    public static void SetThreadCount(int threads)
    {
        if (!Available) throw new InvalidOperationException(Config);
        SetThreads(threads);
    }

    /// <summary>In-place lower Cholesky of the column-major n × n matrix; returns LAPACK's info (0 = success).</summary>
    public static int CholeskyLower(Span<double> a, int n)
    {
        if (!Available) throw new InvalidOperationException(Config);
        byte uplo = (byte)'L';
        int nn = n, lda = n, info = 0;
        fixed (double* p = a) Dpotrf(&uplo, &nn, p, &lda, &info);
        return info;
    }
}
