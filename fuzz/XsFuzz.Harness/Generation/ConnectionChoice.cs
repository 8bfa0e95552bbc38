using XsFuzz.Harness.Decoding;
using XsFuzz.Xenstore.Domains;

namespace XsFuzz.Harness.Generation;

/// <summary>
/// Which connection sends: one of the live connections (dom0's ring, the sockets, introduced domUs),
/// or rarely a named one that may not exist (released domains, never-opened sockets). Ops that only make
/// sense on a connection with something open (TRANSACTION_END, UNWATCH) pick among those connections
/// when there are any.
/// </summary>
internal static class ConnectionChoice
{
    private const int LiteralFrom = 248; // bytes 248..255 name a connection literally: even a ring, odd a socket

    public static ConnectionId Choose(Choices c, IReadOnlyList<ConnectionId> connections, ConnectionId? want)
    {
        // One byte: below LiteralFrom an index (modulo the count), else the kind of a literal connection.
        var b = c.Index(256, c.Writing ? ByteFor(connections, want) : 0);
        if (b < LiteralFrom) return connections.Count > 0 ? connections[b % connections.Count] : ConnectionId.Ring(0);
        var number = c.SignedVarint(want?.Number ?? 0);
        return (b & 1) == 0 ? ConnectionId.Ring(number) : ConnectionId.Socket(number);
    }

    /// <summary>The byte that yields <paramref name="want"/>: its index if it is live, else its literal kind.</summary>
    private static int ByteFor(IReadOnlyList<ConnectionId> connections, ConnectionId? want)
    {
        if (want is not { } id) return -1;
        var index = Vocabulary.IndexOf(connections, id);
        if (index >= 0 && index < LiteralFrom) return index;
        if (connections.Count == 0 && id == ConnectionId.Ring(0)) return 0;
        return id.Kind == ConnectionKind.Ring ? LiteralFrom : LiteralFrom + 1;
    }
}
