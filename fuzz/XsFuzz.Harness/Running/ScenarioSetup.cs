using System.Globalization;
using XsFuzz.Harness.Scenarios;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Harness.Running;

/// <summary>
/// What a scenario's setup sends, through dom0, before the commands: the one owner of that recipe, used
/// by the decoder (against the reference model), and by every pair of targets.
/// </summary>
internal static class ScenarioSetup
{
    /// <summary>INTRODUCE domid mfn port (the convention of <see cref="DomainSetup"/>), then SET_TARGET if any.</summary>
    public static IEnumerable<Packet> Requests(DomainSetup domain, Func<uint> nextId)
    {
        var d = Int(domain.Domid);
        yield return Packet.Request(Op.Introduce, nextId(), 0, d, Int(DomainSetup.MfnOf(domain.Domid)), Int(DomainSetup.PortOf(domain.Domid)));
        if (domain.Target is { } target) yield return Packet.Request(Op.SetTarget, nextId(), 0, d, Int(target));
    }

    /// <summary>WRITE path value, then SET_PERMS path perms unless the list is empty.</summary>
    public static IEnumerable<Packet> Requests(NodeSetup node, Func<uint> nextId)
    {
        yield return new Packet((uint)Op.Write, nextId(), 0, Latin1.Encode(node.Path + "\0" + node.Value));
        if (node.Perms.Count > 0) yield return Packet.Request(Op.SetPerms, nextId(), 0, [node.Path, .. node.Perms]);
    }

    /// <summary>The listener's watches: WATCH / l1, WATCH / l2, ... (sent by <see cref="Scenario.ListenerSocket"/>).</summary>
    public static IEnumerable<Packet> ListenerRequests(int watches, Func<uint> nextId)
    {
        for (var i = 1; i <= watches; i++) yield return Packet.Request(Op.Watch, nextId(), 0, "/", "l" + Int(i));
    }

    private static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);
}
