using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using XsFuzz.Harness.Running;
using XsFuzz.RealDaemons.Running;
using XsFuzz.RealDaemons.Sandbox;
using XsFuzz.RealDaemons.Wire;
using XsFuzz.Xenstore;
using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Real.Tests;

/// <summary>
/// <see cref="IdleGate"/> against a word written by hand, then against the sandbox's daemons, whose
/// shim (scripts/real/idle.c) must report an idle period after every wake, a live update included:
/// a daemon that did not would turn the gate off. A read that no answer will end stops as soon as the
/// daemon is quiet (<see cref="IdleGate.Quiet"/>): the tests give such reads a 10 s timeout that they
/// must not wait out (below oxenstored's own 15 s poll timeout, which would otherwise come first and
/// rightly keep the reader waiting for it), and count the gate's answers.
/// </summary>
[Collection("sandbox daemons")]   // its daemons would count in ForkServerTests' DaemonReaper check
public sealed class IdleGateTests : IDisposable
{
    private readonly string _run = Directory.CreateTempSubdirectory("xsfuzz-idle-").FullName;

    public void Dispose() => Directory.Delete(_run, recursive: true);

    private void Publish(long count, bool idle, ulong until = ulong.MaxValue)
    {
        var bytes = new byte[4096];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, count << 1 | (idle ? 1L : 0L));
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), until);
        using var file = new FileStream(Path.Combine(_run, "idle"), FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite);
        file.Write(bytes);
    }

    /// <summary>A listening Unix socket in the run folder: the daemon's end of a hand-made connection.</summary>
    private Socket Listen(out string path)
    {
        path = Path.Combine(_run, "s");
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen();
        return listener;
    }

    [Fact]
    public void A_wake_waits_for_an_idle_period_it_has_not_woken_yet()
    {
        Publish(1, idle: true);
        using var gate = new IdleGate(_run, daemon: null, TimeSpan.FromSeconds(30));
        gate.BeforeWake();                     // idle, never woken: at once
        var published = false;
        var daemon = new Thread(() =>
        {
            Thread.Sleep(100);
            Publish(1, idle: false);           // woken, working
            Volatile.Write(ref published, true);
            Publish(2, idle: true);            // idle again
        });
        daemon.Start();
        gate.BeforeWake();                     // the same period as the last wake: waits for the next
        Assert.True(Volatile.Read(ref published));
        Assert.True(gate.On);
        daemon.Join();
    }

    [Fact]
    public void A_daemon_that_stays_busy_turns_the_gate_off_after_one_bound()
    {
        Publish(5, idle: false);
        using var gate = new IdleGate(_run, daemon: null, TimeSpan.FromMilliseconds(50));
        gate.BeforeWake();
        Assert.False(gate.On);
        Publish(6, idle: true);
        gate.BeforeWake();                     // off: no more waits
        Assert.False(gate.On);
    }

    [Fact]
    public void No_idle_file_yet_is_a_daemon_not_idle_yet()
    {
        using var gate = new IdleGate(_run, daemon: null, TimeSpan.FromMilliseconds(50));
        gate.BeforeWake();
        Assert.False(gate.On);
    }

    [Fact]
    public void Quiet_needs_our_bytes_read_an_idle_daemon_and_no_timeout_of_its_own_before_ours()
    {
        using var listener = Listen(out var path);
        using var ours = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        ours.Connect(new UnixDomainSocketEndPoint(path));
        using var theirs = listener.Accept();
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 30;
        Publish(3, idle: true);
        using var gate = new IdleGate(_run, daemon: null, TimeSpan.FromMilliseconds(50));

        ours.Send("request"u8);
        Assert.False(gate.Quiet(deadline, [ours]));           // idle, but our bytes are not read yet
        Assert.Equal(7, theirs.Receive(new byte[64]));
        Assert.True(gate.Quiet(deadline, [ours]));            // read, idle, no timeout of its own
        Publish(4, idle: false);
        Assert.False(gate.Quiet(deadline, [ours]));           // working: it may still answer
        Publish(5, idle: true, until: (ulong)(deadline - Stopwatch.Frequency));
        Assert.False(gate.Quiet(deadline, [ours]));           // its own timeout comes first: it may answer then
        Publish(6, idle: true, until: (ulong)(deadline + Stopwatch.Frequency));
        Assert.True(gate.Quiet(deadline, [ours]));
        Assert.Equal(2, gate.QuietAnswers);
    }

    /// <summary>
    /// A daemon with more to write than the socket holds waits in poll() for room: idle, all our bytes
    /// read. The reader's read makes room and wakes it, but until it is scheduled it still shows that
    /// idle period, and a reader that stopped then would cut the drain short (the eleventh session's
    /// campaign, under load: `end drain: no answer in A, answered in B` with no live update done yet).
    /// </summary>
    [Fact]
    public void A_read_that_makes_room_waits_for_the_daemon_it_woke()
    {
        using var listener = Listen(out var path);
        Publish(1, idle: true);
        using var gate = new IdleGate(_run, daemon: null, TimeSpan.FromSeconds(5));
        using var connection = DaemonConnection.Connect(path, TimeSpan.FromSeconds(5), gate);
        using var theirs = listener.Accept();
        var sent = 0;
        using var blocked = new ManualResetEventSlim();
        var daemon = new Thread(() =>
        {
            var evt = Packet.Request(Op.WatchEvent, 0, 0, "/a", "tok").ToBytes();
            theirs.Blocking = false;
            try
            {
                while (true) { theirs.Send(evt); sent++; }
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock) { }
            Publish(2, idle: true);                 // blocked in poll(), waiting for room
            blocked.Set();
            theirs.Poll(-1, SelectMode.SelectWrite);
            Thread.Sleep(200);                      // woken, not scheduled yet
            Publish(2, idle: false);
            theirs.Blocking = true;
            for (var i = 0; i < 10; i++, sent++) theirs.Send(evt);
            theirs.Send(Packet.Request(Op.Read, 77, 0, "/").ToBytes());
            Publish(3, idle: true);
        });
        daemon.Start();
        Assert.True(blocked.Wait(TimeSpan.FromSeconds(10)));
        var (before, end, ending) = connection.ReadUntil(p => p.RequestId == 77, TimeSpan.FromSeconds(10));
        daemon.Join();
        Assert.Equal(Ending.Complete, ending);
        Assert.NotNull(end);
        Assert.Equal(sent, before.Count);
    }

    [Fact]
    public void A_gate_turned_off_is_never_quiet()
    {
        using var gate = new IdleGate(_run, daemon: null, TimeSpan.FromMilliseconds(50));
        gate.BeforeWake();                                  // no file: off
        Publish(1, idle: true);
        using var ours = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        Assert.False(gate.Quiet(Stopwatch.GetTimestamp() + Stopwatch.Frequency, [ours]));
        Assert.Equal(TimeSpan.FromSeconds(3), gate.Slice(TimeSpan.FromSeconds(3)));
    }

    /// <summary>Half a request's header: the daemon reads it, waits for the rest, and answers nothing.</summary>
    [SandboxTheory]
    [MemberData(nameof(Kinds))]
    public void A_socket_read_that_nothing_will_answer_ends_when_the_daemon_is_quiet(DaemonKind kind)
    {
        using var daemon = DaemonProcess.Start(SandboxFixture.Layout, kind, TimeSpan.FromSeconds(10));
        using var gate = new IdleGate(daemon.RunFolder, daemon.Exit);
        using var connection = DaemonConnection.Connect(daemon.SocketPath, TimeSpan.FromSeconds(10), gate);
        connection.SendBytes(Packet.Request(Op.Read, 1, 0, "/").ToBytes()[..8]);
        var clock = Stopwatch.StartNew();
        var (before, end, ending) = connection.ReadUntil(_ => true, TimeSpan.FromSeconds(10));
        Assert.Equal((0, null, Ending.Timeout), (before.Count, end, ending));
        Assert.True(gate.QuietAnswers > 0 && clock.Elapsed < TimeSpan.FromSeconds(10), $"the read waited out its timeout ({clock.Elapsed})");
        Assert.True(gate.On);
    }

    /// <summary>
    /// oxenstored keeps a domain's old port after a second INTRODUCE (allow-list entry 019): the
    /// domain's ring is served no more, and a request on it is never answered.
    /// </summary>
    [SandboxTheory]
    [InlineData(true)]    // the AFL target
    [InlineData(false)]   // black-box xsfuzz real
    public void A_ring_request_that_nothing_will_answer_ends_when_the_daemon_is_quiet(bool wakeOnlyWhenIdle)
    {
        var settings = RunSettings.Default with { WakeOnlyWhenIdle = wakeOnlyWhenIdle, ReplyTimeout = TimeSpan.FromSeconds(10) };
        using var target = RealTarget.Start("t", SandboxFixture.Layout, DaemonKind.Oxenstored, settings);
        var d4 = ConnectionId.Ring(4);
        uint id = 1;
        Packet Req(Op op, params string[] args) => Packet.Request(op, id++, 0, args);
        Assert.Equal(Ending.Complete, target.Exchange(Xenstored.Dom0, Req(Op.Introduce, "4", "1004", "14")).Ending);
        Assert.Equal(Ending.Complete, target.Exchange(d4, Req(Op.Read, "/")).Ending);
        Assert.Equal(Ending.Complete, target.Exchange(Xenstored.Dom0, Req(Op.Introduce, "4", "1004", "14")).Ending);
        var clock = Stopwatch.StartNew();
        var lost = target.Exchange(d4, Req(Op.Read, "/"));
        Assert.Equal((0, Ending.Timeout), (lost.Packets.Count, lost.Ending));
        Assert.True(target.Idle.QuietAnswers > 0 && clock.Elapsed < settings.ReplyTimeout, $"the read waited out its timeout ({clock.Elapsed})");
        Assert.Null(target.DeathNote());
    }

    public static TheoryData<DaemonKind> Kinds => new() { DaemonKind.Oxenstored, DaemonKind.Xenstored };

    [SandboxTheory]
    [MemberData(nameof(Kinds))]
    public void A_daemon_goes_idle_after_every_wake_a_live_update_and_a_guests_ring_included(DaemonKind kind)
    {
        var settings = RunSettings.Default with { WakeOnlyWhenIdle = true };
        using var target = RealTarget.Start("t", SandboxFixture.Layout, kind, settings);
        var d4 = ConnectionId.Ring(4);
        uint id = 1;
        Packet Req(Op op, params string[] args) => Packet.Request(op, id++, 0, args);
        string One(Delivery d) => Assert.Single(d.Packets) is var p && d.Ending == Ending.Complete ? Latin1.Decode(p.Payload) : "";

        Assert.Equal("OK\0", One(target.Exchange(Xenstored.Dom0, Req(Op.Write, "/local/domain/4", ""))));
        Assert.Equal("OK\0", One(target.Exchange(Xenstored.Dom0, Req(Op.SetPerms, "/local/domain/4", "n4"))));
        Assert.Equal("OK\0", One(target.Exchange(Xenstored.Dom0, Req(Op.Introduce, "4", "1004", "14"))));
        Assert.Equal(2, target.Exchange(d4, Req(Op.Watch, "x", "t")).Packets.Count);   // OK and the first event
        Assert.Equal("OK\0", One(target.Exchange(ConnectionId.Socket(1), Packet.WriteRequest(id++, 0, "/local/domain/4/x", "1"u8))));
        var update = target.LiveUpdate();
        Assert.True(update.Status == LiveUpdateStatus.Done, update.Reason + ": " + update.Detail);
        Assert.Equal(Op.WatchEvent, Assert.Single(target.Drain(d4).Packets).Op);  // the write's event, unread before the update
        Assert.Equal("1", One(target.Exchange(d4, Req(Op.Read, "x"))));
        Assert.Contains("/local", target.Walk(), StringComparison.Ordinal);
        Assert.Null(target.DeathNote());
        Assert.True(target.Idle.On, "a wait for the daemon to go idle ran out");
    }
}
