using XsFuzz.Harness.Running;
using XsFuzz.RealDaemons.Sandbox;
using XsFuzz.RealDaemons.Wire;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.RealDaemons.Running;

/// <summary>
/// oxenstored's live update without its one-second wait: <c>live-update -s -t 0</c> sent over dom0's
/// own ring (the sandbox's xsd_kva page and dom0's event channel) instead of a socket.
/// <para>
/// Why it works: oxenstored decides right after the main-loop iteration that took the request. A
/// socket's reply (BUSY) is still unsent then, so the control connection itself counts as a blocker
/// ("out: true") and <c>-t 0</c> always refuses; that is why the socket path needs <c>-t 1</c> (behind the
/// idle gate only when that reply is the one blocker), and without the gate a refusal there costs a full second. A domain's reply is written into its ring in the same iteration
/// (process_domains runs do_input then do_output), so with <c>-t 0</c> only real blockers remain: the
/// update runs at once or is refused at once, with the same blocker list.
/// </para>
/// <para>
/// A scenario may have released domain 0: oxenstored then drops dom0's ring connection (a kick on
/// its port even raises Not_found inside the daemon) and only the socket way is left, so the
/// control socket asks IS_DOMAIN_INTRODUCED 0 first. One that released domain 0 and introduced it
/// again (INTRODUCE 0 ...) gave oxenstored a new dom0 connection: its page is mapped through
/// xc_map_foreign_range (the sandbox's domu/0.ring, which only that creates) and its port bound anew,
/// and the boot ring (xsd_kva) is served no more. The socket way is left then too.
/// </para>
/// </summary>
internal static class OxenstoredRingLiveUpdate
{
    private const uint FirstId = SyncPoint.RunnerIds + 0x9_0000;

    /// <param name="idle">If given, the ring's kicks wake the daemon only when it is idle.</param>
    public static LiveUpdateResult Perform(ControlChannel control, IDaemon daemon, RunSettings settings, IdleGate? idle = null)
    {
        var (introduced, asked) = control.Call(settings.ReplyTimeout, Op.IsDomainIntroduced, "0");
        if (introduced is null) return OxenstoredLiveUpdate.Lost(daemon, "IS_DOMAIN_INTRODUCED 0", asked);
        if (Text(introduced) != "T\0" || File.Exists(RingConnection.RingPath(daemon.RunFolder, 0)))
            return OxenstoredLiveUpdate.Perform(control, daemon, settings, idle);
        RingConnection ring;
        try
        {
            ring = RingConnection.Open(daemon.RunFolder, 0, settings.ReplyTimeout, Path.Combine(daemon.RunFolder, "xsd_kva"), daemon.Exit, idle);
        }
        catch (TimeoutException)
        {
            return new LiveUpdateResult(LiveUpdateStatus.Failed, "no dom0 ring", $"no dom0 event channel in {daemon.RunFolder}");
        }
        using (ring)
        {
            var id = FirstId;
            (Packet? Reply, Ending Ending) Call(string[] args)
            {
                var request = Packet.Request(Op.Control, id++, 0, args);
                ring.Send(request);
                var (_, end, ending) = ring.ReadUntil(p => SyncPoint.IsReplyTo(p, request.RequestId), settings.ReplyTimeout);
                return (end, ending);
            }
            return OxenstoredLiveUpdate.Poll(Call, daemon, idle, 0, settings.LiveUpdateTimeout, where: "dom0 ring");
        }
    }

    private static string Text(Packet p) => Latin1.Decode(p.Payload);
}
