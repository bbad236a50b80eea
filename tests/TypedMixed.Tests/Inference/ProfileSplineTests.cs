using TypedMixed.Inference;

namespace TypedMixed.Tests.Inference;

/// <summary>The forward natural spline and its inverse (R's interpSpline/backSpline construction) on traces with known answers.</summary>
public sealed class ProfileSplineTests
{
    [Fact]
    public void A_linear_profile_is_reproduced_exactly_both_ways()
    {
        double[] x = [1, 2, 3.5, 5, 6, 8, 9];
        var zeta = x.Select(v => (v - 5) / 2).ToArray();
        var spline = new ProfileSpline(x, zeta);
        Assert.True(spline.IsMonotone);
        foreach (double z in new[] { -1.96, -1, 0, 0.3, 1.645, 2 })
            Assert.Equal(5 + 2 * z, spline.ParameterAt(z), 12);
        foreach (double v in new[] { 1.0, 2.7, 5, 7.9, 9 })
            Assert.Equal((v - 5) / 2, spline.ZetaAt(v), 12);
        Assert.True(double.IsNaN(spline.ParameterAt(2.5)), "outside the trace");
        Assert.True(double.IsNaN(spline.ZetaAt(0.5)), "outside the trace");
    }

    [Fact]
    public void A_curved_profile_is_inverted_to_within_the_interpolation_error()
    {
        // ζ = sign(x)·√(x² + x⁴/10): a profile that bends away from the quadratic, sampled every 0.25 in x.
        static double Zeta(double v) => Math.Sign(v) * Math.Sqrt(v * v + v * v * v * v / 10);
        var x = Enumerable.Range(-12, 25).Select(i => i * 0.25).ToArray();
        var spline = new ProfileSpline(x, x.Select(Zeta).ToArray());
        foreach (double z in new[] { -1.96, -1.2, 0.4, 1.96 })
        {
            double v = spline.ParameterAt(z);
            Assert.True(Math.Abs(Zeta(v) - z) < 1e-3, $"ζ({v}) = {Zeta(v)}, wanted {z}");
        }
    }

    [Fact]
    public void A_trace_that_is_not_increasing_falls_back_to_linear_interpolation_or_NaN()
    {
        var flat = new ProfileSpline([0, 1, 2, 3], [-1, 0, 0, 1]);
        Assert.False(flat.IsMonotone);
        Assert.Equal(2.5, flat.ParameterAt(0.5), 12);
        var broken = new ProfileSpline([0, 1, 2, 3], [-1, 0.5, -0.5, 1]);
        Assert.True(double.IsNaN(broken.ParameterAt(0.7)));
    }

    [Fact]
    public void Natural_spline_slopes_match_a_hand_computation()
    {
        // Through (0,0), (1,1), (2,0): M₁ = −3 from 4M₁ = 6(−1 − 1); slopes 1.5, 0, −1.5.
        var s = ProfileSpline.ForwardSlopes([0, 1, 2], [0, 1, 0]);
        Assert.Equal([1.5, 0, -1.5], s.Select(v => Math.Round(v, 12)));
    }
}
