using XsFuzz.Harness.Decoding;
using XsFuzz.Xenstore.Domains;

namespace XsFuzz.Harness.Generation;

/// <summary>
/// The request's transaction id: 0, one currently open on the sending connection, or any number (stale
/// or never opened: EIO). How often each is picked depends on the op (START wants 0, END an open one).
/// </summary>
internal static class TxChooser
{
    private const int Zero = 0, Open = 1, Literal = 2;

    public static readonly WeightTable ForStart = new(208, 36, 12);
    public static readonly WeightTable ForEnd = new(36, 208, 12);
    public static readonly WeightTable ForOthers = new(120, 116, 20);

    public static uint Decode(Choices c, LiveView view, ConnectionId conn, WeightTable table)
    {
        switch (c.Weighted(table))
        {
            case Zero:
                return 0;
            case Open:
            {
                var open = view.OpenTransactions(conn);
                return open.Count == 0 ? 0 : open[c.Choose(open.Count)];
            }
            default:
                return c.Varint();
        }
    }

    public static void Encode(ChoiceWriter w, LiveView view, ConnectionId conn, WeightTable table, uint tx)
    {
        if (tx == 0)
        {
            w.Weighted(table, Zero);
            return;
        }
        var open = view.OpenTransactions(conn);
        var index = Vocabulary.IndexOf(open, tx);
        if (index >= 0)
        {
            w.Weighted(table, Open);
            w.Choose(index, open.Count);
            return;
        }
        w.Weighted(table, Literal);
        w.Varint(tx);
    }
}
