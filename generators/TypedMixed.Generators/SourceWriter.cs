using System;
using System.Text;

namespace TypedMixed.Generators;

/// <summary>A small indenting text writer for generated source (four spaces per level, \n line endings).</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public void Line(string line = "")
    {
        if (line.Length > 0) _text.Append(' ', _indent * 4).Append(line);
        _text.Append('\n');
    }

    /// <summary>Writes a line and opens a brace block.</summary>
    public void Open(string line)
    {
        Line(line);
        Line("{");
        _indent++;
    }

    /// <summary>Opens a brace block after lines already written (e.g. a constructor and its base call).</summary>
    public void OpenBlock()
    {
        Line("{");
        _indent++;
    }

    /// <summary>Closes a brace block, with an optional suffix (e.g. <c>;</c>).</summary>
    public void Close(string suffix = "")
    {
        if (_indent == 0) throw new InvalidOperationException("Unbalanced block.");
        _indent--;
        Line("}" + suffix);
    }

    public void Indent() => _indent++;

    public void Unindent() => _indent--;

    public override string ToString() => _text.ToString();
}
