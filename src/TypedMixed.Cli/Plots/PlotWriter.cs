using TypedMixed.Cli.Data;
using TypedMixed.Plotting;

namespace TypedMixed.Cli.Plots;

/// <summary>
/// Resolves <c>--plot</c> requests against the model design before the fit (so a misspelt term fails fast), and
/// draws them from the fit afterwards.
/// </summary>
internal sealed class PlotWriter
{
    private readonly List<(PlotRequest Request, int Term, int Column, double[]? X, string XName)> _plots = [];
    private readonly ModelDesign _design;

    /// <summary>Checks every request against <paramref name="design"/>; throws <see cref="CliException"/> naming what exists.</summary>
    public PlotWriter(IEnumerable<PlotRequest> requests, ModelDesign design)
    {
        _design = design;
        foreach (var r in requests)
        {
            if (r.Group is null)
            {
                _plots.Add((r, -1, -1, null, ""));
                continue;
            }
            int k = design.Terms.ToList().FindIndex(t => t.Name == r.Group);
            if (k < 0)
                throw new CliException($"--plot {r.Spec}: the model has no random-effects term '{r.Group}'. Terms: {Describe(design)}.");
            var term = design.Terms[k];
            switch (r.Kind)
            {
                case PlotKind.Trajectory:
                    var (x, name) = Covariate(r, design, k);
                    _plots.Add((r, k, -1, x, name));
                    break;
                default:
                    int column = -1;
                    if (r.Inner is not null)
                    {
                        column = term.ColumnNames.ToList().IndexOf(r.Inner);
                        if (column < 0)
                            throw new CliException($"--plot {r.Spec}: term '{term.Name}' has no effect '{r.Inner}'. Its effects: {string.Join(", ", term.ColumnNames)} (e.g. {term.Name}[{term.ColumnNames[^1]}]), or {term.Name} for all.");
                        if (r.Kind == PlotKind.Qq) throw new CliException($"--plot {r.Spec}: qq draws every effect of a term; give qq:{term.Name}.");
                    }
                    _plots.Add((r, k, column, null, ""));
                    break;
            }
        }
    }

    /// <summary>Draws every request from <paramref name="fit"/> (fitted to the design given to the constructor) and writes the files.</summary>
    public void Write(MixedModelFit fit)
    {
        foreach (var (r, k, column, x, xName) in _plots)
        {
            var figure = r.Kind switch
            {
                PlotKind.Caterpillar => CaterpillarFigure.Create(fit.RandomEffects[k], columns: column < 0 ? null : [column]),
                PlotKind.Trajectory => TrajectoryFigure.Create(fit, x!, Clusters(_design.Terms[k]), new TrajectoryOptions { XLabel = xName, ClusterName = _design.Terms[k].Name }),
                PlotKind.Residuals => DiagnosticFigure.Residuals(fit),
                _ => k < 0 ? DiagnosticFigure.ResidualQq(fit) : DiagnosticFigure.ConditionalModesQq(fit.RandomEffects[k]),
            };
            figure.Save(r.Path);
        }
    }

    private static string[] Clusters(RandomEffectsTerm term) => term.IsMultipleMembership
        ? throw new CliException($"A trajectory plot draws one line per cluster, but the rows of the multiple-membership term {term.Name} belong to several; plot a caterpillar of it instead (--plot caterpillar:{term.Name} FILE).")
        : [.. term.LevelIndex.Select(l => term.LevelKeys[l])];

    /// <summary>
    /// The x of a trajectory: the column named in brackets (a column of the term or of the fixed effects), else the
    /// term's first slope, else the first fixed-effect column other than the intercept.
    /// </summary>
    private static (double[] X, string Name) Covariate(PlotRequest r, ModelDesign design, int k)
    {
        var term = design.Terms[k];
        int n = design.Rows;
        double[] Column(double[] matrix, int c) => matrix.AsSpan(c * n, n).ToArray();
        if (r.Inner is { } named)
        {
            int c = term.ColumnNames.ToList().IndexOf(named);
            if (c >= 0) return (Column(term.Columns, c), named);
            int f = design.FixedEffectNames.ToList().IndexOf(named);
            if (f >= 0) return (Column(design.FixedEffects, f), named);
            throw new CliException($"--plot {r.Spec}: no model column '{named}' to draw the trajectories over. Columns: {string.Join(", ", design.FixedEffectNames.Concat(term.ColumnNames).Where(c => c != "(Intercept)").Distinct())}.");
        }
        int slope = term.ColumnNames.ToList().FindIndex(c => c != "(Intercept)");
        if (slope >= 0) return (Column(term.Columns, slope), term.ColumnNames[slope]);
        int fixedColumn = design.FixedEffectNames.ToList().FindIndex(c => c != "(Intercept)");
        if (fixedColumn >= 0) return (Column(design.FixedEffects, fixedColumn), design.FixedEffectNames[fixedColumn]);
        throw new CliException($"--plot {r.Spec}: the model has no covariate to draw the trajectories over (only intercepts).");
    }

    private static string Describe(ModelDesign design) =>
        design.Terms.Count == 0 ? "none" : string.Join("; ", design.Terms.Select(t => $"{t.Name} (effects {string.Join(", ", t.ColumnNames)})"));
}
