using System.Buffers.Binary;
using XsFuzz.Harness.Running;
using XsFuzz.RealDaemons.Running;
using XsFuzz.RealDaemons.Sandbox;
using XsFuzz.Xenstore;
using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Real.Tests;

/// <summary>
/// <see cref="IdleGate"/> against a word written by hand, then against the sandbox's daemons, whose
/// shim (scripts/real/idle.c) must report an idle period after every wake, a live update included:
/// a daemon that did not would turn the gate off.
/// </summary>
[Collection("sandbox daemons")]   // its daemons would count in ForkServerTests' DaemonReaper check
public sealed class IdleGateTests : IDisposable
{
    private readonly string _run = Directory.CreateTempSubdirectory("xsfuzz-idle-").FullName;

    public void Dispose() => Directory.Delete(_run, recursive: true);

    private void Publish(long count, bool idle)
    {
        var bytes = new byte[4096];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, count << 1 | (idle ? 1L : 0L));
        using var file = new FileStream(Path.Combine(_run, "idle"), FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite);
        file.Write(bytes);
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
        Assert.True(target.Idle!.On, "a wait for the daemon to go idle ran out");
    }
}
