using TypedMixed.Generated;

namespace TypedMixed.Tests.Generated;

/// <summary>The runtime helpers behind every generated result: per-cluster lookups with clear messages, and the encoder's steps.</summary>
public class ClusterDictionaryTests
{
    private static LevelSet<int> Schools(int count) =>
        new(Enumerable.Range(1, count).Select(k => k * 10), Comparer<int>.Default, LevelText.Of);

    [Fact]
    public void Values_are_read_by_key_in_level_order()
    {
        var levels = new LevelSet<string>(["b", "a", "c"], StringComparer.Ordinal, k => k);
        var sizes = new ClusterDictionary<string, int>(levels, [5, 6, 7], "Clinic");
        Assert.Equal(6, sizes["b"]);
        Assert.Equal(["a", "b", "c"], sizes.Keys);
        Assert.Equal([5, 6, 7], sizes.Values);
        Assert.Equal(new KeyValuePair<string, int>("c", 7), sizes.Last());
        Assert.True(sizes.TryGetValue("a", out int a) && a == 5);
        Assert.False(sizes.TryGetValue("z", out _));
        Assert.False(sizes.ContainsKey("z"));
        Assert.Equal(3, sizes.Count);
    }

    [Fact]
    public void Unknown_key_names_the_classification_the_key_and_the_first_five_levels()
    {
        var effects = new ClusterDictionary<int, double>(Schools(160), new double[160], "School");
        var e = Assert.Throws<KeyNotFoundException>(() => effects[999]);
        Assert.Equal("'School' has no cluster '999' in the fitted data (160 levels: 10, 20, 30, 40, 50, …); use one of School.Levels, or TryGetValue/ContainsKey to test a key first.", e.Message);
    }

    [Fact]
    public void Nested_keys_are_named_as_their_levels_are_innermost_first()
    {
        var levels = new LevelSet<(string Batch, string Cask)>([("A", "a"), ("A", "b")], Comparer<(string, string)>.Default, k => k.Cask + ":" + k.Batch);
        var effects = new ClusterDictionary<(string, string), double>(levels, [0.5, -0.5], "Cask");
        Assert.Equal(-0.5, effects[("A", "b")]);
        var e = Assert.Throws<KeyNotFoundException>(() => effects[("B", "c")]);
        Assert.StartsWith("'Cask' has no cluster 'c:B' in the fitted data (2 levels: a:A, b:A);", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, "1 level: 10")]
    [InlineData(5, "5 levels: 10, 20, 30, 40, 50")]
    [InlineData(6, "6 levels: 10, 20, 30, 40, 50, …")]
    public void Sample_lists_at_most_five_levels_and_says_how_many_there_are(int count, string expected) =>
        Assert.Equal(expected, Schools(count).Sample());

    [Fact]
    public void Values_must_match_the_levels()
    {
        var e = Assert.Throws<ArgumentException>(() => new ClusterDictionary<int, double>(Schools(3), new double[2], "School"));
        Assert.Contains("2 values for 3 levels of 'School'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encoded_design_reads_records_once_trims_kept_rows_and_builds_a_term()
    {
        Assert.Throws<ArgumentNullException>(() => EncodedDesign.Rows<int>(null!));
        int[] array = [1, 2, 3];
        Assert.Same(array, EncodedDesign.Rows(array));
        Assert.Equal([1, 2], EncodedDesign.Rows(array.Where(v => v < 3)));

        double[] values = [1.0, 2.0, 3.0];
        Assert.Same(values, EncodedDesign.Kept(values, 3));
        Assert.Equal([1.0, 2.0], EncodedDesign.Kept(values, 2));

        var keys = new LevelIndexBuilder<int>(3);
        foreach (var k in new[] { 20, 10, 20 }) keys.Add(k);
        var levels = keys.Levels(Comparer<int>.Default, LevelText.Of);
        var z = new ModelMatrixBuilder(3);
        z.AddIntercept();
        var term = EncodedDesign.Term("School", keys, levels, z, CovarianceStructure.Diagonal);
        Assert.Equal("School", term.Name);
        Assert.Equal([1, 0, 1], term.LevelIndex);
        Assert.Equal(["10", "20"], term.LevelKeys);
        Assert.Equal([1.0, 1.0, 1.0], term.Columns);
        Assert.Equal(CovarianceStructure.Diagonal, term.Covariance);
    }
}
