using XsFuzz.Cli;
using XsFuzz.TestSupport;

namespace XsFuzz.Harness.Tests;

/// <summary>
/// One grammar for durations: the scripts' --time (xs_duration_seconds in scripts/lib/common.sh) accepts
/// exactly what xsfuzz's --time accepts (CommonOptions.ParseDuration), and gives the same length rounded up
/// to whole seconds (afl-fuzz and libFuzzer take whole seconds).
/// </summary>
public sealed class DurationGrammarTests
{
    private static readonly string[] Texts =
    [
        "90", "90s", "5m", "1.5h", "2d", "0.2s", ".5", "1.", "365d", "8760h",
        "0", "0s", "0.0", "366d", "-5", "1e3", "5x", "m", "", " 5", "5 ", "1,5h", "1.2.3", "10M",
    ];

    [Fact]
    public void The_scripts_and_xsfuzz_accept_the_same_durations_and_agree_on_their_length()
    {
        var bash = BashSeconds(Texts);
        for (var i = 0; i < Texts.Length; i++)
        {
            long? expected;
            try { expected = (long)Math.Ceiling(CommonOptions.ParseDuration(Texts[i]).TotalSeconds); }
            catch (UsageException) { expected = null; }
            Assert.True(expected == bash[i], $"'{Texts[i]}': xsfuzz {expected?.ToString() ?? "refuses"}, scripts {bash[i]?.ToString() ?? "refuse"}");
        }
    }

    /// <summary>xs_duration_seconds of each text in one bash process: its seconds, or null when it fails.</summary>
    private static long?[] BashSeconds(string[] texts)
    {
        var (_, lines) = ScriptLibrary.Run("for d in \"$@\"; do xs_duration_seconds \"$d\" || echo fails; done", texts);
        Assert.Equal(texts.Length, lines.Length);
        return [.. lines.Select(line => line == "fails" ? (long?)null : long.Parse(line, System.Globalization.CultureInfo.InvariantCulture))];
    }
}
