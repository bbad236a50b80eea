using System.Text.Json;
using TypedMixed.Cli.Data;
using TypedMixed.Cli.Design;
using TypedMixed.Cli.Formulas;

namespace TypedMixed.Cli.Tests;

/// <summary>The CLI's level order (numbers numerically, text ordinally) against R's, from <c>levels.json</c>.</summary>
public class ReferenceLevelTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "Data", "reference");

    public static TheoryData<string, string> Factors()
    {
        var data = new TheoryData<string, string>();
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "levels.json")));
        foreach (var dataset in doc.RootElement.EnumerateObject())
            foreach (var column in dataset.Value.EnumerateObject())
                if (column.Value.GetProperty("type").GetString() == "factor")
                    data.Add(dataset.Name, column.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Factors))]
    public void First_level_matches_R_except_Exam_schgend(string dataset, string column)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "levels.json")));
        var rLevels = doc.RootElement.GetProperty(dataset).GetProperty(column).GetProperty("levels").EnumerateArray().Select(e => e.GetString()!).ToList();
        var table = CsvTable.Load(Path.Combine(Root, dataset + ".csv"));
        var response = table.Columns.First(c => c.IsNumeric && c.Name != column).Name;
        var design = DesignBuilder.Build(FormulaParser.Parse($"{response} ~ 1 + (1 | {column})"), table).Design;
        var ours = design.Terms[0].LevelKeys;
        Assert.Equal(rLevels.Order().ToList(), ours.Order().ToList()); // same set of levels
        if (dataset == "Exam" && column == "schgend")
        {
            // R keeps the order of the data's factor (mixed, boys, girls); ordinal order gives boys first.
            Assert.Equal("boys", ours[0]);
            Assert.Equal("mixed", rLevels[0]);
        }
        else
        {
            Assert.Equal(rLevels[0], ours[0]);
        }
    }
}
