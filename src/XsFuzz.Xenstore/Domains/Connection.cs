using XsFuzz.Xenstore.Paths;
using XsFuzz.Xenstore.Permissions;
using XsFuzz.Xenstore.Transactions;
using XsFuzz.Xenstore.Watches;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore.Domains;

/// <summary>
/// One client connection (spec §1.10, §8): a domain's ring or a Unix socket. Without a real ring, a
/// connection's output is an ordered queue of packets that its client takes.
/// </summary>
internal sealed class Connection
{
    /// <summary>Transaction ids are clipped to 1..0x3FFFFFFE (spec §6.1).</summary>
    public const long MaxTransactionId = 0x3FFFFFFE;

    public Connection(ConnectionId id, long domid)
    {
        Id = id;
        Domid = domid;
        Perms = new ConnectionPerms(domid, null);
    }

    public ConnectionId Id { get; }
    public bool IsRing => Id.Kind == ConnectionKind.Ring;
    public long Domid { get; }
    /// <summary>Relative paths and relative watches resolve against this.</summary>
    public string Home => XsPath.HomeOf(Domid);
    public ConnectionPerms Perms { get; set; }

    public SortedDictionary<uint, Transaction> Transactions { get; } = [];
    /// <summary>The id the next TRANSACTION_START tries first.</summary>
    public long NextTransactionId { get; set; } = 1;

    /// <summary>This connection's watches by absolute path, newest first (oxenstored's per-connection table).</summary>
    public SortedDictionary<string, List<Watch>> WatchesByPath { get; } = new(StringComparer.Ordinal);
    public int WatchCount { get; set; }

    /// <summary>Whether a watch with this token is registered on this absolute path (WATCH's EEXIST).</summary>
    public bool HasWatch(string absolutePath, string token) =>
        WatchesByPath.TryGetValue(absolutePath, out var list) && list.Exists(w => w.Token == token);

    /// <summary>
    /// Packets sent to this connection and not yet taken by its client: oxenstored's output queue
    /// (xb's pkt_out), bounded per class (replies, watch events) by <see cref="TryQueue"/>.
    /// </summary>
    public List<Packet> Output { get; } = [];

    /// <summary>How many of <see cref="Output"/> are watch events.</summary>
    public int QueuedEvents { get; set; }

    /// <summary>
    /// The bytes of a request the client has begun to write and not finished (oxenstored's xb partial_in):
    /// empty, or fewer than a whole packet. Kept across a live update (the C daemon keeps its conn->in the
    /// same way; oxenstored 4.17 refuses to update while a connection has some).
    /// </summary>
    public byte[] PartialInput { get; set; } = [];

    /// <summary>Events this connection's requests caused that no watch queue could take yet (see <see cref="EventPipes"/>).</summary>
    public Queue<(Watch Watch, Packet Packet)> SourceEvents { get; } = new();

    /// <summary>
    /// A reply or event as oxenstored makes it: a payload over 4096 bytes becomes an E2BIG error on a
    /// ring (it would not fit), but goes out as is on a socket (spec §1.8).
    /// </summary>
    public Packet Make(uint type, uint rid, uint tx, ReadOnlySpan<byte> payload) =>
        payload.Length > Packet.PayloadMax && IsRing
            ? new Packet((uint)Op.Error, rid, tx, "E2BIG\0"u8)
            : new Packet(type, rid, tx, payload);

    /// <summary>
    /// A reply: always queued. oxenstored only reads a request when a reply fits (<see cref="CanInput"/>),
    /// and the model's callers keep to that or take the output after every request.
    /// </summary>
    public void Send(uint type, uint rid, uint tx, ReadOnlySpan<byte> payload) => Output.Add(Make(type, rid, tx, payload));

    /// <summary>xb's bounded push: false when the queue or the packet's class is full.</summary>
    public bool TryQueue(XenstoredConfig config, Packet packet)
    {
        var isEvent = packet.Type == (uint)Op.WatchEvent;
        if (Output.Count >= config.MaxOutstanding + config.MaxWatchEvents) return false;
        if (isEvent ? QueuedEvents >= config.MaxWatchEvents : Output.Count - QueuedEvents >= config.MaxOutstanding) return false;
        Output.Add(packet);
        if (isEvent) QueuedEvents++;
        return true;
    }

    /// <summary>
    /// oxenstored's can_input: a reply would fit, and no event this connection caused is still waiting
    /// for room. While false, the connection's requests are left unread.
    /// </summary>
    public bool CanInput(XenstoredConfig config) =>
        SourceEvents.Count == 0
        && Output.Count < config.MaxOutstanding + config.MaxWatchEvents
        && Output.Count - QueuedEvents < config.MaxOutstanding;

    /// <summary>The client takes the oldest queued packet (null if none).</summary>
    public Packet? TakeOne()
    {
        if (Output.Count == 0) return null;
        var packet = Output[0];
        Output.RemoveAt(0);
        if (packet.Type == (uint)Op.WatchEvent) QueuedEvents--;
        return packet;
    }

    /// <summary>The client takes everything queued.</summary>
    public Packet[] TakeAll()
    {
        var packets = Output.ToArray();
        Output.Clear();
        QueuedEvents = 0;
        return packets;
    }

    /// <summary>The next free transaction id at or after <see cref="NextTransactionId"/>.</summary>
    public uint AllocateTransactionId()
    {
        var id = NextTransactionId;
        while (true)
        {
            if (id <= 0 || id > MaxTransactionId) id = 1;
            if (!Transactions.ContainsKey((uint)id)) break;
            id++;
        }
        NextTransactionId = id + 1;
        return (uint)id;
    }
}
