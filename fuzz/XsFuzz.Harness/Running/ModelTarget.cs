using XsFuzz.Harness.Generation;
using XsFuzz.Harness.Scenarios;
using XsFuzz.Xenstore;
using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Migration;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Harness.Running;

/// <summary>
/// The model as a target: one <see cref="Xenstored"/> in-process. A live update replaces it with its
/// dumped and restored copy (with the planted fault, if any). Exceptions of the model are caught and
/// become deliveries or results that say so: a crash of the model is a finding like any other.
/// </summary>
public sealed class ModelTarget : ITarget
{
    private readonly ModelLayout _layout;
    private readonly LiveUpdateFault _fault;
    private uint _nextSync = SyncPoint.RunnerIds;
    private LiveView? _view;

    public ModelTarget(XenstoredConfig config, LiveUpdateFault fault = LiveUpdateFault.None, ModelLayout? layout = null,
        string label = "model")
        : this(new Xenstored(config), fault, layout ?? ModelLayout.Plain, label)
    {
        for (var i = 0; i < _layout.Sockets; i++) Daemon.OpenSocket();
    }

    private ModelTarget(Xenstored daemon, LiveUpdateFault fault, ModelLayout layout, string label)
    {
        Daemon = daemon;
        _fault = fault;
        _layout = layout;
        Label = label;
    }

    public string Label { get; }

    /// <summary>The daemon as it is now (a live update replaces it).</summary>
    public Xenstored Daemon { get; private set; }

    /// <summary>The lists choices index into, kept until the next step changes the daemon.</summary>
    internal LiveView View => _view ??= new LiveView(Daemon);

    public IReadOnlyList<ConnectionId> Connections
    {
        get
        {
            if (_layout == ModelLayout.Plain) return Daemon.Connections;
            var list = new List<ConnectionId>();
            foreach (var id in Daemon.Connections)
            {
                if (id == _layout.Dom0) list.Add(Xenstored.Dom0);
                else if (id.Kind == ConnectionKind.Ring || id.Number <= Scenario.Sockets) list.Add(id);
            }
            return list;
        }
    }

    /// <summary>
    /// A copy of this daemon that has performed a live update: what the updated side of a model pair
    /// starts as (until the first update it would be an identical copy: the model is deterministic).
    /// </summary>
    public ModelTarget LiveUpdatedCopy() => new(Daemon.LiveUpdate(_fault), _fault, _layout, Label);

    public Delivery Exchange(ConnectionId connection, Packet request) => Read(connection, request);

    public Delivery Drain(ConnectionId connection) => Read(connection, null);

    /// <summary>
    /// The bytes stay in the connection's partial input. They never complete a packet: the pair finishes
    /// an unfinished request before its connection writes anything else.
    /// </summary>
    public void SendPart(ConnectionId connection, byte[] bytes)
    {
        _view?.Invalidate();
        Daemon.Receive(connection == Xenstored.Dom0 ? _layout.Dom0 : connection, bytes);
    }

    public Delivery Complete(ConnectionId connection, byte[] rest, Packet? request) => Read(connection, request, rest);

    private Delivery Read(ConnectionId connection, Packet? request, byte[]? rest = null)
    {
        _view?.Invalidate();
        var id = connection == Xenstored.Dom0 ? _layout.Dom0 : connection;
        try
        {
            if (rest is not null) Daemon.Receive(id, rest);
            if (request is not null) Daemon.Handle(id, request);
            if (!_layout.SyncPoints)
            {
                var output = Daemon.TakeOutput(id);
                return output.Count == 0 ? Delivery.NothingQueued : new Delivery(output, Ending.Complete);
            }
            // The real runner's sync point: the same READ, whose reply is removed.
            var sync = SyncPoint.Make(_nextSync++);
            Daemon.Handle(id, sync);
            var all = Daemon.TakeOutput(id);
            var packets = new List<Packet>(all.Count);
            var found = false;
            foreach (var p in all)
            {
                if (!found && SyncPoint.IsReplyTo(p, sync.RequestId)) found = true;
                else packets.Add(p);
            }
            return new Delivery(packets, found ? Ending.Complete : Ending.Closed);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Delivery.Threw(e);
        }
    }

    public LiveUpdateResult LiveUpdate()
    {
        _view = null;
        try
        {
            Daemon = Daemon.LiveUpdate(_fault);
            return LiveUpdateResult.Done;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return LiveUpdateResult.Threw(e);
        }
    }

    public string Walk()
    {
        if (_layout.Walker is not { } walker) throw new InvalidOperationException("this model target has no walking connection");
        var id = SyncPoint.RunnerIds + 0x4_0000;
        return StateWalk.Run(requests => [.. requests.SelectMany(request => Read(walker, request).Packets)], () => id++);
    }

    public string? DeathNote() => null;

    public string Diagnostics() => "";

    public void Dispose() { }
}
