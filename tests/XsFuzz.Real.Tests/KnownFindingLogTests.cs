using XsFuzz.Cli.Commands;
using XsFuzz.RealDaemons.Reporting;
using XsFuzz.RealDaemons.Sandbox;

namespace XsFuzz.Real.Tests;

/// <summary>The record of allow-listed differences a coverage-guided daemon campaign meets.</summary>
[Collection("sandbox daemons")]
public sealed class KnownFindingLogTests : IDisposable
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_000_000);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "xsfuzz-known-" + Guid.NewGuid().ToString("N"));

    private static readonly KnownDifferences Two = KnownDifferences.Parse("""
        signature: [lu oxenstored] reply to READ: *
        reason: r
        trace: t

        signature: [* *] re:end drain: WATCH_EVENT (missing|extra) in A
        reason: r
        trace: t
        """, "test");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private string Folder(KnownDifference entry) => Path.Combine(_dir, new KnownFindingLog(_dir, Two, Start).FolderName(entry));

    [Fact]
    public void The_first_match_keeps_its_input_and_time_and_later_ones_only_count()
    {
        var now = Start.AddSeconds(12.34);
        var log = new KnownFindingLog(_dir, Two, Start, () => now);
        var drain = Two.Entries[1];
        log.Record(drain, "end drain: WATCH_EVENT extra in A", [1, 2, 3]);
        now = Start.AddSeconds(99);
        log.Record(drain, "end drain: WATCH_EVENT missing in A", [4]);
        log.Record(drain, "end drain: WATCH_EVENT missing in A", [5]);

        var folder = Folder(drain);
        Assert.Equal("002-end-drain-WATCH-EVENT-missing-extra-in-A", Path.GetFileName(folder));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(Path.Combine(folder, "input")));
        var first = File.ReadAllLines(Path.Combine(folder, "first"));
        Assert.Equal("seconds=12.3", first[0]);
        Assert.Equal("entry=[* *] re:end drain: WATCH_EVENT (missing|extra) in A", first[1]);
        Assert.Equal("signature=end drain: WATCH_EVENT extra in A", first[2]);
        Assert.Equal("3", File.ReadAllText(Path.Combine(folder, "count")).Trim());
        Assert.Single(Directory.GetDirectories(_dir));   // the other entry was not met
    }

    [Fact]
    public void A_restarted_target_continues_the_count_and_keeps_the_first_input()
    {
        var read = Two.Entries[0];
        new KnownFindingLog(_dir, Two, Start).Record(read, "reply to READ: READ payload", [7]);
        var again = new KnownFindingLog(_dir, Two, Start);
        again.Record(read, "reply to READ: READ payload", [8]);
        again.Record(read, "reply to READ: READ payload", [9]);

        Assert.Equal([7], File.ReadAllBytes(Path.Combine(Folder(read), "input")));
        Assert.Equal("3", File.ReadAllText(Path.Combine(Folder(read), "count")).Trim());
    }

    [Fact]
    public void An_entry_of_another_allow_list_is_refused()
    {
        var other = KnownDifferences.Parse("signature: [* *] x\nreason: r\ntrace: t\n", "other").Entries[0];
        Assert.Throws<ArgumentException>(() => new KnownFindingLog(_dir, Two, Start).Record(other, "x", [0]));
    }

    /// <summary>
    /// The AFL target hands an allow-listed difference to the log instead of dropping it: transaction
    /// ids restart after a live update (the allow-list's first entry, on every build of both daemons).
    /// </summary>
    [SandboxFact]
    public void The_afl_target_records_an_allow_listed_difference_it_runs_into()
    {
        var known = KnownDifferences.Builtin();
        var log = new KnownFindingLog(_dir, known, DateTimeOffset.UtcNow);
        var input = Convert.FromBase64String("/6oB/7wAqiT//6oB");   // that entry's trace
        using (var target = new RealAflTarget(SandboxFixture.Layout, DaemonKind.Oxenstored, known, hitCounts: false, forked: false, knownLog: log))
        {
            target.Run(input);
        }
        var folder = Assert.Single(Directory.GetDirectories(_dir));
        Assert.StartsWith("001-", Path.GetFileName(folder), StringComparison.Ordinal);   // the entry's place
        Assert.Contains("reply to TRANSACTION_START: TRANSACTION_START payload", File.ReadAllText(Path.Combine(folder, "first")), StringComparison.Ordinal);
        Assert.Equal(input, File.ReadAllBytes(Path.Combine(folder, "input")));
        Assert.Equal("1", File.ReadAllText(Path.Combine(folder, "count")).Trim());
    }

    /// <summary>
    /// Allow-listed daemon bugs that the coverage-guided campaign was slow to find: its target (forked
    /// daemons, as fuzz.sh runs it) must classify each entry's own trace as that entry, or no campaign
    /// can find it again. The trace is read from the allow-list, so a trace that no longer shows its
    /// entry fails here (DEBUG watches: one watching socket stopped showing the renumbering once live
    /// updates went over dom0's ring).
    /// </summary>
    [SandboxTheory]
    [InlineData("oxenstored", "reply to DEBUG watches: DEBUG payload( ")]
    [InlineData("oxenstored", "DEBUG payload (same lines, other order)")]
    [InlineData("xenstored", "Dump node walk error")]
    [InlineData("oxenstored", "negative domid")]
    [InlineData("oxenstored", "answered in A, no answer in B")]
    public void The_afl_target_classifies_an_entrys_own_trace_as_that_entry(string daemon, string patternPart)
    {
        var kind = daemon == "xenstored" ? DaemonKind.Xenstored : DaemonKind.Oxenstored;
        var known = KnownDifferences.Builtin();
        var entry = Assert.Single(known.Entries, e =>
            e.Mode != "diff" && (e.Daemon == daemon || e.Daemon == "*") && e.Pattern.Contains(patternPart, StringComparison.Ordinal));
        var base64 = System.Text.RegularExpressions.Regex.Match(entry.Trace, @"--base64 (\S+)").Groups[1].Value;
        var log = new KnownFindingLog(_dir, known, DateTimeOffset.UtcNow);
        using (var target = new RealAflTarget(SandboxFixture.Layout, kind, known, hitCounts: false, forked: true, knownLog: log))
        {
            target.Run(Convert.FromBase64String(base64));
        }
        var folder = Assert.Single(Directory.GetDirectories(_dir));
        Assert.Equal(log.FolderName(entry), Path.GetFileName(folder));
    }
}
