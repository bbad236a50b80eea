namespace TypedMixed.Optimization;

internal sealed partial class BobyqaSolver
{
    /// <summary>
    /// UPDATE: revises BMAT and ZMAT (the factored inverse H of the interpolation matrix) for the
    /// replacement of point <paramref name="knew"/> by the new point whose Lagrange values H·w are in
    /// vlag, given β and the denominator σ = α·β + τ² of the updating formula. Returns false if the
    /// denominator is not positive.
    /// </summary>
    private bool UpdateInverse(int knew, double beta, double denom)
    {
        if (!(denom > 0) || !double.IsFinite(denom)) return false;
        int n = _n, npt = _npt, nptm = _nptm;
        double[] z = _zmat, b = _bmat, vlag = _vlag, w = _workNdim;

        // Entries of ZMAT below this size are treated as zero.
        double ztest = 0;
        for (int i = 0; i < z.Length; i++) ztest = Math.Max(ztest, Math.Abs(z[i]));
        ztest *= 1e-20;

        // Givens rotations of ZMAT's columns so that row knew is zero except in the first column.
        for (int c = 1; c < nptm; c++)
        {
            double zk1 = z[knew * nptm], zkc = z[knew * nptm + c];
            if (Math.Abs(zkc) > ztest)
            {
                double r = Math.Sqrt(zk1 * zk1 + zkc * zkc);
                double cos = zk1 / r, sin = zkc / r;
                for (int i = 0; i < npt; i++)
                {
                    double first = z[i * nptm], other = z[i * nptm + c];
                    z[i * nptm] = cos * first + sin * other;
                    z[i * nptm + c] = cos * other - sin * first;
                }
            }
            z[knew * nptm + c] = 0;
        }

        // The knew-th column of Z Zᵀ (now a multiple of ZMAT's first column), α = its knew-th entry, τ = vlag[knew].
        for (int i = 0; i < npt; i++) w[i] = z[knew * nptm] * z[i * nptm];
        double alpha = w[knew];
        double tau = vlag[knew];
        vlag[knew] -= 1;

        // New first column of ZMAT: (τ·z₁ − z_{knew,1}·(vlag − e_knew)) / √σ.
        double sqrtDenom = Math.Sqrt(denom);
        double tempb = z[knew * nptm] / sqrtDenom;
        double tempa = tau / sqrtDenom;
        for (int i = 0; i < npt; i++) z[i * nptm] = tempa * z[i * nptm] - tempb * vlag[i];

        // BMAT (and its symmetric lower n×n block) by the rank-two part of the updating formula.
        for (int j = 0; j < n; j++)
        {
            int jp = npt + j;
            w[jp] = b[knew * n + j];
            double ca = (alpha * vlag[jp] - tau * w[jp]) / denom;
            double cb = (-beta * w[jp] - tau * vlag[jp]) / denom;
            for (int i = 0; i <= jp; i++)
            {
                b[i * n + j] += ca * vlag[i] + cb * w[i];
                if (i >= npt) b[jp * n + (i - npt)] = b[i * n + j];
            }
        }
        return true;
    }

    /// <summary>
    /// Moves the origin xbase to xbase + xopt (so that xopt becomes zero) to limit cancellation, revising
    /// BMAT, the explicit second derivatives hq, the points and the relative bounds accordingly.
    /// </summary>
    private void ShiftBaseToBest(double xoptsq)
    {
        int n = _n, npt = _npt, nptm = _nptm;
        double[] b = _bmat, x = _xopt;
        double[] shiftWeight = _workNpt, scratchNpt = _workNpt2, rowB = _workN, v = _workN2;
        double fracsq = 0.25 * xoptsq;
        double sumpq = 0;

        // Changes to BMAT's lower block that do not depend on ZMAT.
        for (int k = 0; k < npt; k++)
        {
            sumpq += _pq[k];
            double sum = -0.5 * xoptsq;
            for (int i = 0; i < n; i++) sum += _xpt[k * n + i] * x[i];
            shiftWeight[k] = sum;                         // y_kᵀxopt − ½‖xopt‖²
            double t = fracsq - 0.5 * sum;
            for (int i = 0; i < n; i++)
            {
                rowB[i] = b[k * n + i];
                v[i] = sum * _xpt[k * n + i] + t * x[i];
            }
            for (int i = 0; i < n; i++)
            {
                int ip = npt + i;
                for (int j = 0; j <= i; j++) b[ip * n + j] += rowB[i] * v[j] + v[i] * rowB[j];
            }
        }

        // Changes to BMAT that depend on ZMAT.
        for (int c = 0; c < nptm; c++)
        {
            double sumz = 0, sumw = 0;
            for (int k = 0; k < npt; k++)
            {
                sumz += _zmat[k * nptm + c];
                scratchNpt[k] = shiftWeight[k] * _zmat[k * nptm + c];
                sumw += scratchNpt[k];
            }
            for (int j = 0; j < n; j++)
            {
                double sum = (fracsq * sumz - 0.5 * sumw) * x[j];
                for (int k = 0; k < npt; k++) sum += scratchNpt[k] * _xpt[k * n + j];
                v[j] = sum;
                for (int k = 0; k < npt; k++) b[k * n + j] += sum * _zmat[k * nptm + c];
            }
            for (int i = 0; i < n; i++)
            {
                int ip = npt + i;
                for (int j = 0; j <= i; j++) b[ip * n + j] += v[i] * v[j];
            }
        }

        // Shift the points, move the implicit second derivatives' effect into hq, and symmetrise BMAT's lower block.
        int ih = 0;
        for (int j = 0; j < n; j++)
        {
            v[j] = -0.5 * sumpq * x[j];
            for (int k = 0; k < npt; k++)
            {
                v[j] += _pq[k] * _xpt[k * n + j];
                _xpt[k * n + j] -= x[j];
            }
            for (int i = 0; i <= j; i++, ih++)
            {
                _hq[ih] += v[i] * x[j] + x[i] * v[j];
                b[(npt + i) * n + j] = b[(npt + j) * n + i];
            }
        }

        for (int i = 0; i < n; i++)
        {
            _xbase[i] += x[i];
            _xnew[i] -= x[i];
            _sl[i] -= x[i];
            _su[i] -= x[i];
            x[i] = 0;
        }
    }
}
