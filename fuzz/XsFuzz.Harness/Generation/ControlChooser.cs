using XsFuzz.Harness.Decoding;

namespace XsFuzz.Harness.Generation;

/// <summary>
/// CONTROL/DEBUG arguments: a sub-command (quota, watches, mfn, live-update, ...) then arguments that are
/// mostly domids or live-update flags.
/// </summary>
internal static class ControlChooser
{
    private static readonly WeightTable CommandTable = new(208, 48);       // vocabulary, literal
    private static readonly WeightTable ArgumentTable = new(128, 80, 48);  // domid, flag, literal

    public static string Decode(Choices c, LiveView view)
    {
        var args = new List<string>
        {
            c.Weighted(CommandTable) == 0
                ? Vocabulary.ControlCommands[c.Choose(Vocabulary.ControlCommands.Length)]
                : c.Bytes(Vocabulary.LiteralMax),
        };
        while (c.More())
        {
            args.Add(c.Weighted(ArgumentTable) switch
            {
                0 => DomidChooser.Decode(c, view),
                1 => Vocabulary.ControlFlags[c.Choose(Vocabulary.ControlFlags.Length)],
                _ => c.Bytes(Vocabulary.LiteralMax),
            });
        }
        return CommandCodec.Args([.. args]);
    }

    public static void Encode(ChoiceWriter w, LiveView view, string[] args)
    {
        var command = Array.IndexOf(Vocabulary.ControlCommands, args[0]);
        if (command >= 0)
        {
            w.Weighted(CommandTable, 0);
            w.Choose(command, Vocabulary.ControlCommands.Length);
        }
        else
        {
            w.Weighted(CommandTable, 1);
            w.Bytes(args[0], Vocabulary.LiteralMax);
        }
        for (var i = 1; i < args.Length; i++)
        {
            w.More(true);
            var flag = Array.IndexOf(Vocabulary.ControlFlags, args[i]);
            if (flag >= 0)
            {
                w.Weighted(ArgumentTable, 1);
                w.Choose(flag, Vocabulary.ControlFlags.Length);
                continue;
            }
            w.Weighted(ArgumentTable, 0);
            DomidChooser.Encode(w, view, args[i]);
        }
        w.More(false);
    }
}
