using XsFuzz.Harness.Decoding;

namespace XsFuzz.Harness.Generation;

/// <summary>TRANSACTION_END's argument: mostly commit "T", often abort "F", sometimes anything (EINVAL).</summary>
internal static class TransactionEndChooser
{
    private static readonly WeightTable Table = new(170, 70, 16);

    public static string Decode(Choices c) => c.Weighted(Table) switch
    {
        0 => "T",
        1 => "F",
        _ => c.Bytes(Vocabulary.LiteralMax),
    };

    public static void Encode(ChoiceWriter w, string arg)
    {
        switch (arg)
        {
            case "T": w.Weighted(Table, 0); return;
            case "F": w.Weighted(Table, 1); return;
            default:
                w.Weighted(Table, 2);
                w.Bytes(arg, Vocabulary.LiteralMax);
                return;
        }
    }
}
