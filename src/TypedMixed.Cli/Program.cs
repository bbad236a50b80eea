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
        return CliApp.Run(args, Console.Out, Console.Error, cts.Token);
    }
}
