using XsFuzz.Harness.Running;
using System.Diagnostics;
using XsFuzz.Harness.Scenarios;
using XsFuzz.RealDaemons.Mapping;
using XsFuzz.RealDaemons.Reporting;
using XsFuzz.RealDaemons.Running;
using XsFuzz.RealDaemons.Sandbox;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Real.Tests;

/// <summary>Debian's daemons in the sandbox (see <see cref="SandboxFactAttribute"/>).</summary>
// One collection: the sandbox tests run one after another, so each can check that no daemon is left.
[Collection("sandbox daemons")]
public class SandboxTests
{
    private static Scenario Parse(string text) => ScenarioParser.Parse(ScenarioText.Header + "\n" + text);

    private static Divergence? RunLu(DaemonKind kind, Scenario scenario, out RunStats stats, RunSettings? settings = null)
    {
        var runner = new ScenarioRunner(SandboxFixture.Layout, new RunDescription(PairMode.LiveUpdate, kind), settings ?? RunSettings.Default);
        var outcome = runner.Execute(ScenarioMapper.Map(scenario).Runnable);
        stats = outcome.Stats;
        return outcome.Divergence;
    }

    [SandboxFact]
    public void Both_daemons_start_answer_on_every_slot_and_are_killed_by_pid()
    {
        foreach (var kind in new[] { DaemonKind.Oxenstored, DaemonKind.Xenstored })
        {
            int pid;
            using (var target = RealTarget.Start("t", SandboxFixture.Layout, kind, RunSettings.Default))
            {
                foreach (var connection in target.Connections)
                {
                    var reply = target.Exchange(connection, Packet.Request(Op.Read, 1, 0, "/"));
                    Assert.Equal(Ending.Complete, reply.Ending);
                    Assert.Single(reply.Packets);
                }
                Assert.Contains("/tool", target.Walk(), StringComparison.Ordinal);
                Assert.Null(target.DeathNote());
                pid = target.Pid;
                Assert.False(Process.GetProcessById(pid).HasExited);
            }
            Assert.Throws<ArgumentException>(() => Process.GetProcessById(pid));
        }
        Assert.Equal(0, DaemonReaper.Count);
    }

    [SandboxFact]
    public void Oxenstored_renames_socket_connections_in_DEBUG_watches_across_a_live_update_which_is_known()
    {
        var d = RunLu(DaemonKind.Oxenstored, Parse("""
            A1 tx0 WATCH /a t1
            A2 tx0 WATCH /b t2
            LIVE-UPDATE
            D0 tx0 DEBUG watches
            """), out var stats);
        Assert.Equal(1, stats.LiveUpdates);
        Assert.NotNull(d);
        Assert.Equal(4, d.Step);
        Assert.Equal("reply to DEBUG watches: DEBUG payload", d.Signature);
        var known = KnownDifferences.Builtin().Match(new RunDescription(PairMode.LiveUpdate, DaemonKind.Oxenstored), d.Signature);
        Assert.NotNull(known);
    }

    [SandboxFact]
    public void Both_daemons_refuse_a_live_update_while_a_transaction_is_open_and_carry_on()
    {
        foreach (var kind in new[] { DaemonKind.Oxenstored, DaemonKind.Xenstored })
        {
            var d = RunLu(kind, Parse("""
                A1 tx0 TRANSACTION_START
                A1 tx1 WRITE /a "1"
                LIVE-UPDATE
                A1 tx1 TRANSACTION_END T
                D0 tx0 READ /a
                """), out var stats);
            Assert.Null(d);
            Assert.Equal(0, stats.LiveUpdates);
            Assert.True(stats.Refused.TryGetValue("open transactions", out var refused),
                $"{kind.Name()}: refused for {string.Join("; ", stats.Refused.Keys)}");
            Assert.Equal(1, refused);
        }
    }

    /// <summary>
    /// The second attempt is counted without asking (over the control socket that saves oxenstored's
    /// second); TRANSACTION_END lifts that, and the third is asked and done. Both ways of asking, with
    /// the idle gate and without: behind it the control socket asks with -t 0 first, whose refusal for
    /// the transaction is final and whose refusal for its own reply alone is asked again with the wait.
    /// </summary>
    [SandboxFact]
    public void Oxenstored_counts_a_refusal_for_transactions_still_open_without_asking_again()
    {
        foreach (var (overRing, gate) in new[] { (true, false), (false, false), (true, true), (false, true) })
        {
            var d = RunLu(DaemonKind.Oxenstored, Parse("""
                A1 tx0 TRANSACTION_START
                A1 tx1 WRITE /a "1"
                LIVE-UPDATE
                A2 tx0 READ /a
                LIVE-UPDATE
                A1 tx1 TRANSACTION_END T
                LIVE-UPDATE
                D0 tx0 READ /a
                """), out var stats, RunSettings.Default with { OxenstoredUpdateOverRing = overRing, WakeOnlyWhenIdle = gate });
            Assert.Null(d);
            Assert.Equal(1, stats.LiveUpdates);
            Assert.Equal(1, stats.Refused.GetValueOrDefault(OxenstoredLiveUpdate.TransactionsReason));
            Assert.Equal(1, stats.Refused.GetValueOrDefault(StandingRefusal.TransactionsAgain));
        }
    }

    [SandboxFact]
    public void A_plain_live_update_keeps_nodes_watches_and_events_on_both_daemons()
    {
        foreach (var kind in new[] { DaemonKind.Oxenstored, DaemonKind.Xenstored })
        {
            var d = RunLu(kind, Parse("""
                node /data "v" n0 r1
                A1 tx0 WATCH /data w
                LIVE-UPDATE
                A2 tx0 WRITE /data/x "1"
                DRAIN A1
                LIVE-UPDATE
                A2 tx0 READ /data/x
                """), out var stats);
            Assert.Null(d);
            Assert.Equal(2, stats.LiveUpdates);
        }
    }

    /// <summary>
    /// A configuration other than Debian's reaches oxenstored: under quota-path-max = 48 the model refuses
    /// a 60-byte path that Debian's file allows, and the real daemon agrees, before and after an update.
    /// </summary>
    [SandboxFact]
    public void Oxenstored_runs_the_scenarios_configuration()
    {
        var shortPaths = new Xenstore.NamedConfig("short-paths", Xenstore.XenstoredConfig.Debian with { PathMax = 48 });
        var path = "/" + new string('p', 59);
        var write = Packet.WriteRequest(1, 0, path, "v"u8);
        foreach (var (config, answer) in new[] { (shortPaths.Config, Op.Error), (Xenstore.XenstoredConfig.Debian, Op.Write) })
        {
            var model = new Xenstore.Xenstored(config);
            model.Handle(Xenstore.Xenstored.Dom0, write);
            Assert.Equal((uint)answer, Assert.Single(model.TakeOutput(Xenstore.Xenstored.Dom0)).Type);
        }
        var scenario = Parse($"""
            config short-paths
            D0 tx0 WRITE {path} v
            LIVE-UPDATE
            D0 tx0 WRITE {path} v
            """);
        var harness = Harness.HarnessOptions.Default.Pinned(shortPaths);
        foreach (var mode in new[] { PairMode.Diff, PairMode.LiveUpdate })
        {
            var runner = new ScenarioRunner(SandboxFixture.Layout, new RunDescription(mode, DaemonKind.Oxenstored), RunSettings.Default, harness: harness);
            var outcome = runner.Execute(ScenarioMapper.Map(scenario).Runnable);
            Assert.Null(outcome.Divergence);
            Assert.Equal(1, outcome.Stats.LiveUpdates);
        }
        // The C daemon has no such setting: refused, not run with Debian's in its place.
        var c = new ScenarioRunner(SandboxFixture.Layout, new RunDescription(PairMode.LiveUpdate, DaemonKind.Xenstored), RunSettings.Default, harness: harness);
        Assert.Contains("xenstored has no equivalent of quota-path-max = 48", Assert.Throws<SandboxException>(() => c.Execute(scenario)).Message);
    }

    [SandboxFact]
    public void The_model_and_oxenstored_agree_on_a_seed_scenario_without_live_update()
    {
        var runner = new ScenarioRunner(SandboxFixture.Layout, new RunDescription(PairMode.Diff, DaemonKind.Oxenstored), RunSettings.Default);
        var outcome = runner.Execute(ScenarioMapper.Map(Parse("""
            domain 1
            node /local/domain/1 "" n1
            A1 tx0 WATCH / root
            D0 tx0 WRITE /a "1"
            D0 tx0 SET_PERMS /a n0 r1
            A2 tx0 TRANSACTION_START
            A2 tx1 WRITE /a "2"
            A2 tx1 TRANSACTION_END T
            D0 tx0 GET_PERMS /a
            DRAIN A1
            D0 tx0 DEBUG watches
            """)).Runnable);
        Assert.Null(outcome.Divergence);
    }
}
