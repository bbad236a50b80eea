using TypedMixed.Generators.Tests.Infrastructure;
using TypedMixed.Generators.Tests.Models;

namespace TypedMixed.Generators.Tests;

/// <summary>
/// The residual structures the generated builders (compiled by the real build) put on the <see cref="ModelDesign"/>:
/// values and ordering as declared, rows never reordered, and the run-time errors only the data can cause.
/// </summary>
public class ResidualStructureDesignTests
{
    private static SleepVisit[] SleepVisits() => Datasets.Sleep.Select(r => new SleepVisit(r.Reaction, (int)r.Days, r.Subject)).ToArray();

    private static Visit V(double? score, double time, string region, double size, string clinic, int patient, bool female = false) =>
        new(score, time, Treatment.Placebo, female, region, size, clinic, patient, Rater: 1);

    [Fact]
    public void AR1_correlation_has_the_time_and_the_classifications_clusters_in_input_order()
    {
        var visits = SleepVisits();
        var design = SleepAr1Model.BuildDesign(visits);
        var c = design.ResidualCorrelation!;
        Assert.Equal(ResidualCorrelationStructure.Ar1, c.Structure);
        Assert.Equal("Days", c.TimeName);
        Assert.Equal(visits.Select(v => (double)v.Days), c.Time);
        Assert.Equal("Subject", c.ClusterName);
        // The same clusters, keys and order as the random intercept's term.
        Assert.Equal(design.Terms[0].LevelKeys, c.ClusterKeys);
        Assert.Equal(design.Terms[0].LevelIndex, c.ClusterIndex);
        Assert.Equal(18, c.ClusterKeys.Count);
        Assert.Null(design.ResidualVariance);
    }

    [Fact]
    public void Times_out_of_order_within_a_cluster_are_an_error_naming_the_rows()
    {
        var visits = SleepVisits();
        (visits[3], visits[4]) = (visits[4], visits[3]); // subject 308: days 0, 1, 2, 4, 3, ...
        var e = Assert.Throws<ModelDesignException>(() => SleepAr1Model.BuildDesign(visits));
        Assert.Contains("The times of Subject 308 are not increasing in input order: 'Days' is 3 at row 4 after 4 at row 3", e.Message);
        Assert.Contains("Sort the records by Subject and Days", e.Message);
    }

    [Fact]
    public void A_repeated_time_within_a_cluster_is_an_error()
    {
        var visits = SleepVisits();
        visits[1] = visits[1] with { Days = 0 };
        var e = Assert.Throws<ModelDesignException>(() => SleepAr1Model.BuildDesign(visits));
        Assert.Contains("'Days' is 0 twice in Subject 308, at rows 0 and 1", e.Message);
    }

    [Fact]
    public void Interleaved_clusters_are_fine_when_each_clusters_times_increase()
    {
        var visits = SleepVisits();
        var interleaved = visits.Where(v => v.Subject == 308).Zip(visits.Where(v => v.Subject == 309)).SelectMany(p => new[] { p.First, p.Second })
            .Concat(visits.Where(v => v.Subject is not (308 or 309))).ToArray();
        var c = SleepAr1Model.BuildDesign(interleaved).ResidualCorrelation!;
        Assert.Equal([0.0, 0, 1, 1, 2, 2], c.Time.Take(6));
        Assert.Equal([0, 1, 0, 1, 0, 1], c.ClusterIndex.Take(6));
    }

    [Fact]
    public void VarIdent_strata_are_the_enums_members_first_the_reference()
    {
        var pupils = Datasets.Exam;
        var v = ExamVarIdentModel.BuildDesign(pupils).ResidualVariance!;
        Assert.Equal(ResidualVarianceFunctionKind.Ident, v.Kind);
        Assert.Equal("Sex", v.StratumName);
        Assert.Equal(["Boy", "Girl"], v.StratumKeys!);
        Assert.Equal(pupils.Select(p => p.Sex == Sex.Girl ? 1 : 0), v.StratumIndex!);
        Assert.Empty(v.CovariateNames);
    }

    [Fact]
    public void Loglinear_variance_codes_members_as_the_fixed_part_does()
    {
        var pupils = Datasets.Exam;
        var d = ExamLogLinearModel.BuildDesign(pupils);
        var v = d.ResidualVariance!;
        Assert.Equal(ResidualVarianceFunctionKind.LogLinear, v.Kind);
        Assert.Equal(["SexGirl", "StandLrt"], v.CovariateNames);
        Assert.Equal(pupils.Select(p => p.Sex == Sex.Girl ? 1.0 : 0.0).Concat(pupils.Select(p => p.StandLrt)), v.Covariates);
        Assert.Null(d.ResidualCorrelation);
    }

    [Fact]
    public void Continuous_AR1_over_a_nested_classification_and_members_read_only_by_the_variance_function()
    {
        Visit[] visits =
        [
            V(1.0, 0.5, "north", 10, "A", 1),
            V(2.0, 1.5, "south", 10, "A", 1, female: true),
            V(3.0, 0.0, "north", 10, "A", 2),
            V(4.0, 0.25, null!, 10, "B", 1),     // no region: dropped (the variance function needs it)
            V(5.0, 2.0, "south", 10, "B", 1),
            V(null, 3.0, "south", 10, "B", 1),   // no response: dropped
        ];
        var d = ClinicCar1Model.BuildDesign(visits);
        Assert.Equal(2, d.RowsDropped);
        var c = d.ResidualCorrelation!;
        Assert.Equal(ResidualCorrelationStructure.ContinuousAr1, c.Structure);
        Assert.Equal("Patient:Clinic", c.ClusterName);
        // Ordered as lme4 orders a nested term's levels: by the patient, then by the clinic.
        Assert.Equal(["1:A", "1:B", "2:A"], c.ClusterKeys);
        Assert.Equal([0, 0, 2, 1], c.ClusterIndex);
        Assert.Equal([0.5, 1.5, 0.0, 2.0], c.Time);
        var v = d.ResidualVariance!;
        Assert.Equal(["FemaleTRUE", "Regionsouth"], v.CovariateNames);
        Assert.Equal([0.0, 1, 0, 0, 0, 1, 0, 1], v.Covariates);
    }

    [Fact]
    public void Power_variance_of_a_zero_covariate_is_an_error_naming_the_row()
    {
        Visit[] visits = [V(1.0, 0, "n", 10, "A", 1), V(2.0, 1, "n", 0, "B", 1), V(3.0, 2, "n", 10, "A", 2)];
        var e = Assert.Throws<ModelDesignException>(() => ClinicPowerModel.BuildDesign(visits));
        Assert.Contains("'ClinicSize' is 0 at row 1", e.Message);
        var ok = ClinicPowerModel.BuildDesign([V(1.0, 0, "n", 10, "A", 1), V(2.0, 1, "n", 2.5, "B", 1)]).ResidualVariance!;
        Assert.Equal(ResidualVarianceFunctionKind.Power, ok.Kind);
        Assert.Equal(["ClinicSize"], ok.CovariateNames);
        Assert.Equal([10.0, 2.5], ok.Covariates);
    }
}
