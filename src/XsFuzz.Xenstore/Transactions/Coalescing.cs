using XsFuzz.Xenstore.Paths;
using XsFuzz.Xenstore.Store;

namespace XsFuzz.Xenstore.Transactions;

/// <summary>
/// Whether a transaction's low path is untouched since it started (OCaml's <c>test_coalesce</c>,
/// spec §6.4): the node there is the very same object in both trees with the same permissions all the
/// way down, or absent from both with a live parent.
/// </summary>
internal static class Coalescing
{
    public static bool CanCoalesce(Node startRoot, Node liveRoot, XsPath? low)
    {
        if (low is null) return true;
        if (!Tree.ParentExists(startRoot, low) || !Tree.ParentExists(liveRoot, low)) return false;
        var before = Tree.Find(startRoot, low);
        var now = Tree.Find(liveRoot, low);
        if (before is null && now is null) return true; // the parent exists in the live tree
        if (before is null || now is null || before.Stamp != now.Stamp) return false;
        return SamePermsAlong(startRoot, liveRoot, low);
    }

    private static bool SamePermsAlong(Node startRoot, Node liveRoot, XsPath path)
    {
        for (var depth = 0; depth <= path.Depth; depth++)
        {
            var prefix = path.Prefix(depth);
            var a = Tree.Find(startRoot, prefix);
            var b = Tree.Find(liveRoot, prefix);
            if (a is null || b is null || !a.Perms.Equals(b.Perms)) return false;
        }
        return true;
    }
}
