using System.Globalization;

namespace TypedMixed.Optimization;

internal sealed partial class BobyqaSolver
{
    /// <summary>Stages of an iteration, in the order of Powell's BOBYQB.</summary>
    private enum Stage
    {
        /// <summary>Minimise the model in the trust region (TRSBOX).</summary>
        TrustRegion,
        /// <summary>Move xbase to xopt if xopt has drifted far from it, then branch on the kind of step.</summary>
        ShiftBase,
        /// <summary>Choose a step that improves the geometry of the interpolation set (ALTMOV).</summary>
        Geometry,
        /// <summary>Compute the Lagrange values and the denominator of the update for the step.</summary>
        Denominators,
        /// <summary>Evaluate f at the trial point and update the model.</summary>
        Evaluate,
        /// <summary>Look for an interpolation point far from xopt that should be moved.</summary>
        FarPoint,
        /// <summary>Reduce ρ, or stop when ρ = ρ_end.</summary>
        ReduceRho,
        /// <summary>Rebuild the interpolation set after severe loss of accuracy (replaces RESCUE).</summary>
        Rebuild,
    }

    /// <summary>Runs BOBYQA from <paramref name="start"/> (free coordinates) and returns the best point evaluated.</summary>
    internal OptimizationResult Run(double[] start)
    {
        int n = _n, npt = _npt;

        PlaceBase(start, _rhoBegin);
        var setup = BuildInitialSet(_rhoBegin, firstPointMustBeFinite: true);
        if (setup == SetupStatus.InvalidStart)
        {
            for (int i = 0; i < n; i++) _full[_freeIndex[i]] = _xeval[i];
            return new OptimizationResult((double[])_full.Clone(), _lastRawValue, _evaluations, StopReason.InvalidObjective,
                "The objective is not finite (NaN or infinity) at the starting point.");
        }
        if (setup == SetupStatus.BudgetExhausted)
            return BudgetResult();

        double xoptsq = LoadBestPoint();
        int kbase = 0;                    // point at which gopt is the model gradient
        double rho = _rhoBegin;
        double delta = rho;
        int lastRebuild = _evaluations;   // evaluations when the set was last built
        int ntrits = 0;                   // trust-region steps since the last geometry step; −1: short step
        double diffa = 0, diffb = 0, diffc = 0;  // moduli of the last three model errors
        int itest = 0;                    // consecutive times the least-norm model had the much smaller gradient
        int nfsav = _evaluations;         // evaluations at the last reduction of ρ (or long step)
        int knew = 0;
        double ratio = 0, dnorm = 0, dsq = 0, crvmin = 0, adelt = 0, alpha = 0, cauchy = 0, beta = 0, denom = 0, distsq = 0;

        ShiftGradientToBest(ref kbase);
        var stage = Stage.TrustRegion;
        while (true)
        {
            switch (stage)
            {
                case Stage.TrustRegion:
                {
                    TrustRegionStep(delta, out dsq, out crvmin);
                    dnorm = Math.Min(delta, Math.Sqrt(dsq));
                    if (dnorm < 0.5 * rho)
                    {
                        // The step is too short to be worth an evaluation: improve the geometry or reduce ρ.
                        ntrits = -1;
                        distsq = (10 * rho) * (10 * rho);
                        stage = ShortStepIsAccurate(rho, crvmin, diffa, diffb, diffc, nfsav) ? Stage.ReduceRho : Stage.FarPoint;
                        break;
                    }
                    ntrits++;
                    stage = Stage.ShiftBase;
                    break;
                }

                case Stage.ShiftBase:
                {
                    // Severe cancellation is likely if xopt is far from xbase relative to the step.
                    if (dsq <= 1e-3 * xoptsq)
                    {
                        ShiftBaseToBest(xoptsq);
                        xoptsq = 0;
                    }
                    stage = ntrits == 0 ? Stage.Geometry : Stage.Denominators;
                    break;
                }

                case Stage.Geometry:
                {
                    AlternativeStep(knew, adelt, out alpha, out cauchy);
                    for (int i = 0; i < n; i++) _d[i] = _xnew[i] - _xopt[i];
                    stage = Stage.Denominators;
                    break;
                }

                case Stage.Denominators:
                {
                    beta = LagrangeValuesAndBeta(xoptsq);
                    if (ntrits == 0)
                    {
                        denom = _vlag[knew] * _vlag[knew] + alpha * beta;
                        if (denom < cauchy && cauchy > 0)
                        {
                            // The Cauchy step of the Lagrange function promises a larger denominator: take it.
                            for (int i = 0; i < n; i++) { _xnew[i] = _xalt[i]; _d[i] = _xnew[i] - _xopt[i]; }
                            cauchy = 0;
                            break;
                        }
                        if (denom <= 0.5 * _vlag[knew] * _vlag[knew])
                        {
                            if (_evaluations > lastRebuild) { stage = Stage.Rebuild; break; }
                            return Result(StopReason.RoundoffLimited, "Rounding errors cancelled the denominator of the model update.");
                        }
                    }
                    else
                    {
                        knew = ChoosePointToReplace(_xopt, delta, beta, skip: _kopt, out denom, out bool cancelled);
                        if (cancelled)
                        {
                            if (_evaluations > lastRebuild) { stage = Stage.Rebuild; break; }
                            return Result(StopReason.RoundoffLimited, "Rounding errors cancelled the denominator of the model update.");
                        }
                    }
                    stage = Stage.Evaluate;
                    break;
                }

                case Stage.Evaluate:
                {
                    if (_evaluations >= _maxEvaluations)
                        return BudgetResult();
                    double f = Evaluate(_xnew);
                    if (ntrits == -1)
                        return ConvergedResult();

                    // Predicted change of f by the model along d, and the error of that prediction.
                    double fopt = _fval[_kopt];
                    double vquad = ModelChange();
                    double diff = f - fopt - vquad;
                    diffc = diffb;
                    diffb = diffa;
                    diffa = Math.Abs(diff);
                    if (dnorm > rho) nfsav = _evaluations;

                    if (ntrits > 0)
                    {
                        if (vquad >= 0)
                            return Result(StopReason.RoundoffLimited, "A trust-region step failed to reduce the quadratic model.");
                        // Trust-region radius from the ratio of actual to predicted reduction.
                        ratio = (f - fopt) / vquad;
                        if (ratio <= 0.1) delta = Math.Min(0.5 * delta, dnorm);
                        else if (ratio <= 0.7) delta = Math.Max(0.5 * delta, dnorm);
                        else delta = Math.Max(0.5 * delta, 2 * dnorm);
                        if (delta <= 1.5 * rho) delta = rho;

                        if (f < fopt)
                        {
                            // The new point becomes the centre: choose the point to drop relative to it.
                            int candidate = ChoosePointToReplace(_xnew, delta, beta, skip: -1, out double candidateDenom, out bool cancelled);
                            if (!cancelled) { knew = candidate; denom = candidateDenom; }
                        }
                    }

                    if (!(denom > 0) || !UpdateInverse(knew, beta, denom))
                        return Result(StopReason.RoundoffLimited, "Rounding errors made the interpolation matrix singular.");
                    if (!UpdateModel(knew, f, diff))
                        return Result(StopReason.RoundoffLimited, "Rounding errors made the interpolation matrix singular.");

                    if (f < fopt)
                    {
                        // Move the centre to the new point and the model gradient with it.
                        _kopt = knew;
                        xoptsq = 0;
                        for (int j = 0; j < n; j++) { _xopt[j] = _xnew[j]; xoptsq += _xopt[j] * _xopt[j]; }
                        AddHessianTimes(_d, _gopt);
                    }

                    if (ntrits > 0)
                        ReplaceByLeastNormModelIfBetter(ref itest);

                    // Optional earlier stop: a trust-region step that gained, and was expected to gain, almost nothing.
                    if (ntrits > 0 && f < fopt && fopt - f < _functionTolerance && -vquad < _functionTolerance)
                        return Result(StopReason.Converged, string.Create(CultureInfo.InvariantCulture,
                            $"Converged: a trust-region step lowered f by {fopt - f:G3}, less than the function tolerance {_functionTolerance:G3}, and the model predicted no more."));

                    if (ntrits == 0 || f <= fopt + 0.1 * vquad)
                    {
                        stage = Stage.TrustRegion;
                        break;
                    }
                    distsq = Math.Max((2 * delta) * (2 * delta), (10 * rho) * (10 * rho));
                    stage = Stage.FarPoint;
                    break;
                }

                case Stage.FarPoint:
                {
                    // The farthest point from xopt beyond the threshold distance is moved by a geometry step.
                    knew = -1;
                    for (int k = 0; k < npt; k++)
                    {
                        double sum = 0;
                        for (int j = 0; j < n; j++) { double t = _xpt[k * n + j] - _xopt[j]; sum += t * t; }
                        if (sum > distsq) { knew = k; distsq = sum; }
                    }
                    if (knew >= 0)
                    {
                        double dist = Math.Sqrt(distsq);
                        if (ntrits == -1)
                        {
                            delta = Math.Min(0.1 * delta, 0.5 * dist);
                            if (delta <= 1.5 * rho) delta = rho;
                        }
                        ntrits = 0;
                        adelt = Math.Max(Math.Min(0.1 * dist, delta), rho);
                        dsq = adelt * adelt;
                        stage = Stage.ShiftBase;
                        break;
                    }
                    if (ntrits == -1) { stage = Stage.ReduceRho; break; }
                    if (ratio > 0 || Math.Max(delta, dnorm) > rho) { stage = Stage.TrustRegion; break; }
                    stage = Stage.ReduceRho;
                    break;
                }

                case Stage.ReduceRho:
                {
                    if (rho > _rhoEnd)
                    {
                        // Reduce ρ by a factor of about ten, more gently near ρ_end.
                        delta = 0.5 * rho;
                        double r = rho / _rhoEnd;
                        if (r <= 16) rho = _rhoEnd;
                        else if (r <= 250) rho = Math.Sqrt(r) * _rhoEnd;
                        else rho = 0.1 * rho;
                        delta = Math.Max(delta, rho);
                        ntrits = 0;
                        nfsav = _evaluations;
                        stage = Stage.TrustRegion;
                        break;
                    }
                    // At ρ_end: try the last short step if it has not been evaluated, then stop.
                    if (ntrits == -1) { stage = Stage.Evaluate; break; }
                    return ConvergedResult();
                }

                case Stage.Rebuild:
                {
                    PlaceBase(_bestX, rho);
                    if (BuildInitialSet(rho, firstPointMustBeFinite: false) != SetupStatus.Complete)
                        return BudgetResult();
                    xoptsq = LoadBestPoint();
                    kbase = 0;
                    lastRebuild = _evaluations;
                    _rebuilds++;
                    nfsav = _evaluations;
                    ntrits = 0;
                    itest = 0;
                    ShiftGradientToBest(ref kbase);
                    stage = Stage.TrustRegion;
                    break;
                }
            }
        }

        OptimizationResult BudgetResult() => Result(StopReason.MaxEvaluations,
            string.Create(CultureInfo.InvariantCulture, $"Stopped after the maximum of {_maxEvaluations} evaluations."));

        OptimizationResult ConvergedResult() => Result(StopReason.Converged,
            string.Create(CultureInfo.InvariantCulture, $"Converged: the trust region radius reached {_rhoEnd:G6}."));

        // Decides, after a short step, whether the model is accurate enough to finish with the current ρ.
        bool ShortStepIsAccurate(double rhoNow, double curvature, double ea, double eb, double ec, int lastLongStep)
        {
            if (_evaluations <= lastLongStep + 2) return false;
            double errbig = Math.Max(Math.Max(ea, eb), ec);
            double frhosq = 0.125 * rhoNow * rhoNow;
            if (curvature > 0 && errbig > frhosq * curvature) return false;
            // At a bound, the gradient must point outward by enough to keep the step there.
            double bdtol = errbig / rhoNow;
            for (int j = 0; j < n; j++)
            {
                double bdtest = bdtol;
                if (_xnew[j] == _sl[j]) bdtest = _gnew[j];
                if (_xnew[j] == _su[j]) bdtest = -_gnew[j];
                if (bdtest < bdtol)
                {
                    double curv = _hq[Packed(j, j)];
                    for (int k = 0; k < npt; k++) curv += _pq[k] * _xpt[k * n + j] * _xpt[k * n + j];
                    bdtest += 0.5 * curv * rhoNow;
                    if (bdtest < bdtol) return false;
                }
            }
            return true;
        }
    }

    /// <summary>Moves gopt from the gradient at point <paramref name="kbase"/> to the gradient at xopt.</summary>
    private void ShiftGradientToBest(ref int kbase)
    {
        if (_kopt == kbase) return;
        // gopt was computed at xbase (point 0, at the origin), so the shift is H·xopt.
        AddHessianTimes(_xopt, _gopt);
        kbase = _kopt;
    }

    /// <summary>
    /// Computes, for the step d from xopt, the values of the Lagrange functions at xopt + d in vlag
    /// (first npt entries; the last n hold the product with BMAT's lower block) and returns β of the
    /// updating formula. Leaves xptᵀd in <c>_wcheck</c> for the predicted change of the model.
    /// </summary>
    private double LagrangeValuesAndBeta(double xoptsq)
    {
        int n = _n, npt = _npt, nptm = _nptm;
        for (int k = 0; k < npt; k++)
        {
            double suma = 0, sumb = 0, sum = 0;
            for (int j = 0; j < n; j++)
            {
                double x = _xpt[k * n + j];
                suma += x * _d[j];
                sumb += x * _xopt[j];
                sum += _bmat[k * n + j] * _d[j];
            }
            _wbeta[k] = suma * (0.5 * suma + sumb);   // w_k = ½(y_kᵀd)² + (y_kᵀd)(y_kᵀxopt)
            _vlag[k] = sum;
            _wcheck[k] = suma;
        }

        // Contribution of ZMAT: vlag += Z Zᵀ w, β −= ‖Zᵀw‖².
        double beta = 0;
        for (int c = 0; c < nptm; c++)
        {
            double sum = 0;
            for (int k = 0; k < npt; k++) sum += _zmat[k * nptm + c] * _wbeta[k];
            beta -= sum * sum;
            for (int k = 0; k < npt; k++) _vlag[k] += sum * _zmat[k * nptm + c];
        }

        // Contribution of BMAT: the last n entries of H w and its scalar product with w.
        double dsq = 0, bsum = 0, dx = 0;
        for (int j = 0; j < n; j++)
        {
            dsq += _d[j] * _d[j];
            double sum = 0;
            for (int k = 0; k < npt; k++) sum += _wbeta[k] * _bmat[k * n + j];
            bsum += sum * _d[j];
            int jp = npt + j;
            for (int i = 0; i < n; i++) sum += _bmat[jp * n + i] * _d[i];
            _vlag[jp] = sum;
            bsum += sum * _d[j];
            dx += _d[j] * _xopt[j];
        }
        beta = dx * dx + dsq * (xoptsq + dx + dx + 0.5 * dsq) + beta - bsum;
        _vlag[_kopt] += 1;
        return beta;
    }

    /// <summary>
    /// Picks the interpolation point to replace by a new point near <paramref name="centre"/>: the one
    /// maximising the denominator of the update, weighted by its distance from the centre relative to
    /// δ. Reports cancellation when the best weighted denominator is not safely positive.
    /// </summary>
    private int ChoosePointToReplace(double[] centre, double delta, double beta, int skip, out double denom, out bool cancelled)
    {
        int n = _n, npt = _npt, nptm = _nptm;
        double delsq = delta * delta;
        double scaden = 0, biglsq = 0;
        int chosen = -1;
        denom = 0;
        for (int k = 0; k < npt; k++)
        {
            if (k == skip) continue;
            double hdiag = 0;
            for (int c = 0; c < nptm; c++) hdiag += _zmat[k * nptm + c] * _zmat[k * nptm + c];
            double den = beta * hdiag + _vlag[k] * _vlag[k];     // denominator if point k is replaced
            double distsq = 0;
            for (int j = 0; j < n; j++) { double t = _xpt[k * n + j] - centre[j]; distsq += t * t; }
            double weight = Math.Max(1.0, (distsq / delsq) * (distsq / delsq));
            if (weight * den > scaden) { scaden = weight * den; chosen = k; denom = den; }
            biglsq = Math.Max(biglsq, weight * _vlag[k] * _vlag[k]);
        }
        cancelled = scaden <= 0.5 * biglsq || chosen < 0;
        return chosen;
    }

    /// <summary>The change of the quadratic model from xopt to xopt + d.</summary>
    private double ModelChange()
    {
        int n = _n;
        double vquad = 0;
        int ih = 0;
        for (int j = 0; j < n; j++)
        {
            vquad += _d[j] * _gopt[j];
            for (int i = 0; i <= j; i++, ih++)
            {
                double t = _d[i] * _d[j];
                if (i == j) t *= 0.5;
                vquad += _hq[ih] * t;
            }
        }
        for (int k = 0; k < _npt; k++) vquad += 0.5 * _pq[k] * _wcheck[k] * _wcheck[k];
        return vquad;
    }

    /// <summary>
    /// Updates the model so that it interpolates f at the new point that replaces point
    /// <paramref name="knew"/>: the least Frobenius-norm change of the second derivatives, expressed
    /// through the (already updated) H. Returns false if the matrices have overflowed.
    /// </summary>
    private bool UpdateModel(int knew, double f, double diff)
    {
        int n = _n, npt = _npt, nptm = _nptm;
        // The old implicit term of point knew becomes explicit in hq before the point moves.
        double pqold = _pq[knew];
        _pq[knew] = 0;
        int ih = 0;
        for (int i = 0; i < n; i++)
        {
            double t = pqold * _xpt[knew * n + i];
            for (int j = 0; j <= i; j++, ih++) _hq[ih] += t * _xpt[knew * n + j];
        }
        // New implicit second-derivative parameters: pq += diff · Z Zᵀ e_knew.
        for (int c = 0; c < nptm; c++)
        {
            double t = diff * _zmat[knew * nptm + c];
            for (int k = 0; k < npt; k++) _pq[k] += t * _zmat[k * nptm + c];
        }

        _fval[knew] = f;
        for (int i = 0; i < n; i++)
        {
            _xpt[knew * n + i] = _xnew[i];
            _workN[i] = _bmat[knew * n + i];
        }
        // Change of the gradient at xopt: diff times the gradient of the knew-th Lagrange function.
        for (int k = 0; k < npt; k++)
        {
            double suma = 0;
            for (int c = 0; c < nptm; c++) suma += _zmat[knew * nptm + c] * _zmat[k * nptm + c];
            if (!double.IsFinite(suma)) return false;
            double sumb = 0;
            for (int j = 0; j < n; j++) sumb += _xpt[k * n + j] * _xopt[j];
            double t = suma * sumb;
            for (int i = 0; i < n; i++) _workN[i] += t * _xpt[k * n + i];
        }
        for (int i = 0; i < n; i++) _gopt[i] += diff * _workN[i];
        return true;
    }

    /// <summary>
    /// Compares the updated model with the least Frobenius-norm interpolant of the current data; when
    /// the latter's projected gradient has been much smaller three times running, it replaces the model.
    /// </summary>
    private void ReplaceByLeastNormModelIfBetter(ref int itest)
    {
        int n = _n, npt = _npt, nptm = _nptm;
        double[] fdiff = _workNpt, coef = _workNpt2, gradient = _workN2;
        double fopt = _fval[_kopt];
        for (int k = 0; k < npt; k++) { fdiff[k] = _fval[k] - fopt; _wbeta[k] = 0; }
        // Implicit second-derivative parameters of the interpolant: Z Zᵀ (f − fopt).
        for (int c = 0; c < nptm; c++)
        {
            double sum = 0;
            for (int k = 0; k < npt; k++) sum += _zmat[k * nptm + c] * fdiff[k];
            for (int k = 0; k < npt; k++) _wbeta[k] += sum * _zmat[k * nptm + c];
        }
        for (int k = 0; k < npt; k++)
        {
            double sum = 0;
            for (int j = 0; j < n; j++) sum += _xpt[k * n + j] * _xopt[j];
            coef[k] = _wbeta[k];
            _wbeta[k] *= sum;
        }
        // Gradients at xopt of both models, projected onto the feasible directions at the bounds.
        double gqsq = 0, gisq = 0;
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            for (int k = 0; k < npt; k++) sum += _bmat[k * n + i] * fdiff[k] + _xpt[k * n + i] * _wbeta[k];
            if (_xopt[i] == _sl[i])
            {
                double a = Math.Min(0, _gopt[i]), b = Math.Min(0, sum);
                gqsq += a * a; gisq += b * b;
            }
            else if (_xopt[i] == _su[i])
            {
                double a = Math.Max(0, _gopt[i]), b = Math.Max(0, sum);
                gqsq += a * a; gisq += b * b;
            }
            else
            {
                gqsq += _gopt[i] * _gopt[i]; gisq += sum * sum;
            }
            gradient[i] = sum;
        }
        itest++;
        if (gqsq < 10 * gisq) itest = 0;
        if (itest >= 3)
        {
            gradient.AsSpan().CopyTo(_gopt);
            coef.AsSpan().CopyTo(_pq);
            Array.Clear(_hq);
            itest = 0;
        }
    }
}
