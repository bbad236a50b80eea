namespace TypedMixed.Optimization;

internal sealed partial class BobyqaSolver
{
    /// <summary>
    /// ALTMOV: two candidate new positions for interpolation point <paramref name="knew"/>, within
    /// distance <paramref name="adelt"/> of xopt and inside the bounds, chosen to make the denominator
    /// of the update large. xnew lies on a line through xopt and another interpolation point; xalt is
    /// a constrained Cauchy step of the knew-th Lagrange function ℓ.
    /// </summary>
    /// <param name="knew">Index of the point to be moved.</param>
    /// <param name="adelt">Largest allowed distance from xopt.</param>
    /// <param name="alpha">The knew-th diagonal entry of H (of Z Zᵀ).</param>
    /// <param name="cauchy">ℓ(xalt)², or 0 if xalt was not computed.</param>
    private void AlternativeStep(int knew, double adelt, out double alpha, out double cauchy)
    {
        int n = _n, npt = _npt, nptm = _nptm;
        double[] xopt = _xopt, sl = _sl, su = _su, glag = _glag, hcol = _hcol;

        // Second-derivative parameters of ℓ: the knew-th column of Z Zᵀ.
        for (int k = 0; k < npt; k++)
        {
            double sum = 0;
            for (int c = 0; c < nptm; c++) sum += _zmat[knew * nptm + c] * _zmat[k * nptm + c];
            hcol[k] = sum;
        }
        alpha = hcol[knew];
        double ha = 0.5 * alpha;

        // Gradient of ℓ at xopt.
        for (int i = 0; i < n; i++) glag[i] = _bmat[knew * n + i];
        for (int k = 0; k < npt; k++)
        {
            double t = 0;
            for (int j = 0; j < n; j++) t += _xpt[k * n + j] * xopt[j];
            t *= hcol[k];
            for (int i = 0; i < n; i++) glag[i] += t * _xpt[k * n + i];
        }

        // Search the lines through xopt and each other point for the largest predicted denominator.
        double presav = 0, stpsav = 0;
        int ksav = knew, ibdsav = 0;
        for (int k = 0; k < npt; k++)
        {
            if (k == _kopt) continue;
            double dderiv = 0, distsq = 0;
            for (int i = 0; i < n; i++)
            {
                double t = _xpt[k * n + i] - xopt[i];
                dderiv += glag[i] * t;
                distsq += t * t;
            }
            // Step range [slbd, subd] along the line (in units of the distance to point k), from the trust region and bounds.
            double subd = adelt / Math.Sqrt(distsq);
            double slbd = -subd;
            int ilbd = 0, iubd = 0;
            double sumin = Math.Min(1, subd);
            for (int i = 0; i < n; i++)
            {
                double t = _xpt[k * n + i] - xopt[i];
                if (t > 0)
                {
                    if (slbd * t < sl[i] - xopt[i]) { slbd = (sl[i] - xopt[i]) / t; ilbd = -(i + 1); }
                    if (subd * t > su[i] - xopt[i]) { subd = Math.Max(sumin, (su[i] - xopt[i]) / t); iubd = i + 1; }
                }
                else if (t < 0)
                {
                    if (slbd * t > su[i] - xopt[i]) { slbd = (su[i] - xopt[i]) / t; ilbd = i + 1; }
                    if (subd * t < sl[i] - xopt[i]) { subd = Math.Max(sumin, (sl[i] - xopt[i]) / t); iubd = -(i + 1); }
                }
            }

            // Value of ℓ along the line: quadratic in the step when k = knew, else step·(1 − step)·dderiv.
            double step, vlag;
            int isbd;
            if (k == knew)
            {
                double diff = dderiv - 1;
                step = slbd;
                vlag = slbd * (dderiv - slbd * diff);
                isbd = ilbd;
                double t = subd * (dderiv - subd * diff);
                if (Math.Abs(t) > Math.Abs(vlag)) { step = subd; vlag = t; isbd = iubd; }
                double tempd = 0.5 * dderiv;
                double tempa = tempd - diff * slbd;
                double tempb = tempd - diff * subd;
                if (tempa * tempb < 0)
                {
                    // Interior stationary point of ℓ on the line.
                    t = tempd * tempd / diff;
                    if (Math.Abs(t) > Math.Abs(vlag)) { step = tempd / diff; vlag = t; isbd = 0; }
                }
            }
            else
            {
                step = slbd;
                vlag = slbd * (1 - slbd);
                isbd = ilbd;
                double t = subd * (1 - subd);
                if (Math.Abs(t) > Math.Abs(vlag)) { step = subd; vlag = t; isbd = iubd; }
                if (subd > 0.5 && Math.Abs(vlag) < 0.25) { step = 0.5; vlag = 0.25; isbd = 0; }
                vlag *= dderiv;
            }

            // Predicted denominator squared: ℓ²(ℓ² + ½α·(step(1−step)‖y_k − xopt‖²)²).
            double tq = step * (1 - step) * distsq;
            double predsq = vlag * vlag * (vlag * vlag + ha * tq * tq);
            if (predsq > presav) { presav = predsq; ksav = k; stpsav = step; ibdsav = isbd; }
        }

        // xnew on the chosen line, exactly on a bound if the bound limited the step.
        for (int i = 0; i < n; i++)
        {
            double t = xopt[i] + stpsav * (_xpt[ksav * n + i] - xopt[i]);
            _xnew[i] = Math.Max(sl[i], Math.Min(su[i], t));
        }
        if (ibdsav < 0) _xnew[-ibdsav - 1] = sl[-ibdsav - 1];
        if (ibdsav > 0) _xnew[ibdsav - 1] = su[ibdsav - 1];

        cauchy = ConstrainedCauchyStep(adelt, hcol);
    }

    /// <summary>
    /// The constrained Cauchy step of ±ℓ from xopt of length at most <paramref name="adelt"/>, put in xalt;
    /// both signs are tried and the one giving the larger ℓ(xalt)² is kept, which is returned.
    /// </summary>
    private double ConstrainedCauchyStep(double adelt, double[] hcol)
    {
        int n = _n, npt = _npt;
        double[] xopt = _xopt, sl = _sl, su = _su, glag = _glag, w = _cauchyStep, saved = _cauchySave;
        bool[] free = _cauchyFree;
        double cauchy = 0, csave = 0;

        for (int pass = 0; pass < 2; pass++)
        {
            // Free variables: those that can move along −glag without leaving the box at once.
            double wfixsq = 0, ggfree = 0;
            for (int i = 0; i < n; i++)
            {
                w[i] = 0;
                double tempa = Math.Min(xopt[i] - sl[i], glag[i]);
                double tempb = Math.Max(xopt[i] - su[i], glag[i]);
                free[i] = tempa > 0 || tempb < 0;
                if (free[i]) ggfree += glag[i] * glag[i];
            }
            if (ggfree == 0) return 0;

            // Fix at their bounds the free variables that the scaled steepest-descent step would cross.
            double step = 0;
            while (true)
            {
                double room = adelt * adelt - wfixsq;
                if (room <= 0) break;
                double wsqsav = wfixsq;
                step = Math.Sqrt(room / ggfree);
                ggfree = 0;
                for (int i = 0; i < n; i++)
                {
                    if (!free[i]) continue;
                    double t = xopt[i] - step * glag[i];
                    if (t <= sl[i]) { free[i] = false; w[i] = sl[i] - xopt[i]; wfixsq += w[i] * w[i]; }
                    else if (t >= su[i]) { free[i] = false; w[i] = su[i] - xopt[i]; wfixsq += w[i] * w[i]; }
                    else ggfree += glag[i] * glag[i];
                }
                if (!(wfixsq > wsqsav && ggfree > 0)) break;
            }

            // The step w and xalt = xopt + w within the bounds; gw = glagᵀw.
            double gw = 0;
            for (int i = 0; i < n; i++)
            {
                if (free[i])
                {
                    w[i] = -step * glag[i];
                    _xalt[i] = Math.Max(sl[i], Math.Min(su[i], xopt[i] + w[i]));
                }
                else if (w[i] == 0) _xalt[i] = xopt[i];
                else if (glag[i] > 0) _xalt[i] = sl[i];
                else _xalt[i] = su[i];
                gw += glag[i] * w[i];
            }

            // Curvature of ℓ along w; scale w down if that increases |ℓ(xopt + w)|.
            double curv = 0;
            for (int k = 0; k < npt; k++)
            {
                double t = 0;
                for (int j = 0; j < n; j++) t += _xpt[k * n + j] * w[j];
                curv += hcol[k] * t * t;
            }
            if (pass == 1) curv = -curv;
            if (curv > -gw && curv < -(1 + Math.Sqrt(2.0)) * gw)
            {
                double scale = -gw / curv;
                for (int i = 0; i < n; i++) _xalt[i] = Math.Max(sl[i], Math.Min(su[i], xopt[i] + scale * w[i]));
                double half = 0.5 * gw * scale;
                cauchy = half * half;
            }
            else
            {
                double v = gw + 0.5 * curv;
                cauchy = v * v;
            }

            if (pass == 0)
            {
                // Try again with −ℓ, keeping this xalt.
                for (int i = 0; i < n; i++) { glag[i] = -glag[i]; saved[i] = _xalt[i]; }
                csave = cauchy;
            }
        }
        if (csave > cauchy)
        {
            saved.AsSpan().CopyTo(_xalt);
            cauchy = csave;
        }
        return cauchy;
    }
}
