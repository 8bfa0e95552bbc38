using System.Text;
using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Transactions;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore.Processing;

/// <summary>
/// CONTROL/DEBUG (spec §10). Unprivileged callers get a silent OK; so does every command that fails
/// or is unknown, because oxenstored answers any exception inside a command with OK.
/// </summary>
internal static class ControlRequests
{
    public static Response Control(RequestContext c)
    {
        if (!c.Privileged && !c.Daemon.Config.AllowDebug) return Response.Ack;
        var pieces = PayloadSplit.Split(c.Payload, 8);
        var reply = pieces[0] switch
        {
            "live-update" when pieces.Count > 1 => ControlLiveUpdate.Run(c.Daemon, pieces.GetRange(1, pieces.Count - 2)),
            "quota" when pieces.Count > 1 => Quota(c, pieces[1]),
            "watches" => Watches(c.Daemon) + "\0",
            "xenbus" when pieces.Count > 1 => Xenbus(c.Daemon, pieces[1]),
            "mfn" when pieces.Count > 1 => Mfn(c.Daemon, pieces[1]),
            _ => null, // print, unknown commands, live-update without arguments
        };
        return reply is null ? Response.Ack : Response.Reply(Latin1.Encode(reply));
    }

    /// <summary>Reads the transaction's own quota copy when sent inside one.</summary>
    private static string? Quota(RequestContext c, string domidText)
    {
        if (!OcamlInt.TryParseInt(domidText, out var domid)) return null;
        var domain = "dom" + OcamlInt.FormatSigned(domid);
        return c.Transaction.Store.Quota.Find(domid) is { } count
            ? $"{domain} quota: {OcamlInt.FormatSigned(count)}/{c.Daemon.Config.MaxEntity}\0"
            : $"{domain} quota: not set\0";
    }

    /// <summary>
    /// One line per watch, rings before sockets. oxenstored lists them in OCaml hash-table order; the
    /// model uses connection order, then absolute path, then newest first (a documented difference).
    /// </summary>
    public static string Watches(Daemon daemon)
    {
        var text = new StringBuilder();
        foreach (var connection in daemon.Connections.Values)
        {
            foreach (var watches in connection.WatchesByPath.Values)
            {
                foreach (var watch in watches) text.Append($"watch {connection.Id}: {watch.Path} {watch.Token}\n");
            }
        }
        return text.ToString();
    }

    /// <summary>
    /// Diagnostics of a ring's queues, in oxenstored's format. The model's queue holds everything the
    /// guest has not read yet. oxenstored writes output into the ring's rsp[] as soon as it is queued,
    /// so the first XENSTORE_RING_SIZE bytes of it are in the ring already and only the rest counts:
    /// the unwritten part of the packet being written (partial_out), then the packets behind it
    /// (pkt_out). Their split into the XSA-326 bounded queue's classes (tab-separated, in oxenstored's
    /// hash order) is approximated.
    /// </summary>
    private static string? Xenbus(Daemon daemon, string domidText)
    {
        if (RingOf(daemon, domidText) is not { } connection) return null;
        var (partial, queued, events) = Unwritten(connection.Output);
        var used = (queued - events > 0 ? $"\tcommand_reply: {queued - events}" : "") + (events > 0 ? $"\twatch_event: {events}" : "");
        var (hasOld, hasNew) = (partial > 0, queued > 0);
        var capacity = daemon.Config.MaxOutstanding + daemon.Config.MaxWatchEvents;
        return $"xenbus: XenBus state: partial_in: 16 needed, partial_out: {partial} bytes, pkt_out: {queued} packets, "
            + $"BoundedQueue capacity: {capacity}, used: {{{used}}}; "
            + $"overflow queue length: {connection.SourceEvents.Count}, can_input: {(connection.CanInput(daemon.Config) ? "true" : "false")}, has_more_input: false, has_old_output: {Flag(hasOld)}, "
            + $"has_new_output: {Flag(hasNew)}, has_more_work: {Flag(!hasOld && hasNew)}. pending: Watches with pending events: 0, "
            + "pending events total: 0";
    }

    /// <summary>xs_wire.h's XENSTORE_RING_SIZE: the bytes of output a ring holds before the guest reads.</summary>
    private const int RingSize = 1024;

    /// <summary>What of a ring's unread output is not in rsp[]: partial_out's bytes, pkt_out's packets and watch events.</summary>
    private static (int Partial, int Packets, int Events) Unwritten(IReadOnlyList<Packet> output)
    {
        var room = RingSize;
        var i = 0;
        for (; i < output.Count && room >= PacketSize(output[i]); i++) room -= PacketSize(output[i]);
        if (i == output.Count) return (0, 0, 0);
        var partial = PacketSize(output[i]) - room;
        var (packets, events) = (0, 0);
        for (i++; i < output.Count; i++)
        {
            packets++;
            if (output[i].Type == (uint)Op.WatchEvent) events++;
        }
        return (partial, packets, events);
    }

    private static int PacketSize(Packet p) => Packet.HeaderSize + p.Payload.Length;

    private static string Flag(bool b) => b ? "true" : "false";

    /// <summary>quota-maxoutstanding and quota-maxwatchevents of Debian's oxenstored.conf: the ring queue's capacity.</summary>


    private static string? Mfn(Daemon daemon, string domidText)
    {
        if (RingOf(daemon, domidText) is null || !OcamlInt.TryParseInt(domidText, out var domid)) return null;
        return daemon.Domains.TryGetValue((int)domid, out var domain) ? OcamlInt.FormatSigned(domain.Mfn) + "\0" : null;
    }

    private static Connection? RingOf(Daemon daemon, string domidText)
    {
        if (!OcamlInt.TryParseInt(domidText, out var domid) || domid is < int.MinValue or > int.MaxValue) return null;
        return daemon.Find(ConnectionId.Ring((int)domid));
    }
}
