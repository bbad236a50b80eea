namespace TypedMixed.Generators.Tests.Models;

/// <summary>The bitterness rating of a wine, 1 (least bitter) to 5 (most bitter): ordered categories, lowest first.</summary>
public enum WineRating { One, Two, Three, Four, Five }

/// <summary>The temperature during crushing (cold is the reference).</summary>
public enum CrushTemperature { Cold, Warm }

/// <summary>Whether the juice had contact with the skins (no is the reference).</summary>
public enum SkinContact { No, Yes }

/// <summary>One judge's rating of one bottle in the wine data (Randall 1989, via R's ordinal package).</summary>
public sealed record WineTasting(WineRating Rating, CrushTemperature Temp, SkinContact Contact, int Bottle, [property: Classification] int Judge);

/// <summary>rating ~ temp + contact + (1 | judge), cumulative logit, Laplace (clmm's default).</summary>
[MixedModel<WineTasting>(Family = ResponseFamily.Ordinal, Response = nameof(WineTasting.Rating),
    Fixed = [nameof(WineTasting.Temp), nameof(WineTasting.Contact)])]
[RandomIntercept(nameof(WineTasting.Judge))]
public partial record WineModel;

/// <summary>The wine model with 10-point adaptive Gauss–Hermite quadrature declared (clmm's nAGQ = 10).</summary>
[MixedModel<WineTasting>(Family = ResponseFamily.Ordinal, Response = nameof(WineTasting.Rating),
    Fixed = [nameof(WineTasting.Temp), nameof(WineTasting.Contact)], QuadraturePoints = 10)]
[RandomIntercept(nameof(WineTasting.Judge))]
public partial record WineQuadratureModel;

/// <summary>rating ~ temp + contact + (1 | judge), cumulative probit.</summary>
[MixedModel<WineTasting>(Family = ResponseFamily.Ordinal, Link = LinkFunction.Probit, Response = nameof(WineTasting.Rating),
    Fixed = [nameof(WineTasting.Temp), nameof(WineTasting.Contact)])]
[RandomIntercept(nameof(WineTasting.Judge))]
public partial record WineProbitModel;

/// <summary>rating ~ temp + contact + (1 | judge), cumulative logit with equidistant thresholds.</summary>
[MixedModel<WineTasting>(Family = ResponseFamily.Ordinal, Thresholds = ThresholdStructure.Equidistant,
    Response = nameof(WineTasting.Rating), Fixed = [nameof(WineTasting.Temp), nameof(WineTasting.Contact)])]
[RandomIntercept(nameof(WineTasting.Judge))]
public partial record WineEquidistantModel;

/// <summary>rating ~ temp + (1 | judge): nested in <see cref="WineModel"/>, for the likelihood-ratio test of contact.</summary>
[MixedModel<WineTasting>(Family = ResponseFamily.Ordinal, Response = nameof(WineTasting.Rating), Fixed = [nameof(WineTasting.Temp)])]
[RandomIntercept(nameof(WineTasting.Judge))]
public partial record WineTemperatureModel;

/// <summary>rating ~ temp + contact + (temp | judge): a judge-specific temperature effect, for predictions with random slopes.</summary>
[MixedModel<WineTasting>(Family = ResponseFamily.Ordinal, Response = nameof(WineTasting.Rating),
    Fixed = [nameof(WineTasting.Temp), nameof(WineTasting.Contact)])]
[RandomSlopes(nameof(WineTasting.Judge), nameof(WineTasting.Temp))]
public partial record WineSlopeModel;
