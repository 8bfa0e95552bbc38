using XsFuzz.Xenstore.Paths;
using XsFuzz.Xenstore.Quotas;
using XsFuzz.Xenstore.Store;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore.Transactions;

/// <summary>A store change that watches hear about: WRITE, MKDIR, RM or SET_PERMS on a path.</summary>
internal readonly record struct WriteOp(Op Op, XsPath Path);

/// <summary>A request logged in a transaction with the response it got, for replay (spec §6.4).</summary>
internal readonly record struct LoggedRequest(Packet Request, Response Response);

/// <summary>
/// oxenstored's Transaction.t (spec §6). Id 0 is the "no transaction" context of a plain request: its
/// store is the live store itself. Otherwise the store is a private copy taken at start.
/// </summary>
internal sealed class Transaction
{
    public const uint None = 0;

    public Transaction(uint id, StoreState live)
    {
        Id = id;
        Store = id == None ? live : live.Copy();
        StartRoot = live.Root;
        StartQuota = live.Quota;
    }

    /// <summary>Restores a transaction from a live-update dump.</summary>
    internal Transaction(uint id, StoreState view, Node startRoot, QuotaTable startQuota)
    {
        Id = id;
        Store = view;
        StartRoot = startRoot;
        StartQuota = startQuota;
    }

    public uint Id { get; }
    /// <summary>The tree and quota this transaction reads and changes.</summary>
    public StoreState Store { get; }
    /// <summary>The live root when it started (compared by identity at commit).</summary>
    public Node StartRoot { get; }
    /// <summary>The live quota table when it started (the base of a coalescing quota merge).</summary>
    public QuotaTable StartQuota { get; }

    /// <summary>Successful store changes, oldest first: the watch events of a commit.</summary>
    public List<WriteOp> WriteOps { get; } = [];
    /// <summary>Every request sent with this transaction's id, oldest first, with its response.</summary>
    public List<LoggedRequest> Log { get; } = [];
    /// <summary>Set once the request quota tripped: every later request gets EQUOTA (spec §5.5).</summary>
    public bool QuotaReached { get; set; }
    public XsPath? ReadLow { get; set; }
    public XsPath? WriteLow { get; set; }

    public bool IsReadOnly => WriteOps.Count == 0;

    public void NoteRead(XsPath path) => ReadLow = ReadLow is null ? path : path.CommonPrefix(ReadLow);

    public void NoteWrite(XsPath path) => WriteLow = WriteLow is null ? path : path.CommonPrefix(WriteLow);

    /// <summary>
    /// The per-transaction request quota (spec §5.5): unprivileged callers may not log more than
    /// maxrequests requests; once tripped, the transaction stays stuck.
    /// </summary>
    public bool ExceedsRequestQuota(int maxRequests, bool privileged)
    {
        if (maxRequests < 0 || privileged) return false;
        if (QuotaReached || Log.Count >= maxRequests)
        {
            QuotaReached = true;
            return true;
        }
        return false;
    }
}
