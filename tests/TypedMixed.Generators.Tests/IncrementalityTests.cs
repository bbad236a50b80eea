using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using TypedMixed.Generators.Tests.Infrastructure;

namespace TypedMixed.Generators.Tests;

/// <summary>The pipeline's cached values stay equal across an unrelated edit, so nothing is re-emitted.</summary>
public class IncrementalityTests
{
    private const string Model = """
        using TypedMixed;
        namespace Sample;
        public sealed record Reading(double Reaction, double Days, [property: Classification] int Subject);
        [MixedModel<Reading>(Response = nameof(Reading.Reaction), Fixed = [nameof(Reading.Days)])]
        [RandomSlopes(nameof(Reading.Subject), nameof(Reading.Days))]
        public partial record SleepModel;
        public sealed record Count(int Events, double LogT, [property: Classification] int Site);
        [MixedModel<Count>(Family = ResponseFamily.Poisson, Response = nameof(Count.Events), Offset = nameof(Count.LogT), QuadraturePoints = 5)]
        [RandomIntercept(nameof(Count.Site))]
        public partial record CountModel;
        [MixedModel<Reading>(Response = "Nope")]
        [RandomIntercept(nameof(Reading.Subject))]
        public partial record BrokenModel;
        """;

    private static GeneratorDriverRunResult RunTwice(Func<Compilation, Compilation> edit)
    {
        var compilation = GeneratorHarness.Compile(Model, "namespace Sample; public static class Other { public static int Value => 1; }");
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        return driver.RunGenerators(edit(compilation)).GetRunResult();
    }

    [Fact]
    public void Unrelated_edit_leaves_every_step_cached()
    {
        var result = RunTwice(c =>
        {
            var other = c.SyntaxTrees.Last();
            var edited = CSharpSyntaxTree.ParseText("namespace Sample; public static class Other { public static int Value => 2; }", GeneratorHarness.ParseOptions, other.FilePath);
            return c.ReplaceSyntaxTree(other, edited);
        }).Results.Single();

        foreach (string name in TrackingNames.All)
        {
            Assert.True(result.TrackedSteps.TryGetValue(name, out var steps), $"No tracked step named {name}.");
            var reasons = steps.SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
            Assert.NotEmpty(reasons);
            Assert.All(reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{name}: {r}"));
        }
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void Editing_the_model_modifies_its_spec()
    {
        var result = RunTwice(c =>
        {
            var tree = c.SyntaxTrees.First();
            var edited = CSharpSyntaxTree.ParseText(Model.Replace("RandomSlopes(nameof(Reading.Subject), nameof(Reading.Days))", "RandomIntercept(nameof(Reading.Subject))"), GeneratorHarness.ParseOptions, tree.FilePath);
            return c.ReplaceSyntaxTree(tree, edited);
        }).Results.Single();
        Assert.Contains(result.TrackedSteps[TrackingNames.Specs].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
    }

    [Fact]
    public void Specs_hold_only_values()
    {
        // Everything reachable from the cached result must compare by value: no Roslyn objects, arrays or lists.
        var seen = new HashSet<Type>();
        void Check(Type type)
        {
            if (!seen.Add(type)) return;
            if (type == typeof(string) || type.IsPrimitive || type.IsEnum) return;
            if (type.IsGenericType && type.GetGenericTypeDefinition().Name.StartsWith("EquatableArray", StringComparison.Ordinal))
            {
                Check(type.GetGenericArguments()[0]);
                return;
            }
            if (Nullable.GetUnderlyingType(type) is { } underlying)
            {
                Check(underlying);
                return;
            }
            Assert.True(type.Namespace == "TypedMixed.Generators" || type.Namespace == "Microsoft.CodeAnalysis.Text" && type.IsValueType,
                $"{type} is not a value-equatable spec type.");
            Assert.True(type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEquatable<>)) || type.IsValueType, $"{type} is not equatable.");
            foreach (var f in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
                Check(f.FieldType);
        }
        Check(typeof(ModelResult));
    }
}
