using BenchmarkDotNet.Running;
using TypedMixed.Benchmarks.Data;
using TypedMixed.Benchmarks.Harness;
using TypedMixed.Benchmarks.Kernels;

namespace TypedMixed.Benchmarks;

/// <summary>
/// Commands (see benchmarks/README.md):
/// <c>generate DIR [FILE…]</c> writes the data sets (or only the files named); <c>list-models</c> prints the comparison's
/// models for compare.sh (<c>list-mm-models</c> the multiple-membership ones);
/// <c>time-fit MODEL --data DIR</c> times whole fits; <c>list-glmm-models</c> and <c>time-glmm MODEL --data DIR</c>
/// do the same for the GLMMs compared with glmer and glmmTMB; <c>list-residual-models</c> and <c>time-residual MODEL
/// --data DIR</c> for the residual-structure models compared with nlme's lme; <c>list-ordinal-models</c> and
/// <c>time-ordinal MODEL --data DIR</c> for the cumulative link models compared with ordinal::clmm; <c>list-mv-models</c> and
/// <c>time-mv MODEL --data DIR</c> for the multivariate models compared with nlme; <c>scale-out-generate DIR [ROWS] [FILES]</c> writes the issue-17 Parquet data set; <c>dense-cholesky</c> compares the managed Cholesky with OpenBLAS
/// quickly; <c>gradient-cost MODEL --data DIR</c> times an evaluation with and without the analytic gradient; <c>tail-fill MODEL --data DIR [--uniform SEED]</c> prints the sparse tail's measured fill; <c>fit-profile MODEL --data DIR</c> splits one fit's time into setup, evaluations and assembly; anything else goes to BenchmarkDotNet's switcher (e.g. <c>--filter '*' --job short</c>).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "generate":
                Datasets.WriteAll(args.Length > 1 ? args[1] : "benchmarks/data", Console.Out, args.Skip(2).ToArray());
                return 0;
            case "list-models":
                foreach (var m in BenchmarkModel.All)
                    Console.WriteLine($"{m.Name}\t{m.File}\t{m.Formula}\t{(m.Reml ? "REML" : "ML")}\t{m.Repetitions}\t{m.Lme4Repetitions}");
                return 0;
            case "list-mm-models":
                foreach (var m in BenchmarkModel.MultipleMembership)
                    Console.WriteLine($"{m.Name}\t{m.File}\t{m.Formula}\t{(m.Reml ? "REML" : "ML")}\t{m.Repetitions}\t{m.Lme4Repetitions}");
                return 0;
            case "list-glmm-models":
                foreach (var m in GlmmBenchmarkModel.All)
                    Console.WriteLine($"{m.Name}\t{m.File}\t{m.Formula}\t{m.RFamily}\t{m.Repetitions}\t{m.RRepetitions}");
                return 0;
            case "list-ordinal-models":
                foreach (var m in OrdinalBenchmarkModel.All)
                    Console.WriteLine($"{m.Name}\t{m.File}\t{m.Formula}\t{m.Repetitions}\t{m.RRepetitions}");
                return 0;
            case "time-ordinal":
                return OrdinalFitTimer.Run(args[1..]);
            case "time-glmm":
                return GlmmFitTimer.Run(args[1..]);
            case "list-residual-models":
                foreach (var m in ResidualBenchmarkModel.All)
                    Console.WriteLine($"{m.Name}\t{m.File}\t{m.Repetitions}\t{m.RRepetitions}");
                return 0;
            case "residual-gram-cost":
                return ResidualGramCost.Run(args[1..]);
            case "time-residual":
                return ResidualFitTimer.Run(args[1..]);
            case "list-mv-models":
                foreach (var m in MultivariateBenchmarkModel.All)
                    Console.WriteLine($"{m.Name}\t{m.File}\t{m.Repetitions}\t{m.RRepetitions}");
                return 0;
            case "time-mv":
                return MultivariateFitTimer.Run(args[1..]);
            case "time-fit":
                return FitTimer.Run(args[1..]);
            case "scale-out-generate":
                return ScaleOutData.Run(args[1..]);
            case "scale-out-accuracy":
                return ScaleOutData.Accuracy(args[1..]);
            case "scale-out-csv":
                return ScaleOutData.Csv(args[1..]);
            case "gradient-cost":
                return GradientCost.Run(args[1..]);
            case "fit-profile":
                return FitProfile.Run(args[1..]);
            case "dense-cholesky":
                return DenseCholeskyTimer.Run(args[1..]);
            case "tail-fill":
                return TailFill.Run(args[1..]);
            default:
                BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
                return 0;
        }
    }
}
