using XsFuzz.Harness.Decoding;

namespace XsFuzz.Harness.Generation;

/// <summary>
/// A permission list as SET_PERMS entries ("n3", "r0", ...): letter plus a domid that is mostly a live
/// domain; sometimes an entry of arbitrary bytes (bad letters, bad numbers). The first entry is the
/// owner and the "other" permission.
/// </summary>
internal static class PermsChoice
{
    private const int Canonical = 0;
    private static readonly WeightTable Table = new(236, 20);
    private const string Letters = "nrwb";

    /// <summary>
    /// A list read with "one more?" before each entry but the first: a SET_PERMS without entries is just
    /// EINVAL (raw requests still send it), and a record that ends early should still set an owner.
    /// Writing: <paramref name="want"/> must have an entry.
    /// </summary>
    public static List<string> List(Choices c, LiveView view, IReadOnlyList<string>? want)
    {
        if (c.Writing && (want is null || want.Count == 0)) return c.Fail(new List<string>());
        var entries = new List<string> { Entry(c, view, want?[0]) };
        while (c.More(want is not null && entries.Count < want.Count)) entries.Add(Entry(c, view, want?[entries.Count]));
        return entries;
    }

    /// <summary>For initial nodes: often no list at all (the node keeps its parent's permissions).</summary>
    public static List<string> OptionalList(Choices c, LiveView view, IReadOnlyList<string>? want) =>
        c.More(want is { Count: > 0 }) ? List(c, view, want) : [];

    private static string Entry(Choices c, LiveView view, string? want) => c.OneOf(Table, view, want, Alternative);

    private static string Alternative(Choices c, LiveView view, string? want, int alt)
    {
        if (alt != Canonical) return c.Bytes(Vocabulary.LiteralMax, want);
        var letter = Letters[c.Index(Letters.Length, string.IsNullOrEmpty(want) ? -1 : Letters.IndexOf(want[0], StringComparison.Ordinal))];
        return letter + DomidChoice.Choose(c, view, string.IsNullOrEmpty(want) ? null : want[1..]);
    }
}
