namespace MathsTutoring;

/// <summary>
/// A small deterministic random-number generator (SplitMix64, Steele, Lea &amp; Flood 2014) so that the simulated trial is
/// the same on every machine and .NET version; standard normal draws by the Box–Muller transform.
/// </summary>
public sealed class SeededRandom(ulong seed)
{
    private ulong _state = seed;
    private double? _spareNormal;

    /// <summary>The next 64 random bits.</summary>
    public ulong NextBits()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform draw in (0, 1).</summary>
    public double NextUniform() => ((NextBits() >> 11) + 0.5) / (1UL << 53);

    /// <summary>A standard normal draw.</summary>
    public double NextNormal()
    {
        if (_spareNormal is { } spare)
        {
            _spareNormal = null;
            return spare;
        }
        double radius = Math.Sqrt(-2 * Math.Log(NextUniform())), angle = 2 * Math.PI * NextUniform();
        _spareNormal = radius * Math.Sin(angle);
        return radius * Math.Cos(angle);
    }

    /// <summary>An integer in [0, <paramref name="n"/>).</summary>
    public int NextInt(int n) => (int)(NextUniform() * n);

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher–Yates).</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
