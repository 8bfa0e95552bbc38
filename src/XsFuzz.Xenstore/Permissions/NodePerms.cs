using System.Collections.Immutable;
using System.Text;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore.Permissions;

/// <summary>One ACL entry: a domid (any 63-bit int, no range check) and its letter.</summary>
internal readonly record struct AclEntry(long Domid, PermKind Kind);

/// <summary>
/// A node's permissions (spec §4.1): owner, what everybody else gets, and the ACL list with its
/// order and duplicates kept. Immutable.
/// </summary>
internal sealed class NodePerms : IEquatable<NodePerms>
{
    /// <summary><c>n0</c>: dom0-owned, nobody else has access.</summary>
    public static readonly NodePerms Dom0Only = new(0, PermKind.None, []);

    public NodePerms(long owner, PermKind other, ImmutableArray<AclEntry> acl)
    {
        Owner = owner;
        Other = other;
        Acl = acl;
        Hash = Store.NodeHash.Of(this);
    }

    /// <summary>Deterministic hash of what <see cref="Equals(NodePerms?)"/> compares (part of each node's hash).</summary>
    public ulong Hash { get; }

    public long Owner { get; }
    public PermKind Other { get; }
    public ImmutableArray<AclEntry> Acl { get; }

    /// <summary>The letter a domain gets: its first ACL entry, else <see cref="Other"/>.</summary>
    public PermKind For(long domid)
    {
        foreach (var entry in Acl)
        {
            if (entry.Domid == domid) return entry.Kind;
        }
        return Other;
    }

    /// <summary>
    /// SET_PERMS parsing (spec §4.2): split at every NUL, drop the last piece, each piece a letter and a
    /// strict int. Null means EINVAL.
    /// </summary>
    public static NodePerms? Parse(ReadOnlySpan<byte> permString)
    {
        var pieces = PayloadSplit.Split(permString, int.MaxValue);
        pieces.RemoveAt(pieces.Count - 1);
        if (pieces.Count == 0) return null;
        var entries = ImmutableArray.CreateBuilder<AclEntry>(pieces.Count);
        foreach (var piece in pieces)
        {
            if (piece.Length == 0 || !PermLetters.TryParse(piece[0], out var kind)) return null;
            if (!OcamlInt.TryParseInt(piece[1..], out var domid)) return null;
            entries.Add(new AclEntry(domid, kind));
        }
        var owner = entries[0];
        entries.RemoveAt(0);
        return new NodePerms(owner.Domid, owner.Kind, entries.ToImmutable());
    }

    /// <summary>Entries as OCaml prints them (letter + unsigned domid), joined by <paramref name="separator"/>.</summary>
    public string ToText(string separator = "\0")
    {
        var text = new StringBuilder();
        Append(text, Other, Owner);
        foreach (var entry in Acl)
        {
            text.Append(separator);
            Append(text, entry.Kind, entry.Domid);
        }
        return text.ToString();
    }

    private static void Append(StringBuilder text, PermKind kind, long domid) =>
        text.Append(PermLetters.Letter(kind)).Append(OcamlInt.FormatUnsigned(domid));

    /// <summary>The domain-removal rewrite (spec §4.6): null if owned by it, else without its ACL entries.</summary>
    public NodePerms? WithoutDomain(long domid)
    {
        if (Owner == domid) return null;
        return new NodePerms(Owner, Other, Acl.RemoveAll(e => e.Domid == domid));
    }

    /// <summary>Equality as OCaml's <c>Perms.equiv</c>: the printed forms match.</summary>
    public bool Equals(NodePerms? other) =>
        other is not null && Owner == other.Owner && Other == other.Other && Acl.SequenceEqual(other.Acl);

    public override bool Equals(object? obj) => Equals(obj as NodePerms);

    public override int GetHashCode() => HashCode.Combine(Owner, Other, Acl.Length);

    public override string ToString() => ToText(" ");
}
