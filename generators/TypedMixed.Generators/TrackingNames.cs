namespace TypedMixed.Generators;

/// <summary>Names of the pipeline steps, so tests can check that an unrelated edit leaves each one cached.</summary>
internal static class TrackingNames
{
    public const string Parse = nameof(Parse);
    public const string Specs = nameof(Specs);
    public const string ModelDiagnostics = nameof(ModelDiagnostics);
    public const string DataDiagnostics = nameof(DataDiagnostics);

    public static readonly string[] All = { Parse, Specs, ModelDiagnostics, DataDiagnostics };
}
