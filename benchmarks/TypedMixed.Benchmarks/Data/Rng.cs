namespace TypedMixed.Benchmarks.Data;

/// <summary>
/// A small deterministic generator (xoshiro256**, seeded by SplitMix64) so that every machine and .NET version writes
/// byte-identical data sets from the same seed. Normal draws by Box–Muller.
/// </summary>
internal sealed class Rng
{
    private ulong _s0, _s1, _s2, _s3;
    private double? _spare;

    public Rng(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform on [0, 1) with 53 random bits.</summary>
    public double Uniform() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n).</summary>
    public int Below(int n) => (int)(Uniform() * n);

    public bool Bernoulli(double p) => Uniform() < p;

    /// <summary>Standard normal.</summary>
    public double Normal()
    {
        if (_spare is { } s)
        {
            _spare = null;
            return s;
        }
        double u1 = 1 - Uniform(), u2 = Uniform();
        double r = Math.Sqrt(-2 * Math.Log(u1));
        _spare = r * Math.Sin(2 * Math.PI * u2);
        return r * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Standard logistic (location 0, scale 1): log(u / (1 − u)) with u uniform on the open interval (0, 1).</summary>
    public double Logistic()
    {
        double u = ((NextUInt64() >> 11) + 0.5) * (1.0 / (1UL << 53));
        return Math.Log(u / (1 - u));
    }

    /// <summary>
    /// Poisson with mean <paramref name="mean"/>: the sum of Poisson draws of mean at most 30 each (Knuth's product of
    /// uniforms), exact for any mean and cheap for the means the benchmarks use.
    /// </summary>
    public int Poisson(double mean)
    {
        if (!(mean >= 0) || double.IsInfinity(mean)) throw new ArgumentOutOfRangeException(nameof(mean));
        int total = 0;
        while (mean > 0)
        {
            double part = Math.Min(mean, 30);
            mean -= part;
            double limit = Math.Exp(-part), product = Uniform();
            while (product > limit)
            {
                total++;
                product *= Uniform();
            }
        }
        return total;
    }

    /// <summary>Fisher–Yates permutation of 0 .. n − 1.</summary>
    public int[] Permutation(int n)
    {
        var p = Enumerable.Range(0, n).ToArray();
        for (int i = n - 1; i > 0; i--)
        {
            int j = Below(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }

    /// <summary>
    /// Splits <paramref name="total"/> into <paramref name="parts"/> counts of at least <paramref name="minimum"/> each,
    /// proportional to log-normal weights exp(σ z) (largest remainders get the rounding), for realistic unbalance.
    /// </summary>
    public int[] UnbalancedCounts(int total, int parts, int minimum, double sigma)
    {
        var w = new double[parts];
        double sum = 0;
        for (int i = 0; i < parts; i++) sum += w[i] = Math.Exp(sigma * Normal());
        int free = total - parts * minimum;
        if (free < 0) throw new ArgumentException("total is smaller than parts × minimum");
        var counts = new int[parts];
        var remainder = new (double Frac, int Index)[parts];
        int assigned = 0;
        for (int i = 0; i < parts; i++)
        {
            double share = free * w[i] / sum;
            int whole = (int)Math.Floor(share);
            counts[i] = minimum + whole;
            assigned += whole;
            remainder[i] = (share - whole, i);
        }
        Array.Sort(remainder, (a, b) => b.Frac != a.Frac ? b.Frac.CompareTo(a.Frac) : a.Index.CompareTo(b.Index));
        for (int r = 0; r < free - assigned; r++) counts[remainder[r].Index]++;
        return counts;
    }
}
