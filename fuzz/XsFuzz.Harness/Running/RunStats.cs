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

    /// <summary>Live updates performed while some client had written part of a request (model references only).</summary>
    public long LiveUpdatesWithPartialInput;

    /// <summary>Scenarios with at least one split request (PARTIAL) run.</summary>
    public long ScenariosWithPartial;

    /// <summary>Real daemons started (real pairs).</summary>
    public long DaemonsStarted;

    /// <summary>Refused live updates by value-free reason.</summary>
    public Dictionary<string, long> Refused { get; } = new(StringComparer.Ordinal);

    /// <summary>Scenario commands not run on a target, by reason (real pairs: see the scenario mapping).</summary>
    public Dictionary<string, long> Skipped { get; } = new(StringComparer.Ordinal);

    public long RefusedTotal => Refused.Values.Sum();

    /// <summary>Upper bounds (inclusive) of the queue-depth buckets; the last bucket is open.</summary>
    public static readonly int[] DepthBuckets = [0, 7, 31, 99, 299];

    /// <summary>Live updates by packets queued for all connections together at the dump (model references only).</summary>
    public long[] QueuedAtDump { get; } = new long[DepthBuckets.Length + 1];

    /// <summary>Live updates by the deepest single connection's queue at the dump.</summary>
    public long[] DeepestAtDump { get; } = new long[DepthBuckets.Length + 1];

    /// <summary>The most packets queued at one dump, all connections together.</summary>
    public long MaxQueuedAtDump;

    public void NoteDump(int queued, int deepest)
    {
        QueuedAtDump[Bucket(queued)]++;
        DeepestAtDump[Bucket(deepest)]++;
        MaxQueuedAtDump = Math.Max(MaxQueuedAtDump, queued);
    }

    private static int Bucket(int depth)
    {
        var i = 0;
        while (i < DepthBuckets.Length && depth > DepthBuckets[i]) i++;
        return i;
    }

    /// <summary>"0: 12, 1-7: 30, ..., 300+: 1" for a histogram over <see cref="DepthBuckets"/>.</summary>
    public static string Histogram(long[] counts)
    {
        var parts = new List<string>(counts.Length);
        for (var i = 0; i < counts.Length; i++)
        {
            var low = i == 0 ? 0 : DepthBuckets[i - 1] + 1;
            var label = i == DepthBuckets.Length ? $"{low}+" : low == DepthBuckets[i] ? $"{low}" : $"{low}-{DepthBuckets[i]}";
            parts.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{label}: {counts[i]}"));
        }
        return string.Join(", ", parts);
    }

    public void Add(RunStats other)
    {
        Scenarios += other.Scenarios;
        Commands += other.Commands;
        LiveUpdates += other.LiveUpdates;
        LiveUpdatesWithOpenTransactions += other.LiveUpdatesWithOpenTransactions;
        LiveUpdatesWithPartialInput += other.LiveUpdatesWithPartialInput;
        ScenariosWithPartial += other.ScenariosWithPartial;
        DaemonsStarted += other.DaemonsStarted;
        for (var i = 0; i < QueuedAtDump.Length; i++)
        {
            QueuedAtDump[i] += other.QueuedAtDump[i];
            DeepestAtDump[i] += other.DeepestAtDump[i];
        }
        MaxQueuedAtDump = Math.Max(MaxQueuedAtDump, other.MaxQueuedAtDump);
        foreach (var (k, v) in other.Refused) Refused[k] = Refused.GetValueOrDefault(k) + v;
        foreach (var (k, v) in other.Skipped) Skipped[k] = Skipped.GetValueOrDefault(k) + v;
    }
}
