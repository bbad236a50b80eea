namespace TypedMixed.Tests.Reference;

/// <summary>Tail probabilities against values from R (pnorm, pt, pchisq).</summary>
public class DistributionTests
{
    [Theory]
    [InlineData(1.959963984540054, 0.025)]
    [InlineData(0.5, 0.3085375387259869)]
    [InlineData(3.0, 0.0013498980316300946)]
    [InlineData(8.0, 6.220960574271785e-16)]
    [InlineData(-1.0, 0.8413447460685429)]
    public void Normal_upper_tail(double z, double expected) =>
        ReferenceData.AssertRelative(expected, Distributions.NormalUpperTail(z), 1e-12, $"pnorm({z}, lower=FALSE)");

    [Theory]
    [InlineData(3.84145882069412, 1, 0.05)]
    [InlineData(5.0, 3, 0.17179714429673354)]
    [InlineData(0.5, 2, 0.7788007830714049)]
    public void Chi_square_upper_tail(double x, double df, double expected) =>
        ReferenceData.AssertRelative(expected, Distributions.ChiSquareUpperTail(x, df), 1e-9, $"pchisq({x}, {df}, lower=FALSE)");

    /// <summary>Two independent code paths: χ²₁ tail (incomplete gamma) = 2 × normal tail at √x (erfc), far into the tail.</summary>
    [Theory]
    [InlineData(0.3)]
    [InlineData(4.0)]
    [InlineData(60.0)]
    [InlineData(498.7)]
    public void Chi_square_one_df_equals_twice_the_normal_tail(double x) =>
        ReferenceData.AssertRelative(2 * Distributions.NormalUpperTail(Math.Sqrt(x)), Distributions.ChiSquareUpperTail(x, 1), 1e-10, $"pchisq({x}, 1)");

    /// <summary>lmerTest's p-values are 2·pt(|t|, df, lower = FALSE) with its own t and df.</summary>
    [Theory]
    [MemberData(nameof(ReferenceData.LinearFits), MemberType = typeof(ReferenceData))]
    public void Student_t_tail_reproduces_lmerTest_p_values(string fit)
    {
        var r = ReferenceData.Fit(fit);
        if (!r.TryGetProperty("satterthwaite", out var s)) return;
        var t = s.GetProperty("t_value").Doubles();
        var df = s.GetProperty("df").Doubles();
        var p = s.GetProperty("p_value").Doubles();
        for (int c = 0; c < t.Length; c++)
            ReferenceData.AssertRelative(p[c], 2 * Distributions.StudentUpperTail(Math.Abs(t[c]), df[c]), 1e-8, $"{fit} p[{c}]");
    }
}
