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

    /// <summary>An HTML table (cells encoded); numbers right-aligned.</summary>
    public string ToHtml()
    {
        var sb = new StringBuilder("<table>\n<thead><tr>");
        for (int c = 0; c < Headers.Count; c++)
            sb.Append(rightAligned[c] ? "<th style=\"text-align:right\">" : "<th style=\"text-align:left\">").Append(Html(Headers[c])).Append("</th>");
        sb.Append("</tr></thead>\n<tbody>\n");
        foreach (var r in _rows)
        {
            sb.Append("<tr>");
            for (int c = 0; c < r.Length; c++)
                sb.Append(rightAligned[c] ? "<td style=\"text-align:right\">" : "<td style=\"text-align:left\">").Append(Html(r[c])).Append("</td>");
            sb.Append("</tr>\n");
        }
        return sb.Append("</tbody>\n</table>\n").ToString();
    }

    /// <summary>Encodes text for HTML content and attributes.</summary>
    public static string Html(string s) => System.Net.WebUtility.HtmlEncode(s);

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
