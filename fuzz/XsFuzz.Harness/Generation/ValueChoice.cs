using XsFuzz.Harness.Decoding;

namespace XsFuzz.Harness.Generation;

/// <summary>
/// A node value: literal bytes (NULs included), empty, a fill pattern at the size limits (maxsize - 1,
/// maxsize, maxsize + 1 or any length), or a copy of an existing node's value (an identical write keeps
/// the node's identity, spec §6.5).
/// </summary>
internal static class ValueChoice
{
    private const int Literal = 0, Empty = 1, Fill = 2;
    private static readonly WeightTable Table = new(150, 40, 40, 26);
    private const int FillClasses = 4; // maxsize, maxsize + 1, maxsize - 1, any length
    private const int AnyLength = 3;

    public static string Choose(Choices c, LiveView view, Vocabulary vocab, string? want) =>
        c.OneOf(Table, (view, vocab), want, Alternative);

    private static string Alternative(Choices c, (LiveView View, Vocabulary Vocab) s, string? want, int alt)
    {
        switch (alt)
        {
            case Literal:
                return c.Bytes(Vocabulary.LiteralMax, want);
            case Empty:
                return "";
            case Fill:
            {
                var max = s.Vocab.MaxSize;
                if (c.Writing && !IsFill(want)) return c.Fail("");
                var wantLength = want?.Length ?? 0;
                var length = c.Index(FillClasses, wantLength == max ? 0 : wantLength == max + 1 ? 1 : wantLength == max - 1 ? 2 : AnyLength) switch
                {
                    0 => max,
                    1 => max + 1,
                    2 => max - 1,
                    _ => (int)(c.Varint((uint)wantLength) % (uint)(max + 2)),
                };
                return new string((char)c.Index(256, wantLength > 0 ? want![0] : 0), length);
            }
            default:
            {
                var nodes = s.View.Nodes;
                return nodes.Count == 0 ? "" : s.View.ValueOf(nodes[c.Index(nodes.Count, c.Writing ? NodeHolding(s.View, want) : 0)]) ?? "";
            }
        }
    }

    /// <summary>A non-empty run of one byte (what the fill alternative can produce).</summary>
    private static bool IsFill(string? value)
    {
        if (string.IsNullOrEmpty(value)) return false;
        foreach (var ch in value)
        {
            if (ch != value[0]) return false;
        }
        return true;
    }

    /// <summary>Writing: the first node whose value is <paramref name="want"/>, else -1.</summary>
    private static int NodeHolding(LiveView view, string? want) =>
        string.IsNullOrEmpty(want) ? -1 : view.IndexOfValue(want); // the empty value has a cheaper alternative
}
