using XsFuzz.Harness.Decoding;
using XsFuzz.Xenstore.Domains;

namespace XsFuzz.Harness.Generation;

/// <summary>A watch token: mostly a small vocabulary (so tokens collide), one already registered, or bytes.</summary>
internal static class TokenChooser
{
    private const int Vocab = 0, Registered = 1, Literal = 2;
    private static readonly WeightTable Table = new(180, 48, 28);

    public static string Decode(Choices c, LiveView view, ConnectionId conn)
    {
        switch (c.Weighted(Table))
        {
            case Vocab:
                return Vocabulary.Tokens[c.Choose(Vocabulary.Tokens.Length)];
            case Registered:
            {
                var watches = view.Watches(conn);
                return watches.Count == 0 ? "" : watches[c.Choose(watches.Count)].Token;
            }
            default:
                return c.Bytes(Vocabulary.LiteralMax);
        }
    }

    public static void Encode(ChoiceWriter w, string token)
    {
        var index = Array.IndexOf(Vocabulary.Tokens, token);
        if (index >= 0)
        {
            w.Weighted(Table, Vocab);
            w.Choose(index, Vocabulary.Tokens.Length);
            return;
        }
        w.Weighted(Table, Literal);
        w.Bytes(token, Vocabulary.LiteralMax);
    }
}
