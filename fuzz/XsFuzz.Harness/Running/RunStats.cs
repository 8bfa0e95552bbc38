namespace XsFuzz.Harness.Running;

/// <summary>What runs did, summed by campaigns, `xsfuzz check` and tests. Not thread-safe.</summary>
public sealed class RunStats
{
    public long Scenarios;

    /// <summary>Scenario commands executed (requests, live updates, drains).</summary>
    public long Commands;

    /// <summary>Live updates the updated target performed.</summary>
    public long LiveUpdates;

    /// <summary>Live updates performed while some connection had an open transaction (model references only).</summary>
    public long LiveUpdatesWithOpenTransactions;

    /// <summary>Real daemons started (real pairs).</summary>
    public long DaemonsStarted;

    /// <summary>Refused live updates by value-free reason.</summary>
    public Dictionary<string, long> Refused { get; } = new(StringComparer.Ordinal);

    /// <summary>Scenario commands not run on a target, by reason (real pairs: see the scenario mapping).</summary>
    public Dictionary<string, long> Skipped { get; } = new(StringComparer.Ordinal);

    public long RefusedTotal => Refused.Values.Sum();

    public void Add(RunStats other)
    {
        Scenarios += other.Scenarios;
        Commands += other.Commands;
        LiveUpdates += other.LiveUpdates;
        LiveUpdatesWithOpenTransactions += other.LiveUpdatesWithOpenTransactions;
        DaemonsStarted += other.DaemonsStarted;
        foreach (var (k, v) in other.Refused) Refused[k] = Refused.GetValueOrDefault(k) + v;
        foreach (var (k, v) in other.Skipped) Skipped[k] = Skipped.GetValueOrDefault(k) + v;
    }
}
