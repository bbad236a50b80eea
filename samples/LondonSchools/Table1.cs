using TypedMixed;

namespace LondonSchools;

/// <summary>
/// Table 1 laid out side by side: for each model the published cell and ours, rounded to the published decimals, with
/// ≠ after a cell that differs. Every comparison goes through a <see cref="PublishedCheck"/>.
/// </summary>
public sealed class Table1(PublishedCheck check)
{
    private const int LabelWidth = 22, CellWidth = 15;
    private readonly List<(string Label, (string Published, string Ours, bool Same)?[] Cells)> _rows = [];

    /// <summary>A row of fixed effects "estimate (SE)"; a null estimate or published cell leaves the model's cell empty.</summary>
    public void Estimates(string label, TypedMixed.FixedEffectEstimate?[] ours, string?[] published) =>
        Add(label, published, m => ours[m] is { } e ? (e.Estimate, e.StdError) : null);

    /// <summary>A row of variance components "variance (SE)".</summary>
    public void Variances(string label, TypedMixed.VarianceComponent[] ours, string?[] published) =>
        Add(label, published, m => (ours[m].Estimate, ours[m].StdError));

    /// <summary>A row of single numbers.</summary>
    public void Values(string label, double[] ours, string?[] published, Rounding rounding = Rounding.Nearest) =>
        Add(label, published, m => (ours[m], null), rounding);

    private void Add(string label, string?[] published, Func<int, (double Value, double? StdError)?> ours, Rounding rounding = Rounding.Nearest)
    {
        var cells = new (string, string, bool)?[published.Length];
        for (int m = 0; m < published.Length; m++)
        {
            if (published[m] is not { } text || ours(m) is not { } value) continue;
            string model = $"Model {m + 1}, {label}";
            var parts = text.Split(" (");
            var (estimate, sameEstimate) = check.Compare(model, parts[0], value.Value, rounding);
            if (parts.Length == 1 || value.StdError is not { } se)
            {
                cells[m] = (text, estimate, sameEstimate);
                continue;
            }
            var (error, sameError) = check.Compare(model + " SE", parts[1].TrimEnd(')'), se);
            cells[m] = (text, $"{estimate} ({error})", sameEstimate && sameError);
        }
        _rows.Add((label, cells));
    }

    /// <summary>Writes the table with a two-line header (model names; published and ours).</summary>
    public void Print(TextWriter o, string[] models)
    {
        var line = new System.Text.StringBuilder(new string(' ', LabelWidth));
        foreach (var model in models) line.Append("  ").Append(model.PadLeft(CellWidth + 1 + CellWidth / 2 + model.Length / 2).PadRight(2 * CellWidth + 3));
        o.WriteLine(line.ToString().TrimEnd());
        line.Clear().Append(' ', LabelWidth);
        foreach (var _ in models) line.Append("  ").Append("published".PadLeft(CellWidth)).Append(' ').Append("ours".PadLeft(CellWidth)).Append("  ");
        o.WriteLine(line.ToString().TrimEnd());
        foreach (var (label, cells) in _rows)
        {
            line.Clear().Append(label.PadRight(LabelWidth));
            foreach (var cell in cells)
                line.Append(cell is { } c
                    ? "  " + c.Published.PadLeft(CellWidth) + " " + c.Ours.PadLeft(CellWidth) + (c.Same ? "  " : " ≠")
                    : "  " + new string(' ', 2 * CellWidth + 3));
            o.WriteLine(line.ToString().TrimEnd());
        }
    }
}
