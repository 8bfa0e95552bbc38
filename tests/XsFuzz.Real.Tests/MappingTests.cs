using XsFuzz.Harness.Scenarios;
using XsFuzz.RealDaemons.Mapping;

namespace XsFuzz.Real.Tests;

public class MappingTests
{
    private static Scenario Parse(string text) => ScenarioParser.Parse(ScenarioText.Header + "\n" + text);

    [Fact]
    public void Sockets_dom0_and_domU_rings_are_kept_unknown_sockets_are_dropped()
    {
        var mapped = ScenarioMapper.Map(Parse("""
            domain 3
            A1 tx0 WRITE /a "1"
            A2 tx0 READ /a
            D0 tx0 READ /a
            D3 tx0 READ /a
            D9 tx0 READ /a
            A7 tx0 READ /a
            DRAIN D3
            DRAIN A1
            LIVE-UPDATE
            """));
        Assert.Equal(8, mapped.Runnable.Commands.Count);
        Assert.Equal(1, mapped.Skipped[SkipReason.UnknownConnection]);
        Assert.Equal(3, mapped.DomUSent);      // D3 twice and D9, which is never introduced: it reads nothing, as in the model
        Assert.Equal(0, mapped.DomUSkipped);
        Assert.Single(mapped.Runnable.Domains);
    }

    [Fact]
    public void A_domUs_oversized_payload_is_dropped_like_any_connections_and_not_counted_as_a_domU_skip()
    {
        var mapped = ScenarioMapper.Map(Parse($"""
            domain 2
            D2 tx0 WRITE a {new string('x', 4100)}
            D2 tx0 READ a
            """));
        Assert.Equal(1, mapped.DomUSent);
        Assert.Equal(0, mapped.DomUSkipped);
        Assert.Equal(1, mapped.Skipped[SkipReason.OversizedPayload]);
    }

    [Fact]
    public void Control_live_update_and_oversized_payloads_are_dropped_other_control_commands_kept()
    {
        var big = new string('x', 4100);
        var mapped = ScenarioMapper.Map(Parse($"""
            D0 tx0 DEBUG live-update -s
            D0 tx0 DEBUG watches
            D0 tx0 WRITE /a {big}
            """));
        Assert.Single(mapped.Runnable.Commands);
        Assert.Equal(1, mapped.Skipped[SkipReason.ControlLiveUpdate]);
        Assert.Equal(1, mapped.Skipped[SkipReason.OversizedPayload]);
    }

    [Fact]
    public void Mapping_a_mapped_scenario_changes_nothing()
    {
        var once = ScenarioMapper.Map(Parse("""
            domain 1
            D1 tx0 WRITE x "1"
            A1 tx0 WATCH / t
            LIVE-UPDATE
            """)).Runnable;
        var twice = ScenarioMapper.Map(once);
        Assert.Equal(once, twice.Runnable);
        Assert.Equal(0, twice.SkippedCount);
    }

    [Fact]
    public void Slots_are_A1_A2_dom0_then_control()
    {
        Assert.Equal(Slots.Socket1, Slots.Of(Xenstore.Domains.ConnectionId.Socket(1)));
        Assert.Equal(Slots.Socket2, Slots.Of(Xenstore.Domains.ConnectionId.Socket(2)));
        Assert.Equal(Slots.Dom0, Slots.Of(Xenstore.Domains.ConnectionId.Ring(0)));
        Assert.Null(Slots.Of(Xenstore.Domains.ConnectionId.Ring(1)));
        Assert.Null(Slots.Of(Xenstore.Domains.ConnectionId.Socket(3)));
    }
}
