using XsFuzz.Harness.Scenarios;
using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.RealDaemons.Mapping;

/// <summary>
/// A scenario as a real run executes it: the commands that can be sent, and what was dropped. DomUSent
/// counts the commands of domU connections (D1 and above) that are sent (over the domain's ring);
/// DomUSkipped those dropped for their connection (none since rings run). A domU's oversized payload
/// or CONTROL live-update is dropped like any connection's, and only <see cref="Skipped"/> counts it.
/// </summary>
public sealed record MappedScenario(Scenario Runnable, IReadOnlyDictionary<SkipReason, int> Skipped, int DomUSent = 0, int DomUSkipped = 0)
{
    public int SkippedCount => Skipped.Values.Sum();
}

/// <summary>
/// Restricts a harness scenario to what a real daemon in the sandbox can run (see <see cref="Slots"/>
/// for the connections and <see cref="SkipReason"/> for what is dropped). The result is itself a
/// scenario, so it prints, encodes and reproduces like any other; mapping it again changes nothing.
/// </summary>
public static class ScenarioMapper
{
    public static MappedScenario Map(Scenario scenario)
    {
        var skipped = new Dictionary<SkipReason, int>();
        var kept = new List<Command>(scenario.Commands.Count);
        int domUSent = 0, domUSkipped = 0;
        foreach (var command in scenario.Commands)
        {
            var domU = IsDomU(command);
            if (Skip(command) is { } reason)
            {
                skipped[reason] = skipped.GetValueOrDefault(reason) + 1;
                if (domU && reason is not (SkipReason.OversizedPayload or SkipReason.ControlLiveUpdate)) domUSkipped++;
            }
            else
            {
                kept.Add(command);
                if (domU) domUSent++;
            }
        }
        return new MappedScenario(scenario with { Commands = kept.ToValueList() }, skipped, domUSent, domUSkipped);
    }

    /// <summary>A command of a guest's ring (D1 and above; D0 is dom0's socket slot).</summary>
    public static bool IsDomU(Command command) => command switch
    {
        RequestCommand r => IsDomU(r.Connection),
        DrainCommand d => IsDomU(d.Connection),
        PartialCommand p => IsDomU(p.Request.Connection),
        _ => false,
    };

    private static bool IsDomU(ConnectionId id) => id.Kind == ConnectionKind.Ring && id.Number != 0;

    public static SkipReason? Skip(Command command) => command switch
    {
        RequestCommand r when Unreachable(r.Connection) is { } reason => reason,
        RequestCommand r when r.Payload.Length > Packet.PayloadMax => SkipReason.OversizedPayload,
        RequestCommand r when r.Type == (uint)Op.Control && IsLiveUpdate(r.Payload) => SkipReason.ControlLiveUpdate,
        DrainCommand d => Unreachable(d.Connection),
        PartialCommand p => Skip(p.Request),
        _ => null,
    };

    /// <summary>
    /// Sockets beyond A2 have no slot. Every ring is reachable: dom0's through its socket slot, a domU's
    /// through its own ring while it is introduced (before or after, like the model, it reads nothing).
    /// </summary>
    private static SkipReason? Unreachable(ConnectionId id) =>
        Slots.Of(id) is not null || id.Kind == ConnectionKind.Ring ? null : SkipReason.UnknownConnection;

    /// <summary>oxenstored splits the payload on NUL and matches the first piece.</summary>
    private static bool IsLiveUpdate(string payload)
    {
        var nul = payload.IndexOf('\0', StringComparison.Ordinal);
        return (nul < 0 ? payload : payload[..nul]) == "live-update";
    }
}
