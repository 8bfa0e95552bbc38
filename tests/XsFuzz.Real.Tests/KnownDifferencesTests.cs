using XsFuzz.Harness.Running;
using XsFuzz.RealDaemons.Reporting;
using XsFuzz.RealDaemons.Running;
using XsFuzz.RealDaemons.Sandbox;

namespace XsFuzz.Real.Tests;

public class KnownDifferencesTests
{
    private static readonly RunDescription LuOx = new(PairMode.LiveUpdate, DaemonKind.Oxenstored);
    private static readonly RunDescription DiffOx = new(PairMode.Diff, DaemonKind.Oxenstored);
    private static readonly RunDescription LuC = new(PairMode.LiveUpdate, DaemonKind.Xenstored);

    [Fact]
    public void The_builtin_allow_list_parses_and_every_entry_has_a_reason_and_a_trace()
    {
        var known = KnownDifferences.Builtin();
        Assert.NotEmpty(known.Entries);
        Assert.All(known.Entries, e =>
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Reason));
            Assert.Contains("xsfuzz real ", e.Trace, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void The_debug_watches_renaming_of_oxenstored_is_known()
    {
        var entry = KnownDifferences.Builtin().Match(LuOx, "reply to DEBUG watches: DEBUG payload");
        Assert.NotNull(entry);
        Assert.Contains("renumber", entry.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Entries_apply_to_their_mode_and_daemon_only()
    {
        var known = KnownDifferences.Parse("""
            # a comment
            signature: [lu oxenstored] reply to READ: *
            reason: because
              and more
            trace: xsfuzz real lu --base64 AA==

            signature: [* *] end drain: WATCH_EVENT missing in A
            reason: r
            trace: t
            """, "test");
        Assert.Equal(2, known.Entries.Count);
        Assert.Equal("because and more", known.Entries[0].Reason);
        Assert.NotNull(known.Match(LuOx, "reply to READ: READ payload"));
        Assert.Null(known.Match(LuC, "reply to READ: READ payload"));
        Assert.Null(known.Match(DiffOx, "reply to READ: READ payload"));
        Assert.NotNull(known.Match(LuC, "end drain: WATCH_EVENT missing in A"));
        Assert.Null(known.Match(LuC, "end drain: WATCH_EVENT missing in A (after a live update)"));
    }

    [Fact]
    public void Regular_expressions_match_whole_signatures()
    {
        var known = KnownDifferences.Parse("""
            signature: [lu *] re:live update: state differs in \[node extra in A:( /(tool|tool/xenstored))+\]
            reason: r
            trace: t
            """, "test");
        Assert.NotNull(known.Match(LuOx, "live update: state differs in [node extra in A: /tool /tool/xenstored]"));
        Assert.NotNull(known.Match(LuC, "live update: state differs in [node extra in A: /tool/xenstored]"));
        Assert.Null(known.Match(LuOx, "live update: state differs in [node extra in A: /tool; perms: *]"));
        Assert.Throws<FormatException>(() => KnownDifferences.Parse("signature: [lu *] re:(\nreason: r\ntrace: t\n", "test"));
    }

    [Theory]
    [InlineData("signature: [lu oxenstored] x\nreason: r\n")]
    [InlineData("signature: [lu oxenstored] x\ntrace: t\n")]
    [InlineData("signature: lu oxenstored x\nreason: r\ntrace: t\n")]
    [InlineData("signature: [lu qemu] x\nreason: r\ntrace: t\n")]
    [InlineData("reason: r\n")]
    [InlineData("note: r\n")]
    public void Malformed_entries_are_rejected(string text)
    {
        Assert.Throws<FormatException>(() => KnownDifferences.Parse(text, "test"));
    }

    [Theory]
    [InlineData("abc", "abc", true)]
    [InlineData("abc", "abcd", false)]
    [InlineData("a*c", "abbbc", true)]
    [InlineData("a*c", "abbbd", false)]
    [InlineData("*", "", true)]
    [InlineData("x*y*z", "x1y2z", true)]
    [InlineData("x*y*z", "x1z2y", false)]
    public void Globs_match_whole_signatures(string pattern, string text, bool expected)
    {
        Assert.Equal(expected, KnownDifference.Glob(pattern, text));
    }
}
