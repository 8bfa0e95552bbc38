using XsFuzz.Harness.Corpus;
using XsFuzz.Harness.Scenarios;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Harness.Tests;

public class DecoderTests
{
    private static readonly HarnessOptions Options = HarnessOptions.Default;

    [Fact]
    public void The_empty_input_is_the_empty_scenario()
    {
        Assert.Equal(Scenario.Empty, ScenarioDecoder.Decode([], Options));
    }

    [Fact]
    public void An_empty_record_is_a_live_update_and_defaults_give_the_simplest_request()
    {
        var s = ScenarioDecoder.Decode([0xFF], Options);
        Assert.Equal("LIVE-UPDATE", ScenarioText.Command(Assert.Single(s.Commands)));
        s = ScenarioDecoder.Decode([0xFF, 28], Options); // the first byte that picks READ
        Assert.Equal("D0 tx0 READ /", ScenarioText.Command(Assert.Single(s.Commands)));
    }

    [Fact]
    public void Decoding_is_deterministic_and_bounded()
    {
        var inputs = new RandomInputs(11);
        for (var i = 0; i < 200; i++)
        {
            var input = inputs.Next(200);
            var a = ScenarioDecoder.Decode(input, Options);
            Assert.Equal(a, ScenarioDecoder.Decode(input, Options));
            Assert.True(a.Commands.Count <= Options.MaxCommands);
            Assert.True(a.Domains.Count <= Options.MaxInitialDomains);
        }
    }

    [Fact]
    public void Encoding_is_the_inverse_of_decoding_and_text_round_trips()
    {
        var inputs = new RandomInputs(5);
        for (var i = 0; i < 1500; i++)
        {
            var scenario = ScenarioDecoder.Decode(inputs.Next(Options.MaxCommands), Options);
            var bytes = ScenarioEncoder.Encode(scenario, Options);
            Assert.Equal(ScenarioText.Print(scenario), ScenarioText.Print(ScenarioDecoder.Decode(bytes, Options)));
            Assert.Equal(scenario, ScenarioDecoder.Decode(bytes, Options));
            Assert.Equal(scenario, ScenarioParser.Parse(ScenarioText.Print(scenario)));
        }
    }

    [Fact]
    public void Seed_scenarios_survive_encoding()
    {
        foreach (var (name, text) in SeedScenarios.All)
        {
            var scenario = ScenarioParser.Parse(text);
            Assert.True(scenario.Commands.Count > 0, name);
            Assert.Equal(scenario, ScenarioDecoder.Decode(ScenarioEncoder.Encode(scenario, Options), Options));
        }
    }

    [Fact]
    public void Seed_scenarios_use_every_op_and_live_updates_with_open_transactions()
    {
        var ops = new HashSet<uint>();
        foreach (var (_, text) in SeedScenarios.All)
        {
            foreach (var c in ScenarioParser.Parse(text).Commands)
            {
                if (c is RequestCommand r) ops.Add(r.Type);
            }
        }
        foreach (var op in Enum.GetValues<Op>()) Assert.Contains((uint)op, ops);
    }

    [Fact]
    public void Random_inputs_reach_every_command_kind()
    {
        var ops = new HashSet<string>();
        var inputs = new RandomInputs(3);
        for (var i = 0; i < 300; i++)
        {
            foreach (var c in ScenarioDecoder.Decode(inputs.Next(Options.MaxCommands), Options).Commands)
            {
                ops.Add(c switch
                {
                    RequestCommand r => OpNames.Name(r.Type),
                    LiveUpdateCommand => "LIVE-UPDATE",
                    DrainCommand => "DRAIN",
                    PartialCommand => "PARTIAL",
                    _ => "?",
                });
            }
        }
        foreach (var op in Enum.GetValues<Op>()) Assert.Contains(OpNames.Name((uint)op), ops);
        Assert.Contains("LIVE-UPDATE", ops);
        Assert.Contains("DRAIN", ops);
        Assert.Contains("PARTIAL", ops);
    }

    [Fact]
    public void Scenarios_beyond_the_bounds_are_refused_by_the_encoder()
    {
        var many = Enumerable.Repeat<Command>(LiveUpdateCommand.Instance, Options.MaxCommands + 1).ToValueList();
        Assert.Throws<ArgumentException>(() => ScenarioEncoder.Encode(Scenario.Empty with { Commands = many }, Options));
    }
}
