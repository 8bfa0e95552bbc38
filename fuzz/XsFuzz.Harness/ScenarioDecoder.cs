using XsFuzz.Harness.Decoding;
using XsFuzz.Harness.Generation;
using XsFuzz.Harness.Running;
using XsFuzz.Harness.Scenarios;

namespace XsFuzz.Harness;

/// <summary>
/// Bytes to scenario, lazily: each record is decoded against the reference daemon's state right before it
/// runs (that is how paths, tx ids and tokens are mostly live ones). Record 0 is the setup header, then
/// one record per initial node, then one per command (see <see cref="Framing"/> and the choosers in
/// Generation/). Total: every byte string decodes; missing records just end the lists.
/// </summary>
public sealed class ScenarioDecoder
{
    private readonly Choices _choices;
    private readonly HarnessOptions _options;
    private readonly SetupCodec _setup;
    private readonly CommandCodec _commands;
    private readonly List<DomainSetup> _domains = new();
    private readonly List<NodeSetup> _nodes = new();
    private readonly List<Command> _decoded = new();

    public ScenarioDecoder(ReadOnlySpan<byte> input, HarnessOptions options)
    {
        _options = options;
        _choices = new Choices(input);
        var vocab = new Vocabulary(options.Config);
        _setup = new SetupCodec(vocab, options);
        _commands = new CommandCodec(vocab);
    }

    /// <summary>Decodes the setup and applies it to the session as it goes (nodes need the tree so far).</summary>
    public void DecodeSetup(PairRun session)
    {
        _choices.NextRecord();
        var header = _setup.DecodeHeader(_choices);
        foreach (var domain in header.Domains)
        {
            _domains.Add(domain);
            session.ApplyDomain(domain);
        }
        foreach (var home in header.Homes)
        {
            _nodes.Add(home);
            session.ApplyNode(home);
        }
        for (var i = 0; i < header.NodeCount && _choices.NextRecord(); i++)
        {
            var node = _setup.DecodeNode(_choices, session.View);
            _nodes.Add(node);
            session.ApplyNode(node);
        }
        session.FinishSetup();
    }

    /// <summary>The next command, decoded against the session's current state; null when the input (or the bound) ends.</summary>
    public Command? NextCommand(PairRun session)
    {
        if (_decoded.Count >= _options.MaxCommands || !_choices.NextRecord()) return null;
        var command = _commands.Decode(_choices, session.View);
        _decoded.Add(command);
        return command;
    }

    /// <summary>Everything decoded so far.</summary>
    public Scenario Scenario => new(_domains.ToValueList(), _nodes.ToValueList(), _decoded.ToValueList());

    /// <summary>Decodes a whole input (running the reference daemon only).</summary>
    public static Scenario Decode(ReadOnlySpan<byte> input, HarnessOptions options)
    {
        var decoder = new ScenarioDecoder(input, options);
        var session = PairRun.ReferenceOnly(options);
        decoder.DecodeSetup(session);
        var step = 0;
        while (decoder.NextCommand(session) is { } command) session.Execute(command, ++step);
        return decoder.Scenario;
    }
}
