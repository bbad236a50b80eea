using System.Text;

namespace TypedMixed.Presentation;

/// <summary>A small table of already formatted cells, rendered as aligned text or as a Markdown pipe table.</summary>
internal sealed class ReportTable(IReadOnlyList<string> headers, IReadOnlyList<bool> rightAligned)
{
    private readonly List<string[]> _rows = [];

    public IReadOnlyList<string> Headers { get; } = headers;

    public void Add(params string[] cells)
    {
        if (cells.Length != Headers.Count) throw new ArgumentException($"A row needs {Headers.Count} cells.", nameof(cells));
        _rows.Add(cells);
    }

    /// <summary>Aligned columns separated by two spaces; text left-aligned, numbers right-aligned; trailing blanks trimmed.</summary>
    public string ToText(string indent = " ")
    {
        var widths = Headers.Select((h, c) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[c].Length))).ToArray();
        var sb = new StringBuilder();
        void Line(IReadOnlyList<string> cells)
        {
            var line = new StringBuilder(indent);
            for (int c = 0; c < cells.Count; c++)
            {
                if (c > 0) line.Append("  ");
                line.Append(rightAligned[c] ? cells[c].PadLeft(widths[c]) : cells[c].PadRight(widths[c]));
            }
            sb.Append(line.ToString().TrimEnd()).Append('\n');
        }
        Line(Headers);
        foreach (var r in _rows) Line(r);
        return sb.ToString();
    }

    /// <summary>A GitHub-flavoured Markdown pipe table, cells escaped.</summary>
    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.Append("| ").Append(string.Join(" | ", Headers.Select(Escape))).Append(" |\n");
        sb.Append('|').Append(string.Join("|", rightAligned.Select(r => r ? "---:" : ":---"))).Append("|\n");
        foreach (var r in _rows) sb.Append("| ").Append(string.Join(" | ", r.Select(Escape))).Append(" |\n");
        return sb.ToString();
    }

    /// <summary>Escapes the characters that Markdown table cells treat specially.</summary>
    public static string Escape(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (char ch in s)
        {
            if (ch is '|' or '\\' or '*' or '_' or '`' or '<' or '>' or '[' or ']') sb.Append('\\');
            sb.Append(ch);
        }
        return sb.ToString();
    }
}
