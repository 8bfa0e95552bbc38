using XsFuzz.RealDaemons.Mapping;
using XsFuzz.RealDaemons.Wire;
using XsFuzz.Xenstore;
using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Migration;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.RealDaemons.Running;

/// <summary>
/// The model behind the same slots as a real daemon: four sockets opened in slot order (A1..A4), so
/// that connection names agree with oxenstored's, and the same sync points.
/// </summary>
public sealed class ModelTarget : ITarget
{
    private readonly ConnectionId[] _slots = new ConnectionId[Slots.Count];
    private readonly LiveUpdateFault _fault;
    private Xenstored _daemon;
    private uint _nextSync = SyncPoint.RunnerIds;

    /// <param name="config">The model's configuration; diff runs set /tool/xenstored to the sandbox binary.</param>
    /// <param name="fault">A planted live-update bug (the tests use it to check that the runner finds one).</param>
    /// <param name="label">What reports call it.</param>
    public ModelTarget(XenstoredConfig config, LiveUpdateFault fault = LiveUpdateFault.None, string label = "model")
    {
        _fault = fault;
        Label = label;
        _daemon = new Xenstored(config);
        for (var i = 0; i < Slots.Count; i++) _slots[i] = _daemon.OpenSocket();
    }

    public string Label { get; }

    public Delivery Exchange(int slot, Packet request) => Read(slot, request);

    public Delivery Drain(int slot) => Read(slot, null);

    private Delivery Read(int slot, Packet? request)
    {
        var id = _slots[slot];
        if (request is not null) _daemon.Handle(id, request);
        var sync = SyncPoint.Make(_nextSync++);
        _daemon.Handle(id, sync);
        var all = _daemon.TakeOutput(id);
        var packets = new List<Packet>(all.Count);
        var found = false;
        foreach (var p in all)
        {
            if (!found && SyncPoint.IsReplyTo(p, sync.RequestId)) found = true;
            else packets.Add(p);
        }
        return new Delivery(packets, found ? Ending.Complete : Ending.Closed);
    }

    /// <summary>The model's live update: dump and restore into a new daemon, which replaces this one.</summary>
    public LiveUpdateResult LiveUpdate()
    {
        _daemon = _daemon.LiveUpdate(_fault);
        return LiveUpdateResult.Done;
    }

    public string? DeathNote() => null;

    public string Diagnostics() => "";

    public void Dispose() { }
}
