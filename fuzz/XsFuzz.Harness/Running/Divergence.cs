using XsFuzz.Harness.Scenarios;
using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Harness.Running;

/// <summary>Where in a run the two instances were compared.</summary>
public enum CheckPoint
{
    /// <summary>The packets delivered to the sender of a request.</summary>
    Reply,
    /// <summary>The packets a DRAIN command read.</summary>
    Drain,
    /// <summary>The state right after a live update (or the live update itself failed).</summary>
    LiveUpdate,
    /// <summary>The state at the end of the scenario.</summary>
    FinalState,
    /// <summary>The packets still queued for a connection at the end.</summary>
    FinalDrain,
}

/// <summary>
/// The first point where the live-updated instance A and the reference B disagreed: what was compared,
/// both sides' packets or snapshots, and a value-independent signature that groups equal failures.
/// </summary>
public sealed record Divergence(
    CheckPoint Point,
    int Step,
    Command? Command,
    ConnectionId? Connection,
    IReadOnlyList<Packet>? PacketsA,
    IReadOnlyList<Packet>? PacketsB,
    string? SnapshotA,
    string? SnapshotB,
    string? Failure,
    string Signature);
