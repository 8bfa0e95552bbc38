using XsFuzz.Harness;
using XsFuzz.Harness.Running;
using XsFuzz.Harness.Scenarios;
using XsFuzz.RealDaemons.Mapping;
using XsFuzz.Xenstore;
using XsFuzz.Xenstore.Migration;

namespace XsFuzz.Real.Tests;

/// <summary>The runner's logic with the model on both sides: no daemon needed.</summary>
public class ModelPairTests
{
    private static Scenario Parse(string text) => ScenarioParser.Parse(ScenarioText.Header + "\n" + text);

    private static Divergence? Run(Scenario scenario, PairMode mode, LiveUpdateFault faultOfA = LiveUpdateFault.None)
    {
        using var a = new ModelTarget(XenstoredConfig.Debian, faultOfA, Slots.ModelLayout, "A");
        using var b = new ModelTarget(XenstoredConfig.Debian, LiveUpdateFault.None, Slots.ModelLayout, "B");
        return new PairRun(a, b, mode, StateCheck.Walks).Run(ScenarioMapper.Map(scenario).Runnable);
    }

    [Fact]
    public void The_correct_model_agrees_with_itself_on_random_scenarios_in_both_modes()
    {
        var inputs = new RandomInputs(7);
        for (var i = 0; i < 300; i++)
        {
            var scenario = ScenarioDecoder.Decode(inputs.Next(HarnessOptions.Default.MaxCommands), HarnessOptions.Default);
            Assert.Null(Run(scenario, PairMode.LiveUpdate));
            Assert.Null(Run(scenario, PairMode.Diff));
        }
    }

    [Fact]
    public void A_lost_permission_entry_shows_in_the_walk_after_the_update()
    {
        var d = Run(Parse("""
            node /a "" n0 r1
            LIVE-UPDATE
            """), PairMode.LiveUpdate, LiveUpdateFault.PermEntryLost);
        Assert.NotNull(d);
        Assert.Equal(CheckPoint.LiveUpdateState, d.Point);
        Assert.Equal("live update: state differs in [perms: *]", d.Signature);
    }

    [Fact]
    public void A_reset_transaction_counter_shows_in_the_reply()
    {
        var d = Run(Parse("""
            A1 tx0 TRANSACTION_START
            A1 tx1 TRANSACTION_END F
            LIVE-UPDATE
            A1 tx0 TRANSACTION_START
            """), PairMode.LiveUpdate, LiveUpdateFault.TxCounterReset);
        Assert.NotNull(d);
        Assert.Equal(4, d.Step);
        Assert.Equal(Xenstore.Domains.ConnectionId.Socket(1), d.Connection);
        Assert.Equal("reply to TRANSACTION_START: TRANSACTION_START payload", d.Signature);
    }

    [Fact]
    public void Watch_events_are_read_at_the_step_that_causes_them_and_sync_replies_are_removed()
    {
        using var model = new ModelTarget(XenstoredConfig.Debian, layout: Slots.ModelLayout);
        var watch = model.Exchange(Xenstore.Domains.ConnectionId.Socket(1), Xenstore.Wire.Packet.Request(Xenstore.Wire.Op.Watch, 1, 0, "/a", "t"));
        Assert.Equal(2, watch.Packets.Count); // OK, then the initial event
        var write = model.Exchange(Xenstore.Domains.ConnectionId.Socket(2), Xenstore.Wire.Packet.WriteRequest(2, 0, "/a", "v"u8));
        Assert.Single(write.Packets);
        var drain = model.Drain(Xenstore.Domains.ConnectionId.Socket(1));
        Assert.Single(drain.Packets);
        Assert.Equal(Xenstore.Wire.Op.WatchEvent, drain.Packets[0].Op);
        Assert.Empty(model.Drain(Xenstore.Domains.ConnectionId.Socket(1)).Packets);
    }

    [Fact]
    public void The_walk_lists_every_node_depth_first_in_directory_order_across_batches()
    {
        // 40 children of /d (more than one batch of StateWalk.NodesPerBatch) and a grandchild under the
        // first one, which a level-by-level read must still list right after its parent.
        using var model = new ModelTarget(XenstoredConfig.Debian, layout: Slots.ModelLayout);
        var names = Enumerable.Range(0, 40).Select(i => $"c{i:D2}").ToList();
        uint id = 1;
        foreach (var name in names)
            model.Exchange(Xenstore.Domains.ConnectionId.Socket(1), Xenstore.Wire.Packet.WriteRequest(id++, 0, "/d/" + name, "v"u8));
        model.Exchange(Xenstore.Domains.ConnectionId.Socket(1), Xenstore.Wire.Packet.WriteRequest(id++, 0, "/d/c00/g", "w"u8));
        var paths = model.Walk().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line[..line.IndexOf("  ", StringComparison.Ordinal)]).ToList();
        var d = paths.IndexOf("/d");
        Assert.True(d > 0, "no /d in the walk");
        Assert.Equal(["/d", "/d/c00", "/d/c00/g", .. names.Skip(1).Select(n => "/d/" + n)], paths.Skip(d).Take(42));
        Assert.Equal(paths.Count, paths.Distinct().Count());
        Assert.Contains("/d/c39  perms n0  value \"v\"", model.Walk(), StringComparison.Ordinal);
    }
}
