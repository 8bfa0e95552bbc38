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
    private static readonly WeightTable Table = new(100, 64, 32, 16, 16, 28);

    public static string Decode(Choices c, LiveView view, Vocabulary vocab, ConnectionId conn)
    {
        var nodes = view.Nodes;
        switch (c.Weighted(Table))
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

    public static void Encode(ChoiceWriter w, LiveView view, Vocabulary vocab, ConnectionId conn, string path)
    {
        var nodes = view.Nodes;
        var index = Vocabulary.IndexOf(nodes, path);
        if (index >= 0)
        {
            w.Weighted(Table, Existing);
            w.Choose(index, nodes.Count);
            return;
        }
        var slash = path.LastIndexOf('/');
        if (path.StartsWith('/') && slash < path.Length - 1)
        {
            var parent = slash == 0 ? "/" : path[..slash];
            var parentIndex = Vocabulary.IndexOf(nodes, parent);
            if (parentIndex >= 0)
            {
                w.Weighted(Table, NewChild);
                w.Choose(parentIndex, nodes.Count);
                NameChooser.Encode(w, path[(slash + 1)..]);
                return;
            }
        }
        if (path.Length > 0 && path[0] != '/' && path[0] != '@')
        {
            var relative = view.RelativeNodes(Vocabulary.BaseOf(conn));
            var relativeIndex = Vocabulary.IndexOf(relative, path);
            w.Weighted(Table, Relative);
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
            w.Weighted(Table, Special);
            w.Choose(special, Vocabulary.SpecialPaths.Length);
            return;
        }
        var edge = Array.IndexOf(vocab.EdgePaths, path);
        if (edge >= 0)
        {
            w.Weighted(Table, Edge);
            w.Choose(edge, vocab.EdgePaths.Length);
            return;
        }
        w.Weighted(Table, Literal);
        w.Bytes(path, Vocabulary.LiteralMax);
    }

    private static string Child(string parent, string name) => parent == "/" ? "/" + name : parent + "/" + name;
}
