using System.Globalization;
using Spectre.Console;

namespace TypedMixed.Cli;

/// <summary>How optimizer progress reaches stderr.</summary>
internal enum ProgressDisplay
{
    /// <summary>A line every half second and a closing line (in-process runs, e.g. tests).</summary>
    Lines,

    /// <summary>A live spinner line (Spectre.Console) once a fit has run for a second, then the closing line: stderr is a terminal.</summary>
    Live,

    /// <summary>Only the closing line: stderr is redirected to a file or pipe.</summary>
    ClosingLineOnly,
}

/// <summary>
/// Runs a fit on a worker thread and, if it has not finished within <see cref="Delay"/>, shows a Spectre.Console
/// progress line on stderr (spinner, evaluation count, objective, elapsed time) until it does; the line is cleared at
/// the end. Fits that end sooner print nothing here.
/// </summary>
internal static class LiveProgress
{
    /// <summary>How long a fit runs before the progress line appears.</summary>
    public static readonly TimeSpan Delay = TimeSpan.FromSeconds(1);

    public static T Run<T>(string objective, Func<IProgress<FitProgress>, T> fit)
    {
        var latest = new Latest();
        var work = Task.Run(() => fit(latest));
        if (Finished(work, Delay)) return work.GetAwaiter().GetResult();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        console.Progress()
            .AutoClear(true)
            .Columns(new SpinnerColumn(), new TaskDescriptionColumn { Alignment = Justify.Left }, new ElapsedTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("fitting").IsIndeterminate();
                while (!Finished(work, TimeSpan.FromMilliseconds(150)))
                {
                    if (latest.Value is { } p)
                        task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                            $"fitting: evaluation {p.Evaluations}, {objective} {p.Objective:F4} (best {p.BestObjective:F4})"));
                    context.Refresh();
                }
                task.StopTask();
            });
        return work.GetAwaiter().GetResult(); // rethrows the fit's own exception, not an AggregateException
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the task to end, faulted or not, without throwing.</summary>
    private static bool Finished(Task task, TimeSpan timeout) => ((IAsyncResult)task).AsyncWaitHandle.WaitOne(timeout);

    /// <summary>Keeps the latest report of the optimizer (written by the fit's thread, read by the display's).</summary>
    private sealed class Latest : IProgress<FitProgress>
    {
        private FitProgress? _value;
        private readonly Lock _lock = new();

        public FitProgress? Value
        {
            get { lock (_lock) return _value; }
        }

        public void Report(FitProgress value)
        {
            lock (_lock) _value = value;
        }
    }
}
