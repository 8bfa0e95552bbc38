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

    /// <param name="childrenSum">The wrapping sum of the children's <see cref="Hash"/>es (see <see cref="NodeHash"/>).</param>
    /// <param name="childrenSize">The sum of the children's <see cref="Size"/>s.</param>
    private Node(long stamp, string name, byte[] value, NodePerms perms, ImmutableSortedDictionary<string, Node> children,
        ulong childrenSum, int childrenSize)
    {
        Stamp = stamp;
        Name = name;
        Value = value;
        Perms = perms;
        Children = children;
        _childrenSum = childrenSum;
        Size = 1 + childrenSize;
        Hash = NodeHash.Of(stamp, name, value, perms, childrenSum);
    }

    private readonly ulong _childrenSum;

    /// <summary>
    /// How many nodes this subtree holds, itself included: kept like <see cref="Hash"/>, so that the
    /// harness can find the n-th node of the tree without listing them all (<see cref="Tree.RelativePathAt"/>).
    /// </summary>
    public int Size { get; }

    /// <summary>
    /// This subtree's structural hash (stamps, names, values, permissions): two subtrees with equal hashes
    /// are taken to be equal (a 64-bit collision is the only way they are not).
    /// </summary>
    public ulong Hash { get; }

    public long Stamp { get; }
    public string Name { get; }
    /// <summary>Never mutated: a node's value is fixed for its lifetime.</summary>
    public byte[] Value { get; }
    public NodePerms Perms { get; }
    /// <summary>Children by name, in byte order.</summary>
    public ImmutableSortedDictionary<string, Node> Children { get; }

    internal static Node Create(NodeStamps stamps, string name, NodePerms perms, byte[] value) =>
        new(stamps.Next(), name, value, perms, NoChildren, 0, 0);

    internal static Node Restore(long stamp, string name, byte[] value, NodePerms perms, List<Node> children)
    {
        if (children.Count == 0) return new Node(stamp, name, value, perms, NoChildren, 0, 0);
        var builder = NoChildren.ToBuilder();
        ulong sum = 0;
        var size = 0;
        foreach (var child in children)
        {
            builder.Add(child.Name, child);
            sum = unchecked(sum + child.Hash);
            size += child.Size;
        }
        return new Node(stamp, name, value, perms, builder.ToImmutable(), sum, size);
    }

    public Node? Child(string name) => Children.GetValueOrDefault(name);

    internal Node WithValue(NodeStamps stamps, byte[] value) =>
        Value.AsSpan().SequenceEqual(value) ? this : new Node(stamps.Next(), Name, value, Perms, Children, _childrenSum, Size - 1);

    internal Node WithPerms(NodeStamps stamps, NodePerms perms) => new(stamps.Next(), Name, Value, perms, Children, _childrenSum, Size - 1);

    internal Node WithChild(NodeStamps stamps, Node child)
    {
        var old = Children.GetValueOrDefault(child.Name);
        return new(stamps.Next(), Name, Value, Perms, Children.SetItem(child.Name, child),
            unchecked(_childrenSum - (old?.Hash ?? 0) + child.Hash), Size - 1 - (old?.Size ?? 0) + child.Size);
    }

    internal Node WithoutChild(NodeStamps stamps, string name)
    {
        if (!Children.TryGetValue(name, out var old)) return new(stamps.Next(), Name, Value, Perms, Children, _childrenSum, Size - 1);
        return new(stamps.Next(), Name, Value, Perms, Children.Remove(name), unchecked(_childrenSum - old.Hash), Size - 1 - old.Size);
    }

    internal Node WithoutChildren(NodeStamps stamps) => new(stamps.Next(), Name, Value, Perms, NoChildren, 0, 0);

    internal Node Rebuilt(NodeStamps stamps, NodePerms perms, ImmutableSortedDictionary<string, Node> children)
    {
        ulong sum = 0;
        var size = 0;
        foreach (var child in children.Values)
        {
            sum = unchecked(sum + child.Hash);
            size += child.Size;
        }
        return new(stamps.Next(), Name, Value, perms, children, sum, size);
    }
}

/// <summary>The per-daemon source of node stamps (never static: two daemons must not share it).</summary>
internal sealed class NodeStamps
{
    public NodeStamps(long next = 1) => Peek = next;

    /// <summary>The stamp the next new node will get.</summary>
    public long Peek { get; private set; }

    public long Next() => Peek++;
}
