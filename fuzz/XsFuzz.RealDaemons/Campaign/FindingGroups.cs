using XsFuzz.RealDaemons.Reporting;

namespace XsFuzz.RealDaemons.Campaign;

public enum FindingStatus
{
    /// <summary>Not in the allow-list, and it reproduced on fresh daemons.</summary>
    New,
    /// <summary>In the allow-list.</summary>
    Known,
    /// <summary>Not in the allow-list, and a rerun of the same scenario did not show it again.</summary>
    Flaky,
}

/// <summary>All scenarios whose disagreement had one signature: how many, and the first one's report.</summary>
public sealed class FindingGroup(string signature, FindingStatus status, KnownDifference? known)
{
    public string Signature => signature;
    public FindingStatus Status { get; set; } = status;
    public KnownDifference? Known => known;
    public long Count { get; set; }
    public string? ReportPath { get; set; }
    public string? Reproducer { get; set; }
    /// <summary>The shrunk scenario's report, when shrinking was asked for.</summary>
    public string? ShrunkReportPath { get; set; }
}

/// <summary>Disagreements grouped by signature, in order of first appearance. Thread-safe.</summary>
public sealed class FindingGroups
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, FindingGroup> _bySignature = new(StringComparer.Ordinal);
    private readonly List<FindingGroup> _order = [];

    /// <summary>Counts a scenario; returns the group and whether this was its first scenario.</summary>
    public (FindingGroup Group, bool First) Add(string signature, Func<FindingGroup> create)
    {
        lock (_gate)
        {
            var first = !_bySignature.TryGetValue(signature, out var group);
            if (group is null)
            {
                group = create();
                _bySignature[signature] = group;
                _order.Add(group);
            }
            group.Count++;
            return (group, first);
        }
    }

    public IReadOnlyList<FindingGroup> All
    {
        get { lock (_gate) return [.. _order]; }
    }

    public int Index(FindingGroup group)
    {
        lock (_gate) return _order.IndexOf(group) + 1;
    }
}
