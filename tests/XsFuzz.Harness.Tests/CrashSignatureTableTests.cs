using XsFuzz.TestSupport;

namespace XsFuzz.Harness.Tests;

/// <summary>
/// fuzz.sh --daemon's table of what the AFL crashes were (xs_crash_signature_table, over the
/// OUT/WORKER/crash-signatures.log files that `xsfuzz afl --daemon` appends to).
/// </summary>
public sealed class CrashSignatureTableTests : IDisposable
{
    private readonly string _out = Path.Combine(Path.GetTempPath(), "xsfuzz-crash-table-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_out)) Directory.Delete(_out, recursive: true);
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

    [Fact]
    public void A_campaign_without_crashes_says_so()
    {
        Directory.CreateDirectory(Path.Combine(_out, "main", "queue"));
        var (exit, lines) = ScriptLibrary.Run("xs_crash_signature_table \"$1\"", _out);
        Assert.Equal(0, exit);
        Assert.Equal("crash signatures: none (the target met no new difference)", Assert.Single(lines));
    }
}
