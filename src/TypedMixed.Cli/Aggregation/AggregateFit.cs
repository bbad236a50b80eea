using System.Diagnostics;
using System.Globalization;
using TypedMixed.Cli.Data;
using TypedMixed.Cli.Formulas;
using TypedMixed.Data.DuckDb;
using TypedMixed.Data.Postgres;
using TypedMixed.Data.Sql;
using TypedMixed.Presentation;

namespace TypedMixed.Cli.Aggregation;

/// <summary>
/// <c>typedmixed fit … --aggregate</c> and <c>typedmixed fit postgresql://… --table t</c>: the formula becomes SQL
/// (<see cref="SqlModelBuilder"/>), the engine next to the data computes the Gram blocks
/// (<see cref="SqlGramAggregator"/>, one line of progress per phase), and the model is fitted from the blocks.
/// </summary>
internal static class AggregateFit
{
    public static int Run(CliArguments a, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (a.IsGeneralized) throw new CliException("--aggregate fits linear mixed models: a generalized model needs the rows at every PIRLS iteration. Drop --aggregate (or --family).");
        if (a.WeightsColumn is not null) throw new CliException("--aggregate does not support --weights yet.");
        if (a.Plots.Count > 0) throw new CliException("--plot needs the rows (residuals, fitted values); it does not apply with --aggregate.");
        if (a.DesignOnly) throw new CliException("--design-only builds the in-memory design; it does not apply with --aggregate.");
        var formula = FormulaParser.Parse(a.Formula);
        var watch = Stopwatch.StartNew();
        using ISqlEngine engine = a.IsServer
            ? new PostgresSqlEngine(a.DataPath)
            : new DuckDbSqlEngine(new DuckDbEngineOptions { TempDirectory = a.TempDirectory, MemoryLimit = a.MemoryLimit });
        string relation;
        if (a.IsServer)
            relation = a.Table is { } table
                ? string.Join(".", table.Split('.').Select(engine.QuoteIdentifier))
                : "(" + a.Sql!.Trim().TrimEnd(';') + ") AS typedmixed_query";
        else
        {
            try { relation = DuckDbSqlEngine.RelationFor(a.Sql is null ? new TableSource { Location = a.DataPath, Separator = a.Separator } : new TableSource { Location = a.Sql, IsQuery = true }); }
            catch (DataSourceException e) { throw new CliException(e.Message); }
        }
        var progress = a.Quiet ? null : new Progress(stderr);
        GramBlocks blocks;
        try
        {
            var model = SqlModelBuilder.Build(formula, engine, relation, a.ReferenceLevels);
            progress?.Report($"{engine.Name}: {model.FixedEffects.Count} fixed-effect column(s), {model.Terms.Count} random-effects term(s); aggregating");
            blocks = SqlGramAggregator.Aggregate(engine, model, progress, cancellationToken);
        }
        catch (SqlEngineException e) { throw new CliException(e.Message); }
        if (blocks.RowsDropped > 0)
            stderr.WriteLine($"typedmixed: dropped {blocks.RowsDropped.ToString(CultureInfo.InvariantCulture)} of {(blocks.Rows + blocks.RowsDropped).ToString(CultureInfo.InvariantCulture)} rows with a NULL in the formula's columns.");
        progress?.Report($"aggregated {blocks.Rows.ToString(CultureInfo.InvariantCulture)} rows in {watch.Elapsed.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture)} s; fitting from the blocks");

        string objective = a.Method == EstimationMethod.Reml ? "REML criterion" : "deviance";
        var printer = a.Quiet ? null : new CliApp.ProgressPrinter(stderr, objective);
        var fitWatch = Stopwatch.StartNew();
        var fit = LinearMixedModel.Fit(blocks, new FitOptions { Method = a.Method, Progress = printer, Optimizer = a.Optimizer }, cancellationToken);
        printer?.Finish(fit.Optimizer.Evaluations, fit.Objective, fitWatch.Elapsed);
        var report = new FitReportOptions
        {
            Formula = a.Formula,
            DataName = a.IsServer ? (a.Table ?? "SQL query") : a.Sql is null ? Path.GetFileName(a.DataPath) : "SQL query",
            IncludeConditionalModes = a.IncludeRanef,
        };
        stdout.Write(a.Markdown ? FitSummary.ToMarkdown(fit, report) : FitSummary.ToText(fit, report));
        if (a.JsonPath is not null)
        {
            using var stream = File.Create(a.JsonPath);
            FitJson.Write(stream, fit, report);
        }
        return 0;
    }

    private sealed class Progress(TextWriter stderr) : IProgress<string>
    {
        public void Report(string value) => stderr.WriteLine("typedmixed: " + value);
    }
}
