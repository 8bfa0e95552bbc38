using XsFuzz.Cli.Commands;
using XsFuzz.RealDaemons.Reporting;
using XsFuzz.RealDaemons.Sandbox;

namespace XsFuzz.Real.Tests;

/// <summary>The record of what each AFL crash of a coverage-guided daemon campaign was.</summary>
[Collection("sandbox daemons")]
public sealed class CrashSignatureLogTests : IDisposable
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_000_000);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "xsfuzz-crashlog-" + Guid.NewGuid().ToString("N"));

    private string LogPath => Path.Combine(_dir, "main", "crash-signatures.log");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Each_crashing_run_is_a_line_and_only_a_signatures_first_carries_the_replay()
    {
        var now = Start.AddSeconds(3.25);
        var log = new CrashSignatureLog(LogPath, Start, () => now);
        log.Record("end drain: WATCH_EVENT extra in A", "xsfuzz real lu --base64 AAAA");
        now = Start.AddSeconds(7);
        log.Record("end drain: WATCH_EVENT extra in A", "xsfuzz real lu --base64 BBBB");
        log.Record("A died: killed\tby signal 6\nsecond line", "xsfuzz real lu --base64 CCCC");
        // A restarted target (a new process) gives the replay again: the table keeps one of them.
        new CrashSignatureLog(LogPath, Start, () => now).Record("end drain: WATCH_EVENT extra in A", "xsfuzz real lu --base64 DDDD");

        Assert.Equal(
        [
            "3.2\tend drain: WATCH_EVENT extra in A\txsfuzz real lu --base64 AAAA",
            "7.0\tend drain: WATCH_EVENT extra in A\t",
            "7.0\tA died: killed by signal 6\txsfuzz real lu --base64 CCCC",
            "7.0\tend drain: WATCH_EVENT extra in A\txsfuzz real lu --base64 DDDD",
        ], File.ReadAllLines(LogPath));
        Assert.Equal((byte)'3', File.ReadAllBytes(LogPath)[0]);   // no byte-order mark: fuzz.sh's awk would read it into the time
    }

    [Fact]
    public void A_log_that_cannot_be_written_does_not_stop_the_run()
    {
        var log = new CrashSignatureLog(LogPath, Start);
        Directory.CreateDirectory(LogPath);   // a folder where the file should be: every append fails
        log.Record("end drain: WATCH_EVENT extra in A", "xsfuzz real lu --base64 AAAA");
        Assert.True(Directory.Exists(LogPath));
    }

    /// <summary>
    /// The AFL target writes a new difference to the log before it throws it to AFL: transaction ids
    /// restart after a live update, with an allow-list that does not know it.
    /// </summary>
    [SandboxFact]
    public void The_afl_target_records_a_new_difference_before_it_becomes_an_afl_crash()
    {
        var none = KnownDifferences.Parse("", "empty");
        var log = new CrashSignatureLog(LogPath, DateTimeOffset.UtcNow);
        var input = Convert.FromBase64String("/6oB/7wAqiT//6oB");   // the allow-list's first entry's trace
        using (var target = new RealAflTarget(SandboxFixture.Layout, DaemonKind.Oxenstored, none, hitCounts: false, forked: false, crashLog: log))
        {
            var thrown = Assert.Throws<RealDaemonFinding>(() => target.Run(input));
            var fields = Assert.Single(File.ReadAllLines(LogPath)).Split('\t');
            Assert.Equal(3, fields.Length);
            Assert.Contains("TRANSACTION_START payload", fields[1], StringComparison.Ordinal);
            Assert.StartsWith("oxenstored: " + fields[1] + "\nreplay: " + fields[2] + "\n", thrown.Message, StringComparison.Ordinal);
        }
    }
}
