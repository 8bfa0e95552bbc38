using System.Net.Sockets;
using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Serve;

/// <summary>
/// One accepted socket client, as the event loop sees it: its non-blocking socket, the decoder of its
/// byte stream, requests read but not yet processed, and the rest of a packet the socket did not take
/// at once (oxenstored's partial_out). Everything else about it lives in the model's connection.
/// </summary>
internal sealed class Client(Socket socket, ConnectionId id, ulong token)
{
    public Socket Socket { get; } = socket;
    public int Fd { get; } = (int)socket.Handle;
    public ConnectionId Id { get; } = id;

    /// <summary>How epoll names this client; never reused, unlike descriptors.</summary>
    public ulong Token { get; } = token;

    public PacketReader Decoder { get; } = new();

    /// <summary>Requests read and not processed yet; read again only once this is empty (at most one read's worth).</summary>
    public Queue<Packet> Pending { get; } = new();

    /// <summary>The unsent rest of the packet being written, or null.</summary>
    public byte[]? Partial { get; set; }
    public int PartialOffset { get; set; }

    /// <summary>The epoll events the socket is registered for now.</summary>
    public uint Interest { get; set; }

    /// <summary>
    /// Sent a WATCH once: from then on other clients' requests may queue output for it (watch events),
    /// so it is looked at whenever the model changed, not only when its own socket is ready.
    /// </summary>
    public bool Watches { get; set; }

    /// <summary>Which list of clients to settle it was last put on (so it is put on each once).</summary>
    public long SettleGeneration { get; set; } = -1;

    public long Requests { get; set; }

    /// <summary>Set once the connection is closed; the loop's lists may still hold it until the round ends.</summary>
    public bool Ended { get; set; }
}
