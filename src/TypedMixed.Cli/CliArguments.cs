using TypedMixed.Cli.Data;

namespace TypedMixed.Cli;

/// <summary>The parsed command line of <c>typedmixed fit</c>.</summary>
internal sealed class CliArguments
{
    public const string Usage = """
        Usage: typedmixed fit <data.csv> "<formula>" [options]

        Fits a linear mixed model to a CSV file (header row; RFC 4180 quoting) from an lme4-style formula,
        e.g.  typedmixed fit Exam.csv "normexam ~ standLRT + sex + (1 | school)" --ml

        Formula: + * : (interactions), 0 + / - 1 (no intercept), factor(x), (1 | g), (x | g) correlated,
                 (x || g) uncorrelated, (1 | a/b) nested, (1 | a:b), several crossed terms.
                 Text columns are categorical (levels in ordinal order, first level the reference; numeric
                 columns used as grouping factors are categories too). Rows with NA or empty values in any
                 column the formula uses are dropped.

        Options:
          --reml                         restricted maximum likelihood (the default, as lme4)
          --ml                           maximum likelihood
          --json <out.json>              also write the fit as JSON (lme4 reference layout)
          --markdown                     print the summary as Markdown instead of text
          --caterpillar <term> <out.svg> SVG caterpillar plot of a term's predicted effects;
                                         <term> is a group name (first effect) or group[effect], e.g. Subject[Days]
          --reference <column>=<level>   reference (first) level of a categorical column (repeatable)
          --quiet                        no optimizer progress on stderr
          -h, --help                     this text
          --version                      the version

        Exit codes: 0 success, 1 usage or data error, 2 the fit failed, 130 cancelled.
        """;

    public required string DataPath { get; init; }

    public required string Formula { get; init; }

    public EstimationMethod Method { get; init; } = EstimationMethod.Reml;

    public string? JsonPath { get; init; }

    public bool Markdown { get; init; }

    public bool Quiet { get; init; }

    public IReadOnlyList<(string Term, string Path)> Caterpillars { get; init; } = [];

    public IReadOnlyDictionary<string, string> ReferenceLevels { get; init; } = new Dictionary<string, string>();

    /// <summary>Parses the arguments after <c>fit</c>; throws <see cref="CliException"/> with the problem and the usage.</summary>
    public static CliArguments Parse(IReadOnlyList<string> args)
    {
        var positional = new List<string>();
        EstimationMethod? method = null;
        string? json = null;
        bool markdown = false, quiet = false;
        var caterpillars = new List<(string, string)>();
        var references = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            string Value(string option)
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    throw new CliException($"Option {option} needs a value.");
                return args[++i];
            }
            switch (a)
            {
                case "--reml":
                case "--ml":
                    var m = a == "--ml" ? EstimationMethod.MaximumLikelihood : EstimationMethod.Reml;
                    if (method is not null && method != m) throw new CliException("Give either --reml or --ml, not both.");
                    method = m;
                    break;
                case "--json":
                    json = Value(a);
                    break;
                case "--markdown":
                    markdown = true;
                    break;
                case "--quiet":
                    quiet = true;
                    break;
                case "--caterpillar":
                    string term = Value(a);
                    caterpillars.Add((term, Value(a)));
                    break;
                case "--reference":
                    string spec = Value(a);
                    int eq = spec.IndexOf('=', StringComparison.Ordinal);
                    if (eq <= 0 || eq == spec.Length - 1) throw new CliException($"--reference takes <column>=<level>, e.g. --reference sex=M; got '{spec}'.");
                    references[spec[..eq]] = spec[(eq + 1)..];
                    break;
                default:
                    if (a.StartsWith("--", StringComparison.Ordinal) || (a.StartsWith('-') && a.Length > 1 && !char.IsDigit(a[1])))
                        throw new CliException($"Unknown option '{a}'.");
                    positional.Add(a);
                    break;
            }
        }
        if (positional.Count < 2)
            throw new CliException(positional.Count == 0 ? "Give the data file and the formula." : "Give the formula after the data file (quote it).");
        if (positional.Count > 2)
            throw new CliException($"Too many arguments: '{positional[2]}'. Quote the formula so the shell passes it as one argument.");
        return new CliArguments
        {
            DataPath = positional[0],
            Formula = positional[1],
            Method = method ?? EstimationMethod.Reml,
            JsonPath = json,
            Markdown = markdown,
            Quiet = quiet,
            Caterpillars = caterpillars,
            ReferenceLevels = references,
        };
    }
}
