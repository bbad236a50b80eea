using TypedMixed.Optimization;

namespace TypedMixed.Tests.Optimization;

/// <summary>Stopping reasons, bounds handling, cancellation, determinism and allocation of BOBYQA.</summary>
public class BobyqaBehaviourTests
{
    private static readonly BobyqaOptions Tight = new() { InitialTrustRadius = 0.2, FinalTrustRadius = 1e-8 };

    [Fact]
    public void One_variable_bounded_interior_minimum()
    {
        var result = Bobyqa.Minimize(x => (x[0] - 0.3) * (x[0] - 0.3) + 0.1 * Math.Pow(x[0] - 0.3, 4), [0.9], [0], [1], Tight);

        Assert.Equal(StopReason.Converged, result.Reason);
        Assert.Equal(0.3, result.X[0], 1e-7);
        Assert.InRange(result.Evaluations, 3, 100);
    }

    [Fact]
    public void One_variable_unbounded_nonquadratic_minimum()
    {
        var result = Bobyqa.Minimize(x => Math.Cosh(x[0] - 2.5), [0], [double.NegativeInfinity], [double.PositiveInfinity], Tight);

        Assert.Equal(StopReason.Converged, result.Reason);
        Assert.Equal(2.5, result.X[0], 1e-6);
        Assert.Equal(1.0, result.Value, 1e-12);
    }

    [Fact]
    public void One_variable_minimum_below_the_lower_bound_ends_exactly_on_it()
    {
        var result = Bobyqa.Minimize(x => (x[0] + 1) * (x[0] + 1), [1], [0], [double.PositiveInfinity], Tight);

        Assert.Equal(StopReason.Converged, result.Reason);
        Assert.Equal(0.0, result.X[0]);
        Assert.Equal(1.0, result.Value);
    }

    [Fact]
    public void Infinite_upper_bounds_and_a_lower_bound_of_zero()
    {
        // Minimum at (3, 7, 0): the last coordinate would prefer −2.
        double F(ReadOnlySpan<double> x) => (x[0] - 3) * (x[0] - 3) + (x[1] - 7) * (x[1] - 7) + (x[2] + 2) * (x[2] + 2) + 0.1 * x[0] * x[1];
        var result = Bobyqa.Minimize(F, [1, 1, 1], [0, double.NegativeInfinity, 0], [double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity], Tight);

        // Interior stationary point of the first two coordinates: 2(x−3) + 0.1y = 0, 2(y−7) + 0.1x = 0.
        double y = (14 - 0.3) / (2 - 0.005), x = 3 - 0.05 * y;
        Assert.Equal(StopReason.Converged, result.Reason);
        Assert.Equal(x, result.X[0], 1e-7);
        Assert.Equal(y, result.X[1], 1e-7);
        Assert.Equal(0.0, result.X[2]);
    }

    [Fact]
    public void Never_evaluates_outside_the_bounds_even_from_an_outside_start()
    {
        double[] lower = [0, -1, 2], upper = [1, 1, 2.5];
        int outside = 0;
        double F(ReadOnlySpan<double> x)
        {
            for (int i = 0; i < x.Length; i++)
                if (x[i] < lower[i] || x[i] > upper[i]) outside++;
            return (x[0] - 2) * (x[0] - 2) + x[1] * x[1] + (x[2] - 2.2) * (x[2] - 2.2);
        }

        var result = Bobyqa.Minimize(F, [5, -3, 2.01], lower, upper, Tight);

        Assert.Equal(0, outside);
        Assert.Equal(StopReason.Converged, result.Reason);
        Assert.Equal(1.0, result.X[0]);
        Assert.Equal(0.0, result.X[1], 1e-7);
        Assert.Equal(2.2, result.X[2], 1e-7);
    }

    [Fact]
    public void Narrow_box_reduces_the_initial_radius_instead_of_failing()
    {
        // Width 0.1 < 2·ρ_beg = 0.4 in the first coordinate.
        var result = Bobyqa.Minimize(x => (x[0] - 0.07) * (x[0] - 0.07) + (x[1] - 1) * (x[1] - 1), [0.05, 0], [0, -5], [0.1, 5], Tight);

        Assert.Equal(StopReason.Converged, result.Reason);
        Assert.Equal(0.07, result.X[0], 1e-7);
        Assert.Equal(1.0, result.X[1], 1e-7);
    }

    [Fact]
    public void Fixed_coordinates_stay_at_their_bound_and_the_others_are_optimised()
    {
        int wrong = 0;
        double F(ReadOnlySpan<double> x)
        {
            if (x[1] != 4) wrong++;
            return (x[0] - 1) * (x[0] - 1) + (x[2] + 1) * (x[2] + 1) + x[1];
        }
        var result = Bobyqa.Minimize(F, [0, 0, 0], [-5, 4, -5], [5, 4, 5], Tight);

        Assert.Equal(0, wrong);
        Assert.Equal(StopReason.Converged, result.Reason);
        Assert.Equal(4.0, result.X[1]);
        Assert.Equal(1.0, result.X[0], 1e-7);
        Assert.Equal(-1.0, result.X[2], 1e-7);
    }

    [Fact]
    public void Stops_at_the_evaluation_budget_with_the_best_point_so_far()
    {
        double best = double.PositiveInfinity;
        var result = Bobyqa.Minimize(BobyqaStandardProblemTests.Rosenbrock, [-1.2, 1], [-5, -5], [5, 5],
            new BobyqaOptions { MaxEvaluations = 25 }, onEvaluation: (_, f) => best = Math.Min(best, f));

        Assert.Equal(StopReason.MaxEvaluations, result.Reason);
        Assert.Equal(25, result.Evaluations);
        Assert.Equal(best, result.Value);
        Assert.Equal(BobyqaStandardProblemTests.Rosenbrock(result.X), result.Value);
    }

    [Fact]
    public void Budget_smaller_than_the_initial_set_is_honoured()
    {
        var result = Bobyqa.Minimize(BobyqaStandardProblemTests.Rosenbrock, [-1.2, 1], [-5, -5], [5, 5], new BobyqaOptions { MaxEvaluations = 3 });

        Assert.Equal(StopReason.MaxEvaluations, result.Reason);
        Assert.Equal(3, result.Evaluations);
    }

    [Fact]
    public void Cancellation_throws_between_evaluations()
    {
        using var cts = new CancellationTokenSource();
        int count = 0;
        Assert.Throws<OperationCanceledException>(() => Bobyqa.Minimize(BobyqaStandardProblemTests.Rosenbrock, [-1.2, 1], [-5, -5], [5, 5],
            cancellationToken: cts.Token,
            onEvaluation: (k, _) => { count = k; if (k == 10) cts.Cancel(); }));
        Assert.Equal(10, count);
    }

    [Fact]
    public void Runs_are_bit_identical()
    {
        var trace1 = new List<double>();
        var trace2 = new List<double>();
        var a = Bobyqa.Minimize(BobyqaStandardProblemTests.Rosenbrock, [-1.2, 1, -1.2, 1], [-5, -5, -5, -5], [5, 5, 5, 5], Tight, onEvaluation: (_, f) => trace1.Add(f));
        var b = Bobyqa.Minimize(BobyqaStandardProblemTests.Rosenbrock, [-1.2, 1, -1.2, 1], [-5, -5, -5, -5], [5, 5, 5, 5], Tight, onEvaluation: (_, f) => trace2.Add(f));

        Assert.Equal(a.Evaluations, b.Evaluations);
        Assert.Equal(BitConverter.DoubleToInt64Bits(a.Value), BitConverter.DoubleToInt64Bits(b.Value));
        Assert.Equal(a.X.Select(BitConverter.DoubleToInt64Bits), b.X.Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(trace1.Select(BitConverter.DoubleToInt64Bits), trace2.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void Invalid_objective_at_the_start_stops_at_once()
    {
        var result = Bobyqa.Minimize(_ => double.NaN, [1, 2], [0, 0], [5, 5]);

        Assert.Equal(StopReason.InvalidObjective, result.Reason);
        Assert.Equal(1, result.Evaluations);
        Assert.True(double.IsNaN(result.Value));
        Assert.Equal([1.0, 2.0], result.X);
    }

    [Fact]
    public void NaN_and_infinity_after_the_start_are_rejected_not_fatal()
    {
        // Undefined for x0 > 1.25 (NaN) and x1 < −0.5 (+∞); the minimum (1, 1) lies inside the defined region.
        int nonFinite = 0;
        double F(ReadOnlySpan<double> x)
        {
            if (x[0] > 1.25) { nonFinite++; return double.NaN; }
            if (x[1] < -0.5) { nonFinite++; return double.PositiveInfinity; }
            return (x[0] - 1) * (x[0] - 1) + 2 * (x[1] - 1) * (x[1] - 1);
        }
        var result = Bobyqa.Minimize(F, [0, 0], [-3, -3], [3, 3], new BobyqaOptions { InitialTrustRadius = 1, FinalTrustRadius = 1e-8 });

        Assert.True(nonFinite > 0, "the test should reach the undefined region");
        Assert.Equal(StopReason.Converged, result.Reason);
        Assert.Equal(1.0, result.X[0], 1e-7);
        Assert.Equal(1.0, result.X[1], 1e-7);
    }

    [Fact]
    public void The_span_passed_to_the_objective_is_reused_and_steady_state_does_not_allocate()
    {
        long bytesAt100 = 0, bytesAt300 = 0;
        int evaluations = 0;
        double F(ReadOnlySpan<double> x)
        {
            evaluations++;
            if (evaluations == 100) bytesAt100 = GC.GetAllocatedBytesForCurrentThread();
            if (evaluations == 300) bytesAt300 = GC.GetAllocatedBytesForCurrentThread();
            return BobyqaStandardProblemTests.Rosenbrock(x) + 1e-3 * Math.Sin(50 * x[0]);
        }
        // Warm up the JIT so that tiering does not count.
        Bobyqa.Minimize(F, [-1.2, 1, -1.2, 1, 0.5], [-5, -5, -5, -5, -5], [5, 5, 5, 5, 5], new BobyqaOptions { MaxEvaluations = 400 });
        evaluations = 0;
        var result = Bobyqa.Minimize(F, [-1.2, 1, -1.2, 1, 0.5], [-5, -5, -5, -5, -5], [5, 5, 5, 5, 5], new BobyqaOptions { MaxEvaluations = 400 });

        Assert.Equal(400, result.Evaluations);
        Assert.Equal(0, bytesAt300 - bytesAt100);
    }

    [Fact]
    public void Invalid_arguments_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Bobyqa.Minimize(x => x[0], [0], [1], [0]));
        Assert.Throws<ArgumentException>(() => Bobyqa.Minimize(x => x[0], [0, 0], [0], [1]));
        Assert.Throws<ArgumentException>(() => Bobyqa.Minimize(x => x[0], [], [], []));
        Assert.Throws<ArgumentException>(() => Bobyqa.Minimize(x => x[0], [double.NaN], [0], [1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Bobyqa.Minimize(x => x[0], [0, 0], [-1, -1], [1, 1], new BobyqaOptions { InterpolationPoints = 3 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Bobyqa.Minimize(x => x[0], [0], [-1], [1], new BobyqaOptions { InitialTrustRadius = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Bobyqa.Minimize(x => x[0], [0], [-1], [1], new BobyqaOptions { FunctionTolerance = -1e-6 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Bobyqa.Minimize(x => x[0], [0], [-1], [1], new BobyqaOptions { FunctionTolerance = double.NaN }));
    }
}
