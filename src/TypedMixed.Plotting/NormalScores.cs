namespace TypedMixed.Plotting;

/// <summary>Normal QQ coordinates as R's <c>qqnorm</c> and <c>qqline</c> compute them.</summary>
internal static class NormalScores
{
    /// <summary>
    /// Sorted sample against the normal quantiles of R's <c>ppoints(n)</c>: Φ⁻¹((i − a) / (n + 1 − 2a)), a = 3/8 for
    /// n ≤ 10 and 1/2 above. Non-finite values are left out.
    /// </summary>
    public static (double[] Theoretical, double[] Sample) Qq(IEnumerable<double> values)
    {
        double[] sample = [.. values.Where(double.IsFinite).Order()];
        int n = sample.Length;
        double a = n <= 10 ? 3.0 / 8 : 0.5;
        var theoretical = new double[n];
        for (int i = 0; i < n; i++) theoretical[i] = Distributions.NormalQuantile((i + 1 - a) / (n + 1 - 2 * a));
        return (theoretical, sample);
    }

    /// <summary>R's <c>qqline</c>: the line through the first and third quartiles of the sample and of the normal.</summary>
    public static (double Intercept, double Slope) QuartileLine(double[] sortedSample)
    {
        double q1 = Distributions.SampleQuantile(sortedSample, 0.25), q3 = Distributions.SampleQuantile(sortedSample, 0.75);
        double z1 = Distributions.NormalQuantile(0.25), z3 = Distributions.NormalQuantile(0.75);
        double slope = (q3 - q1) / (z3 - z1);
        return (q1 - slope * z1, slope);
    }
}
