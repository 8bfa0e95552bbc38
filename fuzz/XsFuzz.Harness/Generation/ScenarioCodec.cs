using XsFuzz.Harness.Decoding;
using XsFuzz.Harness.Running;
using XsFuzz.Harness.Scenarios;
using XsFuzz.Xenstore;
using XsFuzz.Xenstore.Migration;

namespace XsFuzz.Harness.Generation;

/// <summary>
/// The walk over an input's records, for both directions at once: record 0 is the setup header, then one
/// record per initial node, then one per command (see <see cref="Framing"/>). Each element is chosen
/// against the reference daemon's state right before it runs (that is how paths, tx ids and tokens are
/// mostly live ones) and applied to the session. Reading, the choices come from the input; writing, from
/// a wanted scenario, and the bytes written are what makes the reader choose the same.
/// </summary>
/// <remarks>This class is the one place that feeds a <see cref="PairRun"/> while choosing.</remarks>
internal sealed class ScenarioCodec
{
    private readonly Choices _c;
    private readonly HarnessOptions _options;
    private readonly Vocabulary _vocab;
    private readonly Scenario? _want;
    private readonly SetupChoice.Header _header;
    private readonly List<DomainSetup> _domains = new();
    private readonly List<NodeSetup> _nodes = new();
    private readonly List<Command> _commands = new();
    private readonly List<Command> _records = new(); // the command each record chose (copies not repeated)
    private Command? _source;   // the request whose copies are still owed
    private int _copiesLeft;    // how many
    private int _copy;          // the number of the last copy made

    private ScenarioCodec(Choices c, HarnessOptions options, Scenario? want)
    {
        _c = c;
        _options = options;
        _want = want;
        // The header first, before any daemon exists: it holds the configuration the daemons start with.
        _c.NextRecord(true);
        _header = _c.Element((Options: _options, Want: _want), static (c, s) => SetupChoice.ChooseHeader(c, s.Options, s.Want));
        if (_want is not null && _want.Nodes.Count - _header.Homes.Count > _options.MaxInitialNodes)
            throw new ArgumentException($"{_want.Nodes.Count - _header.Homes.Count} initial nodes exceed the bound {_options.MaxInitialNodes}");
        Check(_c.Failed ? "the setup header" : null);
        _vocab = _options.VocabularyOf(_header.Config);
    }

    /// <summary>The daemons' configuration, chosen by the setup header.</summary>
    public NamedConfig Config => _header.Config;

    public static ScenarioCodec Reader(ReadOnlySpan<byte> input, HarnessOptions options) => new(Choices.Reader(input), options, null);

    /// <exception cref="ArgumentException">The scenario exceeds the decoder's bounds (commands, nodes, domains).</exception>
    public static ScenarioCodec Writer(Scenario want, HarnessOptions options)
    {
        if (want.Commands.Count > options.MaxCommands)
            throw new ArgumentException($"{want.Commands.Count} commands exceed the bound {options.MaxCommands}");
        if (want.Domains.Count > options.MaxInitialDomains)
            throw new ArgumentException($"{want.Domains.Count} initial domains exceed the bound {options.MaxInitialDomains}");
        options.ConfigOf(want); // throws for a configuration the options do not hold
        return new ScenarioCodec(Choices.Writer(), options, want);
    }

    /// <summary>Chooses the setup and applies it to the session as it goes (nodes need the tree so far).</summary>
    public void Setup(PairRun session)
    {
        var header = _header;
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
        for (var i = 0; i < header.NodeCount && _c.NextRecord(true); i++)
        {
            var wanted = _want?.Nodes[_nodes.Count];
            var node = _c.Element((session.View, Vocab: _vocab, Want: wanted), static (c, s) => SetupChoice.ChooseNode(c, s.View, s.Vocab, s.Want));
            Check(_c.Writing && (_c.Failed || node != wanted) ? "node " + ScenarioText.Node(wanted!) : null);
            _nodes.Add(node);
            session.ApplyNode(node);
        }
        session.ApplyListener(header.Listener);
        session.FinishSetup();
    }

    /// <summary>The next command, chosen against the session's current state; null when the input (or the bound) ends.</summary>
    public Command? NextCommand(PairRun session)
    {
        if (_commands.Count >= _options.MaxCommands) return null;
        if (_copiesLeft > 0)
        {
            _copiesLeft--;
            return Add(CommandChoice.Copy(_source!, ++_copy));
        }
        if (!_c.NextRecord(_want is not null && _commands.Count < _want.Commands.Count)) return null;
        var wanted = _want?.Commands[_commands.Count];
        var (command, copies) = _c.Element((session.View, Vocab: _vocab, Quiet: _header.Listener > 0, Want: wanted, Copies: wanted is null ? 0 : CopiesWanted()),
            static (c, s) => CommandChoice.ChooseWithCopies(c, new CommandChoice.Context(s.View, s.Vocab, s.Quiet), s.Want, s.Copies));
        Check(_c.Writing && (_c.Failed || command != wanted) ? "command " + ScenarioText.Command(wanted!) : null);
        (_source, _copiesLeft, _copy) = (command, copies, 0);
        _records.Add(command);
        return Add(command);
    }

    private Command Add(Command command)
    {
        _commands.Add(command);
        return command;
    }

    /// <summary>
    /// Writing: how many of the wanted commands after this one are its copies 1, 2, ... (at most
    /// RepeatMax), which the record then asks for in a byte or two instead of a record each.
    /// </summary>
    private int CopiesWanted()
    {
        var i = _commands.Count;
        var source = _want!.Commands[i];
        if (source is not RequestCommand) return 0;
        var run = 0;
        while (run < CommandChoice.RepeatMax && i + 1 + run < _want.Commands.Count
               && _want.Commands[i + 1 + run] == CommandChoice.Copy(source, run + 1)) run++;
        return run;
    }

    /// <summary>Everything chosen so far.</summary>
    public Scenario Scenario => new(_domains.ToValueList(), _nodes.ToValueList(), _commands.ToValueList())
    {
        Config = _header.Config.Name, Listener = _header.Listener,
    };

    /// <summary>The command each command record chose, its copies left out (the locality tests compare records).</summary>
    internal IReadOnlyList<Command> Records => _records;

    /// <summary>The bytes written (writing).</summary>
    public byte[] ToArray() => _c.ToArray();

    /// <summary>Walks the whole input or scenario, running the reference daemon only.</summary>
    public ScenarioCodec Run()
    {
        var session = PairRun.ReferenceOnly(_header.Config.Config);
        Setup(session);
        var step = 0;
        while (NextCommand(session) is { } command) session.Execute(command, ++step);
        return this;
    }

    // Writing: an element no alternative reproduces (a literal too long, a non-Latin-1 character).
    private static void Check(string? unencodable)
    {
        if (unencodable is not null) throw new ArgumentException($"cannot encode {unencodable}");
    }
}
