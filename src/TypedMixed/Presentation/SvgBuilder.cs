using System.Globalization;
using System.Text;
using static TypedMixed.Presentation.NumberText;

namespace TypedMixed.Presentation;

/// <summary>A minimal SVG writer: elements with invariant-culture coordinates and escaped text.</summary>
internal sealed class SvgBuilder
{
    private readonly StringBuilder _sb = new();

    public SvgBuilder(double width, double height)
    {
        _sb.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(Svg(width)).Append("\" height=\"").Append(Svg(height))
           .Append("\" viewBox=\"0 0 ").Append(Svg(width)).Append(' ').Append(Svg(height)).Append("\" font-family=\"Helvetica, Arial, sans-serif\">\n");
        _sb.Append("<rect x=\"0\" y=\"0\" width=\"").Append(Svg(width)).Append("\" height=\"").Append(Svg(height)).Append("\" fill=\"white\"/>\n");
    }

    public void Raw(string text) => _sb.Append(text).Append('\n');

    public void Line(double x1, double y1, double x2, double y2, string stroke, double width = 1, string? extra = null)
    {
        _sb.Append("<line x1=\"").Append(Svg(x1)).Append("\" y1=\"").Append(Svg(y1)).Append("\" x2=\"").Append(Svg(x2)).Append("\" y2=\"").Append(Svg(y2))
           .Append("\" stroke=\"").Append(stroke).Append("\" stroke-width=\"").Append(Svg(width)).Append('"');
        if (extra is not null) _sb.Append(' ').Append(extra);
        _sb.Append("/>\n");
    }

    public void Circle(double cx, double cy, double r, string fill, string? extra = null)
    {
        _sb.Append("<circle cx=\"").Append(Svg(cx)).Append("\" cy=\"").Append(Svg(cy)).Append("\" r=\"").Append(Svg(r)).Append("\" fill=\"").Append(fill).Append('"');
        if (extra is not null) _sb.Append(' ').Append(extra);
        _sb.Append("/>\n");
    }

    public void Rect(double x, double y, double w, double h, string fill, string? extra = null)
    {
        _sb.Append("<rect x=\"").Append(Svg(x)).Append("\" y=\"").Append(Svg(y)).Append("\" width=\"").Append(Svg(w)).Append("\" height=\"").Append(Svg(h))
           .Append("\" fill=\"").Append(fill).Append('"');
        if (extra is not null) _sb.Append(' ').Append(extra);
        _sb.Append("/>\n");
    }

    public void Polyline(IEnumerable<(double X, double Y)> points, string stroke, double width, string? extra = null)
    {
        _sb.Append("<polyline fill=\"none\" stroke=\"").Append(stroke).Append("\" stroke-width=\"").Append(Svg(width)).Append("\" points=\"");
        bool first = true;
        foreach (var (x, y) in points)
        {
            if (!first) _sb.Append(' ');
            _sb.Append(Svg(x)).Append(',').Append(Svg(y));
            first = false;
        }
        _sb.Append('"');
        if (extra is not null) _sb.Append(' ').Append(extra);
        _sb.Append("/>\n");
    }

    /// <summary>Text; <paramref name="anchor"/> is start, middle or end; <paramref name="rotate"/> in degrees about (x, y).</summary>
    public void Text(double x, double y, string text, double size = 11, string anchor = "start", string fill = "#222", double rotate = 0, string? extra = null)
    {
        _sb.Append("<text x=\"").Append(Svg(x)).Append("\" y=\"").Append(Svg(y)).Append("\" font-size=\"").Append(Svg(size))
           .Append("\" text-anchor=\"").Append(anchor).Append("\" fill=\"").Append(fill).Append('"');
        if (rotate != 0) _sb.Append(" transform=\"rotate(").Append(Svg(rotate)).Append(' ').Append(Svg(x)).Append(' ').Append(Svg(y)).Append(")\"");
        if (extra is not null) _sb.Append(' ').Append(extra);
        _sb.Append('>').Append(Escape(text)).Append("</text>\n");
    }

    public override string ToString() => _sb.ToString() + "</svg>\n";

    public static string Escape(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);

    /// <summary>Approximate width of <paramref name="text"/> in pixels at <paramref name="size"/> (for margins).</summary>
    public static double TextWidth(string text, double size) => text.Length * size * 0.56;
}

/// <summary>Axis scales with "nice" tick values (1, 2 or 5 × 10^k steps).</summary>
internal readonly record struct AxisScale(double Min, double Max, double Step)
{
    public static AxisScale Nice(double min, double max, int targetTicks = 6)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max)) (min, max) = (0, 1);
        if (min > max) (min, max) = (max, min);
        if (max - min < 1e-300)
        {
            double pad = min == 0 ? 1 : Math.Abs(min) * 0.1;
            (min, max) = (min - pad, max + pad);
        }
        // Among 1, 2, 5 × 10^k steps, take the one whose tick count is closest to the target.
        double raw = (max - min) / Math.Max(1, targetTicks);
        double mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = mag;
        double best = double.MaxValue;
        foreach (double f in (double[])[1, 2, 5, 10, 20])
        {
            double s = f * mag;
            double intervals = Math.Ceiling(max / s - 1e-9) - Math.Floor(min / s + 1e-9);
            double score = Math.Abs(intervals - targetTicks);
            if (score < best) (best, step) = (score, s);
        }
        return new AxisScale(Math.Floor(min / step + 1e-9) * step, Math.Ceiling(max / step - 1e-9) * step, step);
    }

    public IEnumerable<double> Ticks()
    {
        int count = (int)Math.Round((Max - Min) / Step);
        for (int i = 0; i <= count; i++)
        {
            double t = Min + i * Step;
            yield return Math.Abs(t) < Step * 1e-9 ? 0 : t;
        }
    }

    /// <summary>A tick label with as many decimals as the step needs.</summary>
    public string Label(double tick)
    {
        int decimals = Math.Max(0, (int)-Math.Floor(Math.Log10(Step) + 1e-9));
        if (Math.Abs(tick) >= 1e6 || (tick != 0 && Math.Abs(tick) < 1e-4)) return Scientific(tick, 2);
        return tick.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }
}
