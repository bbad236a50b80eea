namespace TypedMixed.Optimization;

internal sealed partial class BobyqaSolver
{
    /// <summary>
    /// TRSBOX: an approximate minimiser xnew = xopt + d of the quadratic model subject to ‖d‖ ≤ δ and
    /// sl ≤ xnew ≤ su. Truncated conjugate gradients are restarted whenever a variable reaches a bound
    /// (that variable is then fixed); once d reaches the trust-region boundary, d is improved by
    /// rotations in the plane of d and the reduced gradient, staying on the boundary.
    /// </summary>
    /// <param name="delta">Trust-region radius δ.</param>
    /// <param name="dsq">‖xnew − xopt‖².</param>
    /// <param name="crvmin">0 if d reached the boundary; otherwise the least curvature of an unconstrained CG search, or −1 if there was none.</param>
    /// <remarks>On return, <c>_gnew</c> holds the model gradient at xopt + d and <c>_xbdi</c> marks the variables fixed at a bound (−1 lower, +1 upper).</remarks>
    private void TrustRegionStep(double delta, out double dsq, out double crvmin)
    {
        int n = _n;
        double[] d = _d, g = _gnew, s = _s, hs = _hs, xopt = _xopt, sl = _sl, su = _su;
        int[] xbdi = _xbdi;

        // Fix initially the variables at a bound whose gradient points out of the box.
        int nact = 0;
        for (int i = 0; i < n; i++)
        {
            xbdi[i] = 0;
            if (xopt[i] <= sl[i]) { if (_gopt[i] >= 0) xbdi[i] = -1; }
            else if (xopt[i] >= su[i]) { if (_gopt[i] <= 0) xbdi[i] = 1; }
            if (xbdi[i] != 0) nact++;
            d[i] = 0;
            g[i] = _gopt[i];
        }
        double delsq = delta * delta;   // bound on the squared length of the free part of d
        double qred = 0;                // reduction of the model so far
        crvmin = -1;
        int iterc = 0, itermax = 0;
        double gredsq = 0, ggsav = 0, beta = 0;
        bool onBoundary = false;

        // Truncated conjugate gradients on the free variables.
        while (true)
        {
            double stepsq = 0;
            for (int i = 0; i < n; i++)
            {
                if (xbdi[i] != 0) s[i] = 0;
                else if (beta == 0) s[i] = -g[i];               // steepest descent on a restart
                else s[i] = beta * s[i] - g[i];                 // conjugate direction
                stepsq += s[i] * s[i];
            }
            if (stepsq == 0) goto Finish;
            if (beta == 0)
            {
                gredsq = stepsq;
                itermax = iterc + n - nact;
            }
            if (gredsq * delsq <= 1e-4 * qred * qred) goto Finish;

            HessianTimes(s, hs);
            double resid = delsq, ds = 0, shs = 0;
            for (int i = 0; i < n; i++)
            {
                if (xbdi[i] != 0) continue;
                resid -= d[i] * d[i];
                ds += s[i] * d[i];
                shs += s[i] * hs[i];
            }
            if (resid <= 0) { onBoundary = true; break; }

            // Step to the trust-region boundary (blen) and the step to the minimum along s.
            double root = Math.Sqrt(stepsq * resid + ds * ds);
            double blen = ds < 0 ? (root - ds) / stepsq : resid / (root + ds);
            double stplen = blen;
            if (shs > 0) stplen = Math.Min(blen, gredsq / shs);

            // Shorten the step to keep the simple bounds, noting the variable that reaches one.
            int iact = -1;
            for (int i = 0; i < n; i++)
            {
                if (s[i] == 0) continue;
                double xsum = xopt[i] + d[i];
                double room = s[i] > 0 ? (su[i] - xsum) / s[i] : (sl[i] - xsum) / s[i];
                if (room < stplen) { stplen = room; iact = i; }
            }

            double sdec = 0;
            if (stplen > 0)
            {
                iterc++;
                double curvature = shs / stepsq;
                if (iact < 0 && curvature > 0)
                    crvmin = crvmin == -1 ? curvature : Math.Min(crvmin, curvature);
                ggsav = gredsq;
                gredsq = 0;
                for (int i = 0; i < n; i++)
                {
                    g[i] += stplen * hs[i];
                    if (xbdi[i] == 0) gredsq += g[i] * g[i];
                    d[i] += stplen * s[i];
                }
                sdec = Math.Max(stplen * (ggsav - 0.5 * stplen * shs), 0);
                qred += sdec;
            }

            if (iact >= 0)
            {
                // A new bound is active: fix the variable and restart with steepest descent.
                nact++;
                xbdi[iact] = s[iact] < 0 ? -1 : 1;
                delsq -= d[iact] * d[iact];
                if (delsq <= 0) { onBoundary = true; break; }
                beta = 0;
                continue;
            }
            if (stplen < blen)
            {
                if (iterc == itermax || sdec <= 0.01 * qred) goto Finish;
                beta = gredsq / ggsav;
                continue;
            }
            onBoundary = true;
            break;
        }

        if (onBoundary)
        {
            crvmin = 0;
            ImproveOnBoundary(ref nact, ref iterc, qred);
        }

    Finish:
        // xnew = xopt + d, with the fixed variables exactly on their bounds.
        dsq = 0;
        for (int i = 0; i < n; i++)
        {
            double x = Math.Max(Math.Min(xopt[i] + d[i], su[i]), sl[i]);
            if (xbdi[i] == -1) x = sl[i];
            if (xbdi[i] == 1) x = su[i];
            _xnew[i] = x;
            d[i] = x - xopt[i];
            dsq += d[i] * d[i];
        }
    }

    /// <summary>
    /// The alternative iterations of TRSBOX on the trust-region boundary: each replaces d by
    /// cos θ·d + sin θ·s, with s in the span of d and the reduced gradient and orthogonal to d, θ
    /// chosen to reduce the model, restricted by the simple bounds (a variable reaching its bound is fixed).
    /// </summary>
    private void ImproveOnBoundary(ref int nact, ref int iterc, double qred)
    {
        int n = _n;
        double[] d = _d, g = _gnew, s = _s, hs = _hs, hred = _hred, xopt = _xopt, sl = _sl, su = _su;
        int[] xbdi = _xbdi;

    Restart:
        if (nact >= n - 1) return;
        // Reduced d and gradient, and the Hessian times the reduced d.
        double dredsq = 0, dredg = 0, gredsq = 0;
        for (int i = 0; i < n; i++)
        {
            if (xbdi[i] == 0)
            {
                dredsq += d[i] * d[i];
                dredg += d[i] * g[i];
                gredsq += g[i] * g[i];
                s[i] = d[i];
            }
            else s[i] = 0;
        }
        HessianTimes(s, hred);

        while (true)
        {
            iterc++;
            // s: the direction in span{d, g} orthogonal to d with ‖s‖ = ‖d‖ (reduced vectors).
            double temp = gredsq * dredsq - dredg * dredg;
            if (temp <= 1e-4 * qred * qred) return;
            temp = Math.Sqrt(temp);
            for (int i = 0; i < n; i++) s[i] = xbdi[i] == 0 ? (dredg * d[i] - dredsq * g[i]) / temp : 0;
            double sredg = -temp;

            // Bound on tan(θ/2) from the simple bounds; a free variable already at a bound is fixed first.
            double angbd = 1;
            int iact = -1;
            int xsav = 0;
            for (int i = 0; i < n; i++)
            {
                if (xbdi[i] != 0) continue;
                double tempa = xopt[i] + d[i] - sl[i];
                double tempb = su[i] - xopt[i] - d[i];
                if (tempa <= 0) { nact++; xbdi[i] = -1; goto Restart; }
                if (tempb <= 0) { nact++; xbdi[i] = 1; goto Restart; }
                double ssq = d[i] * d[i] + s[i] * s[i];
                double lowGap = xopt[i] - sl[i];
                double t = ssq - lowGap * lowGap;
                if (t > 0)
                {
                    t = Math.Sqrt(t) - s[i];
                    if (angbd * t > tempa) { angbd = tempa / t; iact = i; xsav = -1; }
                }
                double highGap = su[i] - xopt[i];
                t = ssq - highGap * highGap;
                if (t > 0)
                {
                    t = Math.Sqrt(t) + s[i];
                    if (angbd * t > tempb) { angbd = tempb / t; iact = i; xsav = 1; }
                }
            }

            // Curvatures along s and d for the model's value as a function of the angle.
            HessianTimes(s, hs);
            double shs = 0, dhs = 0, dhd = 0;
            for (int i = 0; i < n; i++)
            {
                if (xbdi[i] != 0) continue;
                shs += s[i] * hs[i];
                dhs += d[i] * hs[i];
                dhd += d[i] * hred[i];
            }

            // Largest reduction over equally spaced values of tan(θ/2) in (0, angbd], refined by a parabola.
            double redmax = 0, redsav = 0, rdprev = 0, rdnext = 0;
            int isav = -1;
            int iu = (int)(17 * angbd + 3.1);
            for (int i = 0; i < iu; i++)
            {
                double angt = angbd * (i + 1) / iu;
                double sth = (angt + angt) / (1 + angt * angt);
                double tq = shs + angt * (angt * dhd - dhs - dhs);
                double rednew = sth * (angt * dredg - sredg - 0.5 * sth * tq);
                if (rednew > redmax) { redmax = rednew; isav = i; rdprev = redsav; }
                else if (i == isav + 1) rdnext = rednew;
                redsav = rednew;
            }
            if (isav < 0) return;
            double angle = angbd * (isav + 1) / iu;
            if (isav < iu - 1)
            {
                double t = (rdnext - rdprev) / (redmax + redmax - rdprev - rdnext);
                angle = angbd * (isav + 1 + 0.5 * t) / iu;
            }
            double cth = (1 - angle * angle) / (1 + angle * angle);
            double sinth = (angle + angle) / (1 + angle * angle);
            double tcurv = shs + angle * (angle * dhd - dhs - dhs);
            double sdec = sinth * (angle * dredg - sredg - 0.5 * sinth * tcurv);
            if (sdec <= 0) return;

            // Rotate d, and update the gradient and H·d accordingly.
            dredg = 0;
            gredsq = 0;
            for (int i = 0; i < n; i++)
            {
                g[i] += (cth - 1) * hred[i] + sinth * hs[i];
                if (xbdi[i] == 0)
                {
                    d[i] = cth * d[i] + sinth * s[i];
                    dredg += d[i] * g[i];
                    gredsq += g[i] * g[i];
                }
                hred[i] = cth * hred[i] + sinth * hs[i];
            }
            qred += sdec;
            if (iact >= 0 && isav == iu - 1)
            {
                // The bound limited the angle: fix that variable and restart.
                nact++;
                xbdi[iact] = xsav;
                goto Restart;
            }
            if (sdec <= 0.01 * qred) return;
        }
    }

    /// <summary>hs = ∇²Q · s, with ∇²Q = hq + Σ_k pq_k y_k y_kᵀ.</summary>
    private void HessianTimes(ReadOnlySpan<double> s, Span<double> hs)
    {
        hs.Clear();
        AddHessianTimes(s, hs);
    }
}
