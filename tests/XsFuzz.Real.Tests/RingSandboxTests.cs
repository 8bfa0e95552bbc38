using XsFuzz.Harness.Running;
using XsFuzz.RealDaemons.Running;
using XsFuzz.RealDaemons.Sandbox;
using XsFuzz.RealDaemons.Wire;
using XsFuzz.Xenstore.Wire;
using static XsFuzz.Real.Tests.RingSandbox;

namespace XsFuzz.Real.Tests;

/// <summary>Guests talking to Debian's daemons over their rings (scripts/real/ring.h).</summary>
// One collection: the sandbox tests run one after another, so each can check that no daemon is left.
[Collection("sandbox daemons")]
public class RingSandboxTests
{
    public static TheoryData<DaemonKind> Kinds => new() { DaemonKind.Oxenstored, DaemonKind.Xenstored };

    [SandboxTheory]
    [MemberData(nameof(Kinds))]
    public void A_guest_reads_writes_lists_and_watches_over_its_ring(DaemonKind kind)
    {
        using var sandbox = new RingSandbox(kind);
        var guest = sandbox.Introduce(3);
        Assert.Equal("OK", Text(sandbox.As(guest, Op.Write, "data/x", "hello").Reply));     // relative to its home
        Assert.Equal("hello", Text(sandbox.As(guest, Op.Read, "data/x").Reply));
        Assert.Equal("hello", Text(sandbox.Dom0(Op.Read, Home(3) + "/data/x")));
        Assert.Equal("x", Text(sandbox.As(guest, Op.Directory, "data").Reply));
        Assert.Equal(Home(3), Text(sandbox.As(guest, Op.GetDomainPath, "3").Reply));
        Assert.Equal("OK", Text(sandbox.As(guest, Op.Watch, "data", "tok").Reply));
        Assert.Equal("OK", Text(sandbox.Dom0(Op.Write, Home(3) + "/data/y", "1")));
        var (reply, events) = sandbox.As(guest, Op.Read, "data/y");
        Assert.Equal("1", Text(reply));
        Assert.Contains(events, e => e.Op == Op.WatchEvent && Text(e) == "data/y\0tok");
        Assert.Equal(0u, guest.Page.Requests.Unread);
        Assert.Null(sandbox.Daemon.DeathNote(TimeSpan.Zero));
    }

    [SandboxTheory]
    [MemberData(nameof(Kinds))]
    public void Traffic_beyond_several_rings_wraps_and_a_request_larger_than_the_ring_gets_through(DaemonKind kind)
    {
        using var sandbox = new RingSandbox(kind);
        var guest = sandbox.Introduce(4);
        for (var i = 0; i < 60; i++)
            Assert.Equal("OK", Text(sandbox.As(guest, Op.Write, "w/" + i, new string('v', 40 + i)).Reply));
        Assert.True(guest.Page.Requests.Producer > 3 * RingPage.RingSize);
        Assert.True(guest.Page.Responses.Producer > RingPage.RingSize);
        // Three 1,500-byte writes in one go: more than req[] holds, written as the daemon reads.
        var writes = Enumerable.Range(0, 3).Select(i => Packet.WriteRequest(1000 + (uint)i, 0, "big/" + i, new byte[1500].Select(_ => (byte)'b').ToArray())).ToArray();
        guest.Send(writes);
        foreach (var w in writes)
        {
            var (_, end, ending) = guest.ReadUntil(p => p.RequestId == w.RequestId, Wait);
            Assert.Equal(Ending.Complete, ending);
            Assert.Equal("OK", Text(end!));
        }
        Assert.Equal(1500, sandbox.Dom0(Op.Read, Home(4) + "/big/2").Length);
    }

    /// <summary>
    /// The C daemon updates with half a request in flight and the new process reads the rest.
    /// oxenstored refuses while a domain has a partial packet (Connection.has_partial_input blocks a
    /// live update; its refusal lists the domain's connection), and updates once the packet is whole.
    /// </summary>
    [SandboxTheory]
    [MemberData(nameof(Kinds))]
    public void A_live_update_with_half_a_request_in_req_and_an_unread_event_in_rsp_loses_neither(DaemonKind kind)
    {
        using var sandbox = new RingSandbox(kind);
        var guest = sandbox.Introduce(5);
        Assert.Equal("OK", Text(sandbox.As(guest, Op.Write, "data", "").Reply));
        Assert.Equal("OK", Text(sandbox.As(guest, Op.Watch, "data", "tok").Reply));
        Assert.Equal("OK", Text(sandbox.Dom0(Op.Write, Home(5) + "/data/before", "1")));
        Assert.True(SpinWait.SpinUntil(() => guest.Page.Responses.Unread > 0, Wait));   // the event waits unread in rsp[]
        var write = Packet.Request(Op.Write, 77, 0, "data/during", "2").ToBytes();
        guest.SendBytes(write[..10]);                                                    // half a header in flight
        var update = sandbox.LiveUpdate();
        if (kind == DaemonKind.Oxenstored)
        {
            Assert.Equal(LiveUpdateStatus.Refused, update.Status);
            Assert.Contains("D5: 0 tx, out: false", update.Detail);
        }
        else
        {
            Assert.True(update.Status == LiveUpdateStatus.Done, update.Reason + ": " + update.Detail);
        }
        guest.SendBytes(write[10..]);
        var (before, end, ending) = guest.ReadUntil(p => p.RequestId == 77 && p.Op != Op.WatchEvent, Wait);
        Assert.Equal(Ending.Complete, ending);
        Assert.Equal("OK", Text(end!));
        var (read, later) = sandbox.As(guest, Op.Read, "data/during");                  // oxenstored fires after replying
        Assert.Equal("2", Text(read));
        Assert.Equal(["data\0tok", "data/before\0tok", "data/during\0tok"], before.Concat(later).Select(Text));
        // Now an update with an unread event in rsp[] and nothing partial: both daemons do it, and the
        // channel works after it (the event, a fresh request, a fresh event).
        Assert.Equal("OK", Text(sandbox.Dom0(Op.Write, Home(5) + "/data/unread", "3")));
        Assert.True(SpinWait.SpinUntil(() => guest.Page.Responses.Unread > 0, Wait));
        update = sandbox.LiveUpdate();
        Assert.True(update.Status == LiveUpdateStatus.Done, update.Reason + ": " + update.Detail);
        Assert.Equal("OK", Text(sandbox.Dom0(Op.Write, Home(5) + "/data/after", "4")));
        var (reply, events) = sandbox.As(guest, Op.Read, "data/after");
        Assert.Equal("4", Text(reply));
        Assert.Equal(["data/unread\0tok", "data/after\0tok"], events.Select(Text));
        Assert.Null(sandbox.Daemon.DeathNote(TimeSpan.Zero));
    }

    /// <summary>
    /// The C daemon unbinds a released domain's port: its guest's connection ends. oxenstored's RELEASE
    /// only forgets the domain (Domains.del) and keeps the port bound: the guest is no longer served.
    /// </summary>
    [SandboxTheory]
    [MemberData(nameof(Kinds))]
    public void Release_ends_the_guests_service(DaemonKind kind)
    {
        using var sandbox = new RingSandbox(kind);
        var guest = sandbox.Introduce(6);
        Assert.Equal("OK", Text(sandbox.As(guest, Op.Write, "x", "1").Reply));
        Assert.Equal("OK", Text(sandbox.Dom0(Op.Release, "6")));
        guest.Send(Packet.Request(Op.Read, 5, 0, "x"));
        var (_, end, ending) = guest.ReadUntil(p => p.RequestId == 5, TimeSpan.FromSeconds(1));
        Assert.Null(end);
        var oxenstored = kind == DaemonKind.Oxenstored;
        Assert.Equal(oxenstored ? Ending.Timeout : Ending.Closed, ending);
        Assert.Equal(oxenstored, File.Exists(RingConnection.PortPath(sandbox.Daemon.RunFolder, 6)));
    }

    [SandboxFact]
    public void Several_daemons_at_once_keep_their_rings_apart_and_stop_leaves_none()
    {
        string[] folders;
        using (var a = new RingSandbox(DaemonKind.Oxenstored))
        using (var b = new RingSandbox(DaemonKind.Xenstored))
        {
            var ga = a.Introduce(2);
            var gb = b.Introduce(2);
            Assert.Equal("OK", Text(a.As(ga, Op.Write, "who", "ox").Reply));
            Assert.Equal("OK", Text(b.As(gb, Op.Write, "who", "c").Reply));
            Assert.Equal("ox", Text(a.As(ga, Op.Read, "who").Reply));
            Assert.Equal("c", Text(b.As(gb, Op.Read, "who").Reply));
            folders = [a.Daemon.RunFolder, b.Daemon.RunFolder];
        }
        Assert.All(folders, f => Assert.False(Directory.Exists(f)));
    }

    /// <summary>
    /// oxenstored's update over dom0's ring: done, refused for an open transaction (the same blocker
    /// list as over the socket), done again once it ends, and still done (over the socket) after a
    /// scenario released domain 0 and with it dom0's ring connection.
    /// </summary>
    [SandboxFact]
    public void Oxenstored_updates_over_dom0s_ring_and_refuses_for_the_same_blockers()
    {
        using var sandbox = new RingSandbox(DaemonKind.Oxenstored);
        var guest = sandbox.Introduce(2);
        Assert.Equal("OK", Text(sandbox.As(guest, Op.Write, "x", "1").Reply));
        Assert.Equal(LiveUpdateStatus.Done, sandbox.LiveUpdateOverRing().Status);

        var started = sandbox.As(guest, Op.TransactionStart, "").Reply;
        var refused = sandbox.LiveUpdateOverRing();
        Assert.Equal(LiveUpdateStatus.Refused, refused.Status);
        Assert.Equal("open transactions", refused.Reason);
        Assert.StartsWith("D2: 1 tx", refused.Detail);
        var end = Packet.Request(Op.TransactionEnd, 90, uint.Parse(Text(started), System.Globalization.CultureInfo.InvariantCulture), "F");
        guest.Send(end);
        Assert.Equal(Ending.Complete, guest.ReadUntil(p => p.RequestId == 90, Wait).Ending);
        Assert.Equal(LiveUpdateStatus.Done, sandbox.LiveUpdateOverRing().Status);
        Assert.Equal("1", Text(sandbox.As(guest, Op.Read, "x").Reply));

        // oxenstored forgets domain 0 and then fails the request (ENOENT): dom0's ring is dead.
        Assert.Equal("ENOENT", Text(sandbox.Dom0(Op.Release, "0")));
        Assert.Equal("F", Text(sandbox.Dom0(Op.IsDomainIntroduced, "0")));
        Assert.Equal(LiveUpdateStatus.Done, sandbox.LiveUpdateOverRing().Status);
        Assert.Null(sandbox.Daemon.DeathNote(TimeSpan.Zero));
    }
}
