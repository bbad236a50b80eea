namespace TypedMixed.Generators.Tests.Infrastructure;

/// <summary>
/// Compares text with <c>Snapshots/{name}.verified.cs</c>. On a mismatch or a missing file it writes
/// <c>{name}.received.cs</c> beside it and fails; accept a change by renaming received → verified deliberately.
/// Locally, TYPEDMIXED_ACCEPT=1 accepts automatically; never when CI is set.
/// </summary>
internal static class Snapshot
{
    public static void Verify(string name, string actual)
    {
        string directory = Path.Combine(GeneratorHarness.ProjectDirectory(), "Snapshots");
        string verified = Path.Combine(directory, name + ".verified.cs");
        string received = Path.Combine(directory, name + ".received.cs");
        actual = actual.Replace("\r\n", "\n");
        string? expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        bool ci = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));
        if (!ci && Environment.GetEnvironmentVariable("TYPEDMIXED_ACCEPT") == "1")
        {
            File.WriteAllText(verified, actual);
            return;
        }
        Directory.CreateDirectory(directory);
        File.WriteAllText(received, actual);
        Assert.Fail(expected is null
            ? $"No snapshot {name}.verified.cs. Review {received} and rename it to .verified.cs to accept it."
            : $"Snapshot {name} changed{FirstDifference(expected, actual)}. Review {received} and rename it to .verified.cs to accept the change.");
    }

    private static string FirstDifference(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (int i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            string el = i < e.Length ? e[i] : "<end>";
            string al = i < a.Length ? a[i] : "<end>";
            if (el != al) return $" at line {i + 1}:\n  verified: {el}\n  received: {al}";
        }
        return "";
    }
}
