using XsFuzz.Harness.Decoding;
using XsFuzz.Xenstore.Domains;

namespace XsFuzz.Harness.Generation;

/// <summary>
/// Which connection sends: one of the live connections (dom0's ring, the sockets, introduced domUs),
/// or rarely a named one that may not exist (released domains, never-opened sockets). Ops that only make
/// sense on a connection with something open (TRANSACTION_END, UNWATCH) pick among those connections
/// when there are any.
/// </summary>
internal static class ConnectionChooser
{
    private const int LiteralFrom = 248; // bytes 248..255 name a connection literally

    public static ConnectionId Decode(Choices c, LiveView view) => Decode(c, view.Connections);

    public static void Encode(ChoiceWriter w, LiveView view, ConnectionId id) => Encode(w, view.Connections, id);

    public static ConnectionId Decode(Choices c, IReadOnlyList<ConnectionId> connections)
    {
        var b = c.Choose(256);
        if (b < LiteralFrom && connections.Count > 0) return connections[b % connections.Count];
        if (b < LiteralFrom) return ConnectionId.Ring(0);
        var number = c.SignedVarint();
        return (b & 1) == 0 ? ConnectionId.Ring(number) : ConnectionId.Socket(number);
    }

    public static void Encode(ChoiceWriter w, IReadOnlyList<ConnectionId> connections, ConnectionId id)
    {
        var index = Vocabulary.IndexOf(connections, id);
        if (index >= 0 && index < LiteralFrom)
        {
            w.Choose(index, 256);
            return;
        }
        if (connections.Count == 0 && id == ConnectionId.Ring(0))
        {
            w.Choose(0, 256);
            return;
        }
        w.Choose(id.Kind == ConnectionKind.Ring ? LiteralFrom : LiteralFrom + 1, 256);
        w.SignedVarint(id.Number);
    }
}
