using TypedMixed.Cli.Data;
using TypedMixed.Cli.Design;
using TypedMixed.Cli.Formulas;

namespace TypedMixed.Cli.Tests;

/// <summary>
/// How <c>--correlation</c> and <c>--variance</c> reach the <see cref="ModelDesign"/>: nlme's spellings parse, times and
/// covariates are computed on the kept rows in file order, varIdent's strata follow R's factor levels, and every bad
/// argument is a <see cref="FormulaException"/> or <see cref="CliException"/> that names what to write.
/// </summary>
public class ResidualStructureDesignTests
{
    private static BuiltDesign Build(string formula, string csv, string? correlation = null, string? variance = null, Dictionary<string, string>? references = null) =>
        DesignBuilder.Build(FormulaParser.Parse(formula), CsvTable.Parse(csv, "test.csv"), new DesignOptions
        {
            Correlation = correlation is null ? null : FormulaParser.ParseCorrelation(correlation),
            Variance = variance is null ? null : FormulaParser.ParseVariance(variance),
            ReferenceLevels = references ?? [],
        });

    // Two subjects (b before a in the file), three days each; subject a has a gap (days 0, 2, 3).
    private const string Visits = """
        y,day,t,subject,x,sex,school
        1.0,0,0.5,b,1.5,M,s1
        2.0,1,1.25,b,2.0,F,s1
        3.5,2,2.0,b,0.5,M,s1
        4.0,0,0.0,a,1.0,F,s2
        5.0,2,1.5,a,3.0,M,s2
        6.5,3,4.0,a,2.5,F,s2
        """;

    [Theory]
    [InlineData("corAR1(~ day | subject)")]
    [InlineData("corAR1(form = ~ day | subject)")]
    [InlineData("corAR1(form=~day|subject)")]
    [InlineData("CORAR1(~ day | subject)")]
    public void CorAR1_takes_the_time_column_and_the_cluster_in_file_order(string spec)
    {
        var c = Build("y ~ day + (1 | subject)", Visits, spec).Design.ResidualCorrelation!;
        Assert.Equal(ResidualCorrelationStructure.Ar1, c.Structure);
        Assert.Equal("day", c.TimeName);
        Assert.Equal([0.0, 1, 2, 0, 2, 3], c.Time);
        Assert.Equal("subject", c.ClusterName);
        // Clusters are keyed as the grouping factor's levels (sorted), rows stay in file order.
        Assert.Equal(["a", "b"], c.ClusterKeys);
        Assert.Equal([1, 1, 1, 0, 0, 0], c.ClusterIndex);
    }

    [Fact]
    public void CorCAR1_takes_real_times()
    {
        var c = Build("y ~ day + (1 | subject)", Visits, "corCAR1(~ t | subject)").Design.ResidualCorrelation!;
        Assert.Equal(ResidualCorrelationStructure.ContinuousAr1, c.Structure);
        Assert.Equal([0.5, 1.25, 2.0, 0.0, 1.5, 4.0], c.Time);
        Assert.Equal("t", c.TimeName);
    }

    [Fact]
    public void Time_may_be_an_expression_as_in_a_formula()
    {
        var c = Build("y ~ day + (1 | subject)", Visits, "corAR1(~ 2 * day + 1 | subject)").Design.ResidualCorrelation!;
        Assert.Equal([1.0, 3, 5, 1, 5, 7], c.Time);
        Assert.Equal("2 * day + 1", c.TimeName);
        var l = Build("y ~ day + (1 | subject)", Visits, "corCAR1(~ log(t + 1) | subject)").Design.ResidualCorrelation!;
        Assert.Equal(Math.Log(1.5), l.Time[0], 15);
    }

    [Fact]
    public void One_as_time_numbers_the_rows_of_each_cluster_in_file_order()
    {
        var c = Build("y ~ day + (1 | subject)", Visits, "corAR1(~ 1 | subject)").Design.ResidualCorrelation!;
        Assert.Equal([1.0, 2, 3, 1, 2, 3], c.Time);
        Assert.Equal("1", c.TimeName);
    }

    [Fact]
    public void Without_a_cluster_the_formulas_only_grouping_factor_is_used_and_said()
    {
        var built = Build("y ~ day + (1 | subject)", Visits, "corAR1()");
        Assert.Equal("subject", built.Design.ResidualCorrelation!.ClusterName);
        Assert.Equal([1.0, 2, 3, 1, 2, 3], built.Design.ResidualCorrelation.Time);
        Assert.Contains(built.Notes, n => n.Contains("correlated within each subject", StringComparison.Ordinal));
        var e = Assert.Throws<CliException>(() => Build("y ~ day + (1 | subject) + (1 | school)", Visits, "corAR1(~ day)"));
        Assert.Contains("name the clusters whose residuals are correlated after '|'", e.Message);
    }

    [Fact]
    public void A_cluster_nested_in_a_grouping_factor_is_accepted()
    {
        // subject is nested in school (each subject in one school), so residuals may be correlated within subjects
        // while the random intercept is over schools.
        var c = Build("y ~ day + (1 | school)", Visits, "corAR1(~ day | subject)").Design.ResidualCorrelation!;
        Assert.Equal("subject", c.ClusterName);
    }

    [Fact]
    public void Nested_grouping_after_the_bar_means_the_innermost_as_in_nlme()
    {
        // school/subject: subjects within schools, the formula's subject:school term.
        var c = Build("y ~ day + (1 | school/subject)", Visits, "corAR1(~ day | school/subject)").Design.ResidualCorrelation!;
        Assert.Equal("subject:school", c.ClusterName);
        Assert.Equal(["a:s2", "b:s1"], c.ClusterKeys);
        var i = Build("y ~ day + (1 | school)", Visits, "corAR1(~ day | subject:school)").Design.ResidualCorrelation!;
        Assert.Equal("subject:school", i.ClusterName);
    }

    [Fact]
    public void A_cluster_crossing_the_grouping_factors_is_an_error_naming_rows()
    {
        // sex is not nested in subject: F rows are in both subjects.
        var e = Assert.Throws<CliException>(() => Build("y ~ day + (1 | subject)", Visits, "corCAR1(~ t | sex)"));
        Assert.Contains("'sex' is not a grouping factor of the formula (subject) nor nested in one", e.Message);
        Assert.Contains("sex F has rows in subject b", e.Message);
        Assert.Contains("row 2 (line 3)", e.Message);
    }

    [Fact]
    public void Unsorted_times_within_a_cluster_name_both_rows_and_never_reorder()
    {
        var csv = Visits.Replace("5.0,2,1.5,a", "5.0,4,1.5,a", StringComparison.Ordinal).Replace("6.5,3,4.0,a", "6.5,3,4.5,a", StringComparison.Ordinal);
        var e = Assert.Throws<CliException>(() => Build("y ~ day + (1 | subject)", csv, "corAR1(~ day | subject)"));
        Assert.Contains("the times of subject a are not increasing in file order: day = 3 at row 6 (line 7) follows day = 4 at row 5 (line 6)", e.Message);
        Assert.Contains("sort the rows by subject and day", e.Message);
    }

    [Fact]
    public void Duplicated_times_within_a_cluster_are_an_error()
    {
        var csv = Visits.Replace("2.0,1,1.25,b", "2.0,0,1.25,b", StringComparison.Ordinal);
        var e = Assert.Throws<CliException>(() => Build("y ~ day + (1 | subject)", csv, "corAR1(~ day | subject)"));
        Assert.Contains("the time day = 0 appears twice in subject b, at row 1 (line 2) and row 2 (line 3)", e.Message);
    }

    [Fact]
    public void CorAR1_needs_whole_number_occasions()
    {
        var e = Assert.Throws<CliException>(() => Build("y ~ day + (1 | subject)", Visits, "corAR1(~ t | subject)"));
        Assert.Contains("corAR1 needs whole-number occasions, but the time t is 0.5 at row 1 (line 2) of test.csv (t = 0.5)", e.Message);
        Assert.Contains("Use corCAR1", e.Message);
    }

    [Fact]
    public void Rows_with_a_missing_time_are_dropped_like_other_missing_values()
    {
        var csv = Visits.Replace("3.5,2,2.0,b", "3.5,NA,2.0,b", StringComparison.Ordinal);
        var built = Build("y ~ x + (1 | subject)", csv, "corAR1(~ day | subject)");
        Assert.Equal(1, built.RowsDropped);
        Assert.Equal([0.0, 1, 0, 2, 3], built.Design.ResidualCorrelation!.Time);
        Assert.Equal(5, built.Design.Response.Length);
    }

    [Fact]
    public void A_time_that_is_text_is_an_error_naming_the_value()
    {
        var csv = Visits.Replace("3.5,2,2.0,b", "3.5,two,2.0,b", StringComparison.Ordinal);
        var e = Assert.Throws<CliException>(() => Build("y ~ x + (1 | subject)", csv, "corAR1(~ day | subject)"));
        Assert.Contains("Column 'day' is used in the time of --correlation corAR1(~ day | subject)", e.Message);
        Assert.Contains("\"two\"", e.Message);
    }

    [Fact]
    public void An_unknown_time_column_points_into_the_correlation_argument()
    {
        var e = Assert.Throws<CliException>(() => Build("y ~ x + (1 | subject)", Visits, "corAR1(~ week | subject)"));
        Assert.Contains("week", e.Message);
        Assert.Contains("corAR1(~ week | subject)\n", e.Message);
    }

    [Fact]
    public void VarIdent_strata_follow_Rs_factor_levels_first_level_the_reference()
    {
        var v = Build("y ~ x + (1 | subject)", Visits, variance: "varIdent(~ 1 | sex)").Design.ResidualVariance!;
        Assert.Equal(ResidualVarianceFunctionKind.Ident, v.Kind);
        Assert.Equal("sex", v.StratumName);
        Assert.Equal(["F", "M"], v.StratumKeys!);
        Assert.Equal([1, 0, 1, 0, 1, 0], v.StratumIndex!);
        Assert.Empty(v.CovariateNames);
        // --reference moves the reference level, as relevel() would in R.
        var r = Build("y ~ x + (1 | subject)", Visits, variance: "varIdent(form = ~ 1 | sex)", references: new() { ["sex"] = "M" }).Design.ResidualVariance!;
        Assert.Equal(["M", "F"], r.StratumKeys!);
        Assert.Equal([0, 1, 0, 1, 0, 1], r.StratumIndex!);
    }

    [Fact]
    public void VarIdent_with_one_level_is_an_error()
    {
        var csv = Visits.Replace(",M,", ",F,", StringComparison.Ordinal);
        var e = Assert.Throws<CliException>(() => Build("y ~ x + (1 | subject)", csv, variance: "varIdent(~ 1 | sex)"));
        Assert.Contains("sex has the one level 'F'", e.Message);
    }

    [Fact]
    public void VarExp_and_varPower_take_one_covariate_or_expression()
    {
        var e = Build("y ~ x + (1 | subject)", Visits, variance: "varExp(~ x)").Design.ResidualVariance!;
        Assert.Equal(ResidualVarianceFunctionKind.Exponential, e.Kind);
        Assert.Equal(["x"], e.CovariateNames);
        Assert.Equal([1.5, 2.0, 0.5, 1.0, 3.0, 2.5], e.Covariates);
        var p = Build("y ~ x + (1 | subject)", Visits, variance: "varPower(~ day + 1)").Design.ResidualVariance!;
        Assert.Equal(ResidualVarianceFunctionKind.Power, p.Kind);
        Assert.Equal(["day + 1"], p.CovariateNames);
        Assert.Equal([1.0, 2, 3, 1, 3, 4], p.Covariates);
    }

    [Fact]
    public void VarPower_of_a_covariate_that_is_zero_is_an_error_with_the_nlme_idiom()
    {
        var e = Assert.Throws<CliException>(() => Build("y ~ x + (1 | subject)", Visits, variance: "varPower(~ day)"));
        Assert.Contains("the covariate day is 0 at row 1 (line 2) of test.csv (day = 0)", e.Message);
        Assert.Contains("varPower(~ day + 1)", e.Message);
    }

    [Fact]
    public void Loglinear_codes_factors_by_contrasts_named_as_R_names_them()
    {
        var v = Build("y ~ x + (1 | subject)", Visits, variance: "loglinear(~ sex + x)").Design.ResidualVariance!;
        Assert.Equal(ResidualVarianceFunctionKind.LogLinear, v.Kind);
        Assert.Equal(["sexM", "x"], v.CovariateNames);
        Assert.Equal([1.0, 0, 1, 0, 1, 0, 1.5, 2.0, 0.5, 1.0, 3.0, 2.5], v.Covariates);
        var f = Build("y ~ x + (1 | subject)", Visits, variance: "loglinear(~ log(x))").Design.ResidualVariance!;
        Assert.Equal(["log(x)"], f.CovariateNames);
        Assert.Equal(Math.Log(1.5), f.Covariates[0], 15);
    }

    [Fact]
    public void Quadratic_takes_numeric_covariates()
    {
        var v = Build("y ~ x + (1 | subject)", Visits, variance: "quadratic(~ x + t)").Design.ResidualVariance!;
        Assert.Equal(ResidualVarianceFunctionKind.Quadratic, v.Kind);
        Assert.Equal(["x", "t"], v.CovariateNames);
        Assert.Equal(12, v.Covariates.Length);
        var e = Assert.Throws<CliException>(() => Build("y ~ x + (1 | subject)", Visits, variance: "quadratic(~ sex)"));
        Assert.Contains("Use loglinear(~ sex + ...)", e.Message);
    }

    [Theory]
    [InlineData("loglinear(~ 0 + x)", "the constant of loglinear() cannot be removed")]
    [InlineData("loglinear(~ 1)", "loglinear() needs at least one covariate")]
    public void Loglinear_needs_its_constant_and_a_covariate(string spec, string expected)
    {
        var e = Assert.Throws<CliException>(() => Build("y ~ x + (1 | subject)", Visits, variance: spec));
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("corAR1(~ 1 | y)", null, "'y' is the response (y); the time and the clusters")]
    [InlineData(null, "varExp(~ y)", "'y' is the response (y); a variance function of the response itself")]
    [InlineData(null, "loglinear(~ x + log(y))", "'y' is the response")]
    public void The_response_cannot_structure_its_own_residuals(string? correlation, string? variance, string expected)
    {
        var e = Assert.Throws<CliException>(() => Build("y ~ x + (1 | subject)", Visits, correlation, variance));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Both_structures_on_one_design()
    {
        var d = Build("y ~ x + (1 | subject)", Visits, "corAR1(~ day | subject)", "varIdent(~ 1 | sex)").Design;
        Assert.NotNull(d.ResidualCorrelation);
        Assert.NotNull(d.ResidualVariance);
    }

    [Fact]
    public void Without_the_options_the_design_has_independent_homoscedastic_residuals()
    {
        var d = Build("y ~ x + (1 | subject)", Visits).Design;
        Assert.Null(d.ResidualCorrelation);
        Assert.Null(d.ResidualVariance);
    }

    [Theory]
    [InlineData("corAR1(~ Days | Subject", "Unclosed '(' of corAR1(")]
    [InlineData("corAR1 ~ Days | Subject", "Expected '(' after corAR1")]
    [InlineData("corAR1(Days | Subject)", "corAR1() takes a one-sided formula starting with '~'")]
    [InlineData("corAR1(0.5, form = ~ Days | Subject)", "corAR1() takes a one-sided formula starting with '~'")]
    [InlineData("corAR1(value = 0.5, form = ~ Days | Subject)", "the argument 'value' is not supported")]
    [InlineData("corAR1(~ Days | Subject, fixed = TRUE)", "corAR1() takes one argument, the form")]
    [InlineData("corAR1(~ Days | log(Subject))", "A grouping factor is a column name")]
    [InlineData("corAR1(~ 2 | Subject)", "not the constant 2")]
    [InlineData("corAR1(~ | Subject)", "expected a column or an expression after '~'")]
    [InlineData("corARMA(~ Days | Subject)", "corARMA is not supported. --correlation takes corAR1, corCAR1")]
    [InlineData("corFoo(~ Days)", "Unknown correlation structure 'corFoo'. --correlation takes corAR1, corCAR1")]
    [InlineData("varIdent(~ 1 | sex)", "varIdent is a variance function: give it with --variance")]
    [InlineData("corAR1(~ Days | Subject) extra", "Unexpected 'extra' after corAR1(...)")]
    [InlineData("corAR1(~ Days $ Subject)", "Unexpected character '$'")]
    [InlineData("", "--correlation takes a structure such as corAR1(...)")]
    public void Malformed_correlation_arguments_point_at_the_problem(string spec, string expected)
    {
        var e = Assert.Throws<FormulaException>(() => FormulaParser.ParseCorrelation(spec));
        Assert.Contains(expected, e.Message);
        Assert.InRange(e.Position, 0, spec.Length);
    }

    [Theory]
    [InlineData("varIdent(~ sex)", "varIdent() takes ~ 1 | factor")]
    [InlineData("varIdent(~ 1)", "varIdent() needs the factor")]
    [InlineData("varIdent(~ 1 | sex:school)", "give one factor after '|'")]
    [InlineData("varIdent()", "varIdent() needs its form")]
    [InlineData("varPower()", "varPower() needs its form")]
    [InlineData("varPower(~ 1)", "nlme's default, the fitted values, is not supported")]
    [InlineData("varExp(~ x | sex)", "a stratified form (~ x | g, one parameter per stratum) is not supported")]
    [InlineData("loglinear(~ x + (1 | g))", "loglinear() takes covariates, not a random-effects term")]
    [InlineData("loglinear(~ x | g)", "loglinear() takes covariates only, no '| group'")]
    [InlineData("varFixed(~ x)", "varFixed is not supported. --variance takes varIdent, varExp, varPower, loglinear, quadratic")]
    [InlineData("corCAR1(~ t | id)", "corCAR1 is a correlation structure: give it with --correlation")]
    [InlineData("varExp(~ foo(x))", "Unsupported function 'foo()'")]
    public void Malformed_variance_arguments_point_at_the_problem(string spec, string expected)
    {
        var e = Assert.Throws<FormulaException>(() => FormulaParser.ParseVariance(spec));
        Assert.Contains(expected, e.Message);
    }
}
