using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Migration;
using XsFuzz.Xenstore.Processing;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore;

/// <summary>
/// The model of one oxenstored 4.17 daemon. Feed it request packets with <see cref="Handle"/>; each
/// connection's outbound queue then holds exactly what oxenstored would have sent (replies and watch
/// events, in order). Deterministic and self-contained: no clock, no randomness, no static state.
/// </summary>
public sealed partial class Xenstored
{
    /// <summary>dom0's own ring connection, created at start-up.</summary>
    public static ConnectionId Dom0 => ConnectionId.Ring(0);

    /// <summary>A freshly started daemon (spec §11), with Debian's configuration unless told otherwise.</summary>
    public Xenstored(XenstoredConfig? config = null) => State = Daemon.Start(config ?? XenstoredConfig.Debian);

    internal Xenstored(Daemon state) => State = state;

    internal Daemon State { get; }

    public XenstoredConfig Config => State.Config;

    /// <summary>Accepts a new Unix-socket client (privileged, domid 0), named A1, A2, ...</summary>
    public ConnectionId OpenSocket()
    {
        var id = ConnectionId.Socket(State.NextSocketNumber++);
        State.AddConnection(new Connection(id, 0));
        return id;
    }

    /// <summary>The client went away (EOF): its watches, transactions and queued output are dropped.</summary>
    public bool CloseConnection(ConnectionId id)
    {
        if (State.Find(id) is not { } connection) return false;
        State.RemoveConnection(connection);
        return true;
    }

    /// <summary>Processes one request from a connection. Requests for unknown connections are ignored.</summary>
    public void Handle(ConnectionId id, Packet request)
    {
        if (State.Find(id) is { } connection) RequestProcessor.Process(State, connection, request);
    }

    /// <summary>
    /// Bytes from a connection's client, as a stream: appended to its unfinished request
    /// (<see cref="HasPartialInput"/>), and every packet they complete is processed in order. Bytes for an
    /// unknown connection are ignored, like its requests.
    /// </summary>
    public void Receive(ConnectionId id, ReadOnlySpan<byte> bytes)
    {
        if (State.Find(id) is not { } connection) return;
        var buffer = new byte[connection.PartialInput.Length + bytes.Length];
        connection.PartialInput.CopyTo(buffer, 0);
        bytes.CopyTo(buffer.AsSpan(connection.PartialInput.Length));
        var offset = 0;
        while (Packet.WholeLength(buffer.AsSpan(offset)) is { } whole && whole <= buffer.Length - offset)
        {
            var length = (int)whole;
            var packet = Packet.Parse(buffer.AsSpan(offset, length));
            offset += length;
            connection.PartialInput = buffer[offset..];
            RequestProcessor.Process(State, connection, packet);
        }
        connection.PartialInput = buffer[offset..];
    }

    /// <summary>Whether the connection's client has written part of a request and not the rest.</summary>
    public bool HasPartialInput(ConnectionId id) => State.Find(id) is { PartialInput.Length: > 0 };

    /// <summary>
    /// Removes and returns everything queued for the connection, in send order. Like oxenstored writing
    /// a connection's output, it first passes on the events the connection's own requests left waiting.
    /// </summary>
    public IReadOnlyList<Packet> TakeOutput(ConnectionId id)
    {
        if (State.Find(id) is not { } connection) return [];
        EventPipes.FlushSource(State.Config, connection);
        return connection.Output.Count == 0 ? [] : connection.TakeAll();
    }

    /// <summary>
    /// The oldest packet queued for the connection, or null: what oxenstored hands its socket when the
    /// client can take more (after passing on the events the connection's requests left waiting).
    /// </summary>
    public Packet? TakeOne(ConnectionId id)
    {
        if (State.Find(id) is not { } connection) return null;
        EventPipes.FlushSource(State.Config, connection);
        return connection.TakeOne();
    }

    /// <summary>
    /// Whether oxenstored would read the connection's next request now: false while its output queue
    /// has no room for a reply, or while a watch event its requests caused waits for room.
    /// </summary>
    public bool CanInput(ConnectionId id) => State.Find(id) is { } connection && connection.CanInput(State.Config);

    /// <summary>Every live connection, rings (by domid) before sockets (a list kept until the connections change).</summary>
    public IReadOnlyList<ConnectionId> Connections => State.ConnectionIds;

    public bool IsConnected(ConnectionId id) => State.Connections.ContainsKey(id);

    /// <summary>A CONTROL <c>live-update -s</c> was accepted and waits for whoever runs the daemon to perform it.</summary>
    public bool LiveUpdatePending => State.UpdateRequest.Pending;

    /// <summary>
    /// Called on the daemon that results from a queued update: like oxenstored after its re-exec, the
    /// next <c>live-update -s</c> answers <c>OK</c> once.
    /// </summary>
    public void CompleteLiveUpdate() =>
        State.UpdateRequest = State.UpdateRequest with { Pending = false, Result = ["OK"] };
}

public sealed partial class Xenstored
{
    /// <summary>A live update: this daemon dumped and restored into a new one (this one is left as is).</summary>
    public Xenstored LiveUpdate(LiveUpdateFault fault = LiveUpdateFault.None) => MigrationStream.DumpAndRestore(this, fault);

    /// <summary>
    /// The buffers of the dump this daemon was restored from (null for a new daemon), for its own live
    /// update's dump. Only capacity: nothing the daemon does depends on them.
    /// </summary>
    internal DumpBuffers? DumpBuffers { get; set; }

    /// <summary>The buffers for a live update's dump: <see cref="DumpBuffers"/>, which this daemon then no longer holds, or new ones.</summary>
    internal DumpBuffers TakeDumpBuffers()
    {
        var buffers = DumpBuffers ?? new DumpBuffers();
        DumpBuffers = null;
        return buffers;
    }
}
