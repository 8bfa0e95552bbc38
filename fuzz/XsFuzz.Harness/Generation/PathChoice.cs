using XsFuzz.Harness.Decoding;
using XsFuzz.Xenstore.Domains;

namespace XsFuzz.Harness.Generation;

/// <summary>
/// A path against the live tree (the seed's PathObserver idea): mostly an existing node or a new child of
/// one, sometimes a path relative to the connection's home, a special @ path, an invalid or limit-sized
/// path, or literal bytes (which always yield the wanted path when encoding).
/// </summary>
internal static class PathChoice
{
    private const int Existing = 0, NewChild = 1, Relative = 2, Special = 3, Edge = 4, Literal = 5, Root = 6;
    // Columns: existing, new child, relative, special, edge, literal.
    public static readonly WeightTable Table = new(108, 72, 32, 14, 14, 16);

    /// <summary>For ops that need the node to exist (READ, DIRECTORY, GET_PERMS, RM, SET_PERMS).</summary>
    public static readonly WeightTable ForExisting = new(156, 28, 34, 14, 12, 12);

    /// <summary>For ops that create (WRITE, MKDIR): as many new children as existing nodes.</summary>
    public static readonly WeightTable ForCreate = new(96, 100, 32, 10, 8, 10);

    /// <summary>
    /// For WATCH: special @ paths and relative ones matter more; and the root, which every change fires
    /// (many watches on one path, deep queues of events). The root came last, its bytes taken from the
    /// literal's end, so that older inputs' WATCH paths decode as before unless that byte picked a literal.
    /// </summary>
    public static readonly WeightTable ForWatch = new(104, 56, 44, 30, 10, 4, 8);

    /// <summary>For the initial tree: mostly new nodes, so the tree grows.</summary>
    public static readonly WeightTable ForSetup = new(32, 192, 12, 6, 4, 10);

    public static string Choose(Choices c, LiveView view, Vocabulary vocab, ConnectionId conn, WeightTable table, string? want) =>
        c.OneOf(table, (view, vocab, conn), want, Alternative);

    private static string Alternative(Choices c, (LiveView View, Vocabulary Vocab, ConnectionId Conn) s, string? want, int alt)
    {
        var nodes = s.View.Nodes;
        switch (alt)
        {
            case Existing:
                return nodes.Count == 0 ? "/" : c.Pick(nodes, want);
            case NewChild:
            {
                // Wanted: the parent is everything before the last slash, the name what follows it.
                var slash = want is null ? -1 : want.LastIndexOf('/');
                var parent = nodes.Count == 0 ? "/" : c.Pick(nodes, slash < 0 ? null : slash == 0 ? "/" : want![..slash]);
                return Child(parent, NameChoice.Choose(c, slash < 0 ? null : want![(slash + 1)..]));
            }
            case Relative:
            {
                var relative = s.View.RelativeNodes(Vocabulary.BaseOf(s.Conn));
                var pick = c.Index(relative.Count + 1, c.Writing ? RelativeIndex(relative, want) : 0);
                return pick < relative.Count ? relative[pick] : NameChoice.Choose(c, want);
            }
            case Special:
                return c.Pick(Vocabulary.SpecialPaths, want);
            case Edge:
                return c.Pick(s.Vocab.EdgePaths, want);
            case Literal:
                return c.Bytes(Vocabulary.LiteralMax, want);
            default:
                return "/";
        }
    }

    /// <summary>The index of a relative node, or the count (then a name follows).</summary>
    private static int RelativeIndex(IReadOnlyList<string> relative, string? want)
    {
        var index = want is null ? -1 : Vocabulary.IndexOf(relative, want);
        return index >= 0 ? index : relative.Count;
    }

    private static string Child(string parent, string name) => parent == "/" ? "/" + name : parent + "/" + name;
}
