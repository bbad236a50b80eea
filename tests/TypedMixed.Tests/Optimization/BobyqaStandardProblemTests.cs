using TypedMixed.Optimization;

namespace TypedMixed.Tests.Optimization;

/// <summary>BOBYQA on standard test problems with known minimisers.</summary>
public class BobyqaStandardProblemTests
{
    private static readonly BobyqaOptions Tight = new() { InitialTrustRadius = 0.2, FinalTrustRadius = 1e-8 };

    private static double[] Fill(int n, double value) => Enumerable.Repeat(value, n).ToArray();

    /// <summary>The extended Rosenbrock function Σ 100(x_{i+1} − x_i²)² + (1 − x_i)², minimum 0 at (1, …, 1).</summary>
    internal static double Rosenbrock(ReadOnlySpan<double> x)
    {
        double sum = 0;
        for (int i = 0; i + 1 < x.Length; i++)
        {
            double a = x[i + 1] - x[i] * x[i], b = 1 - x[i];
            sum += 100 * a * a + b * b;
        }
        return sum;
    }

    [Fact]
    public void Function_tolerance_ends_the_run_early_once_f_stops_changing()
    {
        var lower = Fill(2, double.NegativeInfinity);
        var upper = Fill(2, double.PositiveInfinity);
        var full = Bobyqa.Minimize(Rosenbrock, [-1.2, 1.0], lower, upper, Tight);
        var early = Bobyqa.Minimize(Rosenbrock, [-1.2, 1.0], lower, upper,
            new BobyqaOptions { InitialTrustRadius = 0.2, FinalTrustRadius = 1e-8, FunctionTolerance = 1e-8 });

        Assert.Equal(StopReason.Converged, early.Reason);
        Assert.Contains("function tolerance", early.Message, StringComparison.Ordinal);
        Assert.True(early.Evaluations < full.Evaluations, $"{early.Evaluations} against {full.Evaluations}");
        Assert.True(early.Value < 1e-7, $"f = {early.Value}");
        Assert.Equal(1.0, early.X[0], 1e-3);
    }

    [Fact]
    public void Rosenbrock_2d_from_the_standard_start_converges_to_1e6()
    {
        var result = Bobyqa.Minimize(Rosenbrock, [-1.2, 1.0], Fill(2, double.NegativeInfinity), Fill(2, double.PositiveInfinity), Tight);

        Assert.Equal(StopReason.Converged, result.Reason);
        Assert.Equal(1.0, result.X[0], 1e-6);
        Assert.Equal(1.0, result.X[1], 1e-6);
        Assert.True(result.Value < 1e-12, $"f = {result.Value}");
        Assert.InRange(result.Evaluations, 5, 400);
    }

    [Fact]
    public void Rosenbrock_4d_from_the_standard_start_converges_to_1e6()
    {
        var result = Bobyqa.Minimize(Rosenbrock, [-1.2, 1.0, -1.2, 1.0], Fill(4, double.NegativeInfinity), Fill(4, double.PositiveInfinity), Tight);

        Assert.Equal(StopReason.Converged, result.Reason);
        for (int i = 0; i < 4; i++) Assert.Equal(1.0, result.X[i], 1e-6);
        Assert.True(result.Value < 1e-11, $"f = {result.Value}");
        Assert.InRange(result.Evaluations, 10, 800);
    }

    [Theory]
    [InlineData(6, 1600)]     // n + 2: the fewest points allowed
    [InlineData(15, 500)]     // (n + 1)(n + 2)/2: the most, a fully determined quadratic
    public void Rosenbrock_4d_with_other_numbers_of_interpolation_points(int npt, int maxEvaluations)
    {
        // From the origin; from (−1.2, 1, −1.2, 1) the extended 4-D Rosenbrock also has a local minimum near (−0.776, 0.613, 0.382, 0.146).
        var options = new BobyqaOptions { InitialTrustRadius = 0.2, FinalTrustRadius = 1e-8, InterpolationPoints = npt };
        var result = Bobyqa.Minimize(Rosenbrock, [0, 0, 0, 0], Fill(4, double.NegativeInfinity), Fill(4, double.PositiveInfinity), options);

        Assert.Equal(StopReason.Converged, result.Reason);
        for (int i = 0; i < 4; i++) Assert.Equal(1.0, result.X[i], 1e-6);
        Assert.True(result.Value < 1e-11, $"f = {result.Value}");
        Assert.InRange(result.Evaluations, 10, maxEvaluations);
    }

    [Fact]
    public void Rosenbrock_with_upper_bound_half_has_its_minimum_exactly_on_the_bound()
    {
        // With x1 ≤ ½ the minimiser is (½, ¼): x2 = x1² and (1 − x1)² is least at the bound; f = ¼.
        var result = Bobyqa.Minimize(Rosenbrock, [-1.2, 1.0], [-2, -2], [0.5, 2], Tight);

        Assert.Equal(StopReason.Converged, result.Reason);
        Assert.Equal(0.5, result.X[0]);
        Assert.Equal(0.25, result.X[1], 1e-7);
        Assert.Equal(0.25, result.Value, 1e-12);
    }

    [Fact]
    public void Convex_quadratic_with_minimum_outside_the_box_ends_exactly_on_the_bounds()
    {
        // Unconstrained minimiser c = (−3, 0.4, 5, −0.25); the box [−1, 1]⁴ clips the first and third coordinate.
        double[] c = [-3, 0.4, 5, -0.25];
        double F(ReadOnlySpan<double> x)
        {
            double s = 0;
            for (int i = 0; i < x.Length; i++) s += (i + 1) * (x[i] - c[i]) * (x[i] - c[i]);
            return s + 0.5 * (x[0] - c[0]) * (x[1] - c[1]);
        }
        var result = Bobyqa.Minimize(F, [0, 0, 0, 0], Fill(4, -1), Fill(4, 1), Tight);

        Assert.Equal(StopReason.Converged, result.Reason);
        Assert.Equal(-1.0, result.X[0]);
        Assert.Equal(1.0, result.X[2]);
        // Interior coordinates: ∂f/∂x2 = 4(x2 − 0.4) + 0.5(x1 + 3) = 0 at x1 = −1 gives x2 = 0.15; x4 = −0.25.
        Assert.Equal(0.15, result.X[1], 1e-7);
        Assert.Equal(-0.25, result.X[3], 1e-7);
    }

    [Fact]
    public void Badly_scaled_problem_recovers_from_loss_of_accuracy_by_rebuilding_the_interpolation_set()
    {
        // Variables on scales 1e−3, 1 and 1e3: rounding destroys the update's denominator, so the set is rebuilt.
        const int n = 10;
        double F(ReadOnlySpan<double> x)
        {
            double s = 0;
            for (int i = 0; i < x.Length; i++) { double scale = Math.Pow(10, 3 * (i % 3) - 3); s += (scale * x[i] - 1) * (scale * x[i] - 1); }
            return s;
        }
        var result = Bobyqa.Minimize(F, new double[n], Fill(n, double.NegativeInfinity), Fill(n, double.PositiveInfinity),
            new BobyqaOptions { InitialTrustRadius = 1, FinalTrustRadius = 1e-14 });

        Assert.Equal(StopReason.Converged, result.Reason);
        Assert.Contains("rebuilt", result.Message);
        for (int i = 0; i < n; i++)
        {
            double expected = Math.Pow(10, 3 - 3 * (i % 3));
            Assert.Equal(expected, result.X[i], expected * 1e-9);
        }
        Assert.True(result.Value < 1e-20, $"f = {result.Value}");
    }

    [Theory]
    [InlineData(10, 16)]
    [InlineData(10, 21)]
    [InlineData(20, 26)]
    [InlineData(20, 41)]
    public void Powells_points_in_a_square_problem_reaches_a_bound_constrained_local_minimum(int n, int npt)
    {
        // Powell's test of the BOBYQA report: n/2 points in [−1, 1]², f = Σ 1/‖p_i − p_j‖, started equally spaced on a circle.
        int m = n / 2;
        double F(ReadOnlySpan<double> x)
        {
            double f = 0;
            for (int i = 1; i < m; i++)
                for (int j = 0; j < i; j++)
                {
                    double dx = x[2 * i] - x[2 * j], dy = x[2 * i + 1] - x[2 * j + 1];
                    f += 1.0 / Math.Sqrt(Math.Max(dx * dx + dy * dy, 1e-6));
                }
            return f;
        }
        var x0 = new double[n];
        for (int j = 0; j < m; j++)
        {
            double angle = (j + 1) * 2 * Math.PI / m;
            x0[2 * j] = Math.Cos(angle);
            x0[2 * j + 1] = Math.Sin(angle);
        }
        var options = new BobyqaOptions { InitialTrustRadius = 0.1, FinalTrustRadius = 1e-6, InterpolationPoints = npt, MaxEvaluations = 500_000 };
        double f0 = F(x0);

        var result = Bobyqa.Minimize(F, x0, Fill(n, -1), Fill(n, 1), options);

        Assert.Equal(StopReason.Converged, result.Reason);
        Assert.True(result.Value < f0, $"f = {result.Value}, f0 = {f0}");
        AssertBoundConstrainedStationary(F, result.X, -1, 1, tolerance: 1e-3);
    }

    /// <summary>Checks the first-order conditions by central differences: zero gradient inside, outward gradient at a bound.</summary>
    internal static void AssertBoundConstrainedStationary(Objective f, double[] x, double lower, double upper, double tolerance)
    {
        const double h = 1e-6;
        var probe = (double[])x.Clone();
        for (int i = 0; i < x.Length; i++)
        {
            Assert.InRange(x[i], lower, upper);
            double lo = Math.Max(lower, x[i] - h), hi = Math.Min(upper, x[i] + h);
            probe[i] = hi; double fHi = f(probe);
            probe[i] = lo; double fLo = f(probe);
            probe[i] = x[i];
            double g = (fHi - fLo) / (hi - lo);
            if (x[i] == lower) Assert.True(g > -tolerance, $"coordinate {i} at the lower bound has gradient {g}");
            else if (x[i] == upper) Assert.True(g < tolerance, $"coordinate {i} at the upper bound has gradient {g}");
            else Assert.True(Math.Abs(g) < tolerance, $"coordinate {i} = {x[i]} has gradient {g}");
        }
    }
}
