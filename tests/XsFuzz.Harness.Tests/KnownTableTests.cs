using XsFuzz.TestSupport;

namespace XsFuzz.Harness.Tests;

/// <summary>
/// fuzz.sh --daemon's tables over what `xsfuzz afl --daemon` records per worker: the allow-list entries
/// the workers met (xs_known_table, over OUT/WORKER/known/NNN-SLUG/) and what their crashes were
/// (xs_crash_signature_table, over OUT/WORKER/crash-signatures.log).
/// </summary>
public sealed class KnownTableTests : IDisposable
{
    private readonly string _out = Path.Combine(Path.GetTempPath(), "xsfuzz-campaign-table-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_out)) Directory.Delete(_out, recursive: true);
    }

    private void Found(string worker, string folder, string seconds, int count, string entry)
    {
        var dir = Path.Combine(_out, worker, "known", folder);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "input"), "x");
        File.WriteAllText(Path.Combine(dir, "first"), $"seconds={seconds}\nentry={entry}\nsignature=s\n");
        File.WriteAllText(Path.Combine(dir, "count"), $"{count}\n");
    }

    [Fact]
    public void One_row_per_entry_with_the_earliest_find_over_all_workers_and_the_total_count()
    {
        Found("main", "004-reply-to-DEBUG", "120.5", 3, "[* oxenstored] reply to DEBUG");
        Found("s1", "004-reply-to-DEBUG", "7.2", 10, "[* oxenstored] reply to DEBUG");
        Found("s1", "012-end-drain", "45.0", 1, "[lu *] end drain");
        Directory.CreateDirectory(Path.Combine(_out, "main", "queue"));

        var (exit, lines) = ScriptLibrary.Run("xs_known_table \"$1\"", _out);

        Assert.Equal(0, exit);
        Assert.StartsWith("known differences met", lines[0], StringComparison.Ordinal);
        Assert.Matches(@"^004\s+7\.2\s+13\s+\[\* oxenstored\] reply to DEBUG$", lines[2]);
        Assert.EndsWith("/s1/known/004-reply-to-DEBUG/input (s1)", lines[3], StringComparison.Ordinal);
        Assert.Matches(@"^012\s+45\.0\s+1\s+\[lu \*\] end drain$", lines[4]);
        Assert.Equal(6, lines.Length);
    }

    /// <summary>A campaign whose worker met no allow-list entry, or had no crash: each table says so in one line.</summary>
    [Theory]
    [InlineData("xs_known_table", "known differences met: none (no allow-list entry matched)")]
    [InlineData("xs_crash_signature_table", "crash signatures: none (the target met no new difference)")]
    public void A_campaign_that_met_nothing_says_so(string table, string line)
    {
        Directory.CreateDirectory(Path.Combine(_out, "main", "queue"));
        var (exit, lines) = ScriptLibrary.Run(table + " \"$1\"", _out);
        Assert.Equal(0, exit);
        Assert.Equal(line, Assert.Single(lines));
    }

    private void Log(string worker, params string[] lines)
    {
        Directory.CreateDirectory(Path.Combine(_out, worker));
        File.WriteAllText(Path.Combine(_out, worker, "crash-signatures.log"), string.Concat(lines.Select(l => l + "\n")));
    }

    [Fact]
    public void One_row_per_signature_with_its_earliest_run_over_all_workers_the_total_and_a_replay()
    {
        Log("main", "300.0\tend drain: WATCH_EVENT extra in A\treplay-a", "310.5\tend drain: WATCH_EVENT extra in A\t");
        Log("s1", "12.5\tA died: killed by signal 6\treplay-b", "250.0\tend drain: WATCH_EVENT extra in A\treplay-c");
        Directory.CreateDirectory(Path.Combine(_out, "s2", "queue"));   // a worker that met none

        var (exit, lines) = ScriptLibrary.Run("xs_crash_signature_table \"$1\"", _out);

        Assert.Equal(0, exit);
        Assert.StartsWith("crash signatures, as the target saw them", lines[0], StringComparison.Ordinal);
        Assert.Matches(@"^\s+12\.5\s+1\s+A died: killed by signal 6$", lines[2]);
        Assert.Equal("replay-b", lines[3].Trim());
        Assert.Matches(@"^\s+250\.0\s+3\s+end drain: WATCH_EVENT extra in A$", lines[4]);
        Assert.StartsWith("replay-", lines[5].Trim(), StringComparison.Ordinal);
        Assert.Equal(6, lines.Length);
    }
}
