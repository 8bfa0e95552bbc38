using XsFuzz.Harness.Decoding;
using XsFuzz.Harness.Generation;
using XsFuzz.Harness.Running;
using XsFuzz.Harness.Scenarios;

namespace XsFuzz.Harness;

/// <summary>
/// Scenario to bytes, the decoder's inverse: Decode(Encode(s)) == s for every scenario within the bounds.
/// </summary>
/// <remarks>
/// Why an encoder rather than a scenario-level runner only: the shrinker does work on scenarios (it
/// removes commands, nodes, shortens values), but its result must be an input file that AFL, replay and
/// the corpus can use, so scenarios have to become bytes again. The encoder replays the scenario on a
/// reference daemon and, at each choice, writes the alternative that reproduces the wanted value in that
/// state: an index into the live list (existing node, open tx, registered watch, live domain) when there
/// is one, a vocabulary index, else the literal bytes, which every choice offers. That gives compact
/// inputs (a shrunk failure is a few bytes per command, smaller than byte-level afl-tmin gets), lets
/// `xsfuzz corpus` write hand-made scenarios as seeds, and makes Decode(Encode(s)) == s a strong test of
/// both directions.
/// </remarks>
public static class ScenarioEncoder
{
    /// <summary>The encoding, or null when the scenario exceeds the decoder's bounds.</summary>
    public static byte[]? TryEncode(Scenario scenario, HarnessOptions options)
    {
        try
        {
            return Encode(scenario, options);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <exception cref="ArgumentException">The scenario exceeds the decoder's bounds (commands, nodes, domains).</exception>
    public static byte[] Encode(Scenario scenario, HarnessOptions options)
    {
        if (scenario.Commands.Count > options.MaxCommands)
            throw new ArgumentException($"{scenario.Commands.Count} commands exceed the bound {options.MaxCommands}");
        var vocab = new Vocabulary(options.Config);
        var setup = new SetupCodec(vocab, options);
        var codec = new CommandCodec(vocab);
        var session = PairRun.ReferenceOnly(options);
        var w = new ChoiceWriter();

        w.NextRecord();
        var homes = setup.EncodeHeader(w, scenario);
        foreach (var domain in scenario.Domains) session.ApplyDomain(domain);
        for (var i = 0; i < homes; i++) session.ApplyNode(scenario.Nodes[i]);
        for (var i = homes; i < scenario.Nodes.Count; i++)
        {
            w.NextRecord();
            setup.EncodeNode(w, session.View, scenario.Nodes[i]);
            session.ApplyNode(scenario.Nodes[i]);
        }
        session.FinishSetup();

        for (var step = 1; step <= scenario.Commands.Count; step++)
        {
            var command = scenario.Commands[step - 1];
            w.NextRecord();
            codec.Encode(w, session.View, command);
            session.Execute(command, step);
        }
        return w.ToArray();
    }
}
