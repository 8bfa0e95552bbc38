namespace XsFuzz.Xenstore;

/// <summary>A configuration with the name scenarios, reports and the command line call it by.</summary>
public sealed record NamedConfig(string Name, XenstoredConfig Config);

/// <summary>
/// Realistic oxenstored.conf variants the harness chooses among: Debian's file first (the decoder's
/// default), then that file with one setting a host may change turned off, then quotas small enough
/// for a 64-command scenario to reach every limit (entries, value size, watches, transactions, requests
/// per transaction, path length, queued replies and events).
/// </summary>
public static class ConfigVariants
{
    public static NamedConfig Debian { get; } = new("debian", XenstoredConfig.Debian);

    public static IReadOnlyList<NamedConfig> All { get; } =
    [
        Debian,
        new("quota-off", XenstoredConfig.Debian with { QuotaActivate = false }),
        new("perms-off", XenstoredConfig.Debian with { PermsActivate = false }),
        new("perms-watch-off", XenstoredConfig.Debian with { PermsWatchActivate = false }),
        new("merge-off", XenstoredConfig.Debian with { MergeActivate = false }),
        new("small-quotas", XenstoredConfig.Debian with
        {
            MaxEntity = 8, MaxSize = 64, MaxWatch = 2, MaxTransaction = 2, MaxRequests = 6, PathMax = 48,
            MaxOutstanding = 16, MaxWatchEvents = 8,
        }),
    ];

    /// <summary>The variant of that name, or null.</summary>
    public static NamedConfig? Find(string name)
    {
        foreach (var variant in All)
        {
            if (variant.Name == name) return variant;
        }
        return null;
    }
}
