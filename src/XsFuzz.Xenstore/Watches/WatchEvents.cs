using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Paths;
using XsFuzz.Xenstore.Permissions;
using XsFuzz.Xenstore.Store;
using XsFuzz.Xenstore.Transactions;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore.Watches;

/// <summary>
/// Which watches fire for a store change and what they are told (spec §7.3-7.6). Events travel to the
/// watchers' output queues through oxenstored's bounded queues (<see cref="EventPipes"/>), which hold
/// nothing back while every watcher takes its output.
/// </summary>
internal sealed class WatchEvents(XenstoredConfig config, WatchTrie trie, Func<IEnumerable<Connection>> connections)
{
    /// <summary>
    /// The events of a transaction's (or a plain request's) recorded changes, oldest first. False when
    /// an event path failed to re-parse: oxenstored then throws half way, as the caller must mimic.
    /// </summary>
    public bool FireFor(Transaction t, Connection source)
    {
        foreach (var op in t.WriteOps)
        {
            var ok = op.Op switch
            {
                Op.Rm => Fire(source, null, t.StartRoot, op.Path, recurse: true),
                Op.SetPerms => Fire(source, t.StartRoot, t.Store.Root, op.Path, recurse: false),
                _ => Fire(source, null, t.Store.Root, op.Path, recurse: false),
            };
            if (!ok) return false;
        }
        return true;
    }

    private bool Fire(Connection source, Node? oldRoot, Node root, XsPath path, bool recurse)
    {
        var key = WatchTrie.KeyOf(path);
        var text = path.ToString();
        foreach (var watch in trie.AlongPath(key))
        {
            var reported = watch.IsRelative && text[0] == '/' ? text[watch.Owner.Home.Length..] : text;
            if (!FireChecked(source, oldRoot, root, watch, reported)) return false;
        }
        if (!recurse) return true;
        foreach (var watch in trie.Below(key))
        {
            if (!FireChecked(source, oldRoot, root, watch, watch.Path)) return false;
        }
        return true;
    }

    /// <summary>
    /// An <c>@introduceDomain</c> / <c>@releaseDomain</c> event to every watch registered on exactly that
    /// string. Sent on behalf of dom0's ring: false (and nothing sent) when that connection is gone.
    /// </summary>
    public bool FireSpecial(Node root, string name)
    {
        if (connections().FirstOrDefault(c => c.Id == Xenstored.Dom0) is not { } dom0) return false;
        foreach (var connection in connections())
        {
            if (!connection.WatchesByPath.TryGetValue(name, out var watches)) continue;
            foreach (var watch in watches.ToArray()) FireChecked(dom0, null, root, watch, watch.Path);
        }
        return true;
    }

    /// <summary>The initial event of a new watch: unconditional, path as registered, caused by its owner.</summary>
    public void FireInitial(Watch watch) => Send(watch.Owner, watch, watch.Path);

    /// <summary>
    /// Delivers if the watcher may read the reported node or its parent, in either tree (spec §7.5).
    /// False when the reported path does not parse as a store path.
    /// </summary>
    private bool FireChecked(Connection source, Node? oldRoot, Node root, Watch watch, string reported)
    {
        var absolute = reported.Length > 0 && (reported[0] == '/' || reported[0] == '@')
            ? reported
            : watch.Owner.Home + reported;
        var path = XsPath.Parse(absolute);
        if (path is null) return false;
        if (MayRead(watch.Owner.Perms, oldRoot, path) || MayRead(watch.Owner.Perms, root, path)) Send(source, watch, reported);
        return true;
    }

    private bool MayRead(ConnectionPerms who, Node? root, XsPath path)
    {
        if (!config.PermsWatchActivate) return true;
        if (root is null || path.IsRoot) return false;
        var parent = Tree.Find(root, path.Parent);
        if (parent is null) return false;
        if (who.Has(PermKind.Read, parent.Perms, config.PermsActivate)) return true;
        var node = parent.Child(path.Name);
        return node is not null && who.Has(PermKind.Read, node.Perms, config.PermsActivate);
    }

    private void Send(Connection source, Watch watch, string reportedPath) =>
        EventPipes.Push(config, source, watch, watch.Owner.Make((uint)Op.WatchEvent, 0, 0, Latin1.NulTerminated(reportedPath, watch.Token)));
}
