namespace TypedMixed.Generators.Tests.Models;

/// <summary>A GCSE pupil (mlmRev's Gcsemv): two scores, either of which may be missing.</summary>
public sealed record GcsePupil(double? Written, double? Course, bool Female, [property: Classification] string School);

/// <summary>The bivariate model of the nlme reference fit gcsemv_bivariate_ML: (written, course) ~ female + (1 | school).</summary>
[MixedModel<GcsePupil>(Responses = [nameof(GcsePupil.Written), nameof(GcsePupil.Course)], Fixed = [nameof(GcsePupil.Female)], Method = EstimationMethod.MaximumLikelihood)]
[RandomIntercept(nameof(GcsePupil.School))]
public partial record GcseBivariateModel;

/// <summary>
/// The model of the nlme reference fit gcsemv_slopes_ML: (written, course) ~ female + (1 + female | school), each score
/// with its own school intercept and female slope, all four correlated.
/// </summary>
[MixedModel<GcsePupil>(Responses = [nameof(GcsePupil.Written), nameof(GcsePupil.Course)], Fixed = [nameof(GcsePupil.Female)], Method = EstimationMethod.MaximumLikelihood)]
[RandomSlopes(nameof(GcsePupil.School), nameof(GcsePupil.Female))]
public partial record GcseSlopesModel;
