using XsFuzz.Harness.Decoding;

namespace XsFuzz.Harness.Generation;

/// <summary>
/// A permission list as SET_PERMS entries ("n3", "r0", ...): letter plus a domid that is mostly a live
/// domain; sometimes an entry of arbitrary bytes (bad letters, bad numbers). The first entry is the
/// owner and the "other" permission.
/// </summary>
internal static class PermsChooser
{
    private const int Canonical = 0, Literal = 1;
    private static readonly WeightTable Table = new(236, 20);
    private const string Letters = "nrwb";

    /// <summary>A list read with "one more?" before each entry (possibly empty).</summary>
    public static List<string> DecodeList(Choices c, LiveView view)
    {
        var entries = new List<string>();
        while (c.More()) entries.Add(DecodeEntry(c, view));
        return entries;
    }

    public static void EncodeList(ChoiceWriter w, LiveView view, IReadOnlyList<string> entries)
    {
        foreach (var entry in entries)
        {
            w.More(true);
            EncodeEntry(w, view, entry);
        }
        w.More(false);
    }

    public static string DecodeEntry(Choices c, LiveView view) =>
        c.Weighted(Table) == Canonical
            ? Letters[c.Choose(Letters.Length)] + DomidChooser.Decode(c, view)
            : c.Bytes(Vocabulary.LiteralMax);

    public static void EncodeEntry(ChoiceWriter w, LiveView view, string entry)
    {
        var letter = entry.Length > 0 ? Letters.IndexOf(entry[0], StringComparison.Ordinal) : -1;
        if (letter >= 0)
        {
            w.Weighted(Table, Canonical);
            w.Choose(letter, Letters.Length);
            DomidChooser.Encode(w, view, entry[1..]);
            return;
        }
        w.Weighted(Table, Literal);
        w.Bytes(entry, Vocabulary.LiteralMax);
    }
}
