using System.Diagnostics;
using System.Text;
using XsFuzz.Harness.Running;
using XsFuzz.RealDaemons.Mapping;
using XsFuzz.RealDaemons.Sandbox;
using XsFuzz.RealDaemons.Wire;
using XsFuzz.Xenstore;
using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.RealDaemons.Running;

/// <summary>
/// A fresh real daemon with the four socket slots connected in order. Each connection is
/// synchronised once before the next one opens, so the daemon has accepted (and numbered) them in
/// slot order. A domU's commands (D&lt;domid&gt;) go over its ring while it is introduced
/// (<see cref="DomainRings"/>). Disposing closes the sockets and rings and kills the daemon.
/// </summary>
public sealed class RealTarget : ITarget
{
    private readonly IDaemon _daemon;
    private readonly DaemonConnection[] _slots;
    private readonly ControlChannel _control;
    private readonly SandboxLayout _layout;
    private readonly RunSettings _settings;
    private readonly DomainRings _rings;
    private uint _nextSync = SyncPoint.RunnerIds;
    private uint _nextWalkId = SyncPoint.RunnerIds + 0x4_0000;
    private readonly StandingRefusal _standing;

    private RealTarget(string label, IDaemon daemon, DaemonConnection[] slots, SandboxLayout layout, RunSettings settings, IdleGate idle)
    {
        Label = label;
        _daemon = daemon;
        _slots = slots;
        _layout = layout;
        _settings = settings;
        Idle = idle;
        _standing = new StandingRefusal(daemon.Kind);
        _control = new ControlChannel(slots[Slots.Control]);
        _rings = new DomainRings(daemon.RunFolder, _control, settings, pagesBy16BitDomid: daemon.Kind == DaemonKind.Xenstored, daemon.Exit, idle);
    }

    public string Label { get; }

    /// <summary>The daemon's idle word: the gate of <see cref="RunSettings.WakeOnlyWhenIdle"/>, and the end of waits that nothing will end.</summary>
    internal IdleGate Idle { get; }

    public DaemonKind Kind => _daemon.Kind;

    public int Pid => _daemon.Pid;

    /// <summary>The daemon's run folder (its domUs' ring pages are in domu/).</summary>
    public string RunFolder => _daemon.RunFolder;

    /// <summary>Whether the daemon has exited (checked without waiting, unlike <see cref="DeathNote"/>).</summary>
    public bool Exited => !_daemon.IsRunning;

    /// <summary>
    /// Starts a daemon (with <paramref name="environment"/> added to its own), or takes one from
    /// <paramref name="start"/> (a <see cref="ForkServer"/>'s copy), and connects the slots.
    /// </summary>
    /// <exception cref="SandboxException">The daemon would not start or accept the connections.</exception>
    public static RealTarget Start(string label, SandboxLayout layout, DaemonKind kind, RunSettings settings,
        IReadOnlyDictionary<string, string>? environment = null, Func<IDaemon>? start = null)
    {
        var daemon = start?.Invoke() ?? DaemonProcess.Start(layout, kind, settings.StartTimeout, settings.KeepRunFolders, environment);
        var idle = new IdleGate(daemon.RunFolder, daemon.Exit, wakeOnlyWhenIdle: settings.WakeOnlyWhenIdle);
        var slots = new List<DaemonConnection>();
        try
        {
            for (var i = 0; i < Slots.Count; i++)
            {
                slots.Add(DaemonConnection.Connect(daemon.SocketPath, settings.StartTimeout, idle));
                var sync = SyncPoint.Make(SyncPoint.RunnerIds - 1 - (uint)i);
                slots[i].Send(sync);
                var (_, end, _) = slots[i].ReadUntil(p => SyncPoint.IsReplyTo(p, sync.RequestId), settings.StartTimeout);
                if (end is null) throw new SandboxException($"{kind.Name()} did not answer connection {i + 1}: {daemon.OutputTail()}");
            }
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or SandboxException)
        {
            foreach (var s in slots) s.Dispose();
            idle?.Dispose();
            daemon.Dispose();
            throw e as SandboxException ?? new SandboxException($"{kind.Name()}: cannot connect: {e.Message}");
        }
        return new RealTarget(label, daemon, [.. slots], layout, settings, idle);
    }

    /// <summary>The scenario connections a real daemon serves here (see <see cref="Slots"/>), and the introduced domUs.</summary>
    public IReadOnlyList<ConnectionId> Connections => [ConnectionId.Socket(1), ConnectionId.Socket(2), Xenstored.Dom0, .. _rings.Connections];

    public Delivery Exchange(ConnectionId connection, Packet request) => Send(connection, null, request);

    private Delivery Send(ConnectionId connection, byte[]? rest, Packet request)
    {
        _standing.Sending(request);
        if (!DomainRings.Changes(request)) return Read(ClientOf(connection), request, rest);
        _rings.BeforeIntroduce(request);
        var delivery = Read(ClientOf(connection), request, rest);
        _rings.AfterDomainRequest();
        return delivery;
    }

    public Delivery Drain(ConnectionId connection) => Read(ClientOf(connection), null);

    /// <summary>
    /// On a ring the runner then waits until the daemon has read the bytes out of req[] (so that they are
    /// its partial input when a live update comes, as with a guest whose vCPU stopped mid-request, not
    /// bytes it has not looked at yet). A socket's bytes are in the kernel's buffer: nothing to wait for.
    /// </summary>
    public void SendPart(ConnectionId connection, byte[] bytes)
    {
        if (ClientOf(connection) is not { Closed: false } client) return;
        _standing.SendingPart();
        client.SendBytes(bytes);
        if (client is RingConnection ring) ring.WaitConsumed(_settings.ReplyTimeout);
    }

    public Delivery Complete(ConnectionId connection, byte[] rest, Packet? request)
    {
        _standing.SendingPart();
        return request is null ? Read(ClientOf(connection), null, rest) : Send(connection, rest, request);
    }

    /// <summary>
    /// A socket slot, or a domU's ring; null for a domU that is not introduced now, which, as in the
    /// model, reads nothing (closed). Scenarios are mapped before they run (ScenarioMapper): any other
    /// connection is a bug of the runner.
    /// </summary>
    private IClientConnection? ClientOf(ConnectionId connection)
    {
        if (Slots.Of(connection) is { } slot) return _slots[slot];
        if (connection.Kind == ConnectionKind.Ring) return _rings.Of(connection);
        throw new ArgumentException($"no slot for connection {connection}", nameof(connection));
    }

    /// <summary>
    /// The walk's batches go without sync points: the control connection gets no watch events, so the
    /// reply to a batch's last request ends what the batch reads.
    /// </summary>
    public string Walk() => StateWalk.Run(WalkBatch, () => _nextWalkId++);

    private List<Packet> WalkBatch(IReadOnlyList<Packet> requests)
    {
        var control = _slots[Slots.Control];
        if (control.Closed) return [];
        var last = requests[^1].RequestId;
        control.Send([.. requests]);
        var (before, end, _) = control.ReadUntil(p => SyncPoint.IsReplyTo(p, last), _settings.ReplyTimeout);
        if (end is not null) before.Add(end);
        return before;
    }

    /// <param name="rest">The rest of the connection's unfinished request, written first (in the same write).</param>
    private Delivery Read(IClientConnection? connection, Packet? request, byte[]? rest = null)
    {
        if (connection is null || connection.Closed) return Delivery.ClosedEmpty;
        var sync = SyncPoint.Make(_nextSync++);
        if (rest is not null) connection.SendBytes([.. rest, .. request?.ToBytes() ?? [], .. sync.ToBytes()]);
        else if (request is null) connection.Send(sync);
        else connection.Send(request, sync);
        var (before, _, ending) = connection.ReadUntil(p => SyncPoint.IsReplyTo(p, sync.RequestId), _settings.ReplyTimeout);
        return new Delivery(before, ending);
    }

    public LiveUpdateResult LiveUpdate()
    {
        if (_standing.Standing() is { } standing) return standing;
        var result = Perform();
        _standing.Asked(result);
        return result;
    }

    private LiveUpdateResult Perform()
    {
        var result = _daemon.Kind == DaemonKind.Oxenstored
            ? _settings.OxenstoredUpdateOverRing ? OxenstoredRingLiveUpdate.Perform(_control, _daemon, _settings, Idle) : OxenstoredLiveUpdate.Perform(_control, _daemon, _settings, Idle)
            : XenstoredLiveUpdate.Perform(_control, _daemon, _layout.Binary(DaemonKind.Xenstored), _settings);
        if (result.Status != LiveUpdateStatus.Done) return result;
        // The C daemon answers OK before it has restored the nodes, and can die while doing so: only an
        // answer to a request sent after the OK shows that the new process is really serving.
        var (reply, ending) = _control.Call(_settings.ReplyTimeout, Op.Read, "/");
        return reply is not null ? result : OxenstoredLiveUpdate.Lost(_daemon, "first request after the update", ending);
    }

    /// <summary>
    /// A daemon that stopped answering may be on its way out (its socket closes a moment before its exit
    /// shows), so its exit is waited for a while (<see cref="DeathGrace"/>). One that is quiet over that
    /// while (it has read all we sent, sits idle in poll(), and has no timeout of its own before the end
    /// of it) will not die in it, and is not waited for: after every reply that never came, that wait
    /// was most of the AFL target's time.
    /// </summary>
    public string? DeathNote()
    {
        var graceEnd = Stopwatch.GetTimestamp() + (long)(DeathGrace.TotalSeconds * Stopwatch.Frequency);
        return _daemon.IsRunning && Idle.Quiet(graceEnd, [.. _slots.Select(s => s.Socket), .. _rings.KickSockets]) ? null : _daemon.DeathNote(DeathGrace);
    }

    private static readonly TimeSpan DeathGrace = TimeSpan.FromMilliseconds(300);

    public string Diagnostics()
    {
        var text = new StringBuilder();
        text.Append(_daemon.Kind.Name()).Append(" pid ").Append(_daemon.Pid)
            .Append(_daemon.IsRunning ? " (running)" : " (EXITED)").Append(", run folder ").Append(_daemon.RunFolder).Append('\n');
        text.Append(_daemon.OutputTail(8));
        return text.ToString();
    }

    /// <summary>
    /// The daemon is killed before its connections close: a daemon that saw them close would tear them
    /// down (destroy_conn, its watches, ...) or not, depending on how soon the kill came, and those edges
    /// of the C daemon were most of `xsfuzz afl --daemon`'s unstable map bytes.
    /// </summary>
    public void Dispose()
    {
        _daemon.Dispose();
        _rings.Dispose();
        foreach (var s in _slots) s.Dispose();
        Idle.Dispose();
    }
}
