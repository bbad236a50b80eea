using ScottPlot;
using SkiaSharp;

namespace TypedMixed.Plotting;

/// <summary>
/// A finished figure: one or more ScottPlot panels side by side, with a size in pixels. Write it with
/// <see cref="Save"/> (PNG or SVG by the file's extension), or get the bytes with <see cref="ToPng"/> and
/// <see cref="ToSvg"/>. The panels stay reachable through <see cref="Panels"/> for further styling.
/// </summary>
public sealed class Figure
{
    internal Figure(IReadOnlyList<Plot> panels, int panelWidth, int height)
    {
        if (panels.Count == 0) throw new ArgumentException("A figure needs at least one panel.", nameof(panels));
        Panels = panels;
        PanelWidth = panelWidth;
        Height = height;
    }

    /// <summary>The panels, left to right; each is an ordinary ScottPlot <see cref="Plot"/>.</summary>
    public IReadOnlyList<Plot> Panels { get; }

    /// <summary>Width of each panel in pixels.</summary>
    public int PanelWidth { get; }

    /// <summary>Width of the image in pixels (panels side by side).</summary>
    public int Width => PanelWidth * Panels.Count;

    /// <summary>Height of the image in pixels.</summary>
    public int Height { get; }

    /// <summary>Writes the figure to <paramref name="path"/>: PNG for <c>.png</c>, SVG for <c>.svg</c> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">The extension is neither <c>.png</c> nor <c>.svg</c>.</exception>
    public void Save(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        switch (FormatOf(path))
        {
            case FigureFormat.Png:
                File.WriteAllBytes(path, ToPng());
                break;
            default:
                File.WriteAllText(path, ToSvg());
                break;
        }
    }

    /// <summary>The format a file name asks for; throws for anything but <c>.png</c> and <c>.svg</c>.</summary>
    public static FigureFormat FormatOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string ext = Path.GetExtension(path).ToLowerInvariant();
        return ext switch
        {
            ".png" => FigureFormat.Png,
            ".svg" => FigureFormat.Svg,
            _ => throw new ArgumentException($"A figure is written as .png or .svg; '{path}' has {(ext.Length == 0 ? "no extension" : $"the extension {ext}")}.", nameof(path)),
        };
    }

    /// <summary>The figure as a PNG image.</summary>
    public byte[] ToPng()
    {
        using var surface = SKSurface.Create(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"Could not create a {Width} × {Height} drawing surface.");
        Draw(surface.Canvas);
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>The figure as an SVG document.</summary>
    public string ToSvg()
    {
        using var stream = new MemoryStream();
        using (var canvas = SKSvgCanvas.Create(SKRect.Create(Width, Height), stream))
            Draw(canvas);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private void Draw(SKCanvas canvas)
    {
        canvas.Clear(SKColors.White);
        for (int k = 0; k < Panels.Count; k++)
        {
            // ScottPlot clears the canvas before drawing a panel: clip to the panel so the others survive.
            canvas.Save();
            canvas.ClipRect(SKRect.Create(k * PanelWidth, 0, PanelWidth, Height));
            Panels[k].Render(canvas, new PixelRect(k * PanelWidth, (k + 1) * PanelWidth, Height, 0));
            canvas.Restore();
        }
    }
}

/// <summary>The file formats a <see cref="Figure"/> is written in.</summary>
public enum FigureFormat
{
    /// <summary>Portable Network Graphics (raster).</summary>
    Png,

    /// <summary>Scalable Vector Graphics.</summary>
    Svg,
}
