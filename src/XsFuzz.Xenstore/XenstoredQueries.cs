using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Paths;
using XsFuzz.Xenstore.Store;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore;

/// <summary>A registered watch: the path exactly as the client gave it, and its token.</summary>
public sealed record WatchInfo(string Path, string Token);

// Read-only views of the live state, in deterministic order. The harness uses them to make choices
// against the live state; nothing here changes the daemon.
public sealed partial class Xenstored
{
    // NodePaths' last answer and the live root it was made for. The harness asks at almost every step,
    // and most steps (reads, watches, transaction work) leave the live root the same object: the tree is
    // immutable, so the same root object has the same paths (and the list keeps what it has made).
    private NodePathList? _paths;
    private Node? _pathsRoot;

    /// <summary>
    /// Every node's canonical path, root first, depth-first, children in byte order. Paths are made as
    /// they are asked for (Count and one element cost a walk down the tree, not a listing of it); the list
    /// is shared between calls while the live tree is unchanged.
    /// </summary>
    public IReadOnlyList<string> NodePaths()
    {
        var root = State.Live.Root;
        if (!ReferenceEquals(root, _pathsRoot))
        {
            _paths = new NodePathList(root, relative: false);
            _pathsRoot = root;
        }
        return _paths!;
    }

    /// <summary>
    /// The live nodes strictly below the node at <paramref name="path"/> (canonical, absolute), relative to
    /// it ("a", "a/b"), in <see cref="NodePaths"/>' order; empty when that node does not exist.
    /// </summary>
    public IReadOnlyList<string> NodePathsBelow(string path) =>
        XsPath.Parse(path) is { } parsed && Tree.Find(State.Live.Root, parsed) is { } node ? new NodePathList(node, relative: true) : [];

    /// <summary>The value of the live node at a canonical absolute path, or null (never to be changed: it is the node's own).</summary>
    public byte[]? TryGetValue(string path) => XsPath.Parse(path) is { } parsed ? Tree.Find(State.Live.Root, parsed)?.Value : null;

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

    /// <summary>The introduced domains (dom0 included), by domid.</summary>
    public IReadOnlyList<int> Domids() => [.. State.Domains.Keys];

    /// <summary>Packets queued for a connection and not yet taken.</summary>
    public int PendingOutput(ConnectionId id) => State.Find(id)?.Output.Count ?? 0;
}
