using XsFuzz.Xenstore;

namespace XsFuzz.Harness;

/// <summary>
/// Bounds and model configuration of one harness run. The bounds keep every input well under 10 ms; the
/// same options must be used to decode, encode and replay an input (they shape the decoding).
/// </summary>
public sealed record HarnessOptions
{
    /// <summary>Commands after this many are not decoded.</summary>
    public int MaxCommands { get; init; } = 64;

    /// <summary>Initial nodes decoded from records (domain home nodes come on top).</summary>
    public int MaxInitialNodes { get; init; } = 16;

    /// <summary>Initial domUs introduced before the commands.</summary>
    public int MaxInitialDomains { get; init; } = 4;

    /// <summary>The daemons' configuration (quotas, path and value limits).</summary>
    public XenstoredConfig Config { get; init; } = XenstoredConfig.Debian;

    public static HarnessOptions Default { get; } = new();
}
