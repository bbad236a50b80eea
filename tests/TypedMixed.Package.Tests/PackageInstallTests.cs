using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace TypedMixed.Package.Tests;

/// <summary>
/// From a copy of the sources: <c>dotnet pack</c> gives the TypedMixed package (runtime + generator) and the
/// TypedMixed.Cli tool package; a new console project references TypedMixed from that local feed, declares a model with
/// the attributes, builds and fits it; the tool installs into a tool path and fits a CSV. Packages restore into a
/// private folder so that no stale copy from the machine's cache is used.
/// </summary>
[Trait("Category", "Package")]
public sealed class PackageInstallTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "typedmixed-package-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    [Fact]
    public void Packages_install_from_a_local_feed_and_fit_a_model()
    {
        string repo = RepositoryRoot();
        string sources = Path.Combine(_root, "sources"), feed = Path.Combine(_root, "feed"), packages = Path.Combine(_root, "packages");
        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "nuget.config", "README.md" })
            CopyInto(Path.Combine(repo, file), Path.Combine(sources, file));
        CopyTree(Path.Combine(repo, "src"), Path.Combine(sources, "src"));
        CopyTree(Path.Combine(repo, "generators"), Path.Combine(sources, "generators"));

        Run(sources, "pack", "src/TypedMixed/TypedMixed.csproj", "-c", "Release", "-o", feed);
        Run(sources, "pack", "src/TypedMixed.Cli/TypedMixed.Cli.csproj", "-c", "Release", "-o", feed);
        string version = Path.GetFileNameWithoutExtension(Directory.GetFiles(feed, "TypedMixed.Cli.*.nupkg").Single())["TypedMixed.Cli.".Length..];
        Assert.True(File.Exists(Path.Combine(feed, $"TypedMixed.{version}.nupkg")));

        // A consumer: nuget.config with the local feed and the normal source, packages restored into a private folder.
        string app = Path.Combine(_root, "app");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config><add key="globalPackagesFolder" value="{packages}" /></config>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "app.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <InvariantGlobalization>true</InvariantGlobalization>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="TypedMixed" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), ConsumerProgram);
        string output = Run(app, "run", "-c", "Release");
        // The data are y = 2 + 0.5 x + u_g + e with known u and e: the fitted slope is within 0.05 of 0.5.
        var slope = double.Parse(output.Split('\n').Single(l => l.StartsWith("slope ", StringComparison.Ordinal))["slope ".Length..], CultureInfo.InvariantCulture);
        Assert.InRange(slope, 0.45, 0.55);
        Assert.Contains("groups 12", output);

        // The tool, into a private tool path, fitting a CSV.
        string tools = Path.Combine(_root, "tools");
        Run(app, "tool", "install", "TypedMixed.Cli", "--tool-path", tools, "--version", version, "--add-source", feed);
        string csv = Path.Combine(_root, "data.csv");
        File.WriteAllText(csv, ConsumerCsv());
        string exe = Path.Combine(tools, OperatingSystem.IsWindows() ? "typedmixed.exe" : "typedmixed");
        string fit = RunProcess(exe, _root, "fit", csv, "y ~ x + (1 | g)", "--ml");
        Assert.Contains("Fixed effects", fit);
        Assert.Contains("x", fit);
    }

    /// <summary>The consumer's program: a declared model, fitted, with its slope printed.</summary>
    private const string ConsumerProgram = """
        using System.Globalization;
        using TypedMixed;

        var rows = new List<Obs>();
        for (int g = 0; g < 12; g++)
            for (int i = 0; i < 10; i++)
            {
                double x = i - 4.5, u = 0.8 * Math.Sin(1.7 * g), e = 0.3 * Math.Cos(3.1 * g + 7.3 * i);
                rows.Add(new Obs(2 + 0.5 * x + u + e, x, "g" + g));
            }
        var fit = SlopeModel.Fit(rows);
        Console.WriteLine("slope " + fit.X.Estimate.ToString("R", CultureInfo.InvariantCulture));
        Console.WriteLine("groups " + fit.Underlying.RandomEffects[0].LevelCount.ToString(CultureInfo.InvariantCulture));

        public sealed record Obs(double Y, double X, [property: Classification] string G);

        [MixedModel<Obs>(Response = nameof(Obs.Y), Fixed = [nameof(Obs.X)])]
        [RandomIntercept(nameof(Obs.G))]
        public partial record SlopeModel;
        """;

    private static string ConsumerCsv()
    {
        var sb = new StringBuilder("y,x,g\n");
        for (int g = 0; g < 12; g++)
            for (int i = 0; i < 10; i++)
            {
                double x = i - 4.5, y = 2 + 0.5 * x + 0.8 * Math.Sin(1.7 * g) + 0.3 * Math.Cos(3.1 * g + 7.3 * i);
                sb.Append(CultureInfo.InvariantCulture, $"{y:R},{x:R},g{g}\n");
            }
        return sb.ToString();
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "TypedMixed.sln"))) return dir.FullName;
        throw new InvalidOperationException("TypedMixed.sln not found above " + AppContext.BaseDirectory);
    }

    private static void CopyInto(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Copy(from, to);
    }

    /// <summary>Copies a source tree without build output (bin, obj).</summary>
    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            var parts = relative.Split(Path.DirectorySeparatorChar);
            if (parts.Any(p => p is "bin" or "obj")) continue;
            CopyInto(file, Path.Combine(to, relative));
        }
    }

    private static string Run(string workingDirectory, params string[] args) => RunProcess("dotnet", workingDirectory, args);

    private static string RunProcess(string fileName, string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo(fileName) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        // The test host's MSBuild settings must not leak into the child builds.
        foreach (var key in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly" }) info.Environment.Remove(key);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', args)} did not finish in 5 minutes.");
        }
        string output = stdout.Result + stderr.Result;
        Assert.True(process.ExitCode == 0, $"{fileName} {string.Join(' ', args)} exited with {process.ExitCode}:\n{output}");
        return output;
    }
}
