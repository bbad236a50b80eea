using TypedMixed.Estimation;
using TypedMixed.Tests.Reference;
using TypedMixed.Tests.Robustness;

namespace TypedMixed.Tests.Estimation;

/// <summary>
/// Multiple-membership terms (issue 13): the blocked objective against the dense marginal likelihood on many small
/// random designs (membership alone, beside a crossed term, with a random slope), the conditional modes against the
/// dense mixed-model equations, lme4's fits of the simulated pupils (shared reference), and the validation errors.
/// </summary>
public class MultipleMembershipTests
{
    /// <summary>Random pupils in 1–3 of <paramref name="schools"/> schools with random weights summing to 1.</summary>
    internal static Memberships RandomMemberships(Random rng, int n, int schools)
    {
        var rowStart = new int[n + 1];
        var level = new List<int>();
        var weight = new List<double>();
        for (int i = 0; i < n; i++)
        {
            // The first rows visit every school once, so no level is empty.
            int k = i < schools ? 1 : 1 + rng.Next(3);
            var chosen = new List<int> { i < schools ? i : rng.Next(schools) };
            while (chosen.Count < k)
            {
                int s = rng.Next(schools);
                if (!chosen.Contains(s)) chosen.Add(s);
            }
            var w = chosen.Select(_ => 0.1 + rng.NextDouble()).ToArray();
            double sum = w.Sum();
            level.AddRange(chosen);
            weight.AddRange(w.Select(v => v / sum));
            rowStart[i + 1] = level.Count;
        }
        return new Memberships { RowStart = rowStart, Level = [.. level], Weight = [.. weight] };
    }

    /// <summary>
    /// A random design: an intercept and x as fixed effects; a membership term (intercept, or intercept and slope on x,
    /// unstructured or diagonal), optionally a crossed ordinary term (intercept or with slope) and optionally a second
    /// membership term; y simulated from the model.
    /// </summary>
    internal static ModelDesign RandomDesign(Random rng, int variant)
    {
        int n = rng.Next(30, 121);
        int schools = rng.Next(4, Math.Min(16, n / 4));
        var x = Enumerable.Range(0, n).Select(_ => Designs.Normal(rng)).ToArray();
        var ones = Enumerable.Repeat(1.0, n).ToArray();
        bool slope = variant % 4 == 2 || variant % 4 == 3;
        var mm = RandomMemberships(rng, n, schools);
        if (variant % 5 == 4) mm = new Memberships { RowStart = mm.RowStart, Level = mm.Level, Weight = mm.Weight.Select(w => w * (0.5 + rng.NextDouble())).ToArray(), Weighting = MembershipWeighting.AsGiven };
        var terms = new List<RandomEffectsTerm>
        {
            new()
            {
                Name = "school",
                Memberships = mm,
                LevelKeys = Enumerable.Range(1, schools).Select(s => "s" + s).ToArray(),
                ColumnNames = slope ? ["(Intercept)", "x"] : ["(Intercept)"],
                Columns = slope ? [.. ones, .. x] : ones,
                Covariance = variant % 4 == 3 ? CovarianceStructure.Diagonal : CovarianceStructure.Unstructured,
            },
        };
        if (variant % 3 != 0)
        {
            int areas = rng.Next(3, 9);
            var area = Enumerable.Range(0, n).Select(i => i < areas ? i : rng.Next(areas)).ToArray();
            bool areaSlope = variant % 3 == 2;
            terms.Add(new RandomEffectsTerm
            {
                Name = "area",
                LevelIndex = area,
                LevelKeys = Enumerable.Range(1, areas).Select(s => "a" + s).ToArray(),
                ColumnNames = areaSlope ? ["(Intercept)", "x"] : ["(Intercept)"],
                Columns = areaSlope ? [.. ones, .. x] : ones,
            });
        }
        if (variant % 7 == 5)
        {
            int hospitals = rng.Next(3, 8);
            terms.Add(RandomEffectsTerm.MultipleMembershipIntercept("hospital", RandomMemberships(rng, n, hospitals),
                Enumerable.Range(1, hospitals).Select(s => "h" + s).ToArray()));
        }
        var design = new ModelDesign
        {
            Response = new double[n],
            FixedEffects = [.. ones, .. x],
            FixedEffectNames = ["(Intercept)", "x"],
            Terms = terms,
        };
        return Designs.WithResponse(design, Simulate(design, rng));
    }

    private static double[] Simulate(ModelDesign d, Random rng)
    {
        int n = d.Rows;
        var y = new double[n];
        for (int i = 0; i < n; i++) y[i] = 1 + 0.5 * d.FixedEffects[n + i] + Designs.Normal(rng);
        foreach (var term in d.Terms)
        {
            int q = term.ColumnCount;
            var b = Enumerable.Range(0, term.LevelCount * q).Select(_ => 0.8 * Designs.Normal(rng)).ToArray();
            for (int i = 0; i < n; i++)
            {
                var (start, end) = term.Memberships is { } mm ? (mm.RowStart[i], mm.RowStart[i + 1]) : (i, i + 1);
                for (int e = start; e < end; e++)
                {
                    int l = term.Memberships?.Level[e] ?? term.LevelIndex[i];
                    double w = term.Memberships?.Weight[e] ?? 1;
                    for (int a = 0; a < q; a++) y[i] += w * term.Columns[a * n + i] * b[l * q + a];
                }
            }
        }
        return y;
    }

    public static TheoryData<EstimationMethod> Methods() => new(EstimationMethod.MaximumLikelihood, EstimationMethod.Reml);

    /// <summary>
    /// The proof: on 60 random designs, the blocked objective at the optimum and at three random θ equals the dense
    /// −2 log L (REML criterion) from V = σ²(ZΛΛ'Z' + I), to 1e-9 relative.
    /// </summary>
    [Theory]
    [MemberData(nameof(Methods))]
    public void Objective_equals_the_dense_likelihood_on_random_designs(EstimationMethod method)
    {
        bool reml = method == EstimationMethod.Reml;
        int envelopeAlone = 0, envelopeBeside = 0, denseBlock = 0;
        for (int seed = 0; seed < 60; seed++)
        {
            var rng = new Random(13_000 + seed);
            var d = RandomDesign(rng, seed);
            string what = $"seed {seed} ({d.Rows} rows; {string.Join(", ", d.Terms.Select(t => $"{t.Name}[{t.LevelCount}×{t.ColumnCount}{(t.IsMultipleMembership ? " mm" : "")}]"))})";
            var fit = LinearMixedModel.Fit(d, Designs.Fast(method));
            double dense = DenseModel.ProfiledObjective(d, d.FixedEffectNames, fit.Theta, reml);
            ReferenceData.AssertRelative(dense, fit.Objective, 1e-9, what + ": objective at θ̂");
            var problem = MixedModelProblem.Create(d);
            // Which storage the design took: the envelope alone, the envelope leading ordinary terms, or a dense block.
            if (problem.Gram.Envelope0 is null) denseBlock++;
            else if (problem.Gram.BlockCount == 2) envelopeAlone++;
            else envelopeBeside++;
            var deviance = new ProfiledDeviance(problem.Factor, problem.N, problem.P, reml);
            var (start, lower) = problem.InitialTheta();
            for (int trial = 0; trial < 3; trial++)
            {
                var theta = start.Select((_, j) => lower[j] == 0 ? 0.05 + 2 * rng.NextDouble() : rng.NextDouble() - 0.5).ToArray();
                ReferenceData.AssertRelative(DenseModel.ProfiledObjective(d, d.FixedEffectNames, theta, reml), deviance.Evaluate(theta), 1e-9,
                    $"{what}: objective at θ = [{string.Join(", ", theta.Select(v => v.ToString("F3")))}]");
            }
        }
        Assert.True(envelopeAlone > 0 && envelopeBeside > 0 && denseBlock > 0, $"storage paths: alone {envelopeAlone}, beside {envelopeBeside}, dense {denseBlock}");
    }

    /// <summary>
    /// Conditional modes and variances against the dense mixed-model equations: b = ΛΛ'Z'V₀⁻¹(y − Xβ̂) and
    /// Var(b | y) = σ² Λ(Λ'Z'ZΛ + I)⁻¹Λ', on random designs with a crossed term and random slopes.
    /// </summary>
    [Fact]
    public void Modes_and_conditional_variances_match_the_dense_equations()
    {
        int envelopeBeside = 0;
        for (int seed = 0; seed < 12; seed++)
        {
            var rng = new Random(14_000 + seed);
            var d = RandomDesign(rng, seed);
            if (MixedModelProblem.Create(d).Gram is { Envelope0: not null, BlockCount: > 2 }) envelopeBeside++;
            var fit = LinearMixedModel.Fit(d, Designs.Fast(EstimationMethod.MaximumLikelihood));
            var (zl, offsets) = DenseZLambda(d, fit.Theta);
            int n = d.Rows, m = zl.GetLength(1);
            // r = y − Xβ̂; V₀ = ZΛΛ'Z' + I; u = Λ'Z'V₀⁻¹ r; b = Λu.
            var r = new double[n];
            for (int i = 0; i < n; i++)
                r[i] = d.Response[i] - fit.FixedEffects[0].Estimate - fit.FixedEffects[1].Estimate * d.FixedEffects[n + i];
            var v0 = DenseModel.RelativeMarginalCovariance(d, fit.Theta);
            var l = Dense.Cholesky(v0);
            var vr = BackSolveTranspose(l, Dense.ForwardSolve(l, r));
            var u = new double[m];
            for (int c = 0; c < m; c++)
                for (int i = 0; i < n; i++) u[c] += zl[i, c] * vr[i];
            // Precision P = (ZΛ)'(ZΛ) + I for the conditional covariance of u.
            var precision = new double[m, m];
            for (int a = 0; a < m; a++)
                for (int b = 0; b < m; b++)
                {
                    double s = a == b ? 1 : 0;
                    for (int i = 0; i < n; i++) s += zl[i, a] * zl[i, b];
                    precision[a, b] = s;
                }
            var lp = Dense.Cholesky(precision);
            for (int t = 0; t < d.Terms.Count; t++)
            {
                var term = d.Terms[t];
                var fitTerm = fit.RandomEffects[t];
                int q = term.ColumnCount;
                var tf = TFactor(d, fit.Theta, t);
                for (int level = 0; level < term.LevelCount; level++)
                {
                    // Columns of the level in u: offsets[t] + level·q + (0..q−1); covariance block of u by unit solves.
                    var cov = new double[q, q];
                    var cols = new double[q][];
                    for (int a = 0; a < q; a++)
                    {
                        var e = new double[m];
                        e[offsets[t] + level * q + a] = 1;
                        cols[a] = BackSolveTranspose(lp, Dense.ForwardSolve(lp, e));
                    }
                    for (int a = 0; a < q; a++)
                    {
                        double mode = 0;
                        for (int c = 0; c <= a; c++) mode += tf[c * q + a] * u[offsets[t] + level * q + c];
                        ReferenceData.AssertClose(mode, fitTerm.ConditionalModes[level, a], 1e-7, 1e-9, $"seed {seed} {term.Name} level {level} mode {a}");
                        // Var(b_a) = σ² Σ_cd T[a,c] W[c,d] T[a,d].
                        double var = 0;
                        for (int c = 0; c <= a; c++)
                            for (int dd = 0; dd <= a; dd++) var += tf[c * q + a] * cols[dd][offsets[t] + level * q + c] * tf[dd * q + a];
                        ReferenceData.AssertClose(fit.ResidualVariance * var, fitTerm.ConditionalCovariances[level][a, a], 1e-7, 1e-12,
                            $"seed {seed} {term.Name} level {level} conditional variance {a}");
                    }
                }
            }
        }
        Assert.True(envelopeBeside > 0, "no design had the envelope lead beside ordinary terms");
    }

    /// <summary>x with L'x = b (L lower triangular).</summary>
    private static double[] BackSolveTranspose(double[,] l, double[] b)
    {
        int n = b.Length;
        var x = new double[n];
        for (int i = n - 1; i >= 0; i--)
        {
            double s = b[i];
            for (int k = i + 1; k < n; k++) s -= l[k, i] * x[k];
            x[i] = s / l[i, i];
        }
        return x;
    }

    private static double[] TFactor(ModelDesign d, double[] theta, int t)
    {
        var problem = MixedModelProblem.Create(d);
        int q = d.Terms[t].ColumnCount;
        var tf = new double[q * q];
        problem.Templates[t].FillFactor(theta, tf);
        return tf;
    }

    /// <summary>The dense n × Σ(levels·q) matrix ZΛ (design order of terms), with each term's first column.</summary>
    private static (double[,] ZLambda, int[] Offsets) DenseZLambda(ModelDesign d, double[] theta)
    {
        int n = d.Rows;
        var offsets = new int[d.Terms.Count];
        int m = 0;
        for (int t = 0; t < d.Terms.Count; t++) { offsets[t] = m; m += d.Terms[t].LevelCount * d.Terms[t].ColumnCount; }
        var zl = new double[n, m];
        for (int t = 0; t < d.Terms.Count; t++)
        {
            var term = d.Terms[t];
            int q = term.ColumnCount;
            var tf = TFactor(d, theta, t);
            var omega = term.Memberships?.EffectiveWeights();
            for (int i = 0; i < n; i++)
            {
                var (start, end) = term.Memberships is { } mm ? (mm.RowStart[i], mm.RowStart[i + 1]) : (i, i + 1);
                for (int e = start; e < end; e++)
                {
                    int l = term.Memberships?.Level[e] ?? term.LevelIndex[i];
                    double w = omega?[e] ?? 1;
                    for (int b = 0; b < q; b++)
                    {
                        double s = 0;
                        for (int a = b; a < q; a++) s += term.Columns[a * n + i] * tf[b * q + a];
                        zl[i, offsets[t] + l * q + b] += w * s;
                    }
                }
            }
        }
        return (zl, offsets);
    }

    /// <summary>The shared pupils data as a design: y ~ x + (1 | mm(school1, school2, school3; weights w1, w2, w3)).</summary>
    internal static (ModelDesign Design, Memberships Memberships) Pupils()
    {
        var t = ReferenceData.ReadCsv("mm_pupils.csv");
        int n = t["y"].Length;
        var schoolColumns = new[] { "school1", "school2", "school3" };
        var weightColumns = new[] { "w1", "w2", "w3" };
        // Schools 1..100 in numeric order (as the reference labels them).
        var keys = schoolColumns.SelectMany(c => t[c]).Where(v => v.Length > 0).Select(int.Parse).Distinct().Order().ToArray();
        var levelOf = keys.Select((k, l) => (k, l)).ToDictionary(p => p.k, p => p.l);
        var levels = schoolColumns.Select(c => t[c].Select(v => v.Length == 0 ? -1 : levelOf[int.Parse(v)]).ToArray()).ToArray();
        var weights = weightColumns.Select(c => t[c].Select(v => v.Length == 0 ? double.NaN : double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var mm = Memberships.FromColumns(levels, weights, schoolColumns, weightColumns);
        var design = new ModelDesign
        {
            ResponseName = "y",
            Response = ReferenceData.Numbers(t["y"]),
            FixedEffects = [.. Enumerable.Repeat(1.0, n), .. ReferenceData.Numbers(t["x"])],
            FixedEffectNames = ["(Intercept)", "x"],
            Terms = [RandomEffectsTerm.MultipleMembershipIntercept("school", mm, keys.Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray())],
        };
        return (design, mm);
    }

    /// <summary>
    /// lme4 with the weighted membership matrix in Zt (mm_pupils_ML/REML.json): objective 1e-6 relative, β within
    /// 1e-3 SE, variances 1e-3 relative, the listed conditional modes 1e-4 and conditional SDs 1e-4.
    /// </summary>
    [Theory]
    [InlineData("mm_pupils_ML")]
    [InlineData("mm_pupils_REML")]
    public void Pupils_agree_with_lme4(string name)
    {
        var reference = ReferenceData.Fit(name);
        bool reml = reference.GetProperty("method").GetString() == "REML";
        var (design, _) = Pupils();
        var fit = LinearMixedModel.Fit(design, new FitOptions { Method = reml ? EstimationMethod.Reml : EstimationMethod.MaximumLikelihood });
        double objective = reml ? reference.GetProperty("REML_criterion").GetDouble() : reference.GetProperty("deviance").GetDouble();
        ReferenceData.AssertRelative(objective, fit.Objective, 1e-6, "objective");
        ReferenceData.AssertRelative(reference.GetProperty("logLik").GetDouble(), fit.LogLikelihood, 1e-6, "logLik");
        var fe = reference.GetProperty("fixed_effects");
        var beta = fe.GetProperty("estimate").Doubles();
        var se = fe.GetProperty("std_error").Doubles();
        for (int c = 0; c < beta.Length; c++)
        {
            Assert.True(Math.Abs(fit.FixedEffects[c].Estimate - beta[c]) <= 1e-3 * se[c], $"β{c}: {fit.FixedEffects[c].Estimate:R} vs {beta[c]:R}");
            ReferenceData.AssertRelative(se[c], fit.FixedEffects[c].StdError, 1e-3, $"SE(β{c})");
        }
        var components = reference.GetProperty("variance_components");
        ReferenceData.AssertRelative(components[0].GetProperty("vcov").GetDouble(), fit.RandomEffects[0].Variance(), 1e-3, "school variance");
        ReferenceData.AssertRelative(components[1].GetProperty("vcov").GetDouble(), fit.ResidualVariance, 1e-3, "residual variance");
        var levels = reference.GetProperty("random_effects_first_levels").GetProperty("school");
        var keys = levels.GetProperty("levels").EnumerateArray().Select(v => v.GetString()!).ToArray();
        var modes = levels.GetProperty("cond_mode").EnumerateArray().Select(v => v[0].GetDouble()).ToArray();
        var sds = levels.GetProperty("cond_se").EnumerateArray().Select(v => v[0].GetDouble()).ToArray();
        var school = fit.RandomEffects[0];
        Assert.Equal(100, school.LevelCount);
        for (int j = 0; j < keys.Length; j++)
        {
            int l = school.LevelKeys.ToList().IndexOf(keys[j]);
            Assert.True(Math.Abs(school.ConditionalModes[l, 0] - modes[j]) <= 1e-4, $"mode of school {keys[j]}: {school.ConditionalModes[l, 0]:R} vs {modes[j]:R}");
            Assert.True(Math.Abs(school.ConditionalStdDev(l) - sds[j]) <= 1e-4, $"conditional SD of school {keys[j]}: {school.ConditionalStdDev(l):R} vs {sds[j]:R}");
        }
        // The variance's standard error exists (observed information) and is positive.
        Assert.True(school.VarianceStdError() > 0 && double.IsFinite(school.VarianceStdError()));
        Assert.True(school.IsMultipleMembership);
        // A single membership term is factored on its envelope, narrower than the dense 100 × 100 block.
        var envelope = MixedModelProblem.Create(design).Gram.Envelope0!;
        Assert.InRange(envelope.BlockCount, 100, 100 * 101 / 2);
    }

    /// <summary>
    /// The membership term crossed with (1 | area), against lme4 with the weighted Z (scripts/mm_pupils_area.R):
    /// objective 1e-6 relative, β within 1e-3 SE, variances 1e-3 relative, listed modes and SDs within 1e-4.
    /// </summary>
    [Theory]
    [InlineData("mm_pupils_area_ML")]
    [InlineData("mm_pupils_area_REML")]
    public void Pupils_with_a_crossed_area_agree_with_lme4(string name)
    {
        var r = ReferenceData.Fit(name);
        bool reml = r.GetProperty("method").GetString() == "REML";
        var (pupils, _) = Pupils();
        var t = ReferenceData.ReadCsv("mm_pupils.csv");
        var areaKeys = t["area"].Distinct().OrderBy(v => int.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var areaIndex = t["area"].Select(v => Array.IndexOf(areaKeys, v)).ToArray();
        var design = new ModelDesign
        {
            Response = pupils.Response, FixedEffects = pupils.FixedEffects, FixedEffectNames = pupils.FixedEffectNames,
            Terms = [pupils.Terms[0], RandomEffectsTerm.Intercept("area", areaIndex, areaKeys)],
        };
        Assert.NotNull(MixedModelProblem.Create(design).Gram.Envelope0); // the membership term leads, beside area
        var fit = LinearMixedModel.Fit(design, new FitOptions { Method = reml ? EstimationMethod.Reml : EstimationMethod.MaximumLikelihood });
        ReferenceData.AssertRelative(r.GetProperty("objective").GetDouble(), fit.Objective, 1e-6, "objective");
        var beta = r.GetProperty("beta").Doubles();
        var se = r.GetProperty("beta_se").Doubles();
        for (int c = 0; c < beta.Length; c++)
            Assert.True(Math.Abs(fit.FixedEffects[c].Estimate - beta[c]) <= 1e-3 * se[c], $"β{c}: {fit.FixedEffects[c].Estimate:R} vs {beta[c]:R}");
        ReferenceData.AssertRelative(r.GetProperty("var_school").GetDouble(), fit.RandomEffects[0].Variance(), 1e-3, "school variance");
        ReferenceData.AssertRelative(r.GetProperty("var_area").GetDouble(), fit.RandomEffects[1].Variance(), 1e-3, "area variance");
        ReferenceData.AssertRelative(r.GetProperty("sigma2").GetDouble(), fit.ResidualVariance, 1e-3, "residual variance");
        var modes = r.GetProperty("school_cond_mode_1to5").Doubles();
        var sds = r.GetProperty("school_cond_sd_1to5").Doubles();
        var school = fit.RandomEffects[0];
        for (int j = 0; j < 5; j++)
        {
            int l = school.LevelKeys.ToList().IndexOf((j + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(Math.Abs(school.ConditionalModes[l, 0] - modes[j]) <= 1e-4, $"mode of school {j + 1}");
            Assert.True(Math.Abs(school.ConditionalStdDev(l) - sds[j]) <= 1e-4, $"conditional SD of school {j + 1}");
        }
    }

    /// <summary>
    /// The weighted ICC uses Σω²: the data's mean Σω² (below 1: many pupils split their weight) gives a smaller ICC
    /// than a pupil in one school, which equals the ordinary ICC.
    /// </summary>
    [Fact]
    public void Weighted_icc_scales_the_school_variance_by_the_squared_weights()
    {
        var (design, mm) = Pupils();
        var fit = LinearMixedModel.Fit(design, new FitOptions { Method = EstimationMethod.MaximumLikelihood, VarianceComponentErrors = false });
        double v = fit.RandomEffects[0].Variance(), s2 = fit.ResidualVariance;
        double meanSq = mm.SquaredWeightSums().Average();
        Assert.Equal(meanSq, fit.RandomEffects[0].MeanSquaredWeightSum!.Value, 12);
        Assert.InRange(meanSq, 0.5, 1.0);
        Assert.Equal(meanSq * v / (meanSq * v + s2), fit.WeightedIntraclassCorrelation("school")!.Value, 12);
        Assert.Equal(fit.IntraclassCorrelation("school")!.Value, fit.WeightedIntraclassCorrelation("school", 1.0)!.Value, 12);
    }

    /// <summary>
    /// Against the model that puts each pupil in their last school: both fit the same rows with the same number of
    /// parameters, the membership model (which generated the data) has the larger likelihood.
    /// </summary>
    [Fact]
    public void Membership_model_beats_last_school_model_on_the_pupils()
    {
        var (design, mm) = Pupils();
        var options = new FitOptions { Method = EstimationMethod.MaximumLikelihood, VarianceComponentErrors = false };
        var multiple = LinearMixedModel.Fit(design, options);
        var last = new ModelDesign
        {
            Response = design.Response,
            FixedEffects = design.FixedEffects,
            FixedEffectNames = design.FixedEffectNames,
            Terms = [RandomEffectsTerm.Intercept("school", mm.ToSingleLevel(SingleMembershipChoice.Last), design.Terms[0].LevelKeys)],
        };
        var single = LinearMixedModel.Fit(last, options);
        Assert.Equal(multiple.ParameterCount, single.ParameterCount);
        Assert.True(multiple.LogLikelihood > single.LogLikelihood + 1, $"{multiple.LogLikelihood} vs {single.LogLikelihood}");
        // The likelihood ratio of the two non-nested models: 2 Δ log L on 0 degrees of freedom, so no χ² p-value.
        var lr = TypedMixed.LikelihoodRatioTest.Compare(single, multiple);
        Assert.Equal(2 * (multiple.LogLikelihood - single.LogLikelihood), lr.ChiSquare, 9);
        Assert.Equal(0, lr.DegreesOfFreedom);
        Assert.True(double.IsNaN(lr.PValue));
        // The single-membership fit is an ordinary one: checked against the dense likelihood as well.
        ReferenceData.AssertRelative(DenseModel.ProfiledObjective(last, last.FixedEffectNames, single.Theta, false), single.Objective, 1e-9, "last-school objective");
    }

    /// <summary>Normalising weights gives the fit of the pre-normalised weights; AsGiven accepts unnormalised weights.</summary>
    [Fact]
    public void Normalize_option_equals_prenormalised_weights()
    {
        var rng = new Random(77);
        var d = RandomDesign(rng, 0);
        var mm = d.Terms[0].Memberships!;
        var scaled = new Memberships { RowStart = mm.RowStart, Level = mm.Level, Weight = mm.Weight.Select(w => 3 * w).ToArray(), Weighting = MembershipWeighting.Normalize };
        var d2 = new ModelDesign
        {
            Response = d.Response, FixedEffects = d.FixedEffects, FixedEffectNames = d.FixedEffectNames,
            Terms = [new RandomEffectsTerm { Name = "school", Memberships = scaled, LevelKeys = d.Terms[0].LevelKeys, ColumnNames = ["(Intercept)"], Columns = d.Terms[0].Columns }],
        };
        var a = LinearMixedModel.Fit(d, Designs.Fast(EstimationMethod.MaximumLikelihood));
        var b = LinearMixedModel.Fit(d2, Designs.Fast(EstimationMethod.MaximumLikelihood));
        Assert.Equal(a.Deviance, b.Deviance, 8);
        var asGiven = new Memberships { RowStart = mm.RowStart, Level = mm.Level, Weight = scaled.Weight, Weighting = MembershipWeighting.AsGiven };
        var d3 = new ModelDesign
        {
            Response = d.Response, FixedEffects = d.FixedEffects, FixedEffectNames = d.FixedEffectNames,
            Terms = [new RandomEffectsTerm { Name = "school", Memberships = asGiven, LevelKeys = d.Terms[0].LevelKeys, ColumnNames = ["(Intercept)"], Columns = d.Terms[0].Columns }],
        };
        // Z scaled by 3 is absorbed by θ: the same likelihood, θ one third.
        var c = LinearMixedModel.Fit(d3, Designs.Fast(EstimationMethod.MaximumLikelihood));
        Assert.Equal(a.Deviance, c.Deviance, 6);
        Assert.Equal(a.Theta[0] / 3, c.Theta[0], 4);
    }

    private static ModelDesign WithWeights(double[] weights, MembershipWeighting weighting = MembershipWeighting.SumToOne, int[]? rowStart = null, int[]? levels = null)
    {
        var rng = new Random(5);
        int n = 40;
        rowStart ??= Enumerable.Range(0, n + 1).Select(i => 2 * i).ToArray();
        levels ??= Enumerable.Range(0, 2 * n).Select(e => e % 2 == 0 ? (e / 2) % 5 : (e / 2 + 1) % 5).ToArray();
        var mm = new Memberships { RowStart = rowStart, Level = levels, Weight = weights, Weighting = weighting };
        return new ModelDesign
        {
            Response = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray(),
            FixedEffects = Enumerable.Repeat(1.0, n).ToArray(),
            FixedEffectNames = ["(Intercept)"],
            Terms = [RandomEffectsTerm.MultipleMembershipIntercept("school", mm, ["a", "b", "c", "d", "e"])],
        };
    }

    [Fact]
    public void Bad_weights_are_errors_naming_the_row()
    {
        var ok = Enumerable.Repeat(0.5, 80).ToArray();
        WithWeights(ok).Validate();

        var negative = (double[])ok.Clone(); negative[14] = -0.5; negative[15] = 1.5;
        var e = Assert.Throws<ModelDesignException>(() => WithWeights(negative).Validate());
        Assert.Equal(7, e.Row);
        Assert.Contains("≥ 0", e.Message);

        var nan = (double[])ok.Clone(); nan[21] = double.NaN;
        e = Assert.Throws<ModelDesignException>(() => WithWeights(nan).Validate());
        Assert.Equal(10, e.Row);
        Assert.Contains("finite", e.Message);

        var sum = (double[])ok.Clone(); sum[6] = 0.7;
        e = Assert.Throws<ModelDesignException>(() => WithWeights(sum).Validate());
        Assert.Equal(3, e.Row);
        Assert.Contains("sum to 1.2", e.Message);
        WithWeights(sum, MembershipWeighting.Normalize).Validate();
        WithWeights(sum, MembershipWeighting.AsGiven).Validate();

        var zero = (double[])ok.Clone(); zero[8] = 0; zero[9] = 0;
        e = Assert.Throws<ModelDesignException>(() => WithWeights(zero, MembershipWeighting.Normalize).Validate());
        Assert.Equal(4, e.Row);

        // A row with no membership.
        var rowStart = Enumerable.Range(0, 41).Select(i => 2 * i).ToArray();
        for (int i = 13; i <= 40; i++) rowStart[i] -= 2;
        var levels = Enumerable.Range(0, 78).Select(e => e % 2 == 0 ? (e / 2) % 5 : (e / 2 + 1) % 5).ToArray();
        e = Assert.Throws<ModelDesignException>(() => WithWeights(ok[..78], rowStart: rowStart, levels: levels).Validate());
        Assert.Equal(12, e.Row);
        Assert.Contains("no membership", e.Message);
    }

    [Fact]
    public void Wide_columns_name_the_row_and_column_of_a_missing_level_or_weight()
    {
        string[] levelNames = ["school1", "school2"], weightNames = ["w1", "w2"];
        var e = Assert.Throws<ModelDesignException>(() => Memberships.FromColumns(
            [[0, 1, 2], [1, -1, 0]], [[0.5, 1, 0.5], [0.5, 0.3, 0.5]], levelNames, weightNames));
        Assert.Equal(1, e.Row);
        Assert.Contains("'w2'", e.Message);
        Assert.Contains("'school2' is empty", e.Message);

        e = Assert.Throws<ModelDesignException>(() => Memberships.FromColumns(
            [[0, 1, 2], [1, -1, 0]], [[0.5, 1, 0.5], [0.5, double.NaN, double.NaN]], levelNames, weightNames));
        Assert.Equal(2, e.Row);
        Assert.Contains("'school2' has a level", e.Message);

        e = Assert.Throws<ModelDesignException>(() => Memberships.FromColumns(
            [[0, -1, 2], [1, -1, 0]], [[0.5, double.NaN, 0.5], [0.5, double.NaN, 0.5]], levelNames, weightNames));
        Assert.Equal(1, e.Row);
        Assert.Contains("no membership", e.Message);

        var mm = Memberships.FromColumns([[0, 1, 2], [1, -1, 0]], [[0.25, 1, 0.5], [0.75, double.NaN, 0.5]], levelNames, weightNames);
        Assert.Equal([0, 2, 3, 5], mm.RowStart);
        Assert.Equal([0, 1, 1, 2, 0], mm.Level);
        Assert.Equal([1, 1, 2], mm.ToSingleLevel(SingleMembershipChoice.LargestWeight));
        Assert.Equal([1, 1, 0], mm.ToSingleLevel(SingleMembershipChoice.Last));
    }
}
