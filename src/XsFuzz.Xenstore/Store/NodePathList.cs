using System.Collections;

namespace XsFuzz.Xenstore.Store;

/// <summary>
/// The paths of a subtree's nodes in <see cref="Tree.Paths"/>' order, as a list that makes only the paths
/// it is asked for: the harness's decoder asks for the count and one element of each state (found from
/// the subtree sizes, <see cref="Tree.RelativePathAt"/>), and listing every path at each change of the
/// tree cost more than the rest of its choices together. Enumerating lists them all once (what the
/// encoder does: it asks for many elements of one state); after that elements come from that list.
/// </summary>
/// <param name="top">The subtree (immutable, so the list never goes stale).</param>
/// <param name="relative">
/// False: canonical absolute paths of a whole tree (<paramref name="top"/> is the root, "/", the first
/// element). True: paths relative to <paramref name="top"/> ("a", "a/b"), top itself left out.
/// </param>
internal sealed class NodePathList(Node top, bool relative) : IReadOnlyList<string>
{
    private string[]? _all;

    private int Skip => relative ? 1 : 0;

    public int Count => top.Size - Skip;

    public string this[int index]
    {
        get
        {
            if (_all is not null) return _all[index];
            if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index));
            var path = Tree.RelativePathAt(top, index + Skip);
            return relative ? path : "/" + path;
        }
    }

    public IEnumerator<string> GetEnumerator() => ((IEnumerable<string>)(_all ??= List())).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private string[] List()
    {
        var paths = Tree.Paths(top); // as if top were the root: "/", "/a", "/a/b", ...
        if (!relative) return paths;
        var list = new string[paths.Length - 1];
        for (var i = 0; i < list.Length; i++) list[i] = paths[i + 1][1..];
        return list;
    }
}
