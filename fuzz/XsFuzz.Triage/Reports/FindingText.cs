using System.Globalization;
using System.Text;

namespace XsFuzz.Triage.Reports;

/// <summary>
/// A failure as a person reads it: the shrunk report first (what the bug needs), then the original
/// one. Long values are elided unless <c>full</c>; reproducer lines name the running xsfuzz by its path.
/// Used by replay, check and triage alike.
/// </summary>
public static class FindingText
{
    public static string Render(string originalReport, int originalBytes, ShrunkInput? shrunk, string? notShrunk, bool full)
    {
        var text = new StringBuilder();
        if (shrunk is not null && shrunk.Input.Length >= originalBytes)
        {
            notShrunk = string.Create(CultureInfo.InvariantCulture, $"the shrinker found nothing smaller ({shrunk.Runs} runs)");
            shrunk = null;
        }
        if (shrunk is not null)
        {
            text.Append(string.Create(CultureInfo.InvariantCulture,
                $"=== shrunk: {originalBytes} -> {shrunk.Input.Length} bytes, {shrunk.OriginalCommands} -> {shrunk.Commands} commands ({shrunk.Runs} runs); the original follows\n"));
            text.Append(shrunk.Report);
            text.Append(string.Create(CultureInfo.InvariantCulture, $"\n=== original ({originalBytes} bytes)\n"));
        }
        else if (notShrunk is not null)
        {
            text.Append("=== not shrunk: ").Append(notShrunk).Append('\n');
        }
        text.Append(originalReport);
        var result = ProgramName.InReproducers(text.ToString());
        if (full || !LongValues.Changes(result)) return result;
        return LongValues.Elide(result) + "(long values are elided as \"...\"...(N bytes); --full prints them whole)\n";
    }
}
