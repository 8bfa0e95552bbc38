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

    /// <summary>
    /// A list read with "one more?" before each entry but the first: a SET_PERMS without entries is just
    /// EINVAL (raw requests still send it), and a record that ends early should still set an owner.
    /// </summary>
    public static List<string> DecodeList(Choices c, LiveView view)
    {
        var entries = new List<string> { DecodeEntry(c, view) };
        while (c.More()) entries.Add(DecodeEntry(c, view));
        return entries;
    }

    public static void EncodeList(ChoiceWriter w, LiveView view, IReadOnlyList<string> entries)
    {
        if (entries.Count == 0) throw new ArgumentException("a permission list has at least one entry", nameof(entries));
        EncodeEntry(w, view, entries[0]);
        for (var i = 1; i < entries.Count; i++)
        {
            w.More(true);
            EncodeEntry(w, view, entries[i]);
        }
        w.More(false);
    }

    /// <summary>For initial nodes: often no list at all (the node keeps its parent's permissions).</summary>
    public static List<string> DecodeOptionalList(Choices c, LiveView view) => c.More() ? DecodeList(c, view) : [];

    public static void EncodeOptionalList(ChoiceWriter w, LiveView view, IReadOnlyList<string> entries)
    {
        w.More(entries.Count > 0);
        if (entries.Count > 0) EncodeList(w, view, entries);
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
