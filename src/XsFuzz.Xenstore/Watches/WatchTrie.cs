using XsFuzz.Xenstore.Paths;

namespace XsFuzz.Xenstore.Watches;

/// <summary>
/// All watches of all connections, keyed like oxenstored's trie (spec §7.2): a normal path is
/// <c>""</c> followed by its components, an <c>@</c> path is one top-level key. Each node lists its
/// watches newest first; children are visited in ascending key order.
/// </summary>
internal sealed class WatchTrie
{
    private readonly TrieNode _top = new();

    private sealed class TrieNode
    {
        public SortedDictionary<string, TrieNode>? Children;
        /// <summary>Newest first.</summary>
        public List<Watch>? Watches;
    }

    /// <summary>The trie key of an absolute watch path, or null if it does not parse (EINVAL).</summary>
    public static string[]? KeyOf(string absolutePath)
    {
        if (absolutePath.Length > 0 && absolutePath[0] == '@') return [absolutePath];
        var path = XsPath.Parse(absolutePath);
        return path is null ? null : KeyOf(path);
    }

    public static string[] KeyOf(XsPath path)
    {
        var key = new string[path.Depth + 1];
        key[0] = "";
        for (var i = 0; i < path.Depth; i++) key[i + 1] = path[i];
        return key;
    }

    public void Add(string[] key, Watch watch)
    {
        var node = _top;
        foreach (var part in key)
        {
            node.Children ??= new SortedDictionary<string, TrieNode>(StringComparer.Ordinal);
            if (!node.Children.TryGetValue(part, out var child)) node.Children[part] = child = new TrieNode();
            node = child;
        }
        (node.Watches ??= []).Insert(0, watch);
    }

    /// <summary>Adds a watch as the oldest on its key: only the planted fault TrieOrderLost does this.</summary>
    public void AddOldest(string[] key, Watch watch)
    {
        Add(key, watch);
        var list = Find(key)!;
        list.RemoveAt(0);
        list.Add(watch);
    }

    /// <summary>Removes one watch from the list at its key (UNWATCH).</summary>
    public void Remove(string[] key, Watch watch) => Find(key)?.Remove(watch);

    public void RemoveAll(Func<Watch, bool> match) => RemoveAll(_top, match);

    private static void RemoveAll(TrieNode node, Func<Watch, bool> match)
    {
        node.Watches?.RemoveAll(w => match(w));
        if (node.Children is null) return;
        foreach (var child in node.Children.Values) RemoveAll(child, match);
    }

    private List<Watch>? Find(string[] key)
    {
        var node = _top;
        foreach (var part in key)
        {
            if (node.Children is null || !node.Children.TryGetValue(part, out node)) return null;
        }
        return node.Watches;
    }

    /// <summary>
    /// Every non-empty watch list with its key, pre-order, children ascending: what the state comparison
    /// reads. An emptied list (UNWATCH leaves it) holds nothing a client can see, and a restore does not
    /// rebuild it, so it is left out.
    /// </summary>
    public List<(string[] Key, List<Watch> Watches)> Lists()
    {
        var lists = new List<(string[], List<Watch>)>();
        var key = new List<string>();
        Collect(_top, key, lists);
        return lists;
    }

    private static void Collect(TrieNode node, List<string> key, List<(string[], List<Watch>)> lists)
    {
        if (node.Watches is { Count: > 0 }) lists.Add(([.. key], node.Watches));
        if (node.Children is null) return;
        foreach (var (part, child) in node.Children)
        {
            key.Add(part);
            Collect(child, key, lists);
            key.RemoveAt(key.Count - 1);
        }
    }

    /// <summary>The watches on each node along the key, root first (OCaml's <c>Trie.iter_path</c>).</summary>
    public IEnumerable<Watch> AlongPath(string[] key)
    {
        var node = _top;
        foreach (var part in key)
        {
            if (node.Children is null || !node.Children.TryGetValue(part, out node)) yield break;
            if (node.Watches is null) continue;
            foreach (var watch in node.Watches) yield return watch;
        }
    }

    /// <summary>The watches strictly below the key, pre-order, children ascending (for RM).</summary>
    public IEnumerable<Watch> Below(string[] key)
    {
        var node = _top;
        foreach (var part in key)
        {
            if (node.Children is null || !node.Children.TryGetValue(part, out node)) yield break;
        }
        foreach (var watch in Descendants(node)) yield return watch;
    }

    private static IEnumerable<Watch> Descendants(TrieNode node)
    {
        if (node.Children is null) yield break;
        foreach (var child in node.Children.Values)
        {
            if (child.Watches is not null)
            {
                foreach (var watch in child.Watches) yield return watch;
            }
            foreach (var watch in Descendants(child)) yield return watch;
        }
    }
}
