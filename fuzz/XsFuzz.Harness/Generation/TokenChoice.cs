using XsFuzz.Harness.Decoding;
using XsFuzz.Xenstore;
using XsFuzz.Xenstore.Domains;

namespace XsFuzz.Harness.Generation;

/// <summary>A watch token: mostly a small vocabulary (so tokens collide), one already registered, or bytes.</summary>
internal static class TokenChoice
{
    private const int Vocab = 0, Registered = 1;
    private static readonly WeightTable Table = new(180, 48, 28);

    public static string Choose(Choices c, LiveView view, ConnectionId conn, string? want) =>
        c.OneOf(Table, (view, conn), want, Alternative);

    private static string Alternative(Choices c, (LiveView View, ConnectionId Conn) s, string? want, int alt)
    {
        switch (alt)
        {
            case Vocab:
                return c.Pick(Vocabulary.Tokens, want);
            case Registered:
            {
                var watches = s.View.Watches(s.Conn);
                return watches.Count == 0 ? "" : watches[c.Index(watches.Count, c.Writing ? IndexOf(watches, want) : 0)].Token;
            }
            default:
                return c.Bytes(Vocabulary.LiteralMax, want);
        }
    }

    private static int IndexOf(IReadOnlyList<WatchInfo> watches, string? token)
    {
        for (var i = 0; i < watches.Count; i++)
        {
            if (watches[i].Token == token) return i;
        }
        return -1;
    }
}
