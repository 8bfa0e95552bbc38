using System.Text;
using XsFuzz.RealDaemons.Mapping;
using XsFuzz.RealDaemons.Sandbox;
using XsFuzz.RealDaemons.Wire;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.RealDaemons.Running;

/// <summary>
/// A fresh real daemon with the four socket slots connected in order. Each connection is
/// synchronised once before the next one opens, so the daemon has accepted (and numbered) them in
/// slot order. Disposing closes the sockets and kills the daemon.
/// </summary>
public sealed class RealTarget : ITarget
{
    private readonly DaemonProcess _daemon;
    private readonly DaemonConnection[] _slots;
    private readonly ControlChannel _control;
    private readonly SandboxLayout _layout;
    private readonly RunSettings _settings;
    private uint _nextSync = SyncPoint.RunnerIds;

    private RealTarget(string label, DaemonProcess daemon, DaemonConnection[] slots, SandboxLayout layout, RunSettings settings)
    {
        Label = label;
        _daemon = daemon;
        _slots = slots;
        _layout = layout;
        _settings = settings;
        _control = new ControlChannel(slots[Slots.Control]);
    }

    public string Label { get; }

    public DaemonKind Kind => _daemon.Kind;

    public int Pid => _daemon.Pid;

    /// <exception cref="SandboxException">The daemon would not start or accept the connections.</exception>
    public static RealTarget Start(string label, SandboxLayout layout, DaemonKind kind, RunSettings settings)
    {
        var daemon = DaemonProcess.Start(layout, kind, settings.StartTimeout, settings.KeepRunFolders);
        var slots = new List<DaemonConnection>();
        try
        {
            for (var i = 0; i < Slots.Count; i++)
            {
                slots.Add(DaemonConnection.Connect(daemon.SocketPath, settings.StartTimeout));
                var sync = SyncPoint.Make(SyncPoint.RunnerIds - 1 - (uint)i);
                slots[i].Send(sync);
                var (_, end, _) = slots[i].ReadUntil(p => SyncPoint.IsReplyTo(p, sync.RequestId), settings.StartTimeout);
                if (end is null) throw new SandboxException($"{kind.Name()} did not answer connection {i + 1}: {daemon.OutputTail()}");
            }
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or SandboxException)
        {
            foreach (var s in slots) s.Dispose();
            daemon.Dispose();
            throw e as SandboxException ?? new SandboxException($"{kind.Name()}: cannot connect: {e.Message}");
        }
        return new RealTarget(label, daemon, [.. slots], layout, settings);
    }

    public Delivery Exchange(int slot, Packet request) => Read(slot, request);

    public Delivery Drain(int slot) => Read(slot, null);

    private Delivery Read(int slot, Packet? request)
    {
        var connection = _slots[slot];
        if (connection.Closed) return Delivery.ClosedEmpty;
        var sync = SyncPoint.Make(_nextSync++);
        if (request is null) connection.Send(sync);
        else connection.Send(request, sync);
        var (before, _, ending) = connection.ReadUntil(p => SyncPoint.IsReplyTo(p, sync.RequestId), _settings.ReplyTimeout);
        return new Delivery(before, ending);
    }

    public LiveUpdateResult LiveUpdate()
    {
        var result = _daemon.Kind == DaemonKind.Oxenstored
            ? _settings.OxenstoredUpdateOverRing ? OxenstoredRingLiveUpdate.Perform(_control, _daemon, _settings) : OxenstoredLiveUpdate.Perform(_control, _daemon, _settings)
            : XenstoredLiveUpdate.Perform(_control, _daemon, _layout.Binary(DaemonKind.Xenstored), _settings);
        if (result.Status != LiveUpdateStatus.Done) return result;
        // The C daemon answers OK before it has restored the nodes, and can die while doing so: only an
        // answer to a request sent after the OK shows that the new process is really serving.
        var (reply, ending) = _control.Call(_settings.ReplyTimeout, Op.Read, "/");
        return reply is not null ? result : OxenstoredLiveUpdate.Lost(_daemon, "first request after the update", ending);
    }

    public string? DeathNote() => _daemon.DeathNote(TimeSpan.FromMilliseconds(300));

    public string Diagnostics()
    {
        var text = new StringBuilder();
        text.Append(_daemon.Kind.Name()).Append(" pid ").Append(_daemon.Pid)
            .Append(_daemon.IsRunning ? " (running)" : " (EXITED)").Append(", run folder ").Append(_daemon.RunFolder).Append('\n');
        text.Append(_daemon.OutputTail(8));
        return text.ToString();
    }

    public void Dispose()
    {
        foreach (var s in _slots) s.Dispose();
        _daemon.Dispose();
    }
}
