using System.Text.RegularExpressions;

namespace TypedMixed.Package.Tests;

/// <summary>Every relative Markdown link in README.md and docs/ points at a file of the repository.</summary>
public sealed partial class DocumentationLinkTests
{
    [GeneratedRegex(@"\]\(([^)#\s]+)(#[^)]*)?\)")]
    private static partial Regex Link();

    [Fact]
    public void Relative_links_in_the_readme_and_docs_resolve()
    {
        string repo = PackageInstallTests.RepositoryRoot();
        var files = Directory.EnumerateFiles(Path.Combine(repo, "docs"), "*.md", SearchOption.AllDirectories).Append(Path.Combine(repo, "README.md")).ToArray();
        Assert.NotEmpty(files);
        var dangling = new List<string>();
        int checkedLinks = 0;
        foreach (var file in files)
            foreach (Match m in Link().Matches(File.ReadAllText(file)))
            {
                string target = m.Groups[1].Value;
                if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal)) continue;
                checkedLinks++;
                string full = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, target));
                if (!File.Exists(full) && !Directory.Exists(full)) dangling.Add($"{Path.GetRelativePath(repo, file)} → {target}");
            }
        Assert.True(checkedLinks > 10, $"only {checkedLinks} links found");
        Assert.True(dangling.Count == 0, "Dangling links:\n" + string.Join("\n", dangling));
        Assert.DoesNotContain(files, f => File.ReadAllText(f).Contains("DESIGN.md", StringComparison.Ordinal));
    }
}
