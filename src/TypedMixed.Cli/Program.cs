namespace TypedMixed.Cli;

/// <summary>The <c>typedmixed</c> executable: forwards to <see cref="CliApp"/> with the console streams.</summary>
public static class Program
{
    /// <summary>Entry point; returns the process exit code.</summary>
    public static int Main(string[] args)
    {
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        // A live progress line on a terminal; only the closing line when stderr goes to a file or a pipe.
        var display = Console.IsErrorRedirected ? ProgressDisplay.ClosingLineOnly : ProgressDisplay.Live;
        return CliApp.Run(args, Console.Out, Console.Error, display, cts.Token);
    }
}
