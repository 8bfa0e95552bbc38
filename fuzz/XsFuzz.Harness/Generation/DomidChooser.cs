using System.Globalization;
using XsFuzz.Harness.Decoding;

namespace XsFuzz.Harness.Generation;

/// <summary>
/// A domid as request text: mostly a live domain (dom0 included), a small number, or any bytes (probing
/// the strict and lenient integer parsers: "0x10", "+5", "abc").
/// </summary>
internal static class DomidChooser
{
    private const int Live = 0, Small = 1, Literal = 2;
    private static readonly WeightTable Table = new(180, 40, 36);
    private const int SmallCount = 16;

    public static string Decode(Choices c, LiveView view)
    {
        switch (c.Weighted(Table))
        {
            case Live:
            {
                var domains = view.Domains;
                return domains.Count == 0 ? "0" : Text(domains[c.Choose(domains.Count)].Domid);
            }
            case Small:
                return Text(c.Choose(SmallCount));
            default:
                return c.Bytes(Vocabulary.LiteralMax);
        }
    }

    public static void Encode(ChoiceWriter w, LiveView view, string text)
    {
        if (TryCanonical(text, out var domid))
        {
            var domains = view.Domains;
            for (var i = 0; i < domains.Count; i++)
            {
                if (domains[i].Domid != domid) continue;
                w.Weighted(Table, Live);
                w.Choose(i, domains.Count);
                return;
            }
            if (domid < SmallCount)
            {
                w.Weighted(Table, Small);
                w.Choose(domid, SmallCount);
                return;
            }
        }
        w.Weighted(Table, Literal);
        w.Bytes(text, Vocabulary.LiteralMax);
    }

    public static string Text(int domid) => domid.ToString(CultureInfo.InvariantCulture);

    /// <summary>True for the plain decimal form of a non-negative int ("0", "17"; not "017", "+1").</summary>
    public static bool TryCanonical(string text, out int domid) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out domid) && Text(domid) == text;
}
