using XsFuzz.Harness.Running;
using XsFuzz.Harness.Scenarios;
using XsFuzz.Xenstore;
using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Migration;

namespace XsFuzz.Harness.Tests;

/// <summary>The configuration choice, request copies and the listener: decoding, encoding, text, effect.</summary>
public class GenerationTests
{
    private static readonly HarnessOptions Options = HarnessOptions.Default;

    [Fact]
    public void Random_inputs_choose_every_configuration_copies_and_listeners_and_round_trip()
    {
        var inputs = new RandomInputs(11);
        var configs = new HashSet<string>();
        var listeners = new HashSet<int>();
        var copied = 0;
        for (var i = 0; i < 1500; i++)
        {
            var scenario = ScenarioDecoder.Decode(inputs.Next(Options.MaxCommands), Options);
            configs.Add(scenario.Config);
            listeners.Add(scenario.Listener);
            if (HasRun(scenario)) copied++;
            var bytes = ScenarioEncoder.Encode(scenario, Options);
            Assert.Equal(scenario, ScenarioDecoder.Decode(bytes, Options));
            Assert.Equal(scenario, ScenarioParser.Parse(ScenarioText.Print(scenario)));
        }
        Assert.Equal(ConfigVariants.All.Select(c => c.Name).Order(), configs.Order());
        Assert.Equal([0, 4, 16, 64], listeners.Order());
        Assert.True(copied > 150, $"{copied} scenarios of 1500 hold a request three times in a row");
    }

    private static bool HasRun(Scenario s)
    {
        for (var i = 2; i < s.Commands.Count; i++)
        {
            if (s.Commands[i] is RequestCommand && s.Commands[i] == s.Commands[i - 1] && s.Commands[i] == s.Commands[i - 2]) return true;
        }
        return false;
    }

    [Fact]
    public void Older_inputs_read_Debians_configuration_and_no_listener()
    {
        // A header that ends before the configuration byte (every input written before there was one).
        var scenario = ScenarioDecoder.Decode([0x00, 0xFF, 0x00], Options);
        Assert.Equal("debian", scenario.Config);
        Assert.Equal(0, scenario.Listener);
        Assert.DoesNotContain("config", ScenarioText.Print(scenario));
    }

    [Fact]
    public void A_pinned_configuration_is_not_read_from_the_input_and_an_unknown_one_is_refused()
    {
        var pinned = Options.Pinned(ConfigVariants.All[5]);
        var inputs = new RandomInputs(3);
        for (var i = 0; i < 200; i++)
        {
            var input = inputs.Next(Options.MaxCommands);
            var scenario = ScenarioDecoder.Decode(input, pinned);
            Assert.Equal("small-quotas", scenario.Config);
            Assert.Equal(scenario, ScenarioDecoder.Decode(ScenarioEncoder.Encode(scenario, pinned), pinned));
        }
        var other = Scenario.Empty with { Config = "quota-off" };
        Assert.Throws<ArgumentException>(() => ScenarioEncoder.Encode(other, pinned));
        Assert.Null(ScenarioEncoder.TryEncode(other with { Config = "nope" }, Options));
    }

    [Fact]
    public void Copies_encode_in_one_record_and_a_watch_copy_gets_a_numbered_token()
    {
        var text = """
            # xsfuzz scenario
            config perms-watch-off
            listener 4
            A1 tx0 WATCH / t0
            A1 tx0 WATCH / t01
            A1 tx0 WATCH / t02
            D0 tx0 WRITE /a x
            D0 tx0 WRITE /a x
            D0 tx0 WRITE /a x
            D0 tx0 WRITE /a x
            LIVE-UPDATE

            """;
        var scenario = ScenarioParser.Parse(text);
        Assert.Equal(4, scenario.Listener);
        Assert.Equal("perms-watch-off", scenario.Config);
        var bytes = ScenarioEncoder.Encode(scenario, Options);
        Assert.Equal(scenario, ScenarioDecoder.Decode(bytes, Options));
        Assert.Equal(3, bytes.Count(b => b == 0xFF)); // header, two request records (each with its copies), the live update: 4 records
        Assert.Equal(text.Replace("\r", "").TrimEnd() + "\n", ScenarioText.Print(scenario));
    }

    [Fact]
    public void The_listener_queues_an_event_per_watch_and_change_and_the_dump_sees_them()
    {
        var scenario = ScenarioParser.Parse("listener 16\nD0 tx0 WRITE /a x\nD0 tx0 WRITE /a x\nD0 tx0 WRITE /b x\nLIVE-UPDATE\n");
        var (divergence, stats) = Agreement.Run(scenario, LiveUpdateFault.None, Options);
        Assert.Null(divergence);
        Assert.Equal(1, stats.QueuedAtDump[3]);   // 48 queued: the 32..99 bucket
        Assert.Equal(48, stats.MaxQueuedAtDump);
        // The planted output-queue bug is visible only with such a queue.
        Assert.NotNull(Agreement.Run(scenario, LiveUpdateFault.OutputQueueTruncated, Options).Divergence);
        var shallow = ScenarioParser.Parse("listener 4\nD0 tx0 WRITE /a x\nLIVE-UPDATE\n");
        Assert.Null(Agreement.Run(shallow, LiveUpdateFault.OutputQueueTruncated, Options).Divergence);
    }

    [Fact]
    public void The_listener_is_never_chosen_to_send_or_drain()
    {
        var inputs = new RandomInputs(4);
        var seen = 0;
        for (var i = 0; i < 1000; i++)
        {
            var scenario = ScenarioDecoder.Decode(inputs.Next(Options.MaxCommands), Options);
            if (scenario.Listener == 0) continue;
            seen++;
            // Only a literal connection name reaches A2 then, and literals are rare.
            var named = scenario.Commands.Count(c => c is RequestCommand r && r.Connection == Scenario.ListenerSocket
                || c is DrainCommand d && d.Connection == Scenario.ListenerSocket);
            Assert.True(named <= 2, $"A2 named {named} times in\n{scenario}");
        }
        Assert.True(seen > 20, $"{seen} scenarios with a listener");
    }

    [Fact]
    public void Each_new_fault_is_visible_only_in_its_condition()
    {
        var perms = ScenarioParser.Parse("LIVE-UPDATE\n");
        Assert.Null(Agreement.Run(perms, LiveUpdateFault.ConfigPermsSwapped, Options).Divergence);
        Assert.NotNull(Agreement.Run(perms with { Config = "perms-off" }, LiveUpdateFault.ConfigPermsSwapped, Options).Divergence);

        var once = ScenarioParser.Parse("D0 tx0 TRANSACTION_START\nD0 tx1 WRITE /a x\nD0 tx1 WRITE /a y\nLIVE-UPDATE\n");
        Assert.Null(Agreement.Run(once, LiveUpdateFault.TxRepeatedChangeMerged, Options).Divergence);
        var twice = ScenarioParser.Parse("D0 tx0 TRANSACTION_START\nD0 tx1 WRITE /a x\nD0 tx1 WRITE /a x\nLIVE-UPDATE\n");
        Assert.NotNull(Agreement.Run(twice, LiveUpdateFault.TxRepeatedChangeMerged, Options).Divergence);
    }

    [Fact]
    public void Scenario_text_refuses_a_late_or_bad_config_or_listener_line()
    {
        Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse("LIVE-UPDATE\nconfig quota-off\n"));
        Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse("listener 0\n"));
        Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse("listener 65\n"));
        Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse("config a b\n"));
        Assert.Equal(ConnectionId.Socket(2), Scenario.ListenerSocket);
    }
}
