using XsFuzz.Harness;
using XsFuzz.RealDaemons.Reporting;
using XsFuzz.RealDaemons.Running;

namespace XsFuzz.RealDaemons.Campaign;

/// <summary>Everything a campaign needs besides its inputs.</summary>
public sealed record CampaignOptions(RunDescription Run, string OutDir, KnownDifferences Known)
{
    public int Jobs { get; init; } = 2;

    /// <summary>Stop taking inputs after this long.</summary>
    public TimeSpan? Time { get; init; }

    /// <summary>Stop after this many inputs (an input with nothing to run, or a repeat, counts too).</summary>
    public long? Count { get; init; }

    public RunSettings Settings { get; init; } = RunSettings.Default;

    public HarnessOptions Harness { get; init; } = HarnessOptions.DebianOnly; // the sandbox runs Debian's file

    /// <summary>Rerun the first scenario of every new signature once: a difference that does not come back is flaky.</summary>
    public bool Confirm { get; init; } = true;

    /// <summary>Shrink the first scenario of every new signature (at most this many daemon runs each; 0: no).</summary>
    public int ShrinkRuns { get; init; }

    public TimeSpan ProgressEvery { get; init; } = TimeSpan.FromSeconds(2);
}
