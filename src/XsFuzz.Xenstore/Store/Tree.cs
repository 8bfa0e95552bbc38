using XsFuzz.Xenstore.Paths;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore.Store;

/// <summary>Makes the new parent for a change to its child <c>name</c>, or returns an error.</summary>
internal delegate XsError ParentChange(Node parent, string name, out Node newParent);

/// <summary>Path lookups and path-copying updates on an immutable tree (oxenstored's Store.Path).</summary>
internal static class Tree
{
    /// <summary>The node at a path, or null when it (or any ancestor) is missing.</summary>
    public static Node? Find(Node root, XsPath path)
    {
        var node = root;
        for (var i = 0; i < path.Depth && node is not null; i++) node = node.Child(path[i]);
        return node;
    }

    /// <summary>Whether every ancestor of the path exists (the last component may be missing).</summary>
    public static bool ParentExists(Node root, XsPath path) => path.IsRoot || Find(root, path.Parent) is not null;

    /// <summary>The deepest existing node on the path, and whether that is the whole path.</summary>
    public static (Node Node, bool Whole) DeepestExisting(Node root, XsPath path)
    {
        var node = root;
        for (var i = 0; i < path.Depth; i++)
        {
            var child = node.Child(path[i]);
            if (child is null) return (node, false);
            node = child;
        }
        return (node, true);
    }

    /// <summary>
    /// Replaces the parent of <paramref name="path"/>'s last component by what <paramref name="change"/>
    /// makes of it, renewing every ancestor up to the root (OCaml's <c>lookup_modify</c>). A missing
    /// ancestor is ENOENT; an error of <paramref name="change"/> is passed on. The path is not the root.
    /// </summary>
    public static XsError Modify(NodeStamps stamps, Node root, XsPath path, ParentChange change, out Node newRoot)
    {
        newRoot = root;
        var chain = new Node[path.Depth];
        var node = root;
        for (var i = 0; i < path.Depth - 1; i++)
        {
            chain[i] = node;
            var child = node.Child(path[i]);
            if (child is null) return XsError.ENOENT;
            node = child;
        }
        var error = change(node, path.Name, out var replaced);
        if (error != XsError.None) return error;
        for (var i = path.Depth - 2; i >= 0; i--) replaced = chain[i].WithChild(stamps, replaced);
        newRoot = replaced;
        return XsError.None;
    }

    /// <summary>Grafts <paramref name="node"/> at <paramref name="path"/> (added or replaced), as a coalescing commit does.</summary>
    public static Node Graft(NodeStamps stamps, Node root, XsPath path, Node node)
    {
        if (path.IsRoot) return node;
        Modify(stamps, root, path, (Node parent, string _, out Node changed) =>
        {
            changed = parent.WithChild(stamps, node);
            return XsError.None;
        }, out var newRoot);
        return newRoot;
    }

    /// <summary>
    /// Every node's canonical path in <see cref="Walk"/>'s order, without its iterator and LINQ (the
    /// harness's hot path): an explicit stack, so no depth of tree can overflow the call stack.
    /// </summary>
    public static string[] Paths(Node root)
    {
        var paths = new List<string>();
        var stack = new Stack<(string Path, Node Node)>();
        var children = new List<Node>();
        stack.Push(("/", root));
        while (stack.Count > 0)
        {
            var (path, node) = stack.Pop();
            paths.Add(path);
            if (node.Children.IsEmpty) continue;
            var prefix = path.Length == 1 ? "/" : path + "/";
            children.Clear();
            foreach (var entry in node.Children) children.Add(entry.Value);
            for (var i = children.Count - 1; i >= 0; i--) stack.Push((prefix + children[i].Name, children[i]));
        }
        return [.. paths];
    }

    /// <summary>
    /// The path, relative to <paramref name="top"/> (names joined by '/', "" for top itself), of the node
    /// <paramref name="index"/> places after top in <see cref="Paths"/>' order (0 ≤ index &lt; top.Size).
    /// Finds it from the subtree sizes: one walk down, without listing the nodes before it.
    /// </summary>
    public static string RelativePathAt(Node top, int index)
    {
        if ((uint)index >= (uint)top.Size) throw new ArgumentOutOfRangeException(nameof(index));
        var path = new System.Text.StringBuilder();
        var node = top;
        while (index > 0)
        {
            index--; // the node itself comes before its children
            foreach (var entry in node.Children)
            {
                var child = entry.Value;
                if (index < child.Size)
                {
                    if (path.Length > 0) path.Append('/');
                    path.Append(child.Name);
                    node = child;
                    break;
                }
                index -= child.Size;
            }
        }
        return path.ToString();
    }

    /// <summary>Every node with its canonical path, root first, children in byte order.</summary>
    public static IEnumerable<(string Path, Node Node)> Walk(Node root)
    {
        var stack = new Stack<(string, Node)>();
        stack.Push(("/", root));
        while (stack.Count > 0)
        {
            var (path, node) = stack.Pop();
            yield return (path, node);
            var prefix = path == "/" ? "/" : path + "/";
            foreach (var child in node.Children.Values.Reverse()) stack.Push((prefix + child.Name, child));
        }
    }
}
