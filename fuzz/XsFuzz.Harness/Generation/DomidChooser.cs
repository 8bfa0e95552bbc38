using System.Globalization;
using XsFuzz.Harness.Decoding;

namespace XsFuzz.Harness.Generation;

/// <summary>
/// A domid as request text: mostly a live domU, dom0, a small number, or any bytes (probing the strict
/// and lenient integer parsers: "0x10", "+5", "abc"). RELEASE has its own table that rarely names dom0
/// (releasing dom0 wipes almost the whole tree, which ends every interesting scenario).
/// </summary>
internal static class DomidChooser
{
    private const int Live = 0, Zero = 1, Small = 2, Literal = 3;
    public static readonly WeightTable Table = new(150, 48, 30, 28);
    public static readonly WeightTable ForRelease = new(200, 2, 32, 22);
    private const int SmallCount = 16;

    public static string Decode(Choices c, LiveView view) => Decode(c, view, Table);

    public static string Decode(Choices c, LiveView view, WeightTable table)
    {
        switch (c.Weighted(table))
        {
            case Live:
            {
                var domus = view.DomUs;
                return domus.Count == 0 ? "0" : Text(domus[c.Choose(domus.Count)]);
            }
            case Zero:
                return "0";
            case Small:
                return Text(c.Choose(SmallCount));
            default:
                return c.Bytes(Vocabulary.LiteralMax);
        }
    }

    public static void Encode(ChoiceWriter w, LiveView view, string text) => Encode(w, view, text, Table);

    public static void Encode(ChoiceWriter w, LiveView view, string text, WeightTable table)
    {
        if (TryCanonical(text, out var domid))
        {
            if (domid == 0)
            {
                w.Weighted(table, Zero);
                return;
            }
            var index = Vocabulary.IndexOf(view.DomUs, domid);
            if (index >= 0)
            {
                w.Weighted(table, Live);
                w.Choose(index, view.DomUs.Count);
                return;
            }
            if (domid < SmallCount)
            {
                w.Weighted(table, Small);
                w.Choose(domid, SmallCount);
                return;
            }
        }
        w.Weighted(table, Literal);
        w.Bytes(text, Vocabulary.LiteralMax);
    }

    public static string Text(int domid) => domid.ToString(CultureInfo.InvariantCulture);

    /// <summary>True for the plain decimal form of a non-negative int ("0", "17"; not "017", "+1").</summary>
    public static bool TryCanonical(string text, out int domid) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out domid) && Text(domid) == text;
}
