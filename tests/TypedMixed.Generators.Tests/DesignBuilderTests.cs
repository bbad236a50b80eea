using TypedMixed.Generators.Tests.Models;

namespace TypedMixed.Generators.Tests;

/// <summary>The generated design builders (compiled by the real build) against designs built by hand.</summary>
public class DesignBuilderTests
{
    private static readonly Pupil[] Pupils =
    [
        new(0.5, 1.0, Sex.Girl, SchoolGender.Mixed, 7),
        new(-0.2, -0.5, Sex.Boy, SchoolGender.Mixed, 7),
        new(1.1, 0.3, Sex.Girl, SchoolGender.Girls, 3),
        new(0.0, 2.0, Sex.Boy, SchoolGender.Boys, 12),
    ];

    internal static void AssertSameDesign(ModelDesign expected, ModelDesign actual)
    {
        Assert.Equal(expected.ResponseName, actual.ResponseName);
        Assert.Equal(expected.Response, actual.Response);
        Assert.Equal(expected.FixedEffectNames, actual.FixedEffectNames);
        Assert.Equal(expected.FixedEffects, actual.FixedEffects);
        Assert.Equal(expected.RowsDropped, actual.RowsDropped);
        Assert.Equal(expected.Terms.Count, actual.Terms.Count);
        for (int t = 0; t < expected.Terms.Count; t++)
        {
            var e = expected.Terms[t];
            var a = actual.Terms[t];
            Assert.Equal(e.Name, a.Name);
            Assert.Equal(e.LevelIndex, a.LevelIndex);
            Assert.Equal(e.LevelKeys, a.LevelKeys);
            Assert.Equal(e.ColumnNames, a.ColumnNames);
            Assert.Equal(e.Columns, a.Columns);
            Assert.Equal(e.Covariance, a.Covariance);
        }
    }

    [Fact]
    public void Model3_codes_enums_as_treatment_contrasts_and_sorts_school_keys_numerically()
    {
        var expected = new ModelDesign
        {
            ResponseName = "NormExam",
            Response = [0.5, -0.2, 1.1, 0.0],
            FixedEffectNames = ["(Intercept)", "StandLrt", "SexGirl", "SchoolGenderBoys", "SchoolGenderGirls"],
            FixedEffects =
            [
                1, 1, 1, 1,
                1.0, -0.5, 0.3, 2.0,
                1, 0, 1, 0,
                0, 0, 0, 1,
                0, 0, 1, 0,
            ],
            Terms = [RandomEffectsTerm.Intercept("School", [1, 1, 0, 2], ["3", "7", "12"])],
        };
        AssertSameDesign(expected, SchoolGenderModel.BuildDesign(Pupils));
    }

    [Fact]
    public void Random_slope_term_has_intercept_and_slope_columns()
    {
        var design = RandomSlopeModel.BuildDesign(Pupils);
        var term = Assert.Single(design.Terms);
        Assert.Equal(["(Intercept)", "StandLrt"], term.ColumnNames);
        Assert.Equal([1, 1, 1, 1, 1.0, -0.5, 0.3, 2.0], term.Columns);
        Assert.Equal(CovarianceStructure.Unstructured, term.Covariance);
        Assert.Equal(CovarianceStructure.Diagonal, SleepUncorrelatedModel.BuildDesign([new(1, 0, 1), new(2, 1, 2)]).Terms[0].Covariance);
    }

    private static Visit V(double? score, double time, Treatment arm, string clinic, int patient, int rater = 1, string region = "North", bool female = false, double size = 10) =>
        new(score, time, arm, female, region, size, clinic, patient, rater);

    [Fact]
    public void Nested_term_has_one_level_per_pair_named_innermost_first_and_interaction_columns()
    {
        Visit[] visits =
        [
            V(1, 0, Treatment.Drug, "b", 1),
            V(2, 1, Treatment.Drug, "b", 1),
            V(3, 0, Treatment.Placebo, "a", 1),
            V(null, 2, Treatment.Placebo, "a", 2),
            V(5, 2, Treatment.Placebo, "a", 2),
        ];
        var expected = new ModelDesign
        {
            ResponseName = "Score",
            Response = [1, 2, 3, 5],
            FixedEffectNames = ["(Intercept)", "Time", "TreatmentDrug", "Time:TreatmentDrug"],
            FixedEffects = [1, 1, 1, 1, 0, 1, 0, 2, 1, 1, 0, 0, 0, 1, 0, 0],
            Terms =
            [
                RandomEffectsTerm.Intercept("Clinic", [1, 1, 0, 0], ["a", "b"]),
                RandomEffectsTerm.Intercept("Patient:Clinic", [1, 1, 0, 2], ["1:a", "1:b", "2:a"]),
            ],
            RowsDropped = 1,
        };
        AssertSameDesign(expected, NestedModel.BuildDesign(visits));
    }

    [Fact]
    public void String_category_levels_are_sorted_ordinally_and_bools_give_a_TRUE_column()
    {
        Visit[] visits =
        [
            V(1, 0, Treatment.Drug, "a", 1, rater: 2, region: "south", female: true),
            V(2, 1, Treatment.Drug, "a", 2, rater: 1, region: "North"),
            V(3, 0, Treatment.Placebo, "a", 3, rater: 2, region: "East"),
        ];
        var design = CrossedModel.BuildDesign(visits);
        Assert.Equal(["(Intercept)", "Time", "FemaleTRUE", "RegionNorth", "Regionsouth"], design.FixedEffectNames);
        Assert.Equal([1, 0, 0, 0, 1, 0, 1, 0, 0], design.FixedEffects[6..]);
        Assert.Equal(["Patient:Clinic", "Rater"], design.Terms.Select(t => t.Name));
        Assert.Equal(["1", "2"], design.Terms[1].LevelKeys);
    }

    // The expected columns below are R's model.matrix on the same rows (R 4.2, checked by hand), names with R's member + level.

    [Fact]
    public void Without_intercept_the_first_category_is_coded_by_all_levels_and_later_ones_by_contrasts()
    {
        var expected = new ModelDesign
        {
            ResponseName = "NormExam",
            Response = [0.5, -0.2, 1.1, 0.0],
            FixedEffectNames = ["StandLrt", "SexBoy", "SexGirl", "SchoolGenderBoys", "SchoolGenderGirls"],
            FixedEffects =
            [
                1.0, -0.5, 0.3, 2.0,
                0, 1, 0, 1,
                1, 0, 1, 0,
                0, 0, 0, 1,
                0, 0, 1, 0,
            ],
            Terms = [RandomEffectsTerm.Intercept("School", [1, 1, 0, 2], ["3", "7", "12"])],
        };
        AssertSameDesign(expected, NoInterceptModel.BuildDesign(Pupils));
    }

    [Fact]
    public void Without_intercept_a_slope_per_level_codes_the_interaction_and_the_random_term_by_all_levels()
    {
        var expected = new ModelDesign
        {
            ResponseName = "NormExam",
            Response = [0.5, -0.2, 1.1, 0.0],
            FixedEffectNames = ["SexBoy", "SexGirl", "SexBoy:StandLrt", "SexGirl:StandLrt"],
            FixedEffects =
            [
                0, 1, 0, 1,
                1, 0, 1, 0,
                0, -0.5, 0, 2.0,
                1.0, 0, 0.3, 0,
            ],
            Terms =
            [
                new RandomEffectsTerm
                {
                    Name = "School",
                    LevelIndex = [1, 1, 0, 2],
                    LevelKeys = ["3", "7", "12"],
                    ColumnNames = ["SexBoy", "SexGirl"],
                    Columns = [0, 1, 0, 1, 1, 0, 1, 0],
                    Covariance = CovarianceStructure.Unstructured,
                },
            ],
        };
        AssertSameDesign(expected, SlopePerSexModel.BuildDesign(Pupils));
    }

    [Fact]
    public void Interaction_without_its_margins_codes_its_categories_by_all_levels_in_variable_order()
    {
        Visit[] visits =
        [
            V(1, 0, Treatment.Drug, "a", 1, female: true),
            V(2, 1, Treatment.Placebo, "a", 2),
            V(3, 2, Treatment.Drug, "a", 3),
            V(4, 3, Treatment.Placebo, "a", 4, female: true),
        ];
        var design = ThreeWayModel.BuildDesign(visits);
        Assert.Equal(
            ["(Intercept)", "Time", "TreatmentDrug", "FemaleTRUE",
             "Time:TreatmentPlacebo:FemaleFALSE", "Time:TreatmentDrug:FemaleFALSE", "Time:TreatmentPlacebo:FemaleTRUE", "Time:TreatmentDrug:FemaleTRUE"],
            design.FixedEffectNames);
        Assert.Equal(
            [
                1, 1, 1, 1,
                0, 1, 2, 3,
                1, 0, 1, 0,
                1, 0, 0, 1,
                0, 1, 0, 0,
                0, 0, 2, 0,
                0, 0, 0, 3,
                0, 0, 0, 0,
            ],
            design.FixedEffects);
    }

    [Fact]
    public void NaN_names_the_row_and_member()
    {
        var ex = Assert.Throws<ModelDesignException>(() => SchoolGenderModel.BuildDesign([Pupils[0], Pupils[1] with { StandLrt = double.NaN }]));
        Assert.Equal(1, ex.Row);
        Assert.Equal("StandLrt", ex.Member);
        Assert.Contains("row 1", ex.Message);
    }

    [Fact]
    public void Undefined_enum_value_names_the_row_and_member()
    {
        var ex = Assert.Throws<ModelDesignException>(() => SchoolGenderModel.BuildDesign([Pupils[0] with { Sex = (Sex)5 }]));
        Assert.Equal(("Sex", 0), (ex.Member, ex.Row));
    }

    [Fact]
    public void Covariate_varying_within_its_measured_on_cluster_names_the_cluster_and_both_values()
    {
        var ex = Assert.Throws<ModelDesignException>(() => SchoolGenderModel.BuildDesign([Pupils[0], Pupils[1] with { SchoolGender = SchoolGender.Girls }]));
        Assert.Equal(("SchoolGender", 1), (ex.Member, ex.Row));
        Assert.Contains("School 7", ex.Message);
        Assert.Contains("Mixed at row 0", ex.Message);
        Assert.Contains("Girls at row 1", ex.Message);
    }

    [Fact]
    public void Null_record_names_the_row()
    {
        var ex = Assert.Throws<ModelDesignException>(() => SchoolGenderModel.BuildDesign([Pupils[0], null!]));
        Assert.Equal(1, ex.Row);
    }

    [Fact]
    public void Declared_method_is_exposed()
    {
        Assert.Equal(EstimationMethod.MaximumLikelihood, SchoolGenderModel.DeclaredMethod);
        Assert.Equal(EstimationMethod.Reml, SleepModel.DeclaredMethod);
    }
}
