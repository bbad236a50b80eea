using TypedMixed;

namespace WineTasting;

/// <summary>How bitter a judge found a wine: ordered categories, least bitter first (the order of the members).</summary>
public enum Bitterness { Least, Less, Medium, More, Most }

/// <summary>The temperature at crushing (cold is the reference category).</summary>
public enum Temperature { Cold, Warm }

/// <summary>Whether the juice was left in contact with the skins (no is the reference category).</summary>
public enum SkinContact { No, Yes }

/// <summary>One judge's rating of one bottle.</summary>
public sealed record Tasting(Bitterness Bitterness, Temperature Temperature, SkinContact Contact, int Bottle, [property: Classification] int Judge);

/// <summary>
/// bitterness ~ temperature + contact + (1 | judge): a cumulative logit mixed model (ordinal's clmm). The generator makes
/// it ordinal because the response is an enum and the family says so; the thresholds are named after the enum's members.
/// </summary>
[MixedModel<Tasting>(Family = ResponseFamily.Ordinal, Response = nameof(Tasting.Bitterness),
    Fixed = [nameof(Tasting.Temperature), nameof(Tasting.Contact)])]
[RandomIntercept(nameof(Tasting.Judge))]
public partial record BitternessModel;

/// <summary>The same model without skin contact, for the likelihood-ratio test of contact.</summary>
[MixedModel<Tasting>(Family = ResponseFamily.Ordinal, Response = nameof(Tasting.Bitterness), Fixed = [nameof(Tasting.Temperature)])]
[RandomIntercept(nameof(Tasting.Judge))]
public partial record TemperatureOnlyModel;
