using TypedMixed.Optimization;

namespace TypedMixed.Tests.Optimization;

/// <summary>
/// The projected quasi-Newton method on standard problems: badly scaled quadratics (with and without coordinate
/// weights), a box that cuts off the minimiser, Rosenbrock's valley, and steps lengthened by extrapolation.
/// </summary>
public class ProjectedQuasiNewtonTests
{
    private static readonly double[] Free3 = [double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity];
    private static readonly double[] Infinite3 = [double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity];

    /// <summary>f = Σ cᵢ (xᵢ − aᵢ)² / 2 with curvatures c spanning four orders of magnitude.</summary>
    private static readonly double[] Curvature = [3000, 100, 0.3];
    private static readonly double[] Centre = [0.3, -0.4, 0.07];

    private static double Quadratic(ReadOnlySpan<double> x, Span<double> g)
    {
        double f = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double r = x[i] - Centre[i];
            f += 0.5 * Curvature[i] * r * r;
            g[i] = Curvature[i] * r;
        }
        return f;
    }

    [Fact]
    public void Badly_scaled_quadratic_converges_and_weights_make_it_faster()
    {
        var plain = ProjectedQuasiNewton.Minimize(Quadratic, [1, 1, 1], Free3, Infinite3);
        var weighted = ProjectedQuasiNewton.Minimize(Quadratic, [1, 1, 1], Free3, Infinite3,
            new ProjectedQuasiNewtonOptions { CoordinateWeights = Curvature });
        foreach (var r in new[] { plain, weighted })
        {
            Assert.Equal(StopReason.Converged, r.Reason);
            for (int i = 0; i < 3; i++) Assert.Equal(Centre[i], r.X[i], 1e-7);
        }
        // With the true curvatures as weights the first scaled step is already Newton's: a few evaluations.
        Assert.True(weighted.Evaluations <= 5, $"weighted run took {weighted.Evaluations} evaluations");
        Assert.True(weighted.Evaluations < plain.Evaluations, $"weighted {weighted.Evaluations}, plain {plain.Evaluations}");
    }

    [Fact]
    public void Box_that_cuts_off_the_minimiser_stops_on_the_bound_with_the_gradient_pushing_out()
    {
        double[] lower = [0.5, double.NegativeInfinity, 0.1];
        var r = ProjectedQuasiNewton.Minimize(Quadratic, [1, 1, 1], lower, Infinite3,
            new ProjectedQuasiNewtonOptions { MaxExtrapolations = 4, CoordinateWeights = [1, 1, 1] });
        Assert.Equal(StopReason.Converged, r.Reason);
        Assert.Equal(0.5, r.X[0], 12);
        Assert.Equal(Centre[1], r.X[1], 1e-7);
        Assert.Equal(0.1, r.X[2], 12);
    }

    private static double Rosenbrock(ReadOnlySpan<double> x, Span<double> g)
    {
        double a = 1 - x[0], b = x[1] - x[0] * x[0];
        g[0] = -2 * a - 400 * x[0] * b;
        g[1] = 200 * b;
        return a * a + 100 * b * b;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void Rosenbrock_valley_is_followed_to_its_minimum(int extrapolations)
    {
        var r = ProjectedQuasiNewton.Minimize(Rosenbrock, [-1.2, 1], [double.NegativeInfinity, double.NegativeInfinity], [double.PositiveInfinity, double.PositiveInfinity],
            new ProjectedQuasiNewtonOptions { MaxExtrapolations = extrapolations });
        Assert.Equal(StopReason.Converged, r.Reason);
        Assert.Equal(1, r.X[0], 1e-6);
        Assert.Equal(1, r.X[1], 1e-6);
        Assert.True(r.Evaluations < 200, $"{r.Evaluations} evaluations");
    }

    [Fact]
    public void Extrapolation_lengthens_a_first_step_that_is_far_too_short()
    {
        // A minimum 50 units away: the first step (capped at 0.2) meets Armijo's condition with the slope hardly
        // changed, so the step is lengthened ×4 while that holds (0.8, 3.2, 12.8), and the run still ends at 50.
        var tried = new List<double>();
        double Far(ReadOnlySpan<double> x, Span<double> g)
        {
            tried.Add(x[0]);
            double r = x[0] - 50;
            g[0] = 0.02 * r;
            return 0.01 * r * r;
        }
        var r = ProjectedQuasiNewton.Minimize(Far, [0], [double.NegativeInfinity], [double.PositiveInfinity],
            new ProjectedQuasiNewtonOptions { MaxExtrapolations = 3 });
        Assert.Equal(StopReason.Converged, r.Reason);
        Assert.Equal(50, r.X[0], 1e-6);
        Assert.Equal([0, 0.2, 0.8, 3.2, 12.8], tried.Take(5).Select(v => Math.Round(v, 12)));
    }
}
