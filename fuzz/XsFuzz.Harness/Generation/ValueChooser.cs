using XsFuzz.Harness.Decoding;

namespace XsFuzz.Harness.Generation;

/// <summary>
/// A node value: literal bytes (NULs included), empty, a fill pattern at the size limits (maxsize - 1,
/// maxsize, maxsize + 1 or any length), or a copy of an existing node's value (an identical write keeps
/// the node's identity, spec §6.5).
/// </summary>
internal static class ValueChooser
{
    private const int Literal = 0, Empty = 1, Fill = 2, Copy = 3;
    private static readonly WeightTable Table = new(150, 40, 40, 26);
    private const int FillClasses = 4; // maxsize, maxsize + 1, maxsize - 1, any length
    private const int MinFillToEncode = 16;

    public static string Decode(Choices c, LiveView view, Vocabulary vocab)
    {
        switch (c.Weighted(Table))
        {
            case Literal:
                return c.Bytes(Vocabulary.LiteralMax);
            case Empty:
                return "";
            case Fill:
            {
                var length = c.Choose(FillClasses) switch
                {
                    0 => vocab.MaxSize,
                    1 => vocab.MaxSize + 1,
                    2 => vocab.MaxSize - 1,
                    _ => (int)(c.Varint() % (uint)(vocab.MaxSize + 2)),
                };
                return new string((char)c.Choose(256), length);
            }
            default:
            {
                var nodes = view.Nodes;
                return nodes.Count == 0 ? "" : view.ValueOf(nodes[c.Choose(nodes.Count)]) ?? "";
            }
        }
    }

    public static void Encode(ChoiceWriter w, Vocabulary vocab, string value)
    {
        if (value.Length == 0)
        {
            w.Weighted(Table, Empty);
            return;
        }
        if (value.Length >= MinFillToEncode && value.Length <= vocab.MaxSize + 1 && IsUniform(value))
        {
            w.Weighted(Table, Fill);
            var cls = value.Length == vocab.MaxSize ? 0 : value.Length == vocab.MaxSize + 1 ? 1 : value.Length == vocab.MaxSize - 1 ? 2 : 3;
            w.Choose(cls, FillClasses);
            if (cls == 3) w.Varint((uint)value.Length);
            w.Choose(value[0], 256);
            return;
        }
        w.Weighted(Table, Literal);
        w.Bytes(value, Vocabulary.LiteralMax);
    }

    private static bool IsUniform(string value)
    {
        foreach (var c in value)
        {
            if (c != value[0]) return false;
        }
        return true;
    }
}
