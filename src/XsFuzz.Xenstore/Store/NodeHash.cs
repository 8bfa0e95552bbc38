using System.IO.Hashing;
using System.Runtime.InteropServices;
using XsFuzz.Xenstore.Permissions;

namespace XsFuzz.Xenstore.Store;

/// <summary>
/// A node's 64-bit structural hash: its stamp, name, value and permissions, and its children's hashes.
/// Computed once when a node is made (nodes are immutable), so that comparing two trees is comparing two
/// numbers instead of walking them (<see cref="Migration.StateComparer"/>). Deterministic (XxHash3 and
/// a fixed mixer, never the runtime's randomised string hashes), so nothing differs between runs.
/// </summary>
/// <remarks>
/// The children enter as the wrapping sum of their hashes: a node that gains, loses or replaces a child
/// updates the sum from the one child instead of re-reading them all. Order is not lost by summing:
/// children are sorted by name, and each child's name is in its own hash.
/// </remarks>
internal static class NodeHash
{
    public static ulong Of(long stamp, string name, byte[] value, NodePerms perms, ulong childrenSum)
    {
        var h = Mix(unchecked((ulong)stamp));
        h = Mix(h ^ XxHash3.HashToUInt64(MemoryMarshal.AsBytes(name.AsSpan())));
        h = Mix(h ^ XxHash3.HashToUInt64(value));
        h = Mix(h ^ perms.Hash);
        return Mix(h ^ childrenSum);
    }

    /// <summary>Owner, other, and every ACL entry in order (see <see cref="NodePerms.Hash"/>).</summary>
    public static ulong Of(NodePerms perms)
    {
        var h = Mix(unchecked((ulong)perms.Owner) ^ 0x9E37_79B9_7F4A_7C15);
        h = Mix(h ^ (ulong)perms.Other);
        foreach (var entry in perms.Acl) h = Mix(Mix(h ^ unchecked((ulong)entry.Domid)) ^ (ulong)entry.Kind);
        return Mix(h ^ (ulong)perms.Acl.Length);
    }

    /// <summary>SplitMix64's finaliser: a bijection that spreads every input bit over the output.</summary>
    private static ulong Mix(ulong z)
    {
        unchecked
        {
            z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9;
            z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EB;
            return z ^ (z >> 31);
        }
    }
}
