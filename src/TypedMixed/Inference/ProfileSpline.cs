namespace TypedMixed.Inference;

/// <summary>
/// The interpolation of a profile trace, as R's <c>splines</c> package does it for lme4's profiles: a natural cubic
/// interpolating spline of ζ against the parameter (forward), and its inverse (backward), a piecewise cubic in ζ that
/// matches the parameter and the reciprocal forward slope at every knot (quadratic in the two end intervals, and
/// linear there when a quadratic would bend the wrong way). Interval ends are the backward spline at ±z.
/// </summary>
internal sealed class ProfileSpline
{
    private readonly double[] _x, _zeta, _slope;
    private readonly double[]? _backKnots;
    private readonly double[,]? _back;

    /// <summary>Fits the spline to points sorted by <paramref name="x"/> (distinct, at least 2).</summary>
    /// <remarks>The backward spline is built only for increasing ζ; otherwise <see cref="ParameterAt"/> falls back to linear interpolation.</remarks>
    public ProfileSpline(double[] x, double[] zeta)
    {
        _x = x;
        _zeta = zeta;
        int n = x.Length;
        _slope = ForwardSlopes(x, zeta);
        // The inverse exists when ζ increases strictly along the knots (a profile's ζ = sign(x − x̂)·√Δd does, unless the
        // deviance is flat or the optimizer failed somewhere).
        bool increasing = n >= 2;
        for (int i = 1; i < n; i++)
            if (!(zeta[i] > zeta[i - 1])) increasing = false;
        IsMonotone = increasing;
        if (IsMonotone) (_backKnots, _back) = Backward(x, zeta, _slope);
    }

    /// <summary>Whether ζ increases strictly along the trace (otherwise no backward spline exists).</summary>
    public bool IsMonotone { get; }

    /// <summary>The parameter value at which the interpolated profile reaches ζ; NaN outside the trace's range of ζ.</summary>
    public double ParameterAt(double zeta)
    {
        if (!IsMonotone || _backKnots is null || _back is null) return LinearInverse(zeta);
        var k = _backKnots;
        int n = k.Length;
        if (double.IsNaN(zeta) || zeta < k[0] || zeta > k[n - 1]) return double.NaN;
        // The interval (k[i], k[i+1]] holding ζ (the first knot belongs to the first interval).
        int i = 0;
        while (i < n - 2 && zeta > k[i + 1]) i++;
        double d = zeta - k[i];
        return _back[i, 0] + d * (_back[i, 1] + d * (_back[i, 2] + d * _back[i, 3]));
    }

    /// <summary>The interpolated ζ at a parameter value inside the trace's range (the forward natural spline); NaN outside.</summary>
    public double ZetaAt(double x)
    {
        int n = _x.Length;
        if (double.IsNaN(x) || x < _x[0] || x > _x[n - 1]) return double.NaN;
        int i = 0;
        while (i < n - 2 && x > _x[i + 1]) i++;
        double h = _x[i + 1] - _x[i], t = x - _x[i];
        // Cubic Hermite form of the natural spline on [x_i, x_{i+1}] from the values and the knot slopes.
        double y0 = _zeta[i], y1 = _zeta[i + 1], m0 = _slope[i], m1 = _slope[i + 1];
        double s = (y1 - y0) / h;
        double c2 = (3 * s - 2 * m0 - m1) / h, c3 = (m0 + m1 - 2 * s) / (h * h);
        return y0 + t * (m0 + t * (c2 + t * c3));
    }

    /// <summary>Linear interpolation of the parameter against ζ where ζ only fails to increase by less than 0.01 (lme4's fallback); NaN otherwise.</summary>
    private double LinearInverse(double zeta)
    {
        int n = _x.Length;
        for (int i = 1; i < n; i++) if (_zeta[i] < _zeta[i - 1] - 0.01) return double.NaN;
        for (int i = 1; i < n; i++)
        {
            double a = _zeta[i - 1], b = _zeta[i];
            if (zeta >= a && zeta <= b && b > a) return _x[i - 1] + (zeta - a) / (b - a) * (_x[i] - _x[i - 1]);
        }
        return double.NaN;
    }

    /// <summary>The slope at each knot of the natural cubic spline through (x, y): second derivative 0 at both ends.</summary>
    internal static double[] ForwardSlopes(double[] x, double[] y)
    {
        int n = x.Length;
        var slope = new double[n];
        if (n < 2) return slope;
        if (n == 2)
        {
            slope[0] = slope[1] = (y[1] - y[0]) / (x[1] - x[0]);
            return slope;
        }
        // Second derivatives M at the interior knots from the tridiagonal continuity equations (M₀ = M_{n−1} = 0).
        var h = new double[n - 1];
        for (int i = 0; i < n - 1; i++) h[i] = x[i + 1] - x[i];
        var m = new double[n];
        int k = n - 2;
        var diag = new double[k];
        var rhs = new double[k];
        for (int i = 1; i <= k; i++)
        {
            diag[i - 1] = 2 * (h[i - 1] + h[i]);
            rhs[i - 1] = 6 * ((y[i + 1] - y[i]) / h[i] - (y[i] - y[i - 1]) / h[i - 1]);
        }
        // Thomas algorithm; the off-diagonals are h[1..k−1].
        for (int i = 1; i < k; i++)
        {
            double w = h[i] / diag[i - 1];
            diag[i] -= w * h[i];
            rhs[i] -= w * rhs[i - 1];
        }
        for (int i = k - 1; i >= 0; i--)
            m[i + 1] = (rhs[i] - (i + 1 < k ? h[i + 1] * m[i + 2] : 0)) / diag[i];
        for (int i = 0; i < n - 1; i++) slope[i] = (y[i + 1] - y[i]) / h[i] - h[i] * (2 * m[i] + m[i + 1]) / 6;
        slope[n - 1] = (y[n - 1] - y[n - 2]) / h[n - 2] + h[n - 2] * (m[n - 2] + 2 * m[n - 1]) / 6;
        return slope;
    }

    /// <summary>
    /// Knots (the ζ values) and per-interval polynomial coefficients (value, slope, curvature/2, cubic) of the inverse.
    /// </summary>
    private static (double[] Knots, double[,] Coefficients) Backward(double[] x, double[] zeta, double[] slope)
    {
        int nk = x.Length;
        var c = new double[nk, 4];
        for (int i = 0; i < nk; i++)
        {
            c[i, 0] = x[i];
            c[i, 1] = 1 / slope[i];
        }
        // Interior intervals: the cubic through (ζᵢ, xᵢ) and (ζᵢ₊₁, xᵢ₊₁) with slopes 1/f'(xᵢ), 1/f'(xᵢ₊₁).
        for (int i = 0; i < nk - 1; i++)
        {
            double a = zeta[i + 1] - zeta[i], kd = x[i + 1] - x[i];
            double b1 = kd - a * c[i, 1], b2 = c[i + 1, 1] - c[i, 1];
            // Solve [a², a³; 2a, 3a²] [c₂, c₃]' = [b1, b2]'.
            double det = a * a * 3 * a * a - a * a * a * 2 * a;
            c[i, 2] = (b1 * 3 * a * a - a * a * a * b2) / det;
            c[i, 3] = (a * a * b2 - 2 * a * b1) / det;
        }
        if (nk > 2)
        {
            // End intervals: quadratics, matching the slope at the inner knot and the value at the outer one.
            double a0 = zeta[1] - zeta[0], k0 = x[1] - x[0];
            c[0, 3] = 0;
            // Solve [a0, a0²; 1, 2a0] [c₁, c₂]' = [k0, 1/f'(x₁)]'.
            double s1 = 1 / slope[1];
            double det0 = a0 * 2 * a0 - a0 * a0;
            c[0, 1] = (k0 * 2 * a0 - a0 * a0 * s1) / det0;
            c[0, 2] = (a0 * s1 - k0) / det0;
            int last = nk - 2;
            double al = zeta[nk - 1] - zeta[last], kl = x[nk - 1] - x[last];
            c[last, 3] = 0;
            c[last, 2] = (kl - al * c[last, 1]) / (al * al);
        }
        if (c[0, 2] > 0)
        {
            c[0, 2] = 0;
            c[0, 1] = (x[1] - x[0]) / (zeta[1] - zeta[0]);
        }
        if (c[nk - 2, 2] < 0)
        {
            c[nk - 2, 2] = 0;
            c[nk - 2, 1] = (x[nk - 1] - x[nk - 2]) / (zeta[nk - 1] - zeta[nk - 2]);
        }
        return ((double[])zeta.Clone(), c);
    }
}
