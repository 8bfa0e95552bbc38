using XsFuzz.Harness.Decoding;

namespace XsFuzz.Harness.Generation;

/// <summary>A path component: mostly from a small vocabulary (so names collide), sometimes any bytes.</summary>
internal static class NameChooser
{
    private const int Vocab = 0, Literal = 1;
    private static readonly WeightTable Table = new(224, 32);

    public static string Decode(Choices c) =>
        c.Weighted(Table) == Vocab ? Vocabulary.Names[c.Choose(Vocabulary.Names.Length)] : c.Bytes(Vocabulary.LiteralMax);

    public static void Encode(ChoiceWriter w, string name)
    {
        var index = Array.IndexOf(Vocabulary.Names, name);
        if (index >= 0)
        {
            w.Weighted(Table, Vocab);
            w.Choose(index, Vocabulary.Names.Length);
            return;
        }
        w.Weighted(Table, Literal);
        w.Bytes(name, Vocabulary.LiteralMax);
    }
}
