using XsFuzz.Harness.Decoding;

namespace XsFuzz.Harness.Generation;

/// <summary>A path component: mostly from a small vocabulary (so names collide), sometimes any bytes.</summary>
internal static class NameChoice
{
    private const int Vocab = 0, Literal = 1;
    private static readonly WeightTable Table = new(224, 32);

    public static string Choose(Choices c, string? want) => c.OneOf(Table, 0, want, Alternative);

    private static string Alternative(Choices c, int _, string? want, int alt) => alt switch
    {
        Vocab => c.Pick(Vocabulary.Names, want),
        _ => c.Bytes(Vocabulary.LiteralMax, want),
    };
}
