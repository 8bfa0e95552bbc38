using System.Collections.Immutable;
using XsFuzz.Xenstore.Permissions;

namespace XsFuzz.Xenstore.Store;

/// <summary>
/// An immutable store node. Every time oxenstored would allocate a new node record, the model makes a
/// new <see cref="Node"/> with a fresh <see cref="Stamp"/>; "the same object" in oxenstored's commit
/// logic (spec §6.5) is "the same stamp" here, which a live-update dump can carry.
/// </summary>
internal sealed class Node
{
    private static readonly ImmutableSortedDictionary<string, Node> NoChildren =
        ImmutableSortedDictionary.Create<string, Node>(StringComparer.Ordinal);

    internal Node(long stamp, string name, byte[] value, NodePerms perms, ImmutableSortedDictionary<string, Node> children)
    {
        Stamp = stamp;
        Name = name;
        Value = value;
        Perms = perms;
        Children = children;
    }

    public long Stamp { get; }
    public string Name { get; }
    /// <summary>Never mutated: a node's value is fixed for its lifetime.</summary>
    public byte[] Value { get; }
    public NodePerms Perms { get; }
    /// <summary>Children by name, in byte order.</summary>
    public ImmutableSortedDictionary<string, Node> Children { get; }

    internal static Node Create(NodeStamps stamps, string name, NodePerms perms, byte[] value) =>
        new(stamps.Next(), name, value, perms, NoChildren);

    internal static Node Restore(long stamp, string name, byte[] value, NodePerms perms, List<Node> children)
    {
        if (children.Count == 0) return new Node(stamp, name, value, perms, NoChildren);
        var builder = NoChildren.ToBuilder();
        foreach (var child in children) builder.Add(child.Name, child);
        return new Node(stamp, name, value, perms, builder.ToImmutable());
    }

    public Node? Child(string name) => Children.GetValueOrDefault(name);

    internal Node WithValue(NodeStamps stamps, byte[] value) =>
        Value.AsSpan().SequenceEqual(value) ? this : new Node(stamps.Next(), Name, value, Perms, Children);

    internal Node WithPerms(NodeStamps stamps, NodePerms perms) => new(stamps.Next(), Name, Value, perms, Children);

    internal Node WithChild(NodeStamps stamps, Node child) =>
        new(stamps.Next(), Name, Value, Perms, Children.SetItem(child.Name, child));

    internal Node WithoutChild(NodeStamps stamps, string name) =>
        new(stamps.Next(), Name, Value, Perms, Children.Remove(name));

    internal Node WithoutChildren(NodeStamps stamps) => new(stamps.Next(), Name, Value, Perms, NoChildren);

    internal Node Rebuilt(NodeStamps stamps, NodePerms perms, ImmutableSortedDictionary<string, Node> children) =>
        new(stamps.Next(), Name, Value, perms, children);
}

/// <summary>The per-daemon source of node stamps (never static: two daemons must not share it).</summary>
internal sealed class NodeStamps
{
    public NodeStamps(long next = 1) => Peek = next;

    /// <summary>The stamp the next new node will get.</summary>
    public long Peek { get; private set; }

    public long Next() => Peek++;
}
