using TypedMixed.Factorization;

namespace TypedMixed.Tests.Factorization;

public class DenseKernelTests
{
    private static double[] RandomSpd(int n, int seed)
    {
        var rng = new Random(seed);
        var b = new double[n * n];
        for (int i = 0; i < b.Length; i++) b[i] = rng.NextDouble() - 0.5;
        var a = new double[n * n];
        for (int j = 0; j < n; j++)
            for (int i = j; i < n; i++)
            {
                double s = DenseKernels.Dot(b.AsSpan(i * n, n), b.AsSpan(j * n, n));
                a[j * n + i] = a[i * n + j] = s + (i == j ? 1 : 0);
            }
        return a;
    }

    /// <summary>The blocked, packed, threaded path agrees with the unblocked one on orders that are not multiples of any tile.</summary>
    [Theory]
    [InlineData(160)]
    [InlineData(193)]
    [InlineData(257)]
    [InlineData(411)]
    [InlineData(1145)]
    public void Blocked_Cholesky_equals_unblocked(int n)
    {
        var a = RandomSpd(n, n);
        var blocked = (double[])a.Clone();
        var plain = (double[])a.Clone();
        Assert.True(DenseKernels.Cholesky(blocked, n));
        Assert.True(DenseKernels.UnblockedCholesky(plain, n));
        for (int j = 0; j < n; j++)
            for (int i = j; i < n; i++)
                Assert.True(Math.Abs(blocked[j * n + i] - plain[j * n + i]) <= 1e-11 * Math.Abs(plain[j * n + j]),
                    $"L[{i},{j}]: blocked {blocked[j * n + i]:R}, unblocked {plain[j * n + i]:R}");
        // And L Lᵀ reproduces A.
        for (int j = 0; j < n; j += 7)
            for (int i = j; i < n; i += 5)
            {
                double s = 0;
                for (int k = 0; k <= j; k++) s += blocked[k * n + i] * blocked[k * n + j];
                Assert.True(Math.Abs(s - a[j * n + i]) <= 1e-10 * a[j * n + j]);
            }
    }

    [Fact]
    public void Blocked_Cholesky_reports_an_indefinite_matrix()
    {
        int n = 300;
        var a = RandomSpd(n, 3);
        a[250 * n + 250] = -1;
        Assert.False(DenseKernels.Cholesky(a, n));
    }

    /// <summary>
    /// The packed panel solve (P ← P L⁻ᵀ, solved rows packed for the trailing update) against the column-axpy solve, on
    /// shapes that are not multiples of the tile (kb and m odd), in one row range and in two (as two threads take them),
    /// and its packing against <see cref="PackedSyrk.Pack"/> of the solved panel.
    /// </summary>
    [Theory]
    [InlineData(37, 53, 0)]
    [InlineData(96, 301, 0)]
    [InlineData(96, 301, 144)]
    [InlineData(5, 17, 0)]
    [InlineData(64, 130, 64)]
    public unsafe void Packed_panel_solve_equals_the_axpy_solve(int kb, int m, int split)
    {
        if (!PackedSyrk.IsAccelerated) return;
        int n = kb + m;
        var a = RandomSpd(n, kb * 1000 + m);
        // Factor the leading kb × kb block (leading dimension n) and take the rows below it as the panel.
        Assert.True(DenseKernels.FactorDiagonalBlock(a, n, 0, kb));
        var l = new double[kb * kb];
        for (int j = 0; j < kb; j++)
            for (int i = j; i < kb; i++) l[j * kb + i] = a[j * n + i];
        var expected = new double[m * kb];
        for (int j = 0; j < kb; j++)
            for (int i = 0; i < m; i++) expected[j * m + i] = a[j * n + kb + i];
        DenseKernels.RightSolveLowerTranspose(expected, m, l, kb);

        var (packA, packB) = PackedSyrk.Buffers(m, kb);
        var packL = PackedSyrk.LowerBuffer(kb);
        fixed (double* pa = packA, pb = packB, pl = packL, pa0 = a)
        {
            PackedSyrk.PackLower(pa0, n, 0, kb, pl);
            if (split == 0) PackedSyrk.SolvePanel(pa0, n, kb, 0, m, kb, 0, m, pa, pb, pl);
            else
            {
                PackedSyrk.SolvePanel(pa0, n, kb, 0, m, kb, split, m, pa, pb, pl);
                PackedSyrk.SolvePanel(pa0, n, kb, 0, m, kb, 0, split, pa, pb, pl);
            }
        }
        for (int j = 0; j < kb; j++)
            for (int i = 0; i < m; i++)
                Assert.True(Math.Abs(a[j * n + kb + i] - expected[j * m + i]) <= 1e-12 * (1 + Math.Abs(expected[j * m + i])),
                    $"P[{i},{j}]: packed {a[j * n + kb + i]:R}, axpy {expected[j * m + i]:R}");
        var packedA = (double[])packA.Clone();
        var packedB = (double[])packB.Clone();
        fixed (double* pa = packA, pb = packB, pa0 = a) PackedSyrk.Pack(pa0, n, kb, 0, m, kb, pa, pb);
        var (mr, nr) = PackedSyrk.Tile;
        int na = (m + mr - 1) / mr * mr * kb, nb = (m + nr - 1) / nr * nr * kb;
        Assert.Equal(packA.AsSpan(0, na).ToArray(), packedA.AsSpan(0, na).ToArray());
        Assert.Equal(packB.AsSpan(0, nb).ToArray(), packedB.AsSpan(0, nb).ToArray());
    }
}
