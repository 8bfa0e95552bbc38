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

    /// <summary>Packets sent to this connection and not yet taken by its client.</summary>
    public List<Packet> Output { get; } = [];

    /// <summary>
    /// A reply or event as oxenstored queues it: a payload over 4096 bytes becomes an E2BIG error on a
    /// ring (it would not fit), but goes out as is on a socket (spec §1.8).
    /// </summary>
    public void Send(uint type, uint rid, uint tx, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > Packet.PayloadMax && IsRing)
        {
            Output.Add(new Packet((uint)Op.Error, rid, tx, "E2BIG\0"u8));
            return;
        }
        Output.Add(new Packet(type, rid, tx, payload));
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
