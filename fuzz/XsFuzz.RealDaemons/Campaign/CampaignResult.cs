using XsFuzz.Harness.Running;

namespace XsFuzz.RealDaemons.Campaign;

/// <summary>What a campaign did: totals, the disagreement groups, and what it could not run.</summary>
public sealed record CampaignResult(
    RunStats Stats,
    IReadOnlyList<FindingGroup> Groups,
    TimeSpan Elapsed,
    long Inputs,
    long NothingToRun,
    long Duplicates,
    long BadInputs,
    long SandboxErrors,
    string? Aborted,
    long DomUSent = 0,
    long DomUSkipped = 0,
    long Unrunnable = 0)
{
    public double ScenariosPerSecond => Stats.Scenarios / Math.Max(Elapsed.TotalSeconds, 1e-9);

    public int NewSignatures => Groups.Count(g => g.Status == FindingStatus.New);
}
