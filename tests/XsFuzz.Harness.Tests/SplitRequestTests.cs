using XsFuzz.Harness.Reporting;
using XsFuzz.Harness.Running;
using XsFuzz.Harness.Scenarios;
using XsFuzz.Xenstore;
using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Migration;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Harness.Tests;

/// <summary>PARTIAL: a request whose first bytes are written before a live update and the rest after.</summary>
public class SplitRequestTests
{
    private static readonly HarnessOptions Options = HarnessOptions.Default;

    private const string AcrossAnUpdate = """
        domain 1
        node /local/domain/1 "" n1
        D1 tx0 WATCH data w
        PARTIAL 20 D1 tx0 WRITE /local/domain/1/data v
        LIVE-UPDATE
        D1 tx0 READ /local/domain/1/data
        """;

    [Fact]
    public void The_text_form_round_trips_and_bad_splits_are_named()
    {
        var scenario = ScenarioParser.Parse(AcrossAnUpdate);
        var partial = Assert.IsType<PartialCommand>(scenario.Commands[1]);
        Assert.Equal(20, partial.Bytes);
        Assert.Equal(new RequestCommand(ConnectionId.Ring(1), 0, (uint)Op.Write, "/local/domain/1/data\0v"), partial.Request);
        Assert.Equal("PARTIAL 20 D1 tx0 WRITE /local/domain/1/data v", ScenarioText.Command(partial));
        Assert.Equal(scenario, ScenarioParser.Parse(ScenarioText.Print(scenario)));
        Assert.Contains("not less than the request's 18 bytes", Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse("PARTIAL 18 D1 tx0 READ a")).Message);
        Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse("PARTIAL 0 D1 tx0 READ a"));
        Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse("PARTIAL 4 LIVE-UPDATE x"));
        Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse("PARTIAL 4"));
        Assert.Equal(17, Assert.IsType<PartialCommand>(Assert.Single(ScenarioParser.Parse("PARTIAL 17 D1 tx0 READ a").Commands)).Bytes);
    }

    [Fact]
    public void Encoding_round_trips_and_random_inputs_split_domU_requests_only()
    {
        var scenario = ScenarioParser.Parse(AcrossAnUpdate);
        Assert.Equal(scenario, ScenarioDecoder.Decode(ScenarioEncoder.Encode(scenario, Options), Options));
        var inputs = new RandomInputs(12);
        var split = 0;
        for (var i = 0; i < 400; i++)
        {
            var decoded = ScenarioDecoder.Decode(inputs.Next(Options.MaxCommands), Options);
            foreach (var p in decoded.Commands.OfType<PartialCommand>())
            {
                split++;
                Assert.Equal(ConnectionKind.Ring, p.Request.Connection.Kind);
                Assert.NotEqual(0, p.Request.Connection.Number);
                Assert.InRange(p.Bytes, 1, Packet.HeaderSize + p.Request.Payload.Length - 1);
            }
            if (decoded.Commands.Any(c => c is PartialCommand))
                Assert.Equal(decoded, ScenarioDecoder.Decode(ScenarioEncoder.Encode(decoded, Options), Options));
        }
        Assert.True(split > 20, $"only {split} split requests in 400 random scenarios");
    }

    [Fact]
    public void The_rest_goes_with_the_next_request_whose_delivery_starts_with_the_split_ones_reply()
    {
        var target = new ModelTarget(XenstoredConfig.Debian);
        var d1 = ConnectionId.Ring(1);
        target.Exchange(Xenstored.Dom0, Packet.Request(Op.Introduce, 1, 0, "1", "1001", "11"));
        var write = Packet.Request(Op.Mkdir, 2, 0, "/local/domain/1/x").ToBytes();
        target.SendPart(d1, write[..5]);
        Assert.True(target.Daemon.HasPartialInput(d1));
        Assert.Same(Delivery.NothingQueued, target.Drain(d1));          // a client that has not finished reads nothing
        var delivery = target.Complete(d1, write[5..], Packet.Request(Op.Read, 3, 0, "/local/domain/1/x"));
        Assert.Equal([2u, 3u], delivery.Packets.Select(p => p.RequestId));
        Assert.False(target.Daemon.HasPartialInput(d1));
    }

    [Fact]
    public void A_request_split_across_a_live_update_agrees_and_the_planted_fault_is_caught()
    {
        var scenario = ScenarioParser.Parse(AcrossAnUpdate);
        var (divergence, stats) = Agreement.Run(scenario, LiveUpdateFault.None, Options);
        Assert.Null(divergence);
        Assert.Equal(1, stats.LiveUpdatesWithPartialInput);
        Assert.Equal(1, stats.ScenariosWithPartial);
        var d = Assert.Throws<Disagreement>(() => Agreement.Check(scenario, LiveUpdateFault.PartialInputLost, Options));
        Assert.Equal(CheckPoint.LiveUpdateState, d.Divergence.Point);
        Assert.Equal("live update: state differs in [partial-input]", d.Signature);
    }

    [Fact]
    public void An_unfinished_request_is_finished_at_the_end()
    {
        var scenario = ScenarioParser.Parse("""
            domain 1
            PARTIAL 3 D1 tx0 MKDIR /local/domain/1/y
            LIVE-UPDATE
            """);
        Assert.Null(Agreement.Run(scenario, LiveUpdateFault.None, Options).Divergence);
        var d = Assert.Throws<Disagreement>(() => Agreement.Check(scenario, LiveUpdateFault.PartialInputLost, Options));
        Assert.Equal("live update: state differs in [partial-input]", d.Signature);
    }
}
