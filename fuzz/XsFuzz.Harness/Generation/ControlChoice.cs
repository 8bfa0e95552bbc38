using XsFuzz.Harness.Decoding;

namespace XsFuzz.Harness.Generation;

/// <summary>
/// CONTROL/DEBUG arguments: a sub-command (quota, watches, mfn, live-update, ...) then arguments that are
/// mostly domids or live-update flags.
/// </summary>
internal static class ControlChoice
{
    private static readonly WeightTable CommandTable = new(208, 48);       // vocabulary, literal
    private static readonly WeightTable ArgumentTable = new(128, 80, 48);  // domid, flag, literal

    /// <summary>The arguments (sub-command first). Writing: <paramref name="want"/> has at least the sub-command.</summary>
    public static List<string> Choose(Choices c, LiveView view, IReadOnlyList<string>? want)
    {
        if (c.Writing && (want is null || want.Count == 0)) return c.Fail(new List<string>());
        var args = new List<string> { c.OneOf(CommandTable, 0, want?[0], SubCommand) };
        while (c.More(want is not null && args.Count < want.Count)) args.Add(c.OneOf(ArgumentTable, view, want?[args.Count], Argument));
        return args;
    }

    private static string SubCommand(Choices c, int _, string? want, int alt) =>
        alt == 0 ? c.Pick(Vocabulary.ControlCommands, want) : c.Bytes(Vocabulary.LiteralMax, want);

    private static string Argument(Choices c, LiveView view, string? want, int alt) => alt switch
    {
        0 => DomidChoice.Choose(c, view, want),
        1 => c.Pick(Vocabulary.ControlFlags, want),
        _ => c.Bytes(Vocabulary.LiteralMax, want),
    };
}
