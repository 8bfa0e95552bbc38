using XsFuzz.Harness.Scenarios;
using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.RealDaemons.Mapping;

/// <summary>A scenario as a real run executes it: the commands that can be sent, and what was dropped.</summary>
public sealed record MappedScenario(Scenario Runnable, IReadOnlyDictionary<SkipReason, int> Skipped)
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
        foreach (var command in scenario.Commands)
        {
            if (Skip(command) is { } reason) skipped[reason] = skipped.GetValueOrDefault(reason) + 1;
            else kept.Add(command);
        }
        return new MappedScenario(scenario with { Commands = kept.ToValueList() }, skipped);
    }

    public static SkipReason? Skip(Command command) => command switch
    {
        RequestCommand r when Unreachable(r.Connection) is { } reason => reason,
        RequestCommand r when r.Payload.Length > Packet.PayloadMax => SkipReason.OversizedPayload,
        RequestCommand r when r.Type == (uint)Op.Control && IsLiveUpdate(r.Payload) => SkipReason.ControlLiveUpdate,
        DrainCommand d => Unreachable(d.Connection),
        _ => null,
    };

    private static SkipReason? Unreachable(ConnectionId id)
    {
        if (Slots.Of(id) is not null) return null;
        return id.Kind == ConnectionKind.Ring && id.Number > 0 ? SkipReason.DomU : SkipReason.UnknownConnection;
    }

    /// <summary>oxenstored splits the payload on NUL and matches the first piece.</summary>
    private static bool IsLiveUpdate(string payload)
    {
        var nul = payload.IndexOf('\0', StringComparison.Ordinal);
        return (nul < 0 ? payload : payload[..nul]) == "live-update";
    }
}
