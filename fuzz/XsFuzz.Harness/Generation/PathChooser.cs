using XsFuzz.Harness.Decoding;
using XsFuzz.Xenstore.Domains;

namespace XsFuzz.Harness.Generation;

/// <summary>
/// A path against the live tree (the seed's PathObserver idea): mostly an existing node or a new child of
/// one, sometimes a path relative to the connection's home, a special @ path, an invalid or limit-sized
/// path, or literal bytes. The encoder takes the shortest alternative that yields the path; literal
/// bytes always do.
/// </summary>
internal static class PathChooser
{
    private const int Existing = 0, NewChild = 1, Relative = 2, Special = 3, Edge = 4, Literal = 5;
    // Columns: existing, new child, relative, special, edge, literal.
    public static readonly WeightTable Table = new(108, 72, 32, 14, 14, 16);

    /// <summary>For ops that need the node to exist (READ, DIRECTORY, GET_PERMS, RM, SET_PERMS).</summary>
    public static readonly WeightTable ForExisting = new(156, 28, 34, 14, 12, 12);

    /// <summary>For ops that create (WRITE, MKDIR): as many new children as existing nodes.</summary>
    public static readonly WeightTable ForCreate = new(96, 100, 32, 10, 8, 10);

    /// <summary>For WATCH: special @ paths and relative ones matter more.</summary>
    public static readonly WeightTable ForWatch = new(104, 56, 44, 30, 10, 12);

    /// <summary>For the initial tree: mostly new nodes, so the tree grows.</summary>
    public static readonly WeightTable ForSetup = new(32, 192, 12, 6, 4, 10);

    public static string Decode(Choices c, LiveView view, Vocabulary vocab, ConnectionId conn) =>
        Decode(c, view, vocab, conn, Table);

    public static void Encode(ChoiceWriter w, LiveView view, Vocabulary vocab, ConnectionId conn, string path) =>
        Encode(w, view, vocab, conn, path, Table);

    public static string Decode(Choices c, LiveView view, Vocabulary vocab, ConnectionId conn, WeightTable table)
    {
        var nodes = view.Nodes;
        switch (c.Weighted(table))
        {
            case Existing:
                return nodes.Count == 0 ? "/" : nodes[c.Choose(nodes.Count)];
            case NewChild:
            {
                var parent = nodes.Count == 0 ? "/" : nodes[c.Choose(nodes.Count)];
                return Child(parent, NameChooser.Decode(c));
            }
            case Relative:
            {
                var relative = view.RelativeNodes(Vocabulary.BaseOf(conn));
                var pick = c.Choose(relative.Count + 1);
                return pick < relative.Count ? relative[pick] : NameChooser.Decode(c);
            }
            case Special:
                return Vocabulary.SpecialPaths[c.Choose(Vocabulary.SpecialPaths.Length)];
            case Edge:
                return vocab.EdgePaths[c.Choose(vocab.EdgePaths.Length)];
            default:
                return c.Bytes(Vocabulary.LiteralMax);
        }
    }

    public static void Encode(ChoiceWriter w, LiveView view, Vocabulary vocab, ConnectionId conn, string path, WeightTable table)
    {
        var nodes = view.Nodes;
        var index = Vocabulary.IndexOf(nodes, path);
        if (index >= 0)
        {
            w.Weighted(table, Existing);
            w.Choose(index, nodes.Count);
            return;
        }
        var slash = path.LastIndexOf('/');
        if (path.StartsWith('/') && slash < path.Length - 1)
        {
            var parent = slash == 0 ? "/" : path[..slash];
            var parentIndex = Vocabulary.IndexOf(nodes, parent);
            if (parentIndex >= 0 && Child(parent, path[(slash + 1)..]) == path)
            {
                w.Weighted(table, NewChild);
                w.Choose(parentIndex, nodes.Count);
                NameChooser.Encode(w, path[(slash + 1)..]);
                return;
            }
        }
        if (path.Length > 0 && path[0] != '/' && path[0] != '@')
        {
            var relative = view.RelativeNodes(Vocabulary.BaseOf(conn));
            var relativeIndex = Vocabulary.IndexOf(relative, path);
            w.Weighted(table, Relative);
            if (relativeIndex >= 0)
            {
                w.Choose(relativeIndex, relative.Count + 1);
                return;
            }
            w.Choose(relative.Count, relative.Count + 1);
            NameChooser.Encode(w, path);
            return;
        }
        var special = Array.IndexOf(Vocabulary.SpecialPaths, path);
        if (special >= 0)
        {
            w.Weighted(table, Special);
            w.Choose(special, Vocabulary.SpecialPaths.Length);
            return;
        }
        var edge = Array.IndexOf(vocab.EdgePaths, path);
        if (edge >= 0)
        {
            w.Weighted(table, Edge);
            w.Choose(edge, vocab.EdgePaths.Length);
            return;
        }
        w.Weighted(table, Literal);
        w.Bytes(path, Vocabulary.LiteralMax);
    }

    private static string Child(string parent, string name) => parent == "/" ? "/" + name : parent + "/" + name;
}
