using XsFuzz.Harness.Decoding;
using XsFuzz.Xenstore.Domains;

namespace XsFuzz.Harness.Generation;

/// <summary>
/// The request's transaction id: 0, one currently open on the sending connection, or any number (stale
/// or never opened: EIO). How often each is picked depends on the op (START wants 0, END an open one).
/// </summary>
internal static class TxChoice
{
    private const int Zero = 0, Open = 1;

    public static readonly WeightTable ForStart = new(208, 36, 12);
    public static readonly WeightTable ForEnd = new(36, 208, 12);
    public static readonly WeightTable ForOthers = new(120, 116, 20);

    public static uint Choose(Choices c, LiveView view, ConnectionId conn, WeightTable table, uint want) =>
        c.OneOf(table, (view, conn), want, Alternative);

    private static uint Alternative(Choices c, (LiveView View, ConnectionId Conn) s, uint want, int alt)
    {
        switch (alt)
        {
            case Zero:
                return 0;
            case Open:
            {
                var open = s.View.OpenTransactions(s.Conn);
                return open.Count == 0 ? 0 : c.Pick(open, want);
            }
            default:
                return c.Varint(want);
        }
    }
}
