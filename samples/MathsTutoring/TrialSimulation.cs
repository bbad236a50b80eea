namespace MathsTutoring;

/// <summary>The population values the trial is simulated from: Table 2, Model 2 of the review article.</summary>
public static class Published
{
    /// <summary>β0..β3: intercept, time, tutored, tutored × time.</summary>
    public static readonly double[] Beta = [54.06, 5.83, 0.80, 5.05];

    /// <summary>σ²u0, the variance of the pupils' intercepts.</summary>
    public const double InterceptVariance = 64.93;

    /// <summary>σ²u1, the variance of the pupils' slopes.</summary>
    public const double SlopeVariance = 25.95;

    /// <summary>σu01, the covariance of intercept and slope.</summary>
    public const double Covariance = 0.42;

    /// <summary>σ²e, the residual (occasion-level) variance.</summary>
    public const double ResidualVariance = 21.97;

    /// <summary>The six occasions, t = 0, 0.2, …, 1.0.</summary>
    public static readonly double[] Times = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0];
}

/// <summary>
/// Simulates the published trial design: 180 pupils, 90 tutored, six tests, 127 pupils complete and 53 dropping out
/// monotonically after 1–5 tests (948 scores), from <see cref="Published"/>'s values with a fixed seed.
/// </summary>
public static class TrialSimulation
{
    /// <summary>The fixed seed: every run simulates the same data.</summary>
    public const ulong Seed = 20_250_611;

    /// <summary>
    /// How many of the 53 dropouts took 1, 2, 3, 4 and 5 tests. The review gives only the totals (53 pupils, 948 − 127 × 6
    /// = 186 scores); this split is ours and has those totals.
    /// </summary>
    public static readonly int[] DropoutsByTestsTaken = [6, 7, 10, 14, 16];

    /// <summary>Number of pupils, and of tutored pupils.</summary>
    public const int Pupils = 180, Tutored = 90;

    /// <summary>
    /// The simulated scores, ordered by pupil and occasion, and the true random effects (u0, u1) of each pupil (index =
    /// pupil id − 1). Arms are assigned at random; dropout is at random (missing completely at random), monotone.
    /// </summary>
    public static (List<TestScore> Scores, (double U0, double U1)[] Effects) Simulate(ulong seed = Seed)
    {
        var rng = new SeededRandom(seed);

        var arms = Enumerable.Range(0, Pupils).Select(i => i < Tutored ? Group.Tutored : Group.Control).ToArray();
        rng.Shuffle(arms);

        // Number of tests each pupil takes: 6 for 127 pupils, 1–5 for the 53 dropouts, in random order.
        var testsTaken = new List<int>(Pupils);
        for (int k = 0; k < DropoutsByTestsTaken.Length; k++) testsTaken.AddRange(Enumerable.Repeat(k + 1, DropoutsByTestsTaken[k]));
        testsTaken.AddRange(Enumerable.Repeat(Published.Times.Length, Pupils - testsTaken.Count));
        rng.Shuffle(testsTaken);

        // (u0, u1) ~ N(0, Σ) through Σ = LLᵀ: u0 = l00 z0, u1 = l10 z0 + l11 z1.
        double l00 = Math.Sqrt(Published.InterceptVariance);
        double l10 = Published.Covariance / l00;
        double l11 = Math.Sqrt(Published.SlopeVariance - l10 * l10);
        double sigmaE = Math.Sqrt(Published.ResidualVariance);
        var b = Published.Beta;

        var scores = new List<TestScore>();
        var effects = new (double, double)[Pupils];
        for (int p = 0; p < Pupils; p++)
        {
            double z0 = rng.NextNormal(), z1 = rng.NextNormal();
            double u0 = l00 * z0, u1 = l10 * z0 + l11 * z1;
            effects[p] = (u0, u1);
            double x = arms[p] == Group.Tutored ? 1 : 0;
            for (int o = 0; o < Published.Times.Length; o++)
            {
                double t = Published.Times[o];
                double y = b[0] + b[1] * t + b[2] * x + b[3] * x * t + u0 + u1 * t + sigmaE * rng.NextNormal();
                // Draw every occasion so that a pupil's scores do not depend on when they drop out; keep the observed ones.
                if (o < testsTaken[p]) scores.Add(new TestScore(y, t, arms[p], p + 1));
            }
        }
        return (scores, effects);
    }
}
