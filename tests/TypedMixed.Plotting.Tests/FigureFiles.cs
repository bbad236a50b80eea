using System.Xml.Linq;
using SkiaSharp;

namespace TypedMixed.Plotting.Tests;

/// <summary>Checks on written figures: signature, size, drawn content; optionally keeps copies for looking at.</summary>
internal static class FigureFiles
{
    /// <summary>Writes the figure as PNG and SVG to a temporary folder (and to $TYPEDMIXED_FIGURES when set) and checks both.</summary>
    public static (SKBitmap Png, XDocument Svg) Check(Figure figure, string name)
    {
        string dir = Environment.GetEnvironmentVariable("TYPEDMIXED_FIGURES") is { Length: > 0 } keep
            ? Directory.CreateDirectory(keep).FullName
            : Directory.CreateTempSubdirectory("typedmixed-figures-").FullName;
        string png = Path.Combine(dir, name + ".png"), svg = Path.Combine(dir, name + ".svg");
        figure.Save(png);
        figure.Save(svg);

        byte[] bytes = File.ReadAllBytes(png);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        var bitmap = SKBitmap.Decode(bytes);
        Assert.NotNull(bitmap);
        Assert.Equal(figure.Width, bitmap.Width);
        Assert.Equal(figure.Height, bitmap.Height);
        Assert.True(InkFraction(bitmap) > 0.01, $"{name}.png is nearly blank ({InkFraction(bitmap):P2} non-white pixels)");

        var doc = XDocument.Load(svg);
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(ns + "svg", doc.Root!.Name);
        Assert.Equal(figure.Width, (double)doc.Root.Attribute("width")!);
        Assert.Equal(figure.Height, (double)doc.Root.Attribute("height")!);
        Assert.True(doc.Descendants().Count() > 50, $"{name}.svg has only {doc.Descendants().Count()} elements");
        return (bitmap, doc);
    }

    /// <summary>Share of pixels that are not (near) white.</summary>
    public static double InkFraction(SKBitmap bitmap)
    {
        long ink = 0;
        for (int y = 0; y < bitmap.Height; y += 2)
            for (int x = 0; x < bitmap.Width; x += 2)
            {
                var c = bitmap.GetPixel(x, y);
                if (c.Red < 235 || c.Green < 235 || c.Blue < 235) ink++;
            }
        return ink / ((bitmap.Height + 1) / 2.0 * ((bitmap.Width + 1) / 2.0));
    }

    /// <summary>All text of an SVG document (SkiaSharp writes each run of text in a text element).</summary>
    public static string Text(XDocument svg) => string.Join("\n", svg.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value.Trim()));
}
