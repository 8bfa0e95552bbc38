using XsFuzz.Harness.Reporting;
using XsFuzz.Harness.Running;
using XsFuzz.Harness.Scenarios;
using XsFuzz.Xenstore.Migration;

namespace XsFuzz.Harness.Tests;

public class AgreementTests
{
    private static readonly HarnessOptions Options = HarnessOptions.Default;

    /// <summary>
    /// Totality and soundness: 100,000 random inputs (fixed seed) decode and run without any exception,
    /// and the correct model never disagrees with itself across live updates. Also: open transactions
    /// do cross live updates (they are neither failed nor dropped).
    /// </summary>
    [Fact]
    public void Random_inputs_run_cleanly_on_the_correct_model()
    {
        const int Count = 100_000;
        var source = new RandomInputs(2024);
        var inputs = new byte[Count][];
        for (var i = 0; i < Count; i++) inputs[i] = source.Next(Options.MaxCommands);

        var totals = new RunStats[Environment.ProcessorCount];
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, totals.Length, worker =>
        {
            var stats = new RunStats();
            for (var i = worker; i < Count; i += totals.Length)
            {
                try
                {
                    stats.Add(Agreement.Check(inputs[i], LiveUpdateFault.None, Options));
                }
                catch (Exception e)
                {
                    failures.Add($"input {i} ({Convert.ToBase64String(inputs[i])}): {e}");
                }
            }
            totals[worker] = stats;
        });
        Assert.True(failures.IsEmpty, failures.FirstOrDefault());

        var total = new RunStats();
        foreach (var s in totals) total.Add(s);
        Assert.True(total.LiveUpdates > Count, $"only {total.LiveUpdates} live updates");
        Assert.True(total.LiveUpdatesWithOpenTransactions > 0);
        var fraction = (double)total.LiveUpdatesWithOpenTransactions / total.LiveUpdates;
        Assert.True(fraction > 0.05, $"only {fraction:P1} of live updates had an open transaction");
    }

    [Fact]
    public void Hand_written_scenarios_agree_on_the_correct_model()
    {
        foreach (var (name, text) in Corpus.SeedScenarios.All)
        {
            var stats = Agreement.Check(ScenarioParser.Parse(text), LiveUpdateFault.None, Options);
            Assert.True(stats.LiveUpdates > 0, name);
        }
    }

    [Fact]
    public void An_open_transaction_carries_on_across_a_live_update()
    {
        var scenario = ScenarioParser.Parse("""
            D0 tx0 TRANSACTION_START
            D0 tx1 WRITE /x v
            LIVE-UPDATE
            D0 tx1 READ /x
            D0 tx1 TRANSACTION_END T
            D0 tx0 READ /x
            """);
        var (divergence, stats) = Agreement.Run(scenario, LiveUpdateFault.None, Options);
        Assert.Null(divergence);
        Assert.Equal(1, stats.LiveUpdatesWithOpenTransactions);
    }

    /// <summary>
    /// Issue 11's small-quotas findings, both an event waiting in a writer's queue for a watch no longer
    /// registered. The first: D0 floods A1's watch on / until its own event for its watch on / waits
    /// behind A1's, then removes and re-adds that watch; the waiting event still reaches D0 after the
    /// update, as without it (the removed watch still forwards to its owner, as oxenstored's watch
    /// record does). The second (check --config small-quotas, seed 1, shrunk): A1 floods D0's watch,
    /// then dom0's connection is released; the closed connection's queue still takes events up to its
    /// limits, across two updates.
    /// </summary>
    [Theory]
    [InlineData("AAAF/44B/47/QAAABZYAyBD/ov+O/xwB//9m", 1)]
    [InlineData("AAAF/47/QAFgAAAAlgDIDv96AgAC/9T//0AB/w==", 2)]
    public void An_event_waiting_for_a_watch_no_longer_registered_goes_where_it_would_without_a_live_update(string base64, int liveUpdates)
    {
        var input = Convert.FromBase64String(base64);
        Assert.Equal("small-quotas", ScenarioDecoder.Decode(input, Options).Config);
        var stats = Agreement.Check(input, LiveUpdateFault.None, Options);
        Assert.Equal(liveUpdates, stats.LiveUpdates);
    }

    [Fact]
    public void A_planted_fault_gives_a_full_report()
    {
        var scenario = ScenarioParser.Parse("""
            domain 1
            node /local/domain/1 "" n1
            D1 tx0 WATCH data rel
            LIVE-UPDATE
            D0 tx0 WRITE /local/domain/1/data v
            """);
        var d = Assert.Throws<Disagreement>(() => Agreement.Check(scenario, LiveUpdateFault.WatchRelativeLost, Options));
        Assert.Equal(CheckPoint.LiveUpdateState, d.Divergence.Point);
        Assert.Equal(2, d.Divergence.Step);
        Assert.Equal("live update: state differs in [watch]", d.Signature);
        Assert.Contains("signature: live update: state differs in [watch]\n", d.Report);
        Assert.Contains("step 2 of 3: LIVE-UPDATE", d.Report);
        Assert.Contains("@@", d.Report);
        Assert.Contains("-  watch #1 \"/local/domain/1/data\" \"rel\"", d.Report);
        Assert.Contains("+  watch #1 \"data\" \"rel\"", d.Report);
        Assert.Contains(">>   2: LIVE-UPDATE", d.Report);
        Assert.Contains("xsfuzz replay --base64 " + Convert.ToBase64String(d.Input) + " --fault watch-relative-lost", d.Report);
        // The reproducer really reproduces: same report from the bytes.
        var again = Assert.Throws<Disagreement>(() => Agreement.Check(d.Input, LiveUpdateFault.WatchRelativeLost, Options));
        Assert.Equal(d.Report, again.Report);
    }
}
