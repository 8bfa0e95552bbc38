using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Paths;
using XsFuzz.Xenstore.Store;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore;

/// <summary>A node as a client would see it: value bytes and GET_PERMS text (entries joined by NUL).</summary>
public sealed record NodeInfo(string Path, byte[] Value, string Perms, IReadOnlyList<string> Children);

/// <summary>A registered watch: the path exactly as the client gave it, and its token.</summary>
public sealed record WatchInfo(string Path, string Token);

/// <summary>A domain introduced with INTRODUCE (or dom0), with its SET_TARGET target if any.</summary>
public sealed record DomainInfo(int Domid, long Mfn, long Port, long? Target);

// Read-only views of the live state, in deterministic order. The harness uses them to make choices
// against the live state; nothing here changes the daemon.
public sealed partial class Xenstored
{
    // NodePaths' last answer and the live root it was computed from. The harness asks at almost every
    // step, and most steps (reads, watches, transaction work) leave the live root the same object: the
    // tree is immutable, so the same root object has the same paths.
    private Node? _pathsRoot;
    private string[] _paths = [];

    /// <summary>
    /// Every node's canonical path, root first, depth-first, children in byte order. The list is shared
    /// between calls while the live tree is unchanged: callers must not cast it back and change it.
    /// </summary>
    public IReadOnlyList<string> NodePaths()
    {
        var root = State.Live.Root;
        if (!ReferenceEquals(root, _pathsRoot))
        {
            _paths = Tree.Paths(root);
            _pathsRoot = root;
        }
        return _paths;
    }

    /// <summary>The live node at a canonical absolute path, or null.</summary>
    public NodeInfo? TryGetNode(string path)
    {
        if (XsPath.Parse(path) is not { } parsed || Tree.Find(State.Live.Root, parsed) is not { } node) return null;
        return new NodeInfo(parsed.ToString(), node.Value, node.Perms.ToText(), [.. node.Children.Keys]);
    }

    /// <summary>The open transaction ids of a connection, ascending.</summary>
    public IReadOnlyList<uint> OpenTransactions(ConnectionId id) =>
        State.Find(id) is { } connection ? [.. connection.Transactions.Keys] : [];

    /// <summary>Whether <see cref="OpenTransactions"/> would be non-empty, without listing them (the harness asks every step).</summary>
    public bool HasOpenTransactions(ConnectionId id) => State.Find(id) is { } connection && connection.Transactions.Count > 0;

    /// <summary>Whether <see cref="Watches"/> would be non-empty, without listing them (a path's list is removed with its last watch).</summary>
    public bool HasWatches(ConnectionId id) => State.Find(id) is { } connection && connection.WatchesByPath.Count > 0;

    /// <summary>The connection's watches in registration order (oldest first).</summary>
    public IReadOnlyList<WatchInfo> Watches(ConnectionId id) =>
        State.Find(id) is { } connection
            ? [.. connection.WatchesByPath.Values.SelectMany(w => w).OrderBy(w => w.Sequence).Select(w => new WatchInfo(w.Path, w.Token))]
            : [];

    /// <summary>Introduced domains (dom0 included), by domid, with the target of their ring connection.</summary>
    public IReadOnlyList<DomainInfo> Domains() =>
        [.. State.Domains.Values.Select(d => new DomainInfo(d.Domid, d.Mfn, d.RemotePort,
            State.Find(ConnectionId.Ring(d.Domid))?.Perms.Target))];

    /// <summary>Packets queued for a connection and not yet taken.</summary>
    public int PendingOutput(ConnectionId id) => State.Find(id)?.Output.Count ?? 0;
}
