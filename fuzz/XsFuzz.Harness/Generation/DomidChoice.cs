using System.Globalization;
using XsFuzz.Harness.Decoding;

namespace XsFuzz.Harness.Generation;

/// <summary>
/// A domid as request text: mostly a live domU, dom0, a small number, or any bytes (probing the strict
/// and lenient integer parsers: "0x10", "+5", "abc"). RELEASE has its own table that rarely names dom0
/// (releasing dom0 wipes almost the whole tree, which ends every interesting scenario).
/// </summary>
internal static class DomidChoice
{
    private const int Live = 0, Zero = 1, Small = 2;
    public static readonly WeightTable Table = new(150, 48, 30, 28);
    public static readonly WeightTable ForRelease = new(200, 2, 32, 22);
    private const int SmallCount = 16;

    public static string Choose(Choices c, LiveView view, string? want) => Choose(c, view, Table, want);

    public static string Choose(Choices c, LiveView view, WeightTable table, string? want) =>
        c.OneOf(table, view, want, Alternative);

    private static string Alternative(Choices c, LiveView view, string? want, int alt)
    {
        switch (alt)
        {
            case Live:
            {
                var domus = view.DomUs;
                return domus.Count == 0 ? "0" : Text(c.Pick(domus, Number(c, want)));
            }
            case Zero:
                return "0";
            case Small:
                return Text(c.Index(SmallCount, Number(c, want)));
            default:
                return c.Bytes(Vocabulary.LiteralMax, want);
        }
    }

    /// <summary>Writing: the domid <paramref name="want"/> is the canonical text of, else -1.</summary>
    private static int Number(Choices c, string? want) =>
        c.Writing && want is not null && TryCanonical(want, out var domid) ? domid : -1;

    public static string Text(int domid) => domid.ToString(CultureInfo.InvariantCulture);

    /// <summary>True for the plain decimal form of a non-negative int ("0", "17"; not "017", "+1").</summary>
    public static bool TryCanonical(string text, out int domid) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out domid) && Text(domid) == text;
}
