using XsFuzz.Xenstore.Domains;
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

    public Xenstored(XenstoredConfig? config = null)
    {
        Config = config ?? XenstoredConfig.Debian;
    }

    public XenstoredConfig Config { get; }

    /// <summary>Accepts a new Unix-socket client (privileged, domid 0), named A1, A2, ...</summary>
    public ConnectionId OpenSocket() => throw new NotImplementedException();

    /// <summary>The client went away (EOF): its watches, transactions and queued output are dropped.</summary>
    public bool CloseConnection(ConnectionId id) => throw new NotImplementedException();

    /// <summary>Processes one request from a connection. Requests for unknown connections are ignored.</summary>
    public void Handle(ConnectionId id, Packet request) => throw new NotImplementedException();

    /// <summary>Removes and returns everything queued for the connection, in send order.</summary>
    public IReadOnlyList<Packet> TakeOutput(ConnectionId id) => throw new NotImplementedException();

    /// <summary>Every live connection, rings (by domid) before sockets.</summary>
    public IReadOnlyList<ConnectionId> Connections => throw new NotImplementedException();
}

public sealed partial class Xenstored
{
    /// <summary>A live update: this daemon dumped and restored into a new one (this one is left as is).</summary>
    public Xenstored LiveUpdate(LiveUpdate.LiveUpdateFault fault = XsFuzz.Xenstore.LiveUpdate.LiveUpdateFault.None)
    {
        using var stream = new MemoryStream();
        XsFuzz.Xenstore.LiveUpdate.LiveUpdateStream.Dump(this, stream, fault);
        stream.Position = 0;
        return XsFuzz.Xenstore.LiveUpdate.LiveUpdateStream.Restore(stream, fault);
    }
}
