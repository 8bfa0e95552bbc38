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
    /// <summary>Every node's canonical path, root first, depth-first, children in byte order.</summary>
    public IReadOnlyList<string> NodePaths() => [.. Tree.Walk(State.Live.Root).Select(entry => entry.Path)];

    /// <summary>The live node at a canonical absolute path, or null.</summary>
    public NodeInfo? TryGetNode(string path)
    {
        if (XsPath.Parse(path) is not { } parsed || Tree.Find(State.Live.Root, parsed) is not { } node) return null;
        return new NodeInfo(parsed.ToString(), node.Value, node.Perms.ToText(), [.. node.Children.Keys]);
    }

    /// <summary>The open transaction ids of a connection, ascending.</summary>
    public IReadOnlyList<uint> OpenTransactions(ConnectionId id) =>
        State.Find(id) is { } connection ? [.. connection.Transactions.Keys] : [];

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
