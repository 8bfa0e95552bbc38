namespace XsFuzz.Harness.Running;

/// <summary>What one run did, summed over runs by the CLI's progress line and by tests.</summary>
public struct RunStats
{
    /// <summary>Scenario commands executed (requests, live updates, drains).</summary>
    public long Commands;

    /// <summary>Live updates performed on instance A.</summary>
    public long LiveUpdates;

    /// <summary>Live updates performed while some connection had an open transaction.</summary>
    public long LiveUpdatesWithOpenTransactions;

    public void Add(in RunStats other)
    {
        Commands += other.Commands;
        LiveUpdates += other.LiveUpdates;
        LiveUpdatesWithOpenTransactions += other.LiveUpdatesWithOpenTransactions;
    }
}
