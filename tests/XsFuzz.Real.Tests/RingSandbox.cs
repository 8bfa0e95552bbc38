using XsFuzz.Harness.Running;
using System.Globalization;
using XsFuzz.RealDaemons.Running;
using XsFuzz.RealDaemons.Sandbox;
using XsFuzz.RealDaemons.Wire;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Real.Tests;

/// <summary>
/// One of Debian's daemons in the sandbox with dom0 on its socket and guests on their rings: what the
/// ring and security tests need (introduce a domain as a toolstack does, talk as it, live-update).
/// </summary>
internal sealed class RingSandbox : IDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private readonly DaemonConnection _dom0;
    private readonly ControlChannel _control;
    private readonly List<RingConnection> _rings = [];
    private uint _nextId = 1;

    public RingSandbox(DaemonKind kind)
    {
        Kind = kind;
        Daemon = DaemonProcess.Start(SandboxFixture.Layout, kind, TimeSpan.FromSeconds(10));
        _dom0 = DaemonConnection.Connect(Daemon.SocketPath, Wait);
        _control = new ControlChannel(_dom0);
    }

    public DaemonKind Kind { get; }
    public DaemonProcess Daemon { get; }

    /// <summary>A request from dom0 (its socket); the reply.</summary>
    public Packet Dom0(Op op, params string[] args) => Call(_dom0.Send, _dom0.ReadUntil, op, args).Reply;

    /// <summary>A request over a ring; the reply and the watch events read before it.</summary>
    public (Packet Reply, List<Packet> Events) As(RingConnection ring, Op op, params string[] args) =>
        Call(ring.Send, ring.ReadUntil, op, args);

    private (Packet Reply, List<Packet> Events) Call(Action<Packet[]> send,
        Func<Func<Packet, bool>, TimeSpan, (List<Packet>, Packet?, Ending)> read, Op op, string[] args)
    {
        var request = Packet.Request(op, _nextId++, 0, args);
        send([request]);
        var (before, end, ending) = read(p => p.RequestId == request.RequestId && p.Op != Op.WatchEvent, Wait);
        if (end is null) throw new InvalidOperationException($"no reply to {op} ({ending}); daemon: {Daemon.DeathNote(TimeSpan.FromMilliseconds(300)) ?? "alive"}");
        return (end, before);
    }

    /// <summary>What a toolstack does for a new guest: its home owned by it, then INTRODUCE.</summary>
    public RingConnection Introduce(uint domid)
    {
        var home = Home(domid);
        Assert.Equal("OK", Text(Dom0(Op.Write, home, "")));
        Assert.Equal("OK", Text(Dom0(Op.SetPerms, home, "n" + domid)));
        Assert.Equal("OK", Text(Dom0(Op.Introduce, Number(domid), "0", "1")));
        var ring = RingConnection.Open(Daemon.RunFolder, domid, Wait);
        _rings.Add(ring);
        return ring;
    }

    public LiveUpdateResult LiveUpdate() => Kind == DaemonKind.Oxenstored
        ? OxenstoredLiveUpdate.Perform(_control, Daemon, RunSettings.Default)
        : XenstoredLiveUpdate.Perform(_control, Daemon, SandboxFixture.Layout.Binary(Kind), RunSettings.Default);

    /// <summary>oxenstored's update asked over dom0's ring with -t 0 (<see cref="OxenstoredRingLiveUpdate"/>).</summary>
    public LiveUpdateResult LiveUpdateOverRing() => OxenstoredRingLiveUpdate.Perform(_control, Daemon, RunSettings.Default);

    public static string Home(uint domid) => "/local/domain/" + Number(domid);
    public static string Number(uint n) => n.ToString(CultureInfo.InvariantCulture);
    public static string Text(Packet p) => Latin1.Decode(p.Payload).TrimEnd('\0');

    public void Dispose()
    {
        foreach (var ring in _rings) ring.Dispose();
        _dom0.Dispose();
        Daemon.Dispose();
    }
}
