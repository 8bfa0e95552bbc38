using XsFuzz.RealDaemons.Mapping;

namespace XsFuzz.RealDaemons.Running;

/// <summary>What real runs did, summed by the campaign.</summary>
public sealed class RealRunStats
{
    public long Scenarios;
    public long Commands;
    public long LiveUpdatesDone;
    public long DaemonsStarted;
    public Dictionary<string, long> LiveUpdatesRefused { get; } = new(StringComparer.Ordinal);
    public Dictionary<SkipReason, long> Skipped { get; } = [];

    public long LiveUpdatesRefusedTotal => LiveUpdatesRefused.Values.Sum();

    public void Add(RealRunStats other)
    {
        Scenarios += other.Scenarios;
        Commands += other.Commands;
        LiveUpdatesDone += other.LiveUpdatesDone;
        DaemonsStarted += other.DaemonsStarted;
        foreach (var (k, v) in other.LiveUpdatesRefused) LiveUpdatesRefused[k] = LiveUpdatesRefused.GetValueOrDefault(k) + v;
        foreach (var (k, v) in other.Skipped) Skipped[k] = Skipped.GetValueOrDefault(k) + v;
    }
}
