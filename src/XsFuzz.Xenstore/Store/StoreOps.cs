using System.Collections.Immutable;
using XsFuzz.Xenstore.Paths;
using XsFuzz.Xenstore.Permissions;
using XsFuzz.Xenstore.Transactions;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore.Store;

/// <summary>
/// The store operations of spec §3.3 on a transaction's store (the live store for a plain request),
/// with their quota accounting (§5.2), low paths and recorded write ops (§6.5). Same checks, same order
/// as oxenstored's store.ml and transaction.ml; errors are returned, never thrown.
/// </summary>
internal sealed class StoreOps(XenstoredConfig config, NodeStamps stamps)
{
    public XsError Read(Transaction t, ConnectionPerms who, XsPath path, out byte[] value)
    {
        value = [];
        var error = Readable(t, who, path, out var node);
        if (error != XsError.None) return error;
        value = node.Value;
        t.NoteRead(path);
        return XsError.None;
    }

    public XsError Directory(Transaction t, ConnectionPerms who, XsPath path, out IEnumerable<string> children)
    {
        children = [];
        var error = Readable(t, who, path, out var node);
        if (error != XsError.None) return error;
        children = node.Children.Keys;
        t.NoteRead(path);
        return XsError.None;
    }

    public XsError GetPerms(Transaction t, ConnectionPerms who, XsPath path, out NodePerms perms)
    {
        perms = NodePerms.Dom0Only;
        var error = Readable(t, who, path, out var node);
        if (error != XsError.None) return error;
        perms = node.Perms;
        t.NoteRead(path);
        return XsError.None;
    }

    private XsError Readable(Transaction t, ConnectionPerms who, XsPath path, out Node node)
    {
        node = t.Store.Root;
        var found = Tree.Find(t.Store.Root, path);
        if (found is null) return XsError.ENOENT;
        node = found;
        return who.Has(PermKind.Read, found.Perms, config.PermsActivate) ? XsError.None : XsError.EACCES;
    }

    /// <summary>
    /// Creates the missing ancestors of <paramref name="path"/> one by one (spec §3.3); stops at the
    /// first error and keeps what it created. Not recorded as watchable operations.
    /// </summary>
    public XsError CreateImplicitParents(Transaction t, ConnectionPerms who, XsPath path)
    {
        var parent = path.Parent;
        if (Tree.Find(t.Store.Root, parent) is not null) return XsError.None;
        var first = 1;
        while (Tree.Find(t.Store.Root, parent.Prefix(first)) is not null) first++;
        for (var depth = first; depth <= parent.Depth; depth++)
        {
            var error = CreateNode(t, who, parent.Prefix(depth), [], recordOp: false);
            if (error != XsError.None) return error;
        }
        return XsError.None;
    }

    public XsError Write(Transaction t, ConnectionPerms who, XsPath path, byte[] value)
    {
        var (deepest, exists) = Tree.DeepestExisting(t.Store.Root, path);
        var error = QuotaCheck(t.Store.Quota, exists || who.IsPrivileged ? -1 : deepest.Perms.Owner, value.Length);
        if (error != XsError.None) return error;
        if (path.IsRoot)
        {
            if (!who.Has(PermKind.Write, t.Store.Root.Perms, config.PermsActivate)) return XsError.EACCES;
            t.Store.Root = t.Store.Root.WithValue(stamps, value);
        }
        else
        {
            var created = false;
            error = Tree.Modify(stamps, t.Store.Root, path, (Node parent, string name, out Node changed) =>
            {
                changed = parent;
                var existing = parent.Child(name);
                var target = existing ?? parent;
                if (!who.Has(PermKind.Write, target.Perms, config.PermsActivate)) return XsError.EACCES;
                created = existing is null;
                changed = parent.WithChild(stamps,
                    existing is null ? Node.Create(stamps, name, parent.Perms, value) : existing.WithValue(stamps, value));
                return XsError.None;
            }, out var root);
            if (error != XsError.None) return error;
            t.Store.Root = root;
            if (created) t.Store.Quota = t.Store.Quota.Add(deepest.Perms.Owner);
        }
        t.NoteWrite(exists ? path : path.Parent);
        t.WriteOps.Add(new WriteOp(Op.Write, path));
        return XsError.None;
    }

    public XsError Mkdir(Transaction t, ConnectionPerms who, XsPath path)
    {
        if (Tree.Find(t.Store.Root, path) is { } existing)
        {
            // An existing node: only the WRITE check, then nothing happens (MKDIR / always succeeds).
            if (path.IsRoot)
            {
                t.NoteWrite(path);
                t.WriteOps.Add(new WriteOp(Op.Mkdir, path));
                return XsError.None;
            }
            return who.Has(PermKind.Write, existing.Perms, config.PermsActivate) ? XsError.None : XsError.EACCES;
        }
        return CreateNode(t, who, path, [], recordOp: true);
    }

    /// <summary>OCaml's <c>Transaction.mkdir</c> of a missing node whose parent exists.</summary>
    private XsError CreateNode(Transaction t, ConnectionPerms who, XsPath path, byte[] value, bool recordOp)
    {
        var owner = Tree.Find(t.Store.Root, path.Parent)!.Perms.Owner;
        var error = who.IsPrivileged ? XsError.None : QuotaCheck(t.Store.Quota, owner, 0);
        if (error != XsError.None) return error;
        error = Tree.Modify(stamps, t.Store.Root, path, (Node parent, string name, out Node changed) =>
        {
            changed = parent;
            if (!who.Has(PermKind.Write, parent.Perms, config.PermsActivate)) return XsError.EACCES;
            changed = parent.WithChild(stamps, Node.Create(stamps, name, parent.Perms, value));
            return XsError.None;
        }, out var root);
        if (error != XsError.None) return error;
        t.Store.Root = root;
        t.Store.Quota = t.Store.Quota.Add(owner);
        t.NoteWrite(path.Parent);
        if (recordOp) t.WriteOps.Add(new WriteOp(Op.Mkdir, path));
        return XsError.None;
    }

    public XsError Rm(Transaction t, ConnectionPerms who, XsPath path)
    {
        if (!Tree.ParentExists(t.Store.Root, path)) return XsError.ENOENT;
        var removed = Tree.Find(t.Store.Root, path);
        if (removed is null) return XsError.None; // a missing leaf: OK, nothing recorded
        if (!who.Has(PermKind.Write, removed.Perms, config.PermsActivate)) return XsError.EACCES;
        if (path.IsRoot)
        {
            t.Store.Root = t.Store.Root.WithoutChildren(stamps);
        }
        else
        {
            Tree.Modify(stamps, t.Store.Root, path, (Node parent, string name, out Node changed) =>
            {
                changed = parent.WithoutChild(stamps, name);
                return XsError.None;
            }, out var root);
            t.Store.Root = root;
        }
        foreach (var (_, node) in Tree.Walk(removed)) t.Store.Quota = t.Store.Quota.Remove(node.Perms.Owner);
        t.NoteWrite(path.Parent);
        t.WriteOps.Add(new WriteOp(Op.Rm, path));
        return XsError.None;
    }

    public XsError SetPerms(Transaction t, ConnectionPerms who, XsPath path, NodePerms perms)
    {
        var node = Tree.Find(t.Store.Root, path);
        if (node is null) return XsError.ENOENT;
        var oldOwner = node.Perms.Owner;
        if (oldOwner != perms.Owner && !who.IsPrivileged) return XsError.EACCES;
        if (!path.IsRoot && config.PermsActivate && !who.IsPrivileged && !who.IsOwner(oldOwner)) return XsError.EACCES;
        if (!who.Has(PermKind.Write, node.Perms, config.PermsActivate)) return XsError.EACCES;
        var changed = node.WithPerms(stamps, perms);
        t.Store.Root = Tree.Graft(stamps, t.Store.Root, path, changed);
        t.Store.Quota = t.Store.Quota.Remove(oldOwner).Add(perms.Owner);
        t.NoteWrite(path);
        t.WriteOps.Add(new WriteOp(Op.SetPerms, path));
        return XsError.None;
    }

    /// <summary>
    /// The domain-removal rewrite (spec §4.6): every node is rebuilt; nodes owned by the domain go
    /// with their subtree, ACL entries naming it are dropped, and its quota count is deleted.
    /// </summary>
    public void RemoveDomain(StoreState store, long domid)
    {
        store.Root = RebuildWithout(store.Root, domid);
        store.Quota = store.Quota.Delete(domid);
    }

    /// <summary>Marks a node for removal the way OCaml does: with owner -1, filtered by its parent.</summary>
    private const long InvalidOwner = -1;

    private Node RebuildWithout(Node node, long domid)
    {
        var children = ImmutableSortedDictionary.CreateBuilder<string, Node>(StringComparer.Ordinal);
        foreach (var (name, child) in node.Children)
        {
            var kept = RebuildWithout(child, domid);
            if (kept.Perms.Owner != InvalidOwner) children.Add(name, kept);
        }
        var perms = node.Perms.WithoutDomain(domid)
            ?? new NodePerms(InvalidOwner, node.Perms.Other, node.Perms.Acl);
        return node.Rebuilt(stamps, perms, children.ToImmutable());
    }

    /// <summary>OCaml's <c>Quota.check</c>: value size for everybody, entries for owner &gt; 0.</summary>
    private XsError QuotaCheck(Quotas.QuotaTable quota, long owner, int size)
    {
        if (!config.QuotaActivate) return XsError.None;
        if (size > config.MaxSize) return XsError.E2BIG;
        return quota.IsFull(owner, config.MaxEntity) ? XsError.EQUOTA : XsError.None;
    }
}
