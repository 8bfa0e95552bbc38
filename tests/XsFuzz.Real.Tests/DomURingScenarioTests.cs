using XsFuzz.Harness.Running;
using XsFuzz.Harness.Scenarios;
using XsFuzz.RealDaemons.Mapping;
using XsFuzz.RealDaemons.Reporting;
using XsFuzz.RealDaemons.Running;
using XsFuzz.RealDaemons.Sandbox;
using XsFuzz.RealDaemons.Wire;
using XsFuzz.Xenstore;
using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Real.Tests;

/// <summary>Scenarios whose domU connections (D&lt;domid&gt;) run over their rings on Debian's daemons.</summary>
[Collection("sandbox daemons")]
public class DomURingScenarioTests
{
    public static TheoryData<DaemonKind> Kinds => new() { DaemonKind.Oxenstored, DaemonKind.Xenstored };

    private static Scenario Parse(string text) => ScenarioParser.Parse(ScenarioText.Header + "\n" + text);

    private static ScenarioOutcome Run(PairMode mode, DaemonKind kind, string text)
    {
        var mapped = ScenarioMapper.Map(Parse(text));
        Assert.Equal(0, mapped.DomUSkipped);
        Assert.True(mapped.DomUSent > 0);
        var outcome = new ScenarioRunner(SandboxFixture.Layout, new RunDescription(mode, kind), RunSettings.Default).Execute(mapped.Runnable);
        Assert.True(outcome.Divergence is null, outcome.Divergence?.Signature + "\n" + outcome.Diagnostics);
        Assert.Null(outcome.Death);
        return outcome;
    }

    private const string Guests = """
        domain 3
        domain 5
        node /local/domain/3 "" n3
        node /local/domain/5 "" n5 r3
        D3 tx0 WRITE data/x "1"
        D3 tx0 WATCH data t3
        D5 tx0 WATCH /local/domain/3 t5
        A1 tx0 WRITE /local/domain/3/data/y "2"
        D5 tx0 READ /local/domain/3/data/x
        D3 tx0 GET_PERMS /local/domain/5
        LIVE-UPDATE
        DRAIN D3
        D3 tx0 READ data/y
        D3 tx0 TRANSACTION_START ""
        D5 tx0 WRITE v "5"
        LIVE-UPDATE
        DRAIN D5
        D5 tx0 DIRECTORY /local/domain/3/data
        """;

    /// <summary>
    /// Two guests' reads, writes, watches and events across live updates: the updated daemon and the
    /// reference agree on every delivery, and the second update (a domU transaction open) is refused
    /// by both daemons.
    /// </summary>
    [SandboxTheory]
    [MemberData(nameof(Kinds))]
    public void DomU_commands_run_on_both_daemons_in_lu_mode(DaemonKind kind)
    {
        var outcome = Run(PairMode.LiveUpdate, kind, Guests);
        Assert.Equal(1, outcome.Stats.LiveUpdates);
        Assert.Equal(1, outcome.Stats.RefusedTotal);
        Assert.Equal(0, DaemonReaper.Count);
    }

    /// <summary>The model agrees with the real oxenstored on the same domU traffic: the replies are real ones.</summary>
    [SandboxFact]
    public void DomU_commands_agree_with_the_model_in_diff_mode() =>
        Assert.Equal(1, Run(PairMode.Diff, DaemonKind.Oxenstored, Guests).Stats.LiveUpdates);

    /// <summary>
    /// A guest writes the header and 4 payload bytes of a WRITE, a live update comes, then the rest (with
    /// its next request); meanwhile a watch event waits unread in its rsp[]. oxenstored refuses while the
    /// bytes sit in its xb partial_in (has_partial_input blocks the update) and the runner names that
    /// reason; the C daemon keeps them (its conn->in goes into the CONN record) and reads the rest after
    /// its update. Either way the guest's replies and event agree with the daemon that did not update.
    /// </summary>
    private const string SplitAcrossAnUpdate = """
        domain 3
        node /local/domain/3 "" n3
        D3 tx0 WATCH data t3
        A1 tx0 WRITE /local/domain/3/data/y "2"
        PARTIAL 20 D3 tx0 WRITE /local/domain/3/data/x "split"
        LIVE-UPDATE
        D3 tx0 READ /local/domain/3/data/x
        """;

    [SandboxTheory]
    [MemberData(nameof(Kinds))]
    public void A_request_split_across_a_live_update_in_lu_mode(DaemonKind kind)
    {
        var outcome = Run(PairMode.LiveUpdate, kind, SplitAcrossAnUpdate);
        if (kind == DaemonKind.Oxenstored)
        {
            Assert.Equal(0, outcome.Stats.LiveUpdates);
            Assert.Equal(1, outcome.Stats.Refused.GetValueOrDefault(OxenstoredLiveUpdate.PartialInputReason));
        }
        else
        {
            Assert.Equal(1, outcome.Stats.LiveUpdates);
            Assert.Equal(0, outcome.Stats.RefusedTotal);
        }
        Assert.Equal(0, DaemonReaper.Count);
    }

    /// <summary>The model against the real oxenstored: the real one refuses, so neither updates, and every delivery agrees.</summary>
    [SandboxFact]
    public void A_request_split_across_a_live_update_in_diff_mode()
    {
        var outcome = Run(PairMode.Diff, DaemonKind.Oxenstored, SplitAcrossAnUpdate);
        Assert.Equal(0, outcome.Stats.LiveUpdates);
        Assert.Equal(1, outcome.Stats.Refused.GetValueOrDefault(OxenstoredLiveUpdate.PartialInputReason));
    }

    /// <summary>
    /// dom0 released and introduced again: oxenstored then serves dom0 on another page and port, so the
    /// live update is asked for over the control socket, not over dom0's boot ring, which nobody reads
    /// any more (found by the 30-minute diff campaign: "live update failed: no answer").
    /// </summary>
    [SandboxTheory]
    [InlineData(PairMode.LiveUpdate)]
    [InlineData(PairMode.Diff)]
    public void A_live_update_after_dom0_was_released_and_introduced_again(PairMode mode)
    {
        const string text = """
            LIVE-UPDATE
            D0 tx0 RELEASE 0
            D0 tx0 INTRODUCE 0 1000 10
            LIVE-UPDATE
            """;
        var run = new RunDescription(mode, DaemonKind.Oxenstored);
        var outcome = new ScenarioRunner(SandboxFixture.Layout, run, RunSettings.Default).Execute(ScenarioMapper.Map(Parse(text)).Runnable);
        // RELEASE 0 leaves the root owned by -1, which oxenstored's update resets: a known difference.
        if (outcome.Divergence is { } d)
            Assert.True(KnownDifferences.Builtin().Match(run, d.Signature) is not null, d.Signature + "\n" + outcome.Diagnostics);
        Assert.Equal(2, outcome.Stats.LiveUpdates);
        Assert.Null(outcome.Death);
    }

    /// <summary>
    /// A domain introduced, released and introduced again in the middle of a scenario: while released
    /// its commands read nothing (closed), as in the model; introduced again it has a fresh ring.
    /// </summary>
    [SandboxTheory]
    [MemberData(nameof(Kinds))]
    public void Introduce_and_release_mid_scenario(DaemonKind kind)
    {
        const string text = """
            node /local/domain/7 "" n7
            D7 tx0 READ x
            A1 tx0 INTRODUCE 7 1007 17
            D7 tx0 WRITE x "1"
            D7 tx0 WATCH @releaseDomain r
            LIVE-UPDATE
            D7 tx0 READ x
            A2 tx0 RELEASE 7
            D7 tx0 READ x
            DRAIN D7
            D0 tx0 INTRODUCE 7 1007 17
            D7 tx0 READ x
            D7 tx0 WRITE y "2"
            LIVE-UPDATE
            D7 tx0 DIRECTORY ""
            """;
        Assert.Equal(2, Run(PairMode.LiveUpdate, kind, text).Stats.LiveUpdates);
        if (kind == DaemonKind.Oxenstored) Assert.Equal(2, Run(PairMode.Diff, kind, text).Stats.LiveUpdates);
    }

    /// <summary>
    /// What the runner does for a domain, step by step on one daemon: the ring appears with INTRODUCE,
    /// a watch event left unread in rsp[] survives a live update and is read after it, RELEASE closes
    /// the connection and removes the page, a new INTRODUCE gives a fresh page.
    /// </summary>
    [SandboxTheory]
    [MemberData(nameof(Kinds))]
    public void A_live_update_with_a_domUs_event_unread_in_rsp(DaemonKind kind)
    {
        using var target = RealTarget.Start("t", SandboxFixture.Layout, kind, RunSettings.Default);
        var d4 = ConnectionId.Ring(4);
        uint id = 1;
        Packet Req(Op op, params string[] args) => Packet.Request(op, id++, 0, args);
        Packet Write(string path, string value) => Packet.WriteRequest(id++, 0, path, Latin1.Encode(value));
        string One(Delivery d) => Assert.Single(d.Packets) is var p && d.Ending == Ending.Complete ? Latin1.Decode(p.Payload) : "";

        Assert.DoesNotContain(d4, target.Connections);
        Assert.Equal(Delivery.ClosedEmpty, target.Exchange(d4, Req(Op.Read, "x")));
        Assert.Equal("OK\0", One(target.Exchange(Xenstored.Dom0, Req(Op.Write, "/local/domain/4", ""))));
        Assert.Equal("OK\0", One(target.Exchange(Xenstored.Dom0, Req(Op.SetPerms, "/local/domain/4", "n4"))));
        Assert.Equal("OK\0", One(target.Exchange(Xenstored.Dom0, Req(Op.Introduce, "4", "1004", "14"))));
        Assert.Contains(d4, target.Connections);
        Assert.Equal("OK\0", One(target.Exchange(d4, Write("x", "1"))));
        var watched = target.Exchange(d4, Req(Op.Watch, "x", "t"));
        Assert.Equal(2, watched.Packets.Count);                 // OK and the watch's first event
        Assert.Equal("OK\0", One(target.Exchange(ConnectionId.Socket(1), Write("/local/domain/4/x", "2"))));

        var ring = RingConnection.RingPath(target.RunFolder, 4);
        using (var page = RingPage.Open(ring))
        {
            Assert.True(SpinWait.SpinUntil(() => page.Responses.Unread > 0, RingSandbox.Wait));   // the event, unread
            var update = target.LiveUpdate();
            Assert.True(update.Status == LiveUpdateStatus.Done, update.Reason + ": " + update.Detail);
            Assert.True(page.Responses.Unread > 0);
        }
        var after = target.Drain(d4);
        Assert.Equal(Ending.Complete, after.Ending);
        var evt = Assert.Single(after.Packets);
        Assert.Equal(Op.WatchEvent, evt.Op);
        Assert.Equal("x\0t\0", Latin1.Decode(evt.Payload));
        Assert.Equal("2", One(target.Exchange(d4, Req(Op.Read, "x"))));

        Assert.Equal("OK\0", One(target.Exchange(ConnectionId.Socket(2), Req(Op.Release, "4"))));
        Assert.DoesNotContain(d4, target.Connections);
        Assert.False(File.Exists(ring));
        Assert.Equal(Delivery.ClosedEmpty, target.Exchange(d4, Req(Op.Read, "x")));
        Assert.Equal("OK\0", One(target.Exchange(Xenstored.Dom0, Req(Op.Introduce, "4", "1004", "14"))));
        using (var page = RingPage.Open(ring))
        {
            Assert.Equal(0u, page.Requests.Producer);        // a fresh page
        }
        Assert.Equal(Ending.Complete, target.Exchange(d4, Req(Op.Read, "x")).Ending);
        Assert.Null(target.DeathNote());
    }
}
