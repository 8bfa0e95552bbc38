using XsFuzz.Harness.Decoding;

namespace XsFuzz.Harness.Generation;

/// <summary>TRANSACTION_END's argument: mostly commit "T", often abort "F", sometimes anything (EINVAL).</summary>
internal static class TransactionEndChoice
{
    private static readonly WeightTable Table = new(170, 70, 16);

    public static string Choose(Choices c, string? want) => c.OneOf(Table, 0, want, Alternative);

    private static string Alternative(Choices c, int _, string? want, int alt) => alt switch
    {
        0 => "T",
        1 => "F",
        _ => c.Bytes(Vocabulary.LiteralMax, want),
    };
}
